"""Synaptic.js ``network.toJSON()`` → an nnstudio graph with weights.

Neurons are grouped into layers by their ``layer`` field ("input", hidden
index, "output").  Each (source layer, target layer) pair with synapses
becomes one connection whose matrix holds the synapse weights (missing
synapses are 0); a pattern that is exactly the diagonal becomes one_to_one,
exactly everything but the diagonal all_to_else, anything else all_to_all.
Input-neuron biases mean nothing in Synaptic and are dropped.  Gated
connections, self-connections and connections within a layer or backwards
(LSTMs, recurrent memory) have no feed-forward equivalent and are refused.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core.activations import SYNAPTIC_NAMES
from ..core.graph import Graph, Layer
from ..core.limits import MAX_LAYER_SIZE, MAX_LAYERS, MAX_PARAMETERS

X_STEP = 260.0


class ForeignNetworkError(ValueError):
    """A foreign network file that cannot be read or represented; the message says why."""


def _rank_of(layer: Any, n_hidden: int) -> int:
    if layer == "input":
        return 0
    if layer == "output":
        return n_hidden + 1
    return int(layer) + 1


def _check_neurons(neurons: Any) -> list[dict]:
    if not isinstance(neurons, list) or not neurons:
        raise ForeignNetworkError("Synaptic file: 'neurons' must be a non-empty list")
    for i, n in enumerate(neurons):
        if not isinstance(n, dict):
            raise ForeignNetworkError(f"Synaptic file: neurons[{i}] is not an object")
        layer = n.get("layer")
        hidden_index = isinstance(layer, int) and not isinstance(layer, bool) and layer >= 0
        if not (layer in ("input", "output") or hidden_index):
            raise ForeignNetworkError(f"Synaptic file: neurons[{i}].layer must be \"input\", \"output\" or a "
                                      f"hidden layer index, not {layer!r}")
        bias = n.get("bias", 0.0)
        if not isinstance(bias, (int, float)) or isinstance(bias, bool) or not math.isfinite(bias):
            raise ForeignNetworkError(f"Synaptic file: neurons[{i}].bias is not a finite number")
    return neurons


def synaptic_graph(doc: dict) -> tuple[Graph, dict[str, np.ndarray]]:
    """The graph and parameter blocks ("W:<conn id>", "b:<layer id>") of a Synaptic network."""
    neurons = _check_neurons(doc.get("neurons"))
    connections = doc.get("connections")
    if not isinstance(connections, list):
        raise ForeignNetworkError("Synaptic file: 'connections' must be a list")
    hidden = sorted({n["layer"] for n in neurons if isinstance(n["layer"], int)})
    if hidden != list(range(len(hidden))):
        shown = ", ".join(map(str, hidden[:8])) + (", …" if len(hidden) > 8 else "")
        raise ForeignNetworkError(f"Synaptic file: hidden layer indices [{shown}] are not 0, 1, 2, …")
    ranks = [_rank_of(n["layer"], len(hidden)) for n in neurons]
    n_ranks = len(hidden) + 2
    members: list[list[int]] = [[] for _ in range(n_ranks)]
    for i, r in enumerate(ranks):
        members[r].append(i)
    if not members[0] or not members[-1]:
        raise ForeignNetworkError("Synaptic file: the network needs input and output neurons")
    if any(not m for m in members):
        raise ForeignNetworkError("Synaptic file: a hidden layer has no neurons")
    if n_ranks > MAX_LAYERS or max(len(m) for m in members) > MAX_LAYER_SIZE:
        raise ForeignNetworkError(f"Synaptic file: at most {MAX_LAYERS} layers of {MAX_LAYER_SIZE:,} neurons fit "
                                  "an nnstudio network")
    position = {neuron: k for m in members for k, neuron in enumerate(m)}

    synapses = []
    for c in connections:
        src, tgt, w = _check_connection(c, len(neurons))
        if c.get("gater") is not None:
            raise ForeignNetworkError(
                f"Synaptic file: connection {src}→{tgt} is gated by neuron {c['gater']}; gates (as in LSTM memory "
                "blocks) cannot be represented in a feed-forward nnstudio network")
        if src == tgt:
            raise ForeignNetworkError(
                f"Synaptic file: neuron {src} is connected to itself; self-connections (recurrent memory) cannot "
                "be represented in a feed-forward nnstudio network")
        if ranks[src] >= ranks[tgt]:
            raise ForeignNetworkError(
                f"Synaptic file: connection {src}→{tgt} goes within a layer or backwards; recurrent connections "
                "cannot be represented in a feed-forward nnstudio network")
        synapses.append(((ranks[src], ranks[tgt]), position[src], position[tgt], w))
    # (source rank, target rank) -> weights and which synapses exist, sized before anything is allocated
    pairs = {key for key, *_ in synapses}
    count = sum(len(members[a]) * len(members[b]) for a, b in pairs) + sum(len(m) for m in members[1:])
    if count > MAX_PARAMETERS:
        raise ForeignNetworkError(f"Synaptic file: the network would have {count:,} parameters; the limit is "
                                  f"{MAX_PARAMETERS:,} (MAX_PARAMETERS)")
    matrices: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
    for key in pairs:
        shape = (len(members[key[0]]), len(members[key[1]]))
        matrices[key] = (np.zeros(shape), np.zeros(shape, dtype=bool))
    for key, i, j, w in synapses:
        weights, present = matrices[key]
        weights[i, j] += w  # Synaptic adds parallel synapses up too
        present[i, j] = True

    graph = Graph()
    layer_ids = []
    for r, member in enumerate(members):
        role = "input" if r == 0 else "output" if r == n_ranks - 1 else "hidden"
        name = {"input": "Input", "output": "Output"}.get(role) or ("Hidden" if n_ranks == 3 else f"Hidden {r}")
        activation = "logistic" if role == "input" else _layer_activation(neurons, member, name)
        layer = Layer(len(member), activation, role != "input", name, role=role, position=(r * X_STEP, 0.0),
                      id=f"L{r + 1}")
        layer_ids.append(graph.add_layer(layer).id)
    blocks = {}
    for r in range(1, n_ranks):
        blocks["b:" + layer_ids[r]] = np.array([float(neurons[i].get("bias", 0.0)) for i in members[r]])
    for (a, b), (weights, present) in sorted(matrices.items()):
        conn = graph.connect(layer_ids[a], layer_ids[b], _kind(present))
        blocks["W:" + conn.id] = weights
    problems = graph.problems()
    if problems:
        raise ForeignNetworkError("Synaptic file: " + "; ".join(problems))
    return graph, blocks


def _check_connection(c: Any, n_neurons: int) -> tuple[int, int, float]:
    if not isinstance(c, dict):
        raise ForeignNetworkError("Synaptic file: a connection is not an object")
    src, tgt, w = _neuron_index(c.get("from"), n_neurons), _neuron_index(c.get("to"), n_neurons), c.get("weight")
    if not isinstance(w, (int, float)) or isinstance(w, bool) or not math.isfinite(w):
        raise ForeignNetworkError(f"Synaptic file: connection {src}→{tgt} has no finite weight")
    return src, tgt, float(w)


def _neuron_index(end: Any, n_neurons: int) -> int:
    if not isinstance(end, int) or isinstance(end, bool) or not 0 <= end < n_neurons:
        raise ForeignNetworkError(f"Synaptic file: connection end {end!r} is not a neuron index")
    return end


def _layer_activation(neurons: list[dict], member: list[int], name: str) -> str:
    # fromJSON turns null and unknown squash names into LOGISTIC; we do the same
    squashes = [neurons[i].get("squash") for i in member]
    names = {SYNAPTIC_NAMES.get(s, "logistic") if isinstance(s, str) else "logistic" for s in squashes}
    if len(names) > 1:
        raise ForeignNetworkError(f"Synaptic file: the neurons of {name} use different squash functions "
                                  f"({', '.join(sorted(names))}); an nnstudio layer has one activation")
    return names.pop()


def _kind(present: np.ndarray) -> str:
    rows, cols = present.shape
    if rows == cols and rows > 1:
        eye = np.eye(rows, dtype=bool)
        if np.array_equal(present, eye):
            return "one_to_one"
        if np.array_equal(present, ~eye):
            return "all_to_else"
    return "all_to_all"
