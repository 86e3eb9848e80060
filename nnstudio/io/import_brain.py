"""brain.js 1.x ``NeuralNetwork.toJSON()`` → an nnstudio graph with weights.

brain.js networks are plain chains ``sizes = [inputs, hidden…, outputs]`` with
one activation for every layer, the output layer included.  Weights are looked
up by key (``layers[L][node].weights[prevKey]``), so named inputs and outputs
("lookup tables") work; their names become the dataset's column names.

brain.js 1.6.1's ``leaky-relu`` is not a leaky ReLU: it computes
``sum < 0 ? 0 : alpha * sum`` (alpha = 0.01).  Because ReLU is positively
homogeneous, ``alpha * relu(s) = relu(alpha * s)``, so we import it exactly as a
ReLU layer whose weights and bias are multiplied by alpha.  (Training it in
nnstudio then follows a true ReLU's gradient, not brain.js's.)

brain.js rounds every layer's outputs to float32; nnstudio computes in float64,
so imported outputs agree to about 1e-7 relative.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core.graph import Graph, Layer
from ..core.limits import MAX_LAYER_SIZE, MAX_LAYERS, MAX_PARAMETERS
from .import_synaptic import X_STEP, ForeignNetworkError
from .limits import MAX_NAME_CHARS

ACTIVATIONS = {"sigmoid": "logistic", "tanh": "tanh", "relu": "relu", "leaky-relu": "relu"}
DEFAULT_LEAKY_ALPHA = 0.01


def brain_graph(doc: dict) -> tuple[Graph, dict[str, np.ndarray], list[str], list[str]]:
    """Graph, parameter blocks, input names and output names of a brain.js network."""
    sizes, layers = doc.get("sizes"), doc.get("layers")
    if not isinstance(sizes, list) or not 2 <= len(sizes) <= MAX_LAYERS or not all(
        _whole(s) and 1 <= s <= MAX_LAYER_SIZE for s in sizes
    ):
        raise ForeignNetworkError(f"brain.js file: 'sizes' must list 2 to {MAX_LAYERS} layer sizes from 1 to "
                                  f"{MAX_LAYER_SIZE:,}")
    count = sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False))
    if count > MAX_PARAMETERS:  # before anything is allocated
        raise ForeignNetworkError(f"brain.js file: the network has {count:,} parameters; the limit is "
                                  f"{MAX_PARAMETERS:,} (MAX_PARAMETERS)")
    if not isinstance(layers, list) or len(layers) != len(sizes) or not all(isinstance(la, dict) for la in layers):
        raise ForeignNetworkError("brain.js file: 'layers' must hold one object per entry of 'sizes'")
    name = doc.get("activation", "sigmoid")
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ForeignNetworkError(f"brain.js file: unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}")
    scale = 1.0
    if name == "leaky-relu":
        scale = doc.get("leakyReluAlpha", DEFAULT_LEAKY_ALPHA)
        if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not 0 < scale <= 1e6:
            raise ForeignNetworkError("brain.js file: leakyReluAlpha must be a number above 0 to 1e6")
    keys = [list(layer) for layer in layers]
    for L, (k, size) in enumerate(zip(keys, sizes, strict=True)):
        if len(k) != size:
            raise ForeignNetworkError(f"brain.js file: layers[{L}] has {len(k)} nodes but sizes[{L}] is {size}")
    for k in (keys[0], keys[-1]):  # they become the dataset's column names
        if any(len(key) > MAX_NAME_CHARS for key in k):
            raise ForeignNetworkError(f"brain.js file: a node name is longer than {MAX_NAME_CHARS} characters")

    graph = Graph()
    blocks: dict[str, np.ndarray] = {}
    previous = None
    last = len(sizes) - 1
    for L, size in enumerate(sizes):
        role = "input" if L == 0 else "output" if L == last else "hidden"
        title = {"input": "Input", "output": "Output"}.get(role) or ("Hidden" if last == 2 else f"Hidden {L}")
        layer = graph.add_layer(Layer(size, ACTIVATIONS[name] if L else "logistic", L > 0, title, role=role,
                                      position=(L * X_STEP, 0.0), id=f"L{L + 1}"))
        if previous is not None:
            weights, bias = _layer_params(layers[L], keys[L - 1], L)
            conn = graph.connect(previous.id, layer.id)
            blocks["W:" + conn.id] = weights * scale
            blocks["b:" + layer.id] = bias * scale
            if not (np.isfinite(blocks["W:" + conn.id]).all() and np.isfinite(blocks["b:" + layer.id]).all()):
                raise ForeignNetworkError(f"brain.js file: layers[{L}] scaled by leakyReluAlpha overflows")
        previous = layer
    return graph, blocks, _names(keys[0], doc.get("inputLookup")), _names(keys[-1], doc.get("outputLookup"))


def _whole(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _number(v: Any, where: str) -> float:
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):  # (any int: no overflow)
        raise ForeignNetworkError(f"brain.js file: {where} is not a finite number")
    return float(v)


def _layer_params(layer: dict, prev_keys: list[str], L: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights shaped (previous size, size) and the bias vector of brain.js layer ``L``."""
    weights = np.zeros((len(prev_keys), len(layer)))
    bias = np.zeros(len(layer))
    for j, (key, node) in enumerate(layer.items()):
        where = f"layers[{L}][{key!r}]"
        if not isinstance(node, dict) or not isinstance(node.get("weights"), dict):
            raise ForeignNetworkError(f"brain.js file: {where} needs 'bias' and 'weights'")
        bias[j] = _number(node.get("bias"), f"{where}.bias")
        for i, prev in enumerate(prev_keys):
            if prev not in node["weights"]:
                raise ForeignNetworkError(f"brain.js file: {where}.weights has no weight from {prev!r}")
            weights[i, j] = _number(node["weights"][prev], f"{where}.weights[{prev!r}]")
    return weights, bias


def _names(keys: list[str], lookup: Any) -> list[str]:
    # without a lookup table the keys are just "0", "1", …: let the dataset pick its default names
    named = lookup or (keys and keys[0] != "0")
    return list(keys) if named else []
