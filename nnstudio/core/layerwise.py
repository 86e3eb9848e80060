"""Synaptic's layer-by-layer learning: ``layer.activate(values)`` and ``layer.propagate(rate, target)``.

Free-standing layers joined with ``a.project(b)`` can be driven one at a time,
as in Synaptic: an input layer takes values, any other layer computes from the
latest activations of the layers projecting into it; an output layer takes a
target, a hidden layer propagates the error of the layers it projects to (once
they have propagated) and updates its incoming weights and its bias.

The numbers are those of :meth:`Network.propagate`: the output error term is
(output − target) without the activation's derivative, and a hidden layer's
error is taken through the weights as they were *before* this step's update
(each layer sends its error back before it changes its weights), so training
layer by layer equals training the network step for step.

Weights are drawn the first time a layer computes its activation, with the
network's default initializer, from the layer's ``seed`` or — when it has none —
from a seed drawn from Python's and NumPy's global generators.  A
:class:`Network` built from such layers takes over their weights (trained or
not) and the layers then work on the network's own parameter views, so both
see every update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .activations import get_activation
from .initializers import DEFAULT_INIT, fresh_seed, init_bias, init_weights, rng_for

if TYPE_CHECKING:
    from .graph import Connection, Layer
    from .network import Network

Array = np.ndarray


def kind_mask(kind: str, n: int, dtype: np.dtype | type = np.float64) -> Array | None:
    """Which synapses a connection kind has between two layers of ``n`` neurons (None: all of them)."""
    if kind == "one_to_one":
        return np.eye(n, dtype=dtype)
    if kind == "all_to_else":
        return 1.0 - np.eye(n, dtype=dtype)
    return None


@dataclass
class Synapses:
    """The weights of one ``source.project(target)``; None until first used."""

    source: LayerwiseLearning
    target: LayerwiseLearning
    kind: str
    weights: Array | None = None

    @property
    def mask(self) -> Array | None:
        return kind_mask(self.kind, self.source.size)


@dataclass
class LiveState:
    """What a layer remembers between its activate and propagate calls."""

    seed: int | None
    incoming: list[Synapses] = field(default_factory=list)
    outgoing: list[Synapses] = field(default_factory=list)
    bias: Array | None = None
    z: Array | None = None  # pre-activation of the latest computed activation
    a: Array | None = None  # the latest activation (the values given, for an input)
    given: bool = False  # the latest activation was given as values
    inputs: list[Array] = field(default_factory=list)  # the source activations it was computed from
    error: Array | None = None  # d error / d a, summed over the layers that propagated back to it
    heard_from: set[int] = field(default_factory=set)  # id() of those layers
    propagated: bool = False


class LayerwiseLearning:
    """Synaptic's ``activate``/``propagate`` for one layer, mixed into :class:`~nnstudio.core.graph.Layer`."""

    id: str
    size: int
    activation: str
    bias: bool
    name: str
    _live: LiveState

    def _init_live(self, seed: int | None) -> None:
        self._live = LiveState(None if seed is None else int(seed))

    def _link(self, other: Layer, conn: Connection) -> None:
        synapses = Synapses(self, other, conn.kind)
        self._live.outgoing.append(synapses)
        other._live.incoming.append(synapses)

    def projection_targets(self) -> list[tuple[LayerwiseLearning, str]]:
        """The layers this one projects to, with the kind of each connection, in the order they were made."""
        return [(synapses.target, synapses.kind) for synapses in self._live.outgoing]

    def activate(self, values: object = None) -> Array:
        """The layer's activations: ``values`` for an input layer, else computed from the layers feeding it."""
        live = self._live
        if values is not None:
            given = np.asarray(values, dtype=float).ravel()
            if given.size != self.size:
                raise ValueError(f"{self.name} has {self.size} neurons but was given {given.size} values")
            live.a, live.z, live.given, live.inputs = given.copy(), None, True, []
        else:
            if not live.incoming:
                raise ValueError(
                    f"{self.name} has no incoming connections: give it its values, as an input layer "
                    f"({self.name}.activate([...]))"
                )
            self._draw_parameters()
            inputs = []
            for synapses in live.incoming:
                source = synapses.source._live.a
                if source is None:
                    raise RuntimeError(f"activate {synapses.source.name} before {self.name}, which it feeds")
                inputs.append(source)
            z = inputs[0] @ live.incoming[0].weights
            for source, synapses in zip(inputs[1:], live.incoming[1:], strict=True):
                z = z + source @ synapses.weights
            if live.bias is not None:
                z = z + live.bias
            live.z, live.inputs, live.given = z, inputs, False
            live.a = get_activation(self.activation).forward(z[None, :])[0]
        live.error, live.heard_from, live.propagated = np.zeros(self.size), set(), False
        return live.a.copy()

    def propagate(self, rate: float, target: object = None) -> None:
        """Learn from ``target`` (an output layer) or from the layers this one projects to (a hidden layer)."""
        live = self._live
        if live.a is None or live.propagated:
            raise RuntimeError(f"activate {self.name} before propagating it (once per activation)")
        if live.given:
            raise ValueError(f"{self.name} was given its values (an input layer): it has no incoming weights to learn")
        act = get_activation(self.activation)
        if target is not None:
            wanted = np.asarray(target, dtype=float).ravel()
            if wanted.size != self.size:
                raise ValueError(f"{self.name} has {self.size} neurons but was given {wanted.size} target values")
            delta = live.a - wanted  # as Synaptic: no derivative at the output (cross-entropy for logistic)
        else:
            if not live.outgoing:
                raise ValueError(f"{self.name} projects to no layer: give it a target, as an output layer")
            waiting = [s.target.name for s in live.outgoing if id(s.target) not in live.heard_from]
            if waiting:
                raise RuntimeError(
                    f"propagate {', '.join(waiting)} before {self.name}: a hidden layer learns from the error "
                    "of the layers it projects to"
                )
            z, error = live.z, live.error
            assert z is not None and error is not None  # a computed activation has both
            delta = act.backward(z[None, :], live.a[None, :], error[None, :])[0]
        for source, synapses in zip(live.inputs, live.incoming, strict=True):
            upstream = synapses.source._live
            if not upstream.given and upstream.a is source:
                upstream.error += synapses.weights @ delta  # through the weights before this update
                upstream.heard_from.add(id(self))
            step = source[:, None] * delta
            if synapses.mask is not None:
                step *= synapses.mask
            synapses.weights -= rate * step
        if live.bias is not None:
            live.bias -= rate * delta
        live.propagated = True

    def _draw_parameters(self) -> None:
        """Initial weights of new incoming connections and the bias, the first time they are needed."""
        live = self._live
        for k, synapses in enumerate(live.incoming):
            if synapses.weights is None:
                live.seed = fresh_seed() if live.seed is None else live.seed
                shape = (synapses.source.size, self.size)
                weights = init_weights(DEFAULT_INIT, shape, rng_for(live.seed, f"W:{k}"))
                synapses.weights = weights if synapses.mask is None else weights * synapses.mask
        if self.bias and live.bias is None:
            live.seed = fresh_seed() if live.seed is None else live.seed
            live.bias = init_bias(DEFAULT_INIT, self.size, rng_for(live.seed, "b"))


def adopt_layers(net: Network, members: list[Layer]) -> None:
    """Give ``net`` the weights its layers already have, then let the layers work on ``net``'s parameters."""
    for layer in members:
        for synapses in layer._live.incoming:
            key = f"{synapses.source.id}->{layer.id}"  # the connection id Graph.from_layers gave it
            if synapses.weights is not None:
                net.weights[key][...] = synapses.weights
            synapses.weights = net.weights[key]
        if layer.id in net.biases:
            if layer._live.bias is not None:
                net.biases[layer.id][...] = layer._live.bias
            layer._live.bias = net.biases[layer.id]
