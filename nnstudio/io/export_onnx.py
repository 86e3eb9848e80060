"""ONNX export (opset 13): one named input per input layer, one named output per output layer.

The model computes in float64 (``tensor(double)``), as nnstudio does, so it
reproduces nnstudio's outputs to rounding.  Every connection is a ``MatMul``
with its full ``source_size × target_size`` matrix (one_to_one and
all_to_else keep their zeros); a layer fed by several layers ``Sum``s them.
leaky_relu, softplus and step are written with elementary operators because
onnxruntime has no float64 kernels for ``LeakyRelu`` and ``Softplus``.
``onnx`` is imported only when exporting.
"""

from __future__ import annotations

import os

import numpy as np

from .. import __version__
from ..core.network import Network
from ..core.standalone import PlanStep, evaluation_plan, input_steps, output_steps
from .atomic import write_bytes_atomic

OPSET = 13
MISSING_ONNX = "ONNX export needs the onnx package: pip install nnstudio[onnx]"


def _onnx():
    try:
        import onnx
    except ImportError:
        raise RuntimeError(MISSING_ONNX) from None
    return onnx


def build_model(net: Network):
    """An ``onnx.ModelProto`` computing ``net``'s outputs from its inputs."""
    onnx = _onnx()
    from onnx import TensorProto, helper, numpy_helper

    plan = evaluation_plan(net)
    names = [s.name for s in plan]
    if len(set(names)) != len(names):
        raise ValueError("two layers have the same name; ONNX inputs and outputs are named after layers, so rename one")
    if any(len({src for src, _ in s.sources}) != len(s.sources) for s in plan):
        raise ValueError("two connections join the same layers; ONNX nodes are named after them")
    nodes, inits = [], []

    def const(name: str, values: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.asarray(values, dtype=np.float64), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    tensor = {s.index: s.name for s in input_steps(plan)}
    outputs = {s.index for s in output_steps(plan)}
    for step in plan:
        if step.role == "input":
            continue
        prefix = step.name
        terms = []
        for src, w in step.sources:
            weights = const(f"{plan[src].name} -> {prefix}/weights", w)
            terms.append(node("MatMul", [tensor[src], weights], f"{plan[src].name} -> {prefix}/product"))
        z = terms[0] if len(terms) == 1 else node("Sum", terms, f"{prefix}/sum")
        if step.bias is not None:
            z = node("Add", [z, const(f"{prefix}/bias", step.bias)], f"{prefix}/z")
        result = prefix if step.index in outputs else f"{prefix}/activation"
        tensor[step.index] = _activation(step, z, result, node, const)

    value_info = lambda s: helper.make_tensor_value_info(s.name, TensorProto.DOUBLE, ["batch", s.size])  # noqa: E731
    graph = helper.make_graph(
        nodes, "nnstudio", [value_info(s) for s in input_steps(plan)], [value_info(s) for s in output_steps(plan)],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="nnstudio", producer_version=__version__)
    try:
        onnx.checker.check_model(model)
    except Exception as exc:  # onnx's ValidationError derives from Exception only
        raise ValueError(f"the ONNX checker refused the model: {str(exc).splitlines()[0]}") from None
    return model


def _activation(step: PlanStep, z: str, out: str, node, const) -> str:
    """Nodes applying the step's activation to tensor ``z``; the result is named ``out``."""
    act, p = step.activation, step.name
    if act == "logistic":
        return node("Sigmoid", [z], out)
    if act == "tanh":
        return node("Tanh", [z], out)
    if act == "relu":
        return node("Relu", [z], out)
    if act == "identity":
        return node("Identity", [z], out)
    if act == "softmax":
        return node("Softmax", [z], out, axis=-1)
    if act == "leaky_relu":  # max(z, 0.01 z)
        scaled = node("Mul", [z, const(f"{p}/slope", np.array(0.01))], f"{p}/scaled")
        return node("Max", [z, scaled], out)
    if act == "step":  # 1 where z > 0, else 0
        positive = node("Greater", [z, const(f"{p}/zero", np.array(0.0))], f"{p}/positive")
        from onnx import TensorProto

        return node("Cast", [positive], out, to=TensorProto.DOUBLE)
    if act == "softplus":  # max(z, 0) + log(1 + exp(-|z|)), stable for large |z|
        one = const(f"{p}/one", np.array(1.0))
        neg = node("Neg", [node("Abs", [z], f"{p}/abs")], f"{p}/neg_abs")
        log = node("Log", [node("Add", [one, node("Exp", [neg], f"{p}/exp")], f"{p}/one_plus")], f"{p}/log")
        return node("Add", [node("Relu", [z], f"{p}/relu"), log], out)
    raise ValueError(f"no ONNX form for activation {act!r}")


def write_onnx(net: Network, path: str | os.PathLike) -> None:
    model = build_model(net)
    write_bytes_atomic(path, model.SerializeToString())
