"""Reading back what nnstudio's own ONNX export writes beyond single ops: activation forms and feature inputs.

The export writes leaky relu, step and softplus as small groups of elementary operators (their forms in the
activation registry, because onnxruntime lacks float64 kernels for some), and feature inputs (x1², sin x1 …)
as ``Gather``/``Mul``/``Sin``/``Concat`` in front of the input layer.  :func:`fuse_activation_forms` replaces
each such group, matched against the registry itself, with one node that :mod:`.import_onnx` reads as that
activation; :func:`feature_front` reads the feature front into a feature list and an input scaling.  Groups
that do not match exactly (other constants, tensors used outside the group) are left alone, so the importer
refuses them naming their first op.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from ..core.activations import ACTIVATIONS
from ..core.features import FEATURES, RAW_INPUTS
from ..core.scaling import InputScaling
from .import_synaptic import ForeignNetworkError

FUSED_OP = "nnstudio activation"  # the op of a fused node; its "activation" attribute names the activation
_FLOAT_TYPES = (1, 10, 11)  # TensorProto FLOAT, FLOAT16, DOUBLE


def _scalar(constants: dict, name: str, onnx) -> float | None:
    if name not in constants:
        return None
    value = onnx.numpy_helper.to_array(constants[name])
    return float(value.reshape(-1)[0]) if value.size == 1 else None


def _close(value: float | None, wanted: float) -> bool:  # a float32 export rounds 0.01 to 0.0099999998
    return value is not None and abs(value - wanted) <= 1e-6 * max(1.0, abs(wanted))


def _matches(window: list, form: tuple, constants: dict, onnx, uses: dict[str, int]) -> str | None:
    """The tensor ``z`` when ``window`` is exactly ``form`` applied to it, else None."""
    if len(window) != len(form):
        return None
    made: dict[str, str] = {}
    z = None
    for node, spec in zip(window, form, strict=True):
        if node.op_type != spec.op or len(node.input) != len(spec.inputs) or len(node.output) != 1:
            return None
        for arg, wanted in zip(node.input, spec.inputs, strict=True):
            if isinstance(wanted, float):
                if not _close(_scalar(constants, arg, onnx), wanted):
                    return None
            elif wanted == "z":
                if arg in constants or z not in (None, arg):
                    return None
                z = arg
            elif made.get(wanted) != arg:
                return None
        if spec.op == "Cast":
            to = next((onnx.helper.get_attribute_value(a) for a in node.attribute if a.name == "to"), None)
            if to not in _FLOAT_TYPES:
                return None
        made[spec.output] = node.output[0]
    inner = [t for t in made.values() if t != window[-1].output[0]]
    used_inside = {t: sum(arg == t for node in window for arg in node.input) for t in inner}
    if any(uses.get(t, 0) != used_inside[t] for t in inner):
        return None  # an intermediate result feeds something else: not the activation alone
    return z


def fuse_activation_forms(nodes: list, constants: dict, onnx) -> list:
    """``nodes`` with each multi-operator activation form of the registry replaced by one :data:`FUSED_OP` node."""
    forms = {name: act.onnx for name, act in ACTIVATIONS.items() if len(act.onnx) > 1}
    uses: dict[str, int] = {}
    for node in nodes:
        for arg in node.input:
            uses[arg] = uses.get(arg, 0) + 1
    fused, i = [], 0
    while i < len(nodes):
        for name, form in forms.items():
            z = _matches(nodes[i:i + len(form)], form, constants, onnx, uses)
            if z is not None:
                last = nodes[i + len(form) - 1]
                fused.append(onnx.helper.make_node(FUSED_OP, [z], [last.output[0]], name=last.name,
                                                   activation=name))
                i += len(form)
                break
        else:
            fused.append(nodes[i])
            i += 1
    return fused


@dataclass
class FeatureFront:
    """What the nodes before the input layer compute: the features of the scaled x1, x2."""

    features: list[str]
    scaling: InputScaling | None
    output: str  # the tensor the first layer takes
    consumed: int  # how many of the nodes it took


def feature_front(nodes: list, data_input: str, constants: dict, onnx, meta: dict[str, str]) -> FeatureFront | None:
    """nnstudio's feature inputs at the start of ``nodes`` (see the module doc), or None when there are none.

    A ``Gather`` that is not exactly nnstudio's feature front is refused naming it.
    """
    if not any(node.op_type == "Gather" for node in nodes):
        return None
    k, current, offset, factor = 0, data_input, None, None
    if len(nodes) > 1 and [n.op_type for n in nodes[:2]] == ["Sub", "Mul"] and nodes[0].input[0] == current \
            and nodes[1].input[0] == nodes[0].output[0]:
        offset, factor = (_constant_row(constants, n.input[1], onnx, n) for n in nodes[:2])
        current, k = nodes[1].output[0], 2
    columns: dict[str, str] = {}
    while k < len(nodes) and nodes[k].op_type == "Gather":
        node = nodes[k]
        index = _scalar(constants, node.input[1], onnx) if len(node.input) == 2 else None
        axis = next((onnx.helper.get_attribute_value(a) for a in node.attribute if a.name == "axis"), 0)
        if node.input[0] != current or axis not in (1, -1) or index not in (0.0, 1.0):
            raise ForeignNetworkError(f"Gather node {node.name or node.output[0]!r} is not nnstudio's picking of "
                                      "column x1 or x2 of a two-column input; other Gathers are not imported")
        columns[node.output[0]] = f"x{int(index) + 1}"
        k += 1
    computed: dict[str, str] = {}
    while k < len(nodes) and nodes[k].op_type in ("Identity", "Mul", "Sin") and all(
            arg in columns for arg in nodes[k].input):
        node = nodes[k]
        variables = sorted(columns[arg] for arg in node.input)
        name = next((f.name for f in FEATURES.values()
                     if f.onnx_op == node.op_type and sorted(f.onnx_inputs) == variables), None)
        if name is None:
            break
        computed[node.output[0]] = name
        k += 1
    concat = nodes[k] if k < len(nodes) else None
    axis = next((onnx.helper.get_attribute_value(a) for a in concat.attribute if a.name == "axis"), None) \
        if concat is not None and concat.op_type == "Concat" else None
    if concat is None or axis not in (1, -1) or not concat.input or any(a not in computed for a in concat.input):
        raise ForeignNetworkError("the Gather nodes do not lead to nnstudio's feature inputs (Gather, then Mul/Sin/"
                                  "Identity per feature, then one Concat); other Gathers are not imported")
    features = [computed[arg] for arg in concat.input]
    if len(set(features)) != len(features):
        raise ForeignNetworkError(f"the feature inputs repeat a feature ({', '.join(features)})")
    return FeatureFront(features, _scaling(offset, factor, meta), concat.output[0], k + 1)


def _constant_row(constants: dict, name: str, onnx, node) -> np.ndarray:
    if name not in constants:
        raise ForeignNetworkError(f"{node.op_type} node {node.name or node.output[0]!r} before the feature inputs "
                                  "does not use a constant")
    row = onnx.numpy_helper.to_array(constants[name]).astype(np.float64).reshape(-1)
    if row.size not in (1, RAW_INPUTS) or not np.isfinite(row).all():
        raise ForeignNetworkError(f"{node.op_type} node {node.name or node.output[0]!r} holds {row.size} values for "
                                  f"the {RAW_INPUTS} inputs")
    return np.broadcast_to(row, (RAW_INPUTS,)).copy()


def _scaling(offset: np.ndarray | None, factor: np.ndarray | None, meta: dict[str, str]) -> InputScaling | None:
    if offset is None or factor is None:
        return None
    try:
        method = json.loads(meta.get("input_scaling", "{}")).get("method", "standard")
    except (json.JSONDecodeError, AttributeError):
        method = "standard"
    try:
        return InputScaling(method if method in ("standard", "minmax") else "standard", offset, factor)
    except ValueError as exc:
        raise ForeignNetworkError(f"the input scaling before the feature inputs is not usable: {exc}") from None
