"""Export to JavaScript: Synaptic.js ``Network.fromJSON`` and brain.js ``NeuralNetwork#fromJSON`` files.

Both are written from the evaluation plan with the dataset's input scaling folded into the first weights
(:mod:`nnstudio.core.raw_inputs`), so the JavaScript network takes raw inputs.  The formats are described in
``tests/fixtures/js/README.md`` (synaptic 1.1.4, brain.js 1.6.1).  What a library cannot compute is refused
with the reason:

- Synaptic: any feed-forward graph, skip connections included; several input (output) layers become its one
  input (output) layer.  Activations logistic, tanh, identity, relu and step (``HLIM``) only.
- brain.js: a plain chain input → hidden… → output with one activation on every layer: logistic (sigmoid),
  tanh or relu.  brain.js keeps weights as float32, so its outputs agree to about 1e-7.
- Neither computes feature inputs (x1², sin x1 …): a network fed features is refused.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

import numpy as np

from ..core.network import Network
from ..core.raw_inputs import fold_scaling
from ..core.scaling import InputScaling
from ..core.standalone import PlanStep, evaluation_plan
from .atomic import write_text_atomic

JS_FORMATS: dict[str, str] = {"synaptic": "Synaptic.js network (Network.fromJSON)",
                              "brain": "brain.js 1.x network (NeuralNetwork fromJSON)"}

_SYNAPTIC_SQUASH = {"logistic": "LOGISTIC", "tanh": "TANH", "identity": "IDENTITY", "relu": "RELU", "step": "HLIM"}
_BRAIN_ACTIVATION = {"logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
_BRAIN_TRAIN_OPTS = {"iterations": 20000, "errorThresh": 0.005, "log": False, "logPeriod": 10, "learningRate": 0.3,
                     "momentum": 0.1, "callbackPeriod": 10, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}


class JsExportError(ValueError):
    """The network uses something the JavaScript library cannot express; the message says what."""


def synaptic_json(net: Network, scaling: InputScaling | None = None) -> dict:
    """The ``Network.toJSON()`` document of Synaptic 1.1.4 for ``net`` (raw inputs when ``scaling`` is given)."""
    plan = fold_scaling(evaluation_plan(net), scaling)
    for step in plan:
        if step.role != "input" and step.activation not in _SYNAPTIC_SQUASH:
            hint = (". For classes, give the output layer logistic (one output per class), or export ONNX, which "
                    "keeps softmax" if step.activation == "softmax" else "")
            raise JsExportError(f"Synaptic has no {step.activation} activation (layer {step.name}); it has "
                                f"{', '.join(_SYNAPTIC_SQUASH)}{hint}")
    hidden = [s for s in plan if s.role == "hidden"]
    ordered = [s for s in plan if s.role == "input"] + hidden + [s for s in plan if s.role == "output"]
    first: dict[int, int] = {}
    neurons: list[dict] = []
    for step in ordered:
        first[step.index] = len(neurons)
        layer = "input" if step.role == "input" else "output" if step.role == "output" else hidden.index(step)
        for k in range(step.size):
            neurons.append({
                "trace": {"elegibility": {}, "extended": {}}, "state": 0.0, "old": 0.0, "activation": 0.0,
                "bias": 0.0 if step.bias is None else float(step.bias[k]), "layer": layer,
                "squash": _SYNAPTIC_SQUASH.get(step.activation or "logistic"),
            })
    connections: list[dict] = []
    for step in ordered:  # grouped by source neuron, as Synaptic writes them
        for target in plan:
            for src, weights in target.sources:
                if src != step.index:
                    continue
                conn = net.graph.find_connection(net.layers[src].id, net.layers[target.index].id)
                assert conn is not None  # the plan lists the graph's own connections
                for i, j in zip(*np.nonzero(_synapses(conn.kind, weights.shape)), strict=True):
                    connections.append({"from": first[src] + int(i), "to": first[target.index] + int(j),
                                        "weight": float(weights[i, j]), "gater": None})
    connections.sort(key=lambda c: c["from"])
    return {"neurons": neurons, "connections": connections}


def _synapses(kind: str, shape: tuple[int, int]) -> np.ndarray:
    """Where a connection of ``kind`` has synapses (its matrix is zero elsewhere)."""
    if kind == "one_to_one":
        return np.eye(*shape, dtype=bool)
    if kind == "all_to_else":
        return ~np.eye(*shape, dtype=bool)
    return np.ones(shape, dtype=bool)


def brain_json(net: Network, scaling: InputScaling | None = None) -> dict:
    """The ``NeuralNetwork#toJSON()`` document of brain.js 1.6.1 for ``net`` (raw inputs with ``scaling``)."""
    plan = fold_scaling(evaluation_plan(net), scaling)
    chain = _chain(plan)
    activations = {str(s.activation) for s in chain[1:]}
    if len(activations) != 1:
        raise JsExportError("brain.js uses one activation for every layer, the output layer included; this "
                            f"network has {', '.join(sorted(activations))}")
    activation = activations.pop()
    if activation not in _BRAIN_ACTIVATION:
        extra = " (brain.js 1.6.1's leaky-relu computes something else)" if activation == "leaky_relu" else ""
        raise JsExportError(f"brain.js has no {activation} activation{extra}; it has logistic (sigmoid), tanh "
                            "and relu")
    layers: list[dict] = [{str(k): {} for k in range(chain[0].size)}]
    for step in chain[1:]:
        (_, weights), = step.sources
        bias = np.zeros(step.size) if step.bias is None else step.bias
        layers.append({str(j): {"bias": float(bias[j]), "weights": {str(i): float(weights[i, j])
                                                                    for i in range(weights.shape[0])}}
                       for j in range(step.size)})
    return {"sizes": [s.size for s in chain], "layers": layers, "outputLookup": False, "inputLookup": False,
            "activation": _BRAIN_ACTIVATION[activation], "trainOpts": dict(_BRAIN_TRAIN_OPTS)}


def _chain(plan: list[PlanStep]) -> list[PlanStep]:
    """The layers of a plain chain in order; a JsExportError names what makes it something else."""
    roles = [s.role for s in plan]
    if roles.count("input") != 1 or roles.count("output") != 1:
        raise JsExportError(f"brain.js networks have one input and one output layer; this one has "
                            f"{roles.count('input')} and {roles.count('output')}")
    for position, step in enumerate(plan[1:], start=1):
        sources = [src for src, _ in step.sources]
        if sources != [position - 1]:
            names = ", ".join(plan[src].name for src in sources)
            raise JsExportError(f"brain.js networks are a plain chain of layers; {step.name} is fed by {names} "
                                "(skip connections or branches)")
    if plan[-1].role != "output":
        raise JsExportError("brain.js networks are a plain chain of layers ending in the output layer")
    return plan


def write_js(net: Network, path: str | os.PathLike, fmt: str, scaling: InputScaling | None = None,
             features: Sequence[str] | None = None) -> None:
    """Write ``net`` as a Synaptic (``fmt="synaptic"``) or brain.js (``"brain"``) JSON file.

    A network fed feature inputs is refused: neither library can compute features from raw inputs.
    """
    if fmt not in JS_FORMATS:
        raise ValueError(f"unknown JavaScript format {fmt!r}; choose one of: {', '.join(JS_FORMATS)}")
    if features is not None:
        library = "Synaptic" if fmt == "synaptic" else "brain.js"
        raise JsExportError(f"{library} networks take their inputs as they are and cannot compute features; this "
                            f"network is fed {', '.join(features)} of x1, x2 (export ONNX, .py or .h instead, or "
                            "feed it the raw inputs)")
    doc = synaptic_json(net, scaling) if fmt == "synaptic" else brain_json(net, scaling)
    write_text_atomic(path, json.dumps(doc, allow_nan=False))
