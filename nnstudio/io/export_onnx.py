"""ONNX export (opset 13): one named input per input layer, one named output per output layer.

The model takes and gives float32 (``tensor(float)``) by default, what
onnxruntime and converters expect; ``dtype="float64"`` computes in double, as
nnstudio does, and reproduces its outputs to rounding.  A dataset's input
scaling becomes ``Sub``/``Mul`` nodes on each input, so the model takes raw
values; a dataset's feature inputs (x1², sin x1 …) are computed in the model from the raw x1, x2 (``Gather``,
``Mul``, ``Sin``, ``Concat``) and listed in its metadata (``features``); class names go into the model's
metadata (``class_names``, JSON), and
the model passes ``onnx.checker.check_model(full_check=True)``.  Every connection is a ``MatMul``
with its full ``source_size × target_size`` matrix (one_to_one and
all_to_else keep their zeros); a layer fed by several layers ``Sum``s them.
Each activation's operators come from its entry in the activation registry
(some are elementary operators there, because onnxruntime has no float64
kernels for ``LeakyRelu`` and ``Softplus``).
``onnx`` is imported only when exporting.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

import numpy as np

from .. import __version__
from ..core.activations import ONNX_DOUBLE, get_activation
from ..core.features import FEATURES, RAW_INPUTS, input_width
from ..core.network import Network
from ..core.scaling import InputScaling
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


DTYPES = {"float32": (np.float32, 1), "float64": (np.float64, 11)}  # numpy type, TensorProto FLOAT / DOUBLE


def build_model(net: Network, dtype: str = "float32", scaling: InputScaling | None = None,
                class_names: Sequence[str] = (), features: Sequence[str] | None = None):
    """An ``onnx.ModelProto`` computing ``net``'s outputs from its (raw, when ``scaling`` is given) inputs.

    With ``features`` the one input (named after the input layer) takes the raw x1, x2; the model scales
    them and computes the features the input layer is fed.
    """
    onnx = _onnx()
    from onnx import helper, numpy_helper

    if dtype not in DTYPES:
        raise ValueError(f"unknown ONNX dtype {dtype!r}; choose float32 or float64")
    np_type, elem_type = DTYPES[dtype]

    plan = evaluation_plan(net)
    names = [s.name for s in plan]
    if len(set(names)) != len(names):
        raise ValueError("two layers have the same name; ONNX inputs and outputs are named after layers, so rename one")
    if any(len({src for src, _ in s.sources}) != len(s.sources) for s in plan):
        raise ValueError("two connections join the same layers; ONNX nodes are named after them")
    nodes, inits = [], []

    def const(name: str, values: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.asarray(values, dtype=np_type), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def indices(name: str, values: list[int]) -> str:
        inits.append(numpy_helper.from_array(np.asarray(values, dtype=np.int64), name))
        return name

    tensor = {s.index: s.name for s in input_steps(plan)}
    if features is not None:
        tensor = _feature_inputs(plan, features, scaling, node, const, indices)
    elif scaling is not None:
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

    value_info = lambda s, width: helper.make_tensor_value_info(s.name, elem_type, ["batch", width])  # noqa: E731
    in_width = (lambda s: s.size) if features is None else (lambda s: RAW_INPUTS)  # noqa: E731
    graph = helper.make_graph(
        nodes, "nnstudio", [value_info(s, in_width(s)) for s in input_steps(plan)],
        [value_info(s, s.size) for s in output_steps(plan)], initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="nnstudio", producer_version=__version__)
    if class_names:
        helper.set_model_props(model, {"class_names": json.dumps(list(class_names))})
    props = {p.key: p.value for p in model.metadata_props}
    if scaling is not None:
        props["input_scaling"] = json.dumps(scaling.to_dict())
    if features is not None:
        props["features"] = json.dumps(list(features))
    if props:
        helper.set_model_props(model, props)
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as exc:  # onnx's ValidationError derives from Exception only
        raise ValueError(f"the ONNX checker refused the model: {str(exc).splitlines()[0]}") from None
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


def _feature_inputs(plan: list[PlanStep], features: Sequence[str], scaling: InputScaling | None, node, const,
                    indices) -> dict[int, str]:
    """The one input layer's raw x1, x2 scaled, split into columns and turned into its features."""
    inputs = input_steps(plan)
    if len(inputs) != 1:
        raise ValueError(f"feature inputs need a network with one input layer; this one has {len(inputs)}")
    step = inputs[0]
    if step.size != input_width(features):
        raise ValueError(f"the input layer has {step.size} neurons for {len(features)} features")
    x = step.name
    if scaling is not None:
        x = node("Sub", [x, const(f"{step.name}/offset", scaling.offset)], f"{step.name}/centred")
        x = node("Mul", [x, const(f"{step.name}/factor", scaling.factor)], f"{step.name}/scaled")
    columns = {var: node("Gather", [x, indices(f"{step.name}/column {k}/index", [k])], f"{step.name}/column {k}",
                         axis=1) for k, var in enumerate(("x1", "x2"))}
    computed = []
    for name in features:
        feature = FEATURES[name]
        computed.append(node(feature.onnx_op, [columns[v] for v in feature.onnx_inputs], f"{step.name}/feature {name}"))
    return {step.index: node("Concat", computed, f"{step.name}/features", axis=1)}


def _activation(step: PlanStep, z: str, out: str, node, const, elem_type: int) -> str:
    """Nodes applying the step's activation (its registry entry's ONNX form) to tensor ``z``; the result is ``out``.

    The registry writes casts to double; they cast to ``elem_type``, the model's number type.
    """
    assert step.activation is not None  # only input layers have none, and they are not evaluated
    forms = get_activation(step.activation).onnx
    names = {"z": z}
    for k, form in enumerate(forms):
        inputs = [
            const(f"{step.name}/{form.output}/{i}", np.array(x)) if isinstance(x, float) else names[x]
            for i, x in enumerate(form.inputs)
        ]
        output = out if k == len(forms) - 1 else f"{step.name}/{form.output}"
        attributes = dict(form.attributes)
        if form.op == "Cast" and attributes.get("to") == ONNX_DOUBLE:
            attributes["to"] = elem_type
        names[form.output] = node(form.op, inputs, output, **attributes)
    return out


def write_onnx(net: Network, path: str | os.PathLike, dtype: str = "float32", scaling: InputScaling | None = None,
               class_names: Sequence[str] = (), features: Sequence[str] | None = None) -> None:
    model = build_model(net, dtype, scaling, class_names, features)
    write_bytes_atomic(path, model.SerializeToString())
