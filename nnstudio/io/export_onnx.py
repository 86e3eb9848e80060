"""ONNX export (opset 13): one named input per input layer, one named output per output layer.

The model computes in float64 (``tensor(double)``), as nnstudio does, so it
reproduces nnstudio's outputs to rounding.  Every connection is a ``MatMul``
with its full ``source_size × target_size`` matrix (one_to_one and
all_to_else keep their zeros); a layer fed by several layers ``Sum``s them.
Each activation's operators come from its entry in the activation registry
(some are elementary operators there, because onnxruntime has no float64
kernels for ``LeakyRelu`` and ``Softplus``).
``onnx`` is imported only when exporting.
"""

from __future__ import annotations

import os

import numpy as np

from .. import __version__
from ..core.activations import get_activation
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
    """Nodes applying the step's activation (its registry entry's ONNX form) to tensor ``z``; the result is ``out``."""
    assert step.activation is not None  # only input layers have none, and they are not evaluated
    forms = get_activation(step.activation).onnx
    names = {"z": z}
    for k, form in enumerate(forms):
        inputs = [
            const(f"{step.name}/{form.output}/{i}", np.array(x)) if isinstance(x, float) else names[x]
            for i, x in enumerate(form.inputs)
        ]
        output = out if k == len(forms) - 1 else f"{step.name}/{form.output}"
        names[form.output] = node(form.op, inputs, output, **dict(form.attributes))
    return out


def write_onnx(net: Network, path: str | os.PathLike) -> None:
    model = build_model(net)
    write_bytes_atomic(path, model.SerializeToString())
