"""The math inspector: one neuron's numbers for one data row, straight from the core.

For a neuron of a non-input layer, :func:`inspect_neuron` lists the weighted
sum term by term (source activation × weight for every incoming synapse), the
bias, the pre-activation z, the activation a and its derivative, the delta
(d loss / d z for that row) and the gradient of every incoming weight and of
the bias — all from the core's own forward and backward pass on a batch of that
one row, under the run's loss — and previews one online SGD step:
each parameter changes by −rate × gradient.

The deltas come from the core's backward pass, not from a re-derivation: the
network is copied with a zero bias added to every layer that has none, so that
each layer's bias gradient — which for a one-row batch *is* its delta — is
filled by ``Network.backward`` itself (adding 0.0 leaves every z unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .activations import get_activation
from .datasets import Dataset
from .network import Network
from .training import TrainSettings, resolve_cost

Array = np.ndarray


@dataclass(frozen=True)
class Term:
    """One incoming synapse's share of the weighted sum, and its gradient."""

    connection: str  # connection id
    source_layer: str
    source_index: int
    input: float  # the source neuron's activation for the row
    weight: float
    product: float  # input × weight
    gradient: float  # d loss / d weight for the row
    change: float  # −rate × gradient: the weight's move in one online SGD step

    @property
    def key(self) -> str:
        return "W:" + self.connection


@dataclass(frozen=True)
class NeuronMath:
    """Everything the inspector shows for one neuron and one data row."""

    layer_id: str
    index: int
    row: int
    loss: str
    rate: float
    activation: str
    terms: list[Term] = field(default_factory=list)
    bias: float | None = None
    z: float | None = None  # weighted sum + bias (None for input neurons)
    a: float = 0.0  # the activation (the input value for input neurons)
    derivative: float | None = None  # da/dz (softmax: the diagonal a(1 − a))
    delta: float | None = None  # d loss / dz for this row
    bias_gradient: float | None = None
    bias_change: float | None = None

    @property
    def weighted_sum(self) -> float:
        """Σ input × weight over the incoming synapses (without the bias)."""
        return float(sum(t.product for t in self.terms))


def inspect_neuron(
    net: Network, data: Dataset, row: int, layer_id: str, index: int, settings: TrainSettings | None = None,
) -> NeuronMath:
    """The inspector's numbers for neuron ``index`` of layer ``layer_id`` on data row ``row``.

    ``settings`` gives the run's loss (``cost``, resolved as training does)
    and learning rate; the network is not modified.
    """
    settings = settings or TrainSettings()
    layer = net.graph.layers.get(layer_id)
    if layer is None:
        raise ValueError(f"the network has no layer {layer_id!r}")
    if not 0 <= index < layer.size:
        raise ValueError(f"{layer.name} has {layer.size} neurons; there is no neuron {index}")
    if not 0 <= row < len(data):
        raise ValueError(f"the dataset has {len(data)} rows; there is no row {row}")
    X, Y = data.network_inputs(data.X[row : row + 1]), data.Y[row : row + 1]
    cost = resolve_cost(settings.cost, net, data)
    acts = net.layer_activations(X)
    a = float(acts[layer_id][0, index])
    if layer.role == "input":
        return NeuronMath(layer_id, index, row, cost, settings.rate, layer.activation, a=a)

    probe = _with_all_biases(net)
    out = probe.forward(X)
    probe.backward(out, Y, cost)
    grads = {key: probe.grads[spec.slice].reshape(spec.shape) for key, spec in probe.specs.items()}
    delta = float(grads["b:" + layer_id][index])

    terms = []
    for conn in _incoming(net, layer_id):
        mask = net.masks[conn.id]
        W, dW = net.weights[conn.id], grads["W:" + conn.id]
        src = acts[conn.source][0]
        for i in range(len(src)):
            if mask is not None and mask[i, index] == 0:
                continue  # not a synapse of this connection pattern
            g = float(dW[i, index])
            terms.append(Term(
                conn.id, conn.source, i, float(src[i]), float(W[i, index]), float(src[i] * W[i, index]),
                g, -settings.rate * g,
            ))
    bias = float(net.biases[layer_id][index]) if layer_id in net.biases else None
    z = float(sum(t.product for t in terms)) + (bias or 0.0)
    act = get_activation(layer.activation)
    derivative = float(act.derivative(np.array([z]), np.array([a]))[0])  # softmax: its Jacobian's diagonal
    bias_gradient = delta if bias is not None else None
    return NeuronMath(
        layer_id, index, row, cost, settings.rate, layer.activation, terms, bias, z, a, derivative, delta,
        bias_gradient, None if bias_gradient is None else -settings.rate * bias_gradient,
    )


def _incoming(net: Network, layer_id: str) -> list:
    """Incoming connections in the order the core adds them up (by source position)."""
    position = {layer.id: k for k, layer in enumerate(net.layers)}
    return sorted(net.graph.incoming(layer_id), key=lambda c: position[c.source])


def _with_all_biases(net: Network) -> Network:
    """A copy of ``net`` in which every non-input layer has a bias (zero where it had none)."""
    graph = net.graph.copy()
    for layer in graph.layers.values():
        if layer.role != "input" and not layer.bias:
            layer.bias = True
    twin = Network.from_graph(graph, seed=net.seed, init=net.init)
    blocks = net.param_dict()
    for key, spec in twin.specs.items():
        if key not in blocks:
            blocks[key] = np.zeros(spec.shape)
    twin.load_param_dict(blocks)
    return twin
