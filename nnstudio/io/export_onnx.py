"""ONNX export (opset 13): one named input per input layer, one named output per output layer.

The model takes and gives float32 (``tensor(float)``) by default, what
onnxruntime and converters expect; ``dtype="float64"`` computes in double, as
nnstudio does, and reproduces its outputs to rounding.  A dataset's input
scaling becomes ``Sub``/``Mul`` nodes on each input, so the model takes raw
values; class names go into the model's metadata (``class_names``, JSON), and
the model passes ``onnx.checker.check_model(full_check=True)``.  Every connection is a ``MatMul``
with its full ``source_size × target_size`` matrix (one_to_one and
all_to_else keep their zeros); a layer fed by several layers ``Sum``s them.
leaky_relu, softplus and step are written with elementary operators because
onnxruntime has no float64 kernels for ``LeakyRelu`` and ``Softplus``.
``onnx`` is imported only when exporting.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

import numpy as np

from .. import __version__
from ..core.network import Network
from ..core.scaling import InputScaling
from ..core.standalone import PlanStep, evaluation_plan, input_steps, output_steps

OPSET = 13
MISSING_ONNX = "ONNX export needs the onnx package: pip install nnstudio[onnx]"


def _onnx():
    try:
        import onnx
    except ImportError:
        raise RuntimeError(MISSING_ONNX) from None
    return onnx


DTYPES = {"float32": (np.float32, 1), "float64": (np.float64, 11)}  # numpy type, TensorProto FLOAT / DOUBLE


def build_model(net: Network, dtype: str = "float32", scaling: InputScaling | None = None,
                class_names: Sequence[str] = ()):
    """An ``onnx.ModelProto`` computing ``net``'s outputs from its (raw, when ``scaling`` is given) inputs."""
    onnx = _onnx()
    from onnx import helper, numpy_helper

    if dtype not in DTYPES:
        raise ValueError(f"unknown ONNX dtype {dtype!r}; choose float32 or float64")
    np_type, elem_type = DTYPES[dtype]

    plan = evaluation_plan(net)
    names = [s.name for s in plan]
    if len(set(names)) != len(names):
        raise ValueError("two layers have the same name; ONNX inputs and outputs are named after layers, so rename one")
    nodes, inits = [], []

    def const(name: str, values: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.asarray(values, dtype=np_type), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    tensor = {s.index: s.name for s in input_steps(plan)}
    if scaling is not None:
        tensor = _scaled_inputs(plan, scaling, node, const)
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
        tensor[step.index] = _activation(step, z, result, node, const, elem_type)

    value_info = lambda s: helper.make_tensor_value_info(s.name, elem_type, ["batch", s.size])  # noqa: E731
    graph = helper.make_graph(
        nodes, "nnstudio", [value_info(s) for s in input_steps(plan)], [value_info(s) for s in output_steps(plan)],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="nnstudio", producer_version=__version__)
    if class_names:
        helper.set_model_props(model, {"class_names": json.dumps(list(class_names))})
    if scaling is not None:
        helper.set_model_props(model, {**{p.key: p.value for p in model.metadata_props},
                                       "input_scaling": json.dumps(scaling.to_dict())})
    onnx.checker.check_model(model, full_check=True)
    return model


def _scaled_inputs(plan: list[PlanStep], scaling: InputScaling, node, const) -> dict[int, str]:
    """``(x - offset) * factor`` on each input layer's slice of the scaling; tensor names by step index."""
    inputs = input_steps(plan)
    if scaling.width != sum(s.size for s in inputs):
        raise ValueError(f"the scaling has {scaling.width} columns but the network {sum(s.size for s in inputs)} "
                         "inputs; fit the network to the data first")
    tensor, start = {}, 0
    for step in inputs:
        part = slice(start, start + step.size)
        centred = node("Sub", [step.name, const(f"{step.name}/offset", scaling.offset[part])], f"{step.name}/centred")
        tensor[step.index] = node("Mul", [centred, const(f"{step.name}/factor", scaling.factor[part])],
                                  f"{step.name}/scaled")
        start += step.size
    return tensor


def _activation(step: PlanStep, z: str, out: str, node, const, elem_type: int) -> str:
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
        return node("Cast", [positive], out, to=elem_type)
    if act == "softplus":  # max(z, 0) + log(1 + exp(-|z|)), stable for large |z|
        one = const(f"{p}/one", np.array(1.0))
        neg = node("Neg", [node("Abs", [z], f"{p}/abs")], f"{p}/neg_abs")
        log = node("Log", [node("Add", [one, node("Exp", [neg], f"{p}/exp")], f"{p}/one_plus")], f"{p}/log")
        return node("Add", [node("Relu", [z], f"{p}/relu"), log], out)
    raise ValueError(f"no ONNX form for activation {act!r}")


def write_onnx(net: Network, path: str | os.PathLike, dtype: str = "float32", scaling: InputScaling | None = None,
               class_names: Sequence[str] = ()) -> None:
    model = build_model(net, dtype, scaling, class_names)
    with open(path, "wb") as fh:
        fh.write(model.SerializeToString())
