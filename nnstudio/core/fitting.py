"""Fitting a network to a dataset: input and output layer sizes, the output activation and the loss.

:func:`plan_fit` compares a graph with a dataset and returns a :class:`NetworkFit` listing what would change
(nothing when it already fits); ``fit.apply(graph)`` makes the change and ``fit.revert(graph)`` undoes it, so
the GUI can wrap them in one undo command.  :func:`network_for_data` builds a fresh input-hidden-output graph
the same way (``nnstudio new``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .datasets import Dataset
from .graph import Graph, Layer, TopologyError
from .layers import kind_label
from .metrics import is_one_hot
from .training import TrainSettings

#: the values each output activation can produce, to tell whether it can reach the targets
_RANGES = {"logistic": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, np.inf), "softplus": (0.0, np.inf),
           "step": (0.0, 1.0), "softmax": (0.0, 1.0)}


def output_choice(dataset: Dataset, current: str | None = None) -> tuple[str, str]:
    """(output activation, loss) that suit the targets: softmax + ce for classes, logistic + bce for 0/1 labels,
    tanh + mse for ±1 labels; for a regression the current activation if it can reach every target, else
    identity, with mse."""
    Y = dataset.Y if dataset.Y_test is None else np.vstack([dataset.Y, dataset.Y_test])
    values = set(np.unique(Y).tolist())
    if is_one_hot(Y):
        return "softmax", "ce"
    if values <= {0.0, 1.0}:
        return "logistic", "bce"
    if values <= {-1.0, 1.0}:
        return "tanh", "mse"
    low, high = _RANGES.get(current or "identity", (-np.inf, np.inf))
    if current not in (None, "softmax", "step") and low <= Y.min() and Y.max() <= high:
        return current, "mse"
    return "identity", "mse"


@dataclass(frozen=True)
class NetworkFit:
    """The changes that make a graph fit a dataset; empty when it fits already."""

    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # layer id → (old size, new size)
    activation: tuple[str, str, str] | None = None  # (output layer id, old, new)
    cost: tuple[str, str] | None = None  # (old, new) training cost setting
    reasons: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.sizes or self.activation or self.cost)

    def apply(self, graph: Graph, settings: TrainSettings | None = None) -> TrainSettings | None:
        """Resize and re-activate the layers in place; returns the settings with the new cost."""
        for layer_id, (_, new) in self.sizes.items():
            graph.set_layer(layer_id, size=new)
        if self.activation:
            graph.set_layer(self.activation[0], activation=self.activation[2])
        return replace(settings, cost=self.cost[1]) if settings is not None and self.cost else settings

    def revert(self, graph: Graph, settings: TrainSettings | None = None) -> TrainSettings | None:
        """Undo :meth:`apply`; returns the settings with the old cost."""
        if self.activation:
            graph.set_layer(self.activation[0], activation=self.activation[1])
        for layer_id, (old, _) in self.sizes.items():
            graph.set_layer(layer_id, size=old)
        return replace(settings, cost=self.cost[0]) if settings is not None and self.cost else settings


def plan_fit(graph: Graph, dataset: Dataset, settings: TrainSettings | None = None) -> NetworkFit:
    """What would make ``graph`` fit ``dataset``; raises TopologyError when no resize can (the message says why)."""
    inputs, outputs = graph.layers_with_role("input"), graph.layers_with_role("output")
    if len(inputs) != 1 or len(outputs) != 1:
        raise TopologyError(f"the network has {len(inputs)} input and {len(outputs)} output layers; fitting to "
                            "data needs exactly one of each (resize them by hand)")
    sizes, reasons = {}, []
    for layer, width, what in ((inputs[0], dataset.network_width, "input"), (outputs[0], dataset.n_outputs, "target")):
        if layer.size != width:
            sizes[layer.id] = (layer.size, width)
            reasons.append(f"{layer.name}: {layer.size} → {width} neurons for the {width} {what} columns")
            for conn in graph.incoming(layer.id) + graph.outgoing(layer.id):
                if conn.kind != "all_to_all":
                    other = graph.layers[conn.source if conn.target == layer.id else conn.target]
                    raise TopologyError(f"{layer.name} has {kind_label(conn.kind, sentence=True)} connection with "
                                        f"{other.name}; make it all to all before fitting the network to the data")
    out = outputs[0]
    activation, cost = output_choice(dataset, out.activation)
    change_act = (out.id, out.activation, activation) if activation != out.activation else None
    if change_act:
        reasons.append(f"{out.name}: activation {out.activation} → {activation} for these targets")
    change_cost = (settings.cost, cost) if settings is not None and settings.cost != cost else None
    if change_cost:
        reasons.append(f"cost {change_cost[0]} → {cost}")
    return NetworkFit(sizes, change_act, change_cost, reasons)


def network_for_data(dataset: Dataset, hidden: Sequence[int] = (16,), activation: str = "tanh") -> tuple[Graph, str]:
    """A fresh input → hidden… → output graph sized for ``dataset``, and the loss to train it with."""
    out_activation, cost = output_choice(dataset)
    width, gap = 260.0, 0.0
    layers = [Layer(dataset.network_width, name="Input", role="input", position=(0.0, gap))]
    for k, size in enumerate(hidden):
        name = "Hidden" if len(hidden) == 1 else f"Hidden {k + 1}"
        layers.append(Layer(int(size), activation, name=name, position=(width * (k + 1), gap)))
    layers.append(Layer(dataset.n_outputs, out_activation, name="Output", position=(width * (len(hidden) + 1), gap)))
    for a, b in zip(layers, layers[1:], strict=False):
        a.project(b)
    return Graph.from_layers(layers[0], layers[1:-1], layers[-1]), cost
