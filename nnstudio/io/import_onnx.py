"""ONNX import: multilayer perceptrons as torch.onnx.export, skl2onnx and tf2onnx write them (tested) become projects.

Accepted, along the path from the one data input to the one float output: a leading ``Flatten``/``Reshape``;
per layer ``Gemm`` (``transA`` 0, any ``transB``/``alpha``/``beta``) or ``MatMul`` with an optional ``Add`` of a
bias; then at most one of ``Relu``, ``Sigmoid``, ``Tanh``, ``Softmax`` (last axis), ``LeakyRelu`` (slope 0.01, as
nnstudio's), ``Softplus`` — ``Identity`` and float ``Cast`` anywhere, and a final ``Reshape`` that keeps the rows
as they are (skl2onnx writes both).  Constant ``Sub``/``Add``/``Mul``/``Div`` steps before the first layer (input
scaling, as nnstudio's own export writes it) are folded into that layer's weights.  Weights come from initializers
or ``Constant`` nodes.  Anything else is refused naming the op; external data and shapes too large for nnstudio are
refused before any array is made.
Nodes that do not lead to the chosen output (a classifier's label ``ArgMax``) are ignored.
nnstudio's own exports come back too where they are one chain from one input to one output
(:mod:`.import_onnx_forms`): the elementary forms of leaky relu, step and softplus, and feature inputs
(``Gather``/``Mul``/``Sin``/``Concat``, which become the dataset's ``features`` and ``scaling``).  Several input or
output layers and skip connections (``Sum``) are refused with the reason.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from ..core.datasets import Dataset
from ..core.features import RAW_INPUTS, compute_features
from ..core.graph import Graph, Layer
from ..core.network import Network
from ..core.training import TrainSettings
from .import_onnx_forms import FUSED_OP, FeatureFront, feature_front, fuse_activation_forms
from .import_synaptic import ForeignNetworkError
from .project import Project

MAX_ONNX_BYTES = 512 * 1024 * 1024
MAX_LAYER_SIZE = 100_000  # as in project files
MAX_PARAMETERS = 50_000_000
_ACTIVATIONS = {"Relu": "relu", "Sigmoid": "logistic", "Tanh": "tanh", "Softmax": "softmax", "LeakyRelu": "leaky_relu",
                "Softplus": "softplus", FUSED_OP: ""}  # a fused node names its activation itself
_RESHAPES = ("Flatten", "Reshape")
_FLOAT_TYPES = (1, 10, 11)  # TensorProto FLOAT, FLOAT16, DOUBLE
# before the first layer, constant Sub/Mul/Div/Add on the data (input scaling) are folded into its weights
_ELEMENTWISE = {"Sub": lambda s, t, v: (s, t - v), "Add": lambda s, t, v: (s, t + v),
                "Mul": lambda s, t, v: (s * v, t * v), "Div": lambda s, t, v: (s / v, t / v)}


class _Layer:
    def __init__(self, weights: np.ndarray):
        self.weights = weights
        self.bias: np.ndarray | None = None
        self.activation: str | None = None


def import_onnx(path: str | os.PathLike) -> Project:
    """A project whose network computes what the ONNX model at ``path`` computes; ForeignNetworkError if it can't."""
    path = Path(path)
    onnx = _onnx()
    if path.stat().st_size > MAX_ONNX_BYTES:
        raise ForeignNetworkError(f"{path.name} is larger than {MAX_ONNX_BYTES // 2**20} MB")
    try:
        model = onnx.load_model_from_string(path.read_bytes())
    except Exception:  # protobuf's DecodeError and friends: the file is not an ONNX model
        raise ForeignNetworkError(f"{path.name} is not an ONNX model file") from None
    graph = model.graph
    constants = _constants(graph, onnx)
    data_inputs = [i for i in graph.input if i.name not in constants]
    if len(data_inputs) != 1:
        raise ForeignNetworkError(f"the model has {len(data_inputs)} data inputs; nnstudio imports models with one")
    outputs = _float_outputs(graph, onnx)
    meta = {p.key: p.value for p in model.metadata_props}
    nodes = fuse_activation_forms(_needed_nodes(graph, outputs[0].name), constants, onnx)
    front = feature_front(nodes, data_inputs[0].name, constants, onnx, meta)
    layers, n_inputs = _walk(nodes[front.consumed:] if front else nodes, data_inputs[0], constants, onnx, front)
    return _project(path, layers, n_inputs, data_inputs[0].name, outputs[0].name, meta, front)


def _onnx():
    try:
        import onnx
    except ImportError:  # a ValueError like every other reason not to import, so callers show it as one
        raise ForeignNetworkError("ONNX import needs the onnx package: pip install nnstudio[onnx]") from None
    return onnx


def _check_tensor(tensor, onnx, where: str) -> None:
    if tensor.data_location == onnx.TensorProto.EXTERNAL:
        raise ForeignNetworkError(f"{where} keeps its values in an external data file; nnstudio imports "
                                  "self-contained models only")
    count = int(np.prod([int(d) for d in tensor.dims], dtype=object))
    if any(int(d) < 0 for d in tensor.dims) or count > MAX_PARAMETERS:
        raise ForeignNetworkError(f"{where} is shaped {'×'.join(map(str, tensor.dims))}: larger than nnstudio takes")
    if tensor.raw_data and len(tensor.raw_data) != count * onnx.helper.tensor_dtype_to_np_dtype(
            tensor.data_type).itemsize:
        raise ForeignNetworkError(f"{where} declares {'×'.join(map(str, tensor.dims))} values but holds "
                                  f"{len(tensor.raw_data)} bytes")


def _constants(graph, onnx) -> dict[str, object]:
    """Initializers and Constant-node values by name, checked but not yet turned into arrays."""
    found = {}
    for tensor in graph.initializer:
        _check_tensor(tensor, onnx, f"initializer {tensor.name!r}")
        found[tensor.name] = tensor
    for node in graph.node:
        if node.op_type == "Constant":
            attr = next((a for a in node.attribute if a.name == "value"), None)
            if attr is None:
                raise ForeignNetworkError(f"Constant node {_label(node)!r} has no tensor value")
            _check_tensor(attr.t, onnx, f"constant {node.output[0]!r}")
            found[node.output[0]] = attr.t
    return found


def _float_outputs(graph, onnx) -> list:
    floats = [o for o in graph.output if o.type.tensor_type.elem_type in _FLOAT_TYPES]
    if len(floats) != 1:
        names = ", ".join(o.name for o in graph.output)
        raise ForeignNetworkError(f"the model has {len(floats)} float outputs ({names}); nnstudio imports one")
    return floats


def _needed_nodes(graph, output: str) -> list:
    """The nodes the output depends on, in graph order."""
    producer = {out: node for node in graph.node for out in node.output}
    needed, todo = set(), [output]
    while todo:
        node = producer.get(todo.pop())
        if node is not None and id(node) not in needed:
            needed.add(id(node))
            todo.extend(node.input)
    return [n for n in graph.node if id(n) in needed and n.op_type != "Constant"]


def _label(node) -> str:
    """How a node is named in messages: its name, or the tensor it makes when it has none."""
    return node.name or node.output[0]


def _array(constants: dict, name: str, onnx, node) -> np.ndarray:
    if name not in constants:
        raise ForeignNetworkError(f"{node.op_type} node {_label(node)!r}: input {name!r} is computed, not a stored "
                                  "weight; nnstudio imports layers whose weights are constants")
    return onnx.numpy_helper.to_array(constants[name]).astype(np.float64)


def _attrs(node, onnx) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _walk(nodes: list, data_input, constants: dict, onnx, front: FeatureFront | None) -> tuple[list[_Layer], int]:
    dims = [d.dim_value if d.HasField("dim_value") else None for d in data_input.type.tensor_type.shape.dim]
    known = [int(d) for d in dims[1:] if d is not None]
    width = int(np.prod(known)) if dims[1:] and len(known) == len(dims) - 1 else None
    current, flattened = data_input.name, len(dims) == 2
    if front is not None:
        if width not in (None, RAW_INPUTS):
            raise ForeignNetworkError(f"feature inputs are computed from {RAW_INPUTS} columns; the input has {width}")
        current, flattened, width = front.output, True, len(front.features)
    layers: list[_Layer] = []
    scale, shift = np.ones(1), np.zeros(1)  # leading elementwise steps: x → x * scale + shift
    for node in nodes:
        op, attrs = node.op_type, _attrs(node, onnx)
        data_args = [i for i in node.input if i and i not in constants]
        if not layers and op in _ELEMENTWISE:
            if data_args != [current] or (op in ("Sub", "Div") and node.input[0] != current):
                raise ForeignNetworkError(f"{op} node {_label(node)!r} is not an elementwise step on the data")
            value = _array(constants, next(i for i in node.input if i != current), onnx, node).reshape(-1)
            scale, shift = _ELEMENTWISE[op](scale, shift, value)
            current = node.output[0]
            continue
        if op in ("Gemm", "MatMul", "Add", "Identity", "Cast") or op in _ACTIVATIONS or op in _RESHAPES:
            if data_args != [current]:
                raise ForeignNetworkError(f"{op} node {_label(node)!r} does not continue the single chain of layers "
                                          "(branches or skip connections are not imported)")
        else:
            raise ForeignNetworkError(f"unsupported ONNX op {op} (node {_label(node)!r}); nnstudio imports Gemm, "
                                      "MatMul, Add, Relu, Sigmoid, Tanh, Softmax, LeakyRelu, Softplus, Identity, "
                                      "a leading Flatten/Reshape and its own exports' forms")
        if op == "Cast" and attrs.get("to") not in _FLOAT_TYPES:
            raise ForeignNetworkError(f"Cast node {_label(node)!r} turns the data into a non-float type")
        if op in _RESHAPES:
            if layers:
                _check_final_reshape(node, op, constants, layers[-1].weights.shape[1], onnx)
            flattened = True
        elif op == "Gemm":
            layers.append(_Layer(_gemm_weights(node, attrs, constants, current, onnx)))
            if len(node.input) > 2 and node.input[2]:
                layers[-1].bias = attrs.get("beta", 1.0) * _array(constants, node.input[2], onnx, node)
        elif op == "MatMul":
            if node.input[0] != current:
                raise ForeignNetworkError(f"MatMul node {_label(node)!r} multiplies weights by the data; expected "
                                          "data @ weights")
            layers.append(_Layer(_array(constants, node.input[1], onnx, node)))
        elif op == "Add":
            if not layers or layers[-1].bias is not None or layers[-1].activation is not None:
                raise ForeignNetworkError(f"Add node {_label(node)!r} is not the bias of a MatMul layer")
            other = next(i for i in node.input if i != current)
            layers[-1].bias = _array(constants, other, onnx, node)
        elif op in _ACTIVATIONS:
            if not layers or layers[-1].activation is not None:
                raise ForeignNetworkError(f"{op} node {_label(node)!r} does not follow a Gemm/MatMul layer")
            layers[-1].activation = _activation(node, op, attrs)
        current = node.output[0]
        if op in ("Gemm", "MatMul") and not flattened:
            raise ForeignNetworkError(f"the data input is shaped {dims}; a model with image-shaped inputs needs a "
                                      "leading Flatten or Reshape")
    if not layers:
        raise ForeignNetworkError("the model has no Gemm or MatMul layer")
    first = layers[0]
    if first.weights.ndim == 2 and (scale.size > 1 or shift.size > 1 or scale[0] != 1 or shift[0] != 0):
        if max(scale.size, shift.size) not in (1, first.weights.shape[0]):
            raise ForeignNetworkError(f"the elementwise steps before the first layer have {scale.size} values for "
                                      f"{first.weights.shape[0]} inputs")
        bias = np.zeros(first.weights.shape[1]) if first.bias is None else first.bias
        first.bias = bias + np.broadcast_to(shift, first.weights.shape[:1]) @ first.weights
        first.weights = np.broadcast_to(scale, first.weights.shape[:1])[:, None] * first.weights
    return _checked(layers, width)


def _check_final_reshape(node, op: str, constants: dict, width: int, onnx) -> None:
    """A Reshape after the layers is imported only when it keeps rows of ``width`` values (skl2onnx writes one)."""
    shape = _array(constants, node.input[1], onnx, node).astype(np.int64).tolist() if op == "Reshape" else None
    if shape is None or len(shape) != 2 or shape[0] not in (-1, 0) or shape[1] not in (-1, width):
        raise ForeignNetworkError(f"{op} node {_label(node)!r} comes after a layer and changes the shape; only a "
                                  "leading one is imported")


def _gemm_weights(node, attrs: dict, constants: dict, current: str, onnx) -> np.ndarray:
    if node.input[0] != current or attrs.get("transA", 0):
        raise ForeignNetworkError(f"Gemm node {_label(node)!r} must take the data as its first input, untransposed")
    weights = _array(constants, node.input[1], onnx, node)
    return attrs.get("alpha", 1.0) * (weights.T if attrs.get("transB", 0) else weights)


def _activation(node, op: str, attrs: dict) -> str:
    if op == "Softmax" and attrs.get("axis", -1) not in (-1, 1):
        raise ForeignNetworkError(f"Softmax node {_label(node)!r} works along axis {attrs['axis']}, not the last")
    if op == "LeakyRelu" and abs(attrs.get("alpha", 0.01) - 0.01) > 1e-6:
        raise ForeignNetworkError(f"LeakyRelu node {_label(node)!r} has slope {attrs['alpha']:g}; nnstudio's "
                                  "leaky_relu has slope 0.01")
    if op == FUSED_OP:
        name = attrs["activation"]
        return name.decode() if isinstance(name, bytes) else str(name)
    return _ACTIVATIONS[op]


def _checked(layers: list[_Layer], width: int | None) -> tuple[list[_Layer], int]:
    """Bring biases to vectors and check that each layer's shape follows the previous one."""
    n_inputs = layers[0].weights.shape[0] if layers[0].weights.ndim == 2 else -1
    if width is not None and width != n_inputs:
        raise ForeignNetworkError(f"the data input has {width} values but the first layer takes {n_inputs}")
    previous = n_inputs
    for k, layer in enumerate(layers):
        if layer.weights.ndim != 2 or layer.weights.shape[0] != previous:
            raise ForeignNetworkError(f"layer {k + 1}'s weights are shaped {layer.weights.shape}; expected "
                                      f"{previous} rows")
        size = layer.weights.shape[1]
        if not 1 <= size <= MAX_LAYER_SIZE or not 1 <= previous <= MAX_LAYER_SIZE:
            raise ForeignNetworkError(f"layer {k + 1} has {size} neurons; nnstudio layers have 1 to {MAX_LAYER_SIZE}")
        if layer.bias is not None:
            bias = np.asarray(layer.bias, dtype=np.float64)
            if bias.size == 1:
                bias = np.full(size, float(bias.reshape(-1)[0]))
            if bias.size != size:
                raise ForeignNetworkError(f"layer {k + 1}'s bias has {bias.size} values for {size} neurons")
            layer.bias = bias.reshape(-1)
        if not np.isfinite(layer.weights).all() or (layer.bias is not None and not np.isfinite(layer.bias).all()):
            raise ForeignNetworkError(f"layer {k + 1} has NaN or infinite weights")
        previous = size
    return layers, n_inputs


def _project(path: Path, layers: list[_Layer], n_inputs: int, input_name: str, output_name: str,
             meta: dict[str, str], front: FeatureFront | None) -> Project:
    chain = [Layer(n_inputs, name=input_name or "Input", role="input", position=(0.0, 0.0))]
    for k, layer in enumerate(layers):
        last = k == len(layers) - 1
        chain.append(Layer(layer.weights.shape[1], layer.activation or "identity", bias=layer.bias is not None,
                           name=(output_name or "Output") if last else f"Hidden {k + 1}",
                           position=(260.0 * (k + 1), 0.0)))
    for a, b in zip(chain, chain[1:], strict=False):
        a.project(b)
    graph = Graph.from_layers(chain[0], chain[1:-1], chain[-1])
    net = Network.from_graph(graph, seed=0)
    order = graph.topological_order()
    blocks = {}
    for k, layer in enumerate(layers):
        source, target = order[k], order[k + 1]
        conn = graph.find_connection(source, target)
        assert conn is not None  # the chain was connected just above
        blocks["W:" + conn.id] = layer.weights
        if layer.bias is not None:
            blocks["b:" + target] = layer.bias
    net.load_param_dict(blocks)
    class_names = _class_names(meta, chain[-1].size)
    features = tuple(front.features) if front else None
    zeros = np.zeros((1, RAW_INPUTS if features else n_inputs))
    dataset = Dataset(zeros, net.predict(compute_features(features, zeros)), name="placeholder",
                      class_names=class_names, output_names=list(class_names),
                      kind="classification" if class_names else "regression",
                      scaling=front.scaling if front else None, features=features)
    sizes = "-".join(str(layer.size) for layer in chain)
    cost = "ce" if chain[-1].activation == "softmax" else "mse"
    return Project(graph=graph, dataset=dataset, weights=blocks, init="glorot", name=path.stem,
                   settings=TrainSettings(rate=0.01, epochs=500, target_error=0.0, cost=cost, optimizer="adam"),
                   description=f"Imported from ONNX ({sizes}, {path.name}). The file holds no training data: the "
                   "dataset is one placeholder row (inputs 0, targets the imported outputs); load your own data "
                   "before training.")


def _class_names(meta: dict[str, str], width: int) -> list[str]:
    try:
        names = json.loads(meta.get("class_names", "[]"))
    except json.JSONDecodeError:
        return []
    ok = isinstance(names, list) and len(names) == width and all(isinstance(n, str) for n in names)
    return names if ok else []
