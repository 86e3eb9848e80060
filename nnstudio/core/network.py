"""A trainable network built from a valid :class:`~nnstudio.core.graph.Graph`.

Parameters live in one flat vector (``net.params``, float64 unless
:meth:`Network.set_dtype` makes it float32).  Every connection
owns a view into it shaped ``(source_size, target_size)`` — synapse i→j is
``W[i, j]`` and a batch (samples as rows) flows as ``x @ W + b`` — and every
non-input layer with a bias owns a bias view.  Gradients use the same layout
(``net.grads``), so optimizers, snapshots, gradient checks and exporters all
work on plain vectors.

Layers are evaluated in topological order; a layer fed by several layers adds
their contributions.  one_to_one and all_to_else connections keep a full matrix
whose entries outside the pattern stay exactly zero (their gradients are masked).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .activations import Activation, get_activation
from .graph import Graph, Layer, TopologyError
from .initializers import DEFAULT_INIT, ZERO_BIAS_INITS, fresh_seed, init_bias, init_weights, rng_for
from .layerwise import adopt_layers, kind_mask
from .losses import EPS, Loss, get_loss

Array = np.ndarray

#: the floating-point types a network computes in ("float64" is the default)
DTYPES = ("float64", "float32")

#: output activation and loss pairs whose derivatives cancel: the output delta is simply (output − target) / n
FUSED = {("logistic", "bce"), ("softmax", "ce")}


@dataclass(frozen=True)
class ParamSpec:
    """Where one weight matrix or bias vector sits in the flat parameter vector."""

    key: str  # "W:<connection id>" or "b:<layer id>"
    offset: int
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def slice(self) -> slice:
        return slice(self.offset, self.offset + self.size)


@dataclass
class _Step:
    """Evaluation of one non-input layer: its sources, weights, bias and activation."""

    index: int
    sources: list[tuple[int, Array, Array, Array | None, bool]]  # (source index, W, dW, mask, writes grad first)
    bias: Array | None
    bias_grad: Array | None
    activation: Activation


#: the activations of a network that has seen no batch yet
_NO_BATCH = np.empty((0, 0))


class Network:
    """A feed-forward network over a DAG of layers.

    Build it the Synaptic way, ``Network(input=a, hidden=[b], output=c)`` after
    ``a.project(b)`` and ``b.project(c)``, or from any graph with
    :meth:`from_graph`.  ``seed`` fixes the initial weights; without one it is
    drawn from Python's and NumPy's global generators.  Layers that already
    learned layer by layer bring their weights along, and keep sharing them
    (see :mod:`~nnstudio.core.layerwise`).
    """

    def __init__(
        self,
        input: Layer | None = None,
        hidden: Iterable[Layer] = (),
        output: Layer | None = None,
        seed: int | None = None,
        *,
        graph: Graph | None = None,
        init: str = DEFAULT_INIT,
    ):
        members: list[Layer] = []
        if graph is None:
            if input is None or output is None:
                raise TopologyError("a network needs an input layer and an output layer")
            members = [input, *hidden, output]
            graph = Graph.from_layers(input, members[1:-1], output)
        graph.validate()
        self.graph = graph.copy()
        self.seed = fresh_seed() if seed is None else int(seed)
        self.init = init
        self._last_output: Array | None = None  # the outputs of the last activate(), for propagate()
        self.dtype = np.dtype(np.float64)
        self._layout()
        self.reset()
        adopt_layers(self, members)

    @classmethod
    def from_graph(cls, graph: Graph, seed: int | None = None, init: str = DEFAULT_INIT) -> Network:
        return cls(graph=graph, seed=seed, init=init)

    # -- structure ------------------------------------------------------------------
    def _layout(self) -> None:
        g = self.graph
        self.order = g.topological_order()
        self.layers = [g.layers[i] for i in self.order]
        index = {lid: k for k, lid in enumerate(self.order)}
        self.input_layers = [layer for layer in self.layers if layer.role == "input"]
        self.output_layers = [layer for layer in self.layers if layer.role == "output"]
        self.n_inputs = sum(layer.size for layer in self.input_layers)
        self.n_outputs = sum(layer.size for layer in self.output_layers)

        specs, offset = [], 0
        conns = sorted(g.connections.values(), key=lambda c: (index[c.target], index[c.source]))
        for conn in conns:
            shape = (g.layers[conn.source].size, g.layers[conn.target].size)
            specs.append(ParamSpec("W:" + conn.id, offset, shape))
            offset += shape[0] * shape[1]
        for layer in self.layers:
            if layer.role != "input" and layer.bias:
                specs.append(ParamSpec("b:" + layer.id, offset, (layer.size,)))
                offset += layer.size
        self.specs = {s.key: s for s in specs}
        self.params = np.zeros(offset, self.dtype)
        self.grads = np.zeros(offset, self.dtype)
        self.weights = {
            c.id: self.params[self.specs["W:" + c.id].slice].reshape(self.specs["W:" + c.id].shape) for c in conns
        }
        self.biases = {k[2:]: self.params[s.slice] for k, s in self.specs.items() if k.startswith("b:")}
        self.masks = {c.id: kind_mask(c.kind, g.layers[c.source].size, self.dtype) for c in conns}
        # 1 for weights, 0 for biases: regularisation applies to weights only
        self.weight_mask = np.zeros(offset, self.dtype)
        for key, spec in self.specs.items():
            if key.startswith("W:"):
                self.weight_mask[spec.slice] = 1.0

        weight_grads = {
            c.id: self.grads[self.specs["W:" + c.id].slice].reshape(self.specs["W:" + c.id].shape) for c in conns
        }
        self._steps = []
        sources: dict[int, list[tuple[int, Array, Array, Array | None]]] = {}  # (source index, W, dW, mask)
        for k, layer in enumerate(self.layers):
            if layer.role == "input":
                continue
            sources[k] = [
                (index[c.source], self.weights[c.id], weight_grads[c.id], self.masks[c.id])
                for c in conns
                if c.target == layer.id
            ]
            key = "b:" + layer.id
            bias = self.biases.get(layer.id)
            bias_grad = self.grads[self.specs[key].slice] if key in self.specs else None
            self._steps.append(_Step(k, [], bias, bias_grad, get_activation(layer.activation)))
        self._step_of = {s.index: s for s in self._steps}
        # backprop visits steps in reverse: the first visit of a hidden source writes its gradient, later ones add
        seen: set[int] = set()
        for step in reversed(self._steps):
            for src, W, dW, mask in sources[step.index]:
                step.sources.append((src, W, dW, mask, src not in seen))
                if self.layers[src].role != "input":
                    seen.add(src)
        self._buffers: dict[int, tuple[list[Array], list[Array], list[Array]]] = {}
        self._input_slices = self._column_slices(self.input_layers, index)
        self._output_slices = self._column_slices(self.output_layers, index)
        # every layer's activations and pre-activations of the last forward pass (empty before the first)
        self._acts: list[Array] = [_NO_BATCH] * len(self.layers)
        self._zs: list[Array] = [_NO_BATCH] * len(self.layers)

    @staticmethod
    def _column_slices(layers: Sequence[Layer], index: dict[str, int]) -> list[tuple[int, slice]]:
        out, col = [], 0
        for layer in layers:
            out.append((index[layer.id], slice(col, col + layer.size)))
            col += layer.size
        return out

    @property
    def n_params(self) -> int:
        return self.params.size

    @property
    def n_synapses(self) -> int:
        return int(
            sum(
                w.size if m is None else m.sum()
                for w, m in zip(self.weights.values(), self.masks.values(), strict=True)
            )
        )

    def set_dtype(self, dtype: str | np.dtype) -> None:
        """Compute in ``dtype`` ("float64" or "float32") from now on; the parameters are converted."""
        dtype = np.dtype(dtype)
        if dtype.name not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, not {dtype.name!r}")
        if dtype == self.dtype:
            return
        values = self.params
        self.dtype = dtype
        self._layout()
        self.params[:] = values

    # -- parameters -----------------------------------------------------------------
    def reset(self, seed: int | None = None) -> None:
        """Draw the initial parameters again (the same ones for the same seed)."""
        if seed is not None:
            self.seed = int(seed)
        for key in self.specs:
            self.init_param(key)

    def init_param(self, key: str) -> None:
        """Draw one parameter block's initial values (used by reset and partial re-init)."""
        spec = self.specs[key]
        if key.startswith("W:"):
            fan_in, fan_out = spec.shape
            values = init_weights(self.init, (fan_in, fan_out), rng_for(self.seed, key))
            mask = self.masks[key[2:]]
            if mask is not None:
                values *= mask
        elif self.init in ZERO_BIAS_INITS:  # no generator to seed (a third of a population's set-up time)
            values = np.zeros(spec.shape[0])
        else:
            values = init_bias(self.init, spec.shape[0], rng_for(self.seed, key))
        self.params[spec.slice] = values.ravel()

    def get_params(self) -> Array:
        """A copy of the flat parameter vector."""
        return self.params.copy()

    def set_params(self, values: Array) -> None:
        """Replace all parameters with ``values`` (same length, finite)."""
        values = np.asarray(values, dtype=float)
        if values.shape != self.params.shape:
            raise ValueError(f"expected {self.params.size} parameters, got shape {values.shape}")
        self.params[:] = values
        for conn_id, mask in self.masks.items():
            if mask is not None:
                self.weights[conn_id] *= mask

    def param_dict(self, values: Array | None = None) -> dict[str, Array]:
        """Copies of every block by key ("W:<conn id>", "b:<layer id>"), of ``values`` or of the parameters."""
        values = self.params if values is None else values
        return {k: values[s.slice].reshape(s.shape).copy() for k, s in self.specs.items()}

    def copy(self) -> Network:
        twin = Network(graph=self.graph, seed=self.seed, init=self.init)
        twin.set_dtype(self.dtype)
        twin.params[:] = self.params
        return twin

    # -- evaluation -----------------------------------------------------------------
    def _buffers_for(self, n: int) -> tuple[list[Array], list[Array], list[Array]]:
        """Reused arrays (pre-activations, activations, gradients) for batches of ``n`` rows."""
        bufs = self._buffers.get(n)
        if bufs is None:
            if len(self._buffers) >= 4:  # a few batch sizes are in use at a time (batch, last batch, grid)
                self._buffers.clear()
            sizes = [layer.size for layer in self.layers]
            zs, acts, grads = ([np.empty((n, size), self.dtype) for size in sizes] for _ in range(3))
            bufs = self._buffers[n] = (zs, acts, grads)
        return bufs

    def forward(self, X: Array) -> Array:
        """Outputs for a batch (samples as rows); remembers what backward needs.

        The returned array is reused by the next call: copy it to keep it
        (:meth:`predict` does).
        """
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"expected inputs shaped (samples, {self.n_inputs}), got {X.shape}")
        zbuf, abuf, _ = self._buffers_for(len(X))
        acts, zs = self._acts, self._zs
        for k, cols in self._input_slices:
            acts[k] = X if len(self._input_slices) == 1 else X[:, cols]
        for step in self._steps:
            k = step.index
            z = zbuf[k]
            sources = step.sources
            np.matmul(acts[sources[0][0]], sources[0][1], out=z)
            for src, W, _, _, _ in sources[1:]:
                z += acts[src] @ W
            if step.bias is not None:
                z += step.bias
            zs[k] = z
            acts[k] = step.activation.apply_into(z, abuf[k])
        if len(self._output_slices) == 1:
            return acts[self._output_slices[0][0]]
        return np.concatenate([acts[k] for k, _ in self._output_slices], axis=1)

    def backward(self, outputs: Array, targets: Array, loss: Loss | str = "mse") -> Array:
        """Fill ``self.grads`` with d(objective)/d(params) for the last forward pass; returns ``self.grads``."""
        loss = get_loss(loss) if isinstance(loss, str) else loss
        targets = np.asarray(targets, dtype=self.dtype)
        if targets.shape != outputs.shape:
            raise ValueError(f"expected targets shaped {outputs.shape}, got {targets.shape}")
        n = len(outputs)
        grad_out = None
        grad_z: dict[int, Array] = {}
        for k, cols in self._output_slices:
            a, t = self._acts[k], targets[:, cols] if len(self._output_slices) > 1 else targets
            act = self.layers[k].activation
            if (act, loss.name) in FUSED:
                grad_z[k] = (a - t) / n  # the activation's derivative cancels the loss's
            else:
                if grad_out is None:
                    grad_out = loss.gradient(outputs, targets)
                grad_z[k] = grad_out[:, cols] if len(self._output_slices) > 1 else grad_out
                grad_z[k] = self._step_of[k].activation.backward(self._zs[k], a, grad_z[k])
        self._backprop(grad_z)
        return self.grads

    def loss_and_gradient(self, X: Array, Y: Array, loss: Loss, binary_targets: bool = False) -> float:
        """Forward, reported error and gradients in one pass; returns the error before any update.

        With one output layer and mse, or bce on a logistic output with 0/1
        targets, the output difference is computed once and shared by the error
        and the gradient; other cases take the general path.
        """
        out = self.forward(X)
        name = loss.name
        ((k, _),) = self._output_slices if len(self._output_slices) == 1 else ((None, None),)
        if k is None or name == "ce" or (name == "bce" and not binary_targets):
            err = loss.error(out, Y)
            self.backward(out, Y, loss)
            return err
        _, _, gbuf = self._buffers_for(len(X))
        diff = gbuf[k]
        np.subtract(out, Y, out=diff)
        act = self._step_of[k].activation
        if name == "mse":
            err = float(np.vdot(diff, diff)) / diff.size
            diff *= 1.0 / len(X)
            z = self._zs[k]  # no longer needed once its own gradient is taken: reuse it for that gradient
            grad_z = act.backward(z, out, diff) if act.rowwise else act.backward_to(z, out, diff, z)
        else:  # bce with 0/1 targets: each term is −log(1 − |output − target|)
            closeness = np.abs(diff)
            np.minimum(closeness, 1.0 - EPS, out=closeness)
            np.negative(closeness, out=closeness)
            err = -float(np.add.reduce(np.log1p(closeness, out=closeness), axis=None)) / diff.size
            if self.layers[k].activation == "logistic":
                diff *= 1.0 / len(X)
                grad_z = diff
            else:
                self.backward(out, Y, loss)
                return err
        self._backprop({k: grad_z})
        return err

    def _backprop(self, grad_z: dict[int, Array]) -> None:
        """Given d/dz of the output layers, fill every gradient block."""
        acts, zs = self._acts, self._zs
        _, _, gbuf = self._buffers_for(len(acts[self._steps[-1].index]))
        grad_a: dict[int, Array] = {}
        for step in reversed(self._steps):
            k = step.index
            gz = grad_z.get(k)
            if gz is None:
                act = step.activation
                # z is not needed after this point, so its buffer takes the gradient
                # (identity layers alias z as their activation: they return grad_a and write nothing)
                gz = (
                    act.backward(zs[k], acts[k], grad_a[k])
                    if act.rowwise
                    else act.backward_to(zs[k], acts[k], grad_a[k], zs[k])
                )
            if step.bias_grad is not None:
                np.add.reduce(gz, axis=0, out=step.bias_grad)  # np.sum's wrapper costs more than the sum here
            for src, W, dW, mask, first in step.sources:
                np.matmul(acts[src].T, gz, out=dW)
                if mask is not None:
                    dW *= mask
                if self.layers[src].role != "input":
                    if first:
                        grad_a[src] = np.matmul(gz, W.T, out=gbuf[src])
                    else:
                        grad_a[src] += gz @ W.T

    def predict(self, X: Array) -> Array:
        """Outputs for a batch, or for one sample given as a flat sequence."""
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            return self.forward(X[None, :])[0].copy()
        return self.forward(X).copy()

    def layer_activations(self, X: Array) -> dict[str, Array]:
        """Every layer's activations for a batch, by layer id (for views and the inspector)."""
        self.forward(np.atleast_2d(np.asarray(X, dtype=float)))
        return {layer.id: np.array(a, copy=True) for layer, a in zip(self.layers, self._acts, strict=True)}

    def loss(self, X: Array, Y: Array, cost: str = "mse") -> float:
        """The reported error of the network on a dataset."""
        return get_loss(cost).error(self.forward(X), np.asarray(Y, dtype=float))

    # -- Synaptic-style online learning ---------------------------------------------
    def activate(self, input: Sequence[float]) -> Array:
        """Outputs for one sample, as Synaptic's ``network.activate``; remembered for :meth:`propagate`."""
        x = np.asarray(input, dtype=float).reshape(1, -1)
        self._last_output = self.forward(x).copy()
        return self._last_output[0].copy()

    def propagate(self, rate: float, target: Sequence[float]) -> None:
        """One gradient step towards ``target`` for the last :meth:`activate`, as Synaptic's ``propagate``.

        As in Synaptic, the output neurons' error term is (output − target)
        without the activation's derivative — for logistic outputs this is the
        cross-entropy gradient — and hidden layers backpropagate it as usual.
        """
        if self._last_output is None:
            raise RuntimeError("call activate() before propagate()")
        t = np.asarray(target, dtype=float).reshape(1, -1)
        if t.shape != self._last_output.shape:
            raise ValueError(f"expected {self.n_outputs} target values, got {t.size}")
        grad_z = {}
        for k, cols in self._output_slices:
            grad_z[k] = self._acts[k] - t[:, cols]
        self._backprop(grad_z)
        self.params -= rate * self.grads
        self._last_output = None

    # -- interchange ------------------------------------------------------------------
    def to_json(self) -> dict:
        """A plain dict (graph, seed, init and parameters by block) that :meth:`from_json` restores."""
        return {
            "graph": self.graph.to_dict(),
            "seed": self.seed,
            "init": self.init,
            "params": {k: v.tolist() for k, v in self.param_dict().items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> Network:
        net = cls(graph=Graph.from_dict(data["graph"]), seed=data.get("seed", 0), init=data.get("init", DEFAULT_INIT))
        net.load_param_dict({k: np.asarray(v, dtype=float) for k, v in data["params"].items()})
        return net

    def load_param_dict(self, blocks: dict[str, Array], partial: bool = False) -> None:
        """Set parameter blocks by key; a shape mismatch names the block and both shapes."""
        missing = set(self.specs) - set(blocks)
        if missing and not partial:
            raise ValueError(f"missing parameters for: {', '.join(sorted(missing))}")
        for key, values in blocks.items():
            spec = self.specs.get(key)
            if spec is None:
                raise ValueError(f"this network has no parameter block {key!r}")
            values = np.asarray(values, dtype=float)
            if values.shape != spec.shape:
                raise ValueError(f"{self.describe_key(key)}: expected shape {spec.shape}, got {values.shape}")
            self.params[spec.slice] = values.ravel()

    def describe_key(self, key: str) -> str:
        """A readable name for a parameter block: 'weights Input → Hidden' or 'bias of Hidden'."""
        g = self.graph
        if key.startswith("W:"):
            conn = g.connections[key[2:]]
            return f"weights {g.layers[conn.source].name} → {g.layers[conn.target].name}"
        return f"bias of {g.layers[key[2:]].name}"

    def standalone(self) -> str:
        """Python source of a dependency-free ``predict(inputs)`` function, like Synaptic's ``standalone()``."""
        from .standalone import standalone_source

        return standalone_source(self)

    def __repr__(self) -> str:
        sizes = "-".join(str(layer.size) for layer in self.layers)
        return f"<Network {sizes}, {self.n_params} parameters>"
