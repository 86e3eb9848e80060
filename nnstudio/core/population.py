"""Many copies of one network trained at once: the core of "Train restarts…".

A :class:`Population` holds N networks that share one topology but start from N
initial-weight seeds.  Network k's initial parameters are exactly those of
``Network.from_graph(graph, seed=seeds[k], init=init)``, and
:class:`PopulationRun` trains all of them with the same semantics as N separate
:class:`~nnstudio.core.training.TrainingRun` objects (same batches, same
shuffled order, same optimizer math, each network stopping on its own).

Memory layout, chosen for speed with tiny layers (measured on 2 cores, 1,000
XOR 2-3-1 networks): the network axis is the *last*, contiguous one.

- parameters ``(n_params, N)``: row p is entry p of ``Network.params`` (same
  flat layout), so a weight block is the view ``(source, target, N)`` and a
  bias block ``(target, N)``; optimizers run over the whole array at once;
- activations ``(samples, units, N)``: samples first, so the input layer's
  contribution — the same inputs for every network — is one BLAS product
  ``X @ W.reshape(source, target * N)``, and ``len(a)`` is the batch size as
  the loss functions expect.

With N innermost every NumPy inner loop runs over 1,000 contiguous numbers.
The obvious alternative, networks first and a batched ``np.matmul`` over
(N, 4, 2) @ (N, 2, 3), spends its time in per-matrix call overhead and was
slower, and any layout with the 2-3 units innermost makes NumPy's inner loops
3 elements long.  Contractions between hidden layers broadcast to a
``(samples, source, target, N)`` temporary and sum one axis: two NumPy calls
whatever the layer sizes (chunked over source units when it would get large).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .activations import Activation, get_activation
from .datasets import Dataset
from .graph import Graph
from .initializers import DEFAULT_INIT
from .losses import EPS, Loss, _bce_terms, get_loss
from .network import Network
from .optimizers import make_optimizer
from .training import TrainSettings, resolve_cost

Array = np.ndarray

#: largest broadcast temporary (in numbers) built by one hidden-layer contraction
_CHUNK_ELEMENTS = 1 << 21
#: optimizer attributes that hold one column per network (compacted when networks stop)
_OPTIMIZER_STATE = ("velocity", "m", "v", "_buf", "_buf2")


@dataclass(frozen=True)
class _Source:
    index: int  # the source layer's position in topological order
    key: str  # "W:<connection id>"
    mask: Array | None  # (source, target, 1) or None for all_to_all
    is_input: bool


@dataclass(frozen=True)
class _Step:
    index: int
    sources: tuple[_Source, ...]
    bias_key: str | None
    activation: Activation


def _softmax(z: Array) -> Array:
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def _activate(act: Activation, z: Array) -> Array:
    if act.name == "logistic":
        # activations._logistic computed in place: the same operations in the same order, so the same
        # bits, without three temporaries (the hottest call of a population epoch)
        a = np.multiply(z, 0.5)
        np.tanh(a, out=a)
        a *= 0.5
        a += 0.5
        return a
    # softmax is row-wise; here the units axis is 1, not the last one
    return _softmax(z) if act.rowwise else act.forward(z)


def _activation_backward(act: Activation, z: Array, a: Array, grad_a: Array) -> Array:
    if act.rowwise:
        return a * (grad_a - (grad_a * a).sum(axis=1, keepdims=True))
    if act.name == "logistic":  # grad_a * (a * (1 - a)) with one temporary: the same bits
        out = np.subtract(1.0, a)
        out *= a
        out *= grad_a
        return out
    return grad_a * act.derivative(z, a)


def population_errors(loss: Loss, a: Array, t: Array) -> Array:
    """Each network's reported error: ``loss.error`` taken per network over (samples, outputs)."""
    count = a.shape[0] * a.shape[1]
    if loss.name == "mse":
        return np.add.reduce((a - t) ** 2, axis=(0, 1)) / count
    if loss.name == "bce":
        return np.add.reduce(_bce_terms(a, t), axis=(0, 1)) / count
    return -np.add.reduce(t * np.log(np.maximum(a, EPS)), axis=(0, 1)) / len(a)


class Population:
    """N networks of one topology, from N initial-weight seeds, in shared arrays."""

    def __init__(self, graph: Graph, seeds: Sequence[int], init: str = DEFAULT_INIT):
        seeds = [int(s) for s in seeds]
        if not seeds:
            raise ValueError("a population needs at least one seed")
        self.template = Network.from_graph(graph, seed=seeds[0], init=init)
        self.graph = self.template.graph
        self.seeds, self.init = seeds, init
        self.params = np.empty((self.template.n_params, len(seeds)))
        for k, seed in enumerate(seeds):
            self.template.reset(seed)  # draws exactly what Network.from_graph(graph, seed) draws
            self.params[:, k] = self.template.params
        self._plan()

    @property
    def size(self) -> int:
        return len(self.seeds)

    @property
    def n_params(self) -> int:
        return self.template.n_params

    def params_of(self, k: int) -> Array:
        """A copy of network k's flat parameter vector (the layout of ``Network.params``)."""
        return self.params[:, k].copy()

    def network(self, k: int) -> Network:
        """Network k as a standalone :class:`Network` with its current parameters."""
        net = Network.from_graph(self.graph, seed=self.seeds[k], init=self.init)
        net.set_params(self.params[:, k])
        return net

    # -- evaluation plan ---------------------------------------------------------------
    def _plan(self) -> None:
        net = self.template
        index = {layer.id: k for k, layer in enumerate(net.layers)}
        conns = sorted(self.graph.connections.values(), key=lambda c: (index[c.target], index[c.source]))
        self._n_layers = len(net.layers)
        self._steps: list[_Step] = []
        for k, layer in enumerate(net.layers):
            if layer.role == "input":
                continue
            sources = tuple(
                _Source(
                    index[c.source], "W:" + c.id,
                    None if (mask := net.masks[c.id]) is None else mask[:, :, None],
                    net.layers[index[c.source]].role == "input",
                )
                for c in conns
                if c.target == layer.id
            )
            bias_key = "b:" + layer.id if "b:" + layer.id in net.specs else None
            self._steps.append(_Step(k, sources, bias_key, get_activation(layer.activation)))
        self._input_slices = net._input_slices
        self._output_slices = net._output_slices
        self._output_activations = {k: get_activation(net.layers[k].activation) for k, _ in self._output_slices}
        self._weight_mask = net.weight_mask[:, None]

    def blocks(self, params: Array) -> dict[str, Array]:
        """Views into a ``(n_params, M)`` array: weights ``(source, target, M)``, biases ``(target, M)``."""
        m = params.shape[1]
        return {
            key: np.reshape(params[spec.slice], (*spec.shape, m), copy=False)  # views, never copies
            for key, spec in self.template.specs.items()
        }

    # -- forward and backward over (samples, units, M) arrays ------------------------------
    def forward(self, X: Array, blocks: dict[str, Array]) -> tuple[list, list]:
        """Activations and pre-activations of every layer (by topological position) for a batch."""
        acts: list = [None] * self._n_layers
        zs: list = [None] * self._n_layers
        for k, cols in self._input_slices:
            acts[k] = X if len(self._input_slices) == 1 else X[:, cols]
        for step in self._steps:
            first, *others = step.sources  # a valid graph gives every non-input layer a source
            z = _contract_forward(acts[first.index], blocks[first.key], first.is_input)
            for src in others:
                z += _contract_forward(acts[src.index], blocks[src.key], src.is_input)
            if step.bias_key is not None:
                z += blocks[step.bias_key]
            zs[step.index] = z
            acts[step.index] = _activate(step.activation, z)
        return acts, zs

    def outputs(self, acts: list) -> Array:
        if len(self._output_slices) == 1:
            return acts[self._output_slices[0][0]]
        return np.concatenate([acts[k] for k, _ in self._output_slices], axis=1)

    def backward(self, acts: list, zs: list, targets: Array, loss: Loss, blocks: dict, grad_blocks: dict) -> None:
        """Fill ``grad_blocks`` with d(objective)/d(params), as ``Network.backward`` does per network.

        ``targets`` is shaped (samples, outputs, 1) and broadcasts over the networks.
        """
        outputs = self.outputs(acts)
        n = len(outputs)
        several = len(self._output_slices) > 1
        grad_out = None
        grad_z: dict[int, Array] = {}
        for k, cols in self._output_slices:
            a, t = acts[k], targets[:, cols] if several else targets
            act = self._output_activations[k]
            if (act.name, loss.name) in (("logistic", "bce"), ("softmax", "ce")):
                grad_z[k] = (a - t) / n  # the activation's derivative cancels the loss's
            else:
                if grad_out is None:
                    grad_out = loss.gradient(outputs, targets)
                g = grad_out[:, cols] if several else grad_out
                grad_z[k] = _activation_backward(act, zs[k], a, g)
        self.backprop(acts, zs, grad_z, blocks, grad_blocks)

    def loss_and_gradient(
        self, X: Array, T: Array, loss: Loss, blocks: dict, grad_blocks: dict, binary_targets: bool = False,
    ) -> Array:
        """Forward, every network's reported error and the gradients in one pass; returns the errors.

        With one output layer and mse, or bce on a logistic output with 0/1
        targets, the output difference is computed once and serves both the
        error and the gradient (the hot path of XOR-sized populations).
        """
        acts, zs = self.forward(X, blocks)
        out = self.outputs(acts)
        simple = loss.name == "mse" or (loss.name == "bce" and binary_targets)
        k = self._output_slices[0][0]
        act = self._output_activations[k]
        if len(self._output_slices) > 1 or not simple or (loss.name == "bce" and act.name != "logistic"):
            err = population_errors(loss, out, T)
            self.backward(acts, zs, T, loss, blocks, grad_blocks)
            return err
        diff = out - T
        count, n = diff.shape[0] * diff.shape[1], len(diff)
        if loss.name == "mse":
            err = np.add.reduce(diff * diff, axis=(0, 1)) / count
            diff /= n
            grad_z = _activation_backward(act, zs[k], out, diff)
        else:  # bce with 0/1 targets on a logistic output: each term is −log(1 − |output − target|)
            closeness = np.abs(diff)
            np.minimum(closeness, 1.0 - EPS, out=closeness)
            np.negative(closeness, out=closeness)
            err = -np.add.reduce(np.log1p(closeness, out=closeness), axis=(0, 1)) / count
            diff /= n  # the activation's derivative cancels the loss's
            grad_z = diff
        self.backprop(acts, zs, {k: grad_z}, blocks, grad_blocks)
        return err

    def backprop(self, acts: list, zs: list, grad_z: dict, blocks: dict, grad_blocks: dict) -> None:
        """Given d/dz of the output layers, fill every gradient block."""
        grad_a: dict[int, Array] = {}
        for step in reversed(self._steps):
            k = step.index
            gz = grad_z.get(k)
            if gz is None:
                gz = _activation_backward(step.activation, zs[k], acts[k], grad_a[k])
            if step.bias_key is not None:
                np.add.reduce(gz, axis=0, out=grad_blocks[step.bias_key])
            for src in step.sources:
                dW = grad_blocks[src.key]
                _contract_weight_grad(acts[src.index], gz, dW, src.is_input)
                if src.mask is not None:
                    dW *= src.mask
                if not src.is_input:
                    back = _contract_backward(gz, blocks[src.key])
                    if src.index in grad_a:
                        grad_a[src.index] += back
                    else:
                        grad_a[src.index] = back

    def predict(self, X: Array) -> Array:
        """Every network's outputs for a batch, shaped (N, samples, outputs)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        acts, _ = self.forward(X, self.blocks(self.params))
        return np.ascontiguousarray(np.moveaxis(self.outputs(acts), 2, 0))


def _chunk(batch: int, target: int, m: int) -> int:
    return max(1, _CHUNK_ELEMENTS // max(1, batch * target * m))


def _contract_forward(a: Array, W: Array, is_input: bool) -> Array:
    """z[b, j, n] = Σ_i a[b, i, n] · W[i, j, n] (the input layer's ``a`` is shared: (b, i))."""
    s, t, m = W.shape
    if is_input:
        return (a @ W.reshape(s, t * m)).reshape(len(a), t, m)
    step = _chunk(len(a), t, m)
    z = np.add.reduce(a[:, :step, None, :] * W[None, :step], axis=1)
    for i in range(step, s, step):
        z += np.add.reduce(a[:, i : i + step, None, :] * W[None, i : i + step], axis=1)
    return z


def _contract_weight_grad(a: Array, gz: Array, dW: Array, is_input: bool) -> None:
    """dW[i, j, n] = Σ_b a[b, i, n] · gz[b, j, n], written into ``dW`` (a view of the gradients)."""
    s, t, m = dW.shape
    if is_input:
        np.matmul(a.T, gz.reshape(len(gz), t * m), out=dW.reshape(s, t * m))
        return
    step = _chunk(len(a), t, m)
    for i in range(0, s, step):
        np.add.reduce(a[:, i : i + step, None, :] * gz[:, None], axis=0, out=dW[i : i + step])


def _contract_backward(gz: Array, W: Array) -> Array:
    """grad_a[b, i, n] = Σ_j gz[b, j, n] · W[i, j, n]."""
    s, t, m = W.shape
    step = _chunk(len(gz), t, m)
    if step >= s:
        return np.add.reduce(gz[:, None] * W[None], axis=2)
    return np.concatenate(
        [(gz[:, None] * W[None, i : i + step]).sum(axis=2) for i in range(0, s, step)], axis=1
    )


@dataclass
class PopulationSnapshot:
    """Progress of every network since the previous snapshot."""

    epoch: int  # epochs run so far (by the networks still training)
    errors: Array  # (epochs since the last snapshot, N); NaN where a network was no longer training
    reached: Array  # (N,) bool: reached the target error
    stopped_at: Array  # (N,) the epoch each network stopped at, 0 while it trains
    n_training: int
    elapsed: float
    done: bool = False


@dataclass
class PopulationResult:
    """A finished population run."""

    errors: Array  # (epochs, N), NaN after a network stopped
    final_errors: Array  # (N,) each network's last epoch error (NaN when it diverged)
    reached: Array  # (N,) bool
    reasons: list[str | None]  # each network's stop reason (keys of training.STOP_REASONS)
    stopped_at: Array  # (N,) epochs each network ran


def median_curve(errors: Array, stopped_at: Array) -> Array:
    """The median over networks at each epoch, a stopped network holding its final error.

    A network that diverged counts as infinitely bad from then on.
    """
    errors = np.array(errors, dtype=float, ndmin=2)
    rows = np.arange(len(errors))[:, None]
    stopped_at = np.asarray(stopped_at)
    running = (stopped_at == 0) | (rows < stopped_at[None, :])
    final = np.where(stopped_at > 0, stopped_at - 1, 0)
    held = errors[np.minimum(final, len(errors) - 1), np.arange(errors.shape[1])]
    filled = np.where(running, errors, held[None, :])
    filled[~np.isfinite(filled)] = np.inf
    return np.median(filled, axis=1)


class PopulationRun:
    """Trains every network of a population as N separate ``TrainingRun`` objects would.

    All networks share one shuffled sample order (``TrainingRun`` seeds its
    shuffle with ``settings.seed``, which is the same for all).  A network
    that stops — target error, divergence (its last finite parameters are put
    back) or plateau — is frozen: its parameters go back into
    ``population.params`` and it leaves the working arrays, so the others
    keep training on narrower arrays.
    """

    def __init__(self, population: Population, data: Dataset, settings: TrainSettings | None = None):
        self.population, self.data = population, data
        self.settings = settings or TrainSettings()
        self.settings.validate()
        net = population.template
        if data.n_inputs != net.n_inputs or data.n_outputs != net.n_outputs:
            raise ValueError(
                f"the dataset has {data.n_inputs} inputs and {data.n_outputs} targets, "
                f"the networks {net.n_inputs} inputs and {net.n_outputs} outputs"
            )
        self.loss = get_loss(resolve_cost(self.settings.cost, net, data))
        n = population.size
        self.epochs_done = 0
        self.elapsed = 0.0
        self.last_errors = np.full(n, math.nan)
        self.reasons: list[str | None] = [None] * n
        self.stopped_at = np.zeros(n, dtype=int)
        self._rng = np.random.default_rng(self.settings.seed)
        self._order = np.arange(len(data))
        self._targets = data.Y[:, :, None]
        self._binary_targets = bool(np.isin(data.Y, (0.0, 1.0)).all())
        self._live = np.arange(n)  # ids of the networks still training, ascending
        self._best = np.full(n, math.inf)  # these two follow the live networks' order
        self._since_best = np.zeros(n, dtype=int)
        self._params = population.params.copy()
        self._grads = np.zeros_like(self._params)
        self._last_good = self._params.copy()
        s = self.settings
        self.optimizer = make_optimizer(
            s.optimizer, self._params.shape, population._weight_mask, l1=s.l1, l2=s.l2, momentum=s.momentum,
        )
        self._bind()

    def _bind(self) -> None:
        self._blocks = self.population.blocks(self._params)
        self._grad_blocks = self.population.blocks(self._grads)

    # -- state -----------------------------------------------------------------------
    @property
    def n_training(self) -> int:
        return int(self._live.size)

    @property
    def reached(self) -> Array:
        """(N,) bool: the networks that reached the target error."""
        return np.array([r == "target_error" for r in self.reasons])

    @property
    def final_errors(self) -> Array:
        """(N,) each network's latest epoch error."""
        return self.last_errors.copy()

    def params_of(self, k: int) -> Array:
        """A copy of network k's current flat parameters (the layout of ``Network.params``)."""
        pos = np.searchsorted(self._live, k)
        if pos < self._live.size and self._live[pos] == k:
            return self._params[:, pos].copy()
        return self.population.params[:, k].copy()

    def current_rate(self) -> float:
        s = self.settings
        if s.schedule:
            return s.rate * s.schedule.get("factor", 0.5) ** (self.epochs_done // int(s.schedule["every"]))
        return s.rate

    # -- training --------------------------------------------------------------------
    def _batch_update(self, X: Array, T: Array, rate: float) -> Array:
        err = self.population.loss_and_gradient(
            X, T, self.loss, self._blocks, self._grad_blocks, self._binary_targets,
        )
        self.optimizer.step(self._params, self._grads, rate)
        return err

    def epoch(self) -> Array:
        """One epoch of every network still training; returns (N,) errors, NaN for stopped networks."""
        if not self._live.size:
            raise RuntimeError("every network of the population has stopped")
        X, T, s = self.data.X, self._targets, self.settings
        rate = self.current_rate()
        with np.errstate(all="ignore"):  # some of many networks may diverge; that is reported, not warned
            if s.batch_size is None:
                err = self._batch_update(X, T, rate)
            else:
                if s.shuffle:
                    self._rng.shuffle(self._order)
                size, n, order = s.batch_size, len(X), self._order
                total = np.zeros(self._live.size)
                if size == 1:
                    for i in order:
                        total += self._batch_update(X[i : i + 1], T[i : i + 1], rate)
                else:
                    for start in range(0, n, size):
                        idx = order[start : start + size]
                        total += self._batch_update(X[idx], T[idx], rate) * len(idx)
                err = total / n
            if self._live.size == self.population.size:
                errors = err.copy()
            else:
                errors = np.full(self.population.size, math.nan)
                errors[self._live] = err
            self._stop_finished(self._finish_epoch(err))
        return errors

    def _finish_epoch(self, err: Array) -> Array:
        """Bookkeeping after an epoch, as TrainingRun._finish_epoch; returns the errors that decide stopping."""
        self.epochs_done += 1
        params = self._params
        # overflowing weights diverge even when a saturated output hides it (TrainingRun's test: params @ params)
        overflow = ~np.isfinite(np.add.reduce(params * params, axis=0))
        if overflow.any():
            err = np.where(overflow, math.nan, err)
        if self._live.size == self.last_errors.size:
            self.last_errors[:] = err
        else:
            self.last_errors[self._live] = err
        ok = np.isfinite(err)
        if ok.all():
            np.copyto(self._last_good, params)
        else:
            np.copyto(self._last_good, params, where=ok)
        # TrainingRun's improvement test, network by network (best and since_best are per live network)
        best = self._best
        improved = ok & (np.isinf(best) | (err < best - np.maximum(1e-12, 1e-4 * best)))
        np.copyto(best, err, where=improved)
        np.add(self._since_best, ok, out=self._since_best)
        np.copyto(self._since_best, 0, where=improved)
        return err

    def _stop_finished(self, err: Array) -> None:
        """Freeze the networks that TrainingRun.stop_reason would stop now (same order of reasons)."""
        s = self.settings
        everyone = np.ones(err.size, bool)
        checks = [(~np.isfinite(err), "diverged"), (err <= s.target_error, "target_error")]
        if self.epochs_done >= s.epochs:
            checks.append((everyone, "max_epochs"))
        if s.patience:
            checks.append((self._since_best >= s.patience, "plateau"))
        if s.max_seconds and self.elapsed >= s.max_seconds:
            checks.append((everyone, "time_limit"))
        if not any(mask.any() for mask, _ in checks):
            return
        stop = np.zeros(err.size, bool)
        reasons = np.empty(err.size, dtype=object)
        for mask, reason in checks:
            new = mask & ~stop
            reasons[new] = reason
            stop |= new
        self._freeze(stop, list(reasons[stop]))

    def _freeze(self, stop: Array, reasons: list[str]) -> None:
        pos = np.flatnonzero(stop)
        ids = self._live[pos]
        for p, k, reason in zip(pos, ids, reasons, strict=True):
            if reason == "diverged":
                self._params[:, p] = self._last_good[:, p]
            self.reasons[k] = reason
        self.stopped_at[ids] = self.epochs_done
        self.population.params[:, ids] = self._params[:, pos]
        keep = np.flatnonzero(~stop)
        self._live = self._live[keep]
        # fancy indexing along axis 1 gives Fortran-ordered arrays; the block views need C order
        self._params = np.ascontiguousarray(self._params[:, keep])
        self._grads = np.ascontiguousarray(self._grads[:, keep])
        self._last_good = np.ascontiguousarray(self._last_good[:, keep])
        self._best, self._since_best = self._best[keep], self._since_best[keep]
        for name in _OPTIMIZER_STATE:
            value = getattr(self.optimizer, name, None)
            if value is not None:
                setattr(self.optimizer, name, np.ascontiguousarray(value[:, keep]))
        self._bind()

    def stop_all(self, reason: str = "stopped") -> None:
        """Freeze every network still training (an external stop)."""
        if self._live.size:
            self._freeze(np.ones(self._live.size, bool), [reason] * self._live.size)

    def sync(self) -> None:
        """Copy the parameters of the networks still training into ``population.params``."""
        self.population.params[:, self._live] = self._params

    # -- loops -----------------------------------------------------------------------
    def snapshots(
        self, stop: Callable[[], bool] = lambda: False, max_rate: float = 30.0,
    ) -> Iterator[PopulationSnapshot]:
        """Run epochs until every network has stopped; yield progress at most ``max_rate`` times a second."""
        interval = 1.0 / max_rate if max_rate > 0 else 0.0
        rows: list[Array] = []
        start = last_yield = time.perf_counter()
        base = self.elapsed
        while True:
            if self._live.size and stop():
                self.stop_all()
            if not self._live.size:
                self.elapsed = base + time.perf_counter() - start
                yield self._snapshot(rows, done=True)
                return
            rows.append(self.epoch())
            now = time.perf_counter()
            self.elapsed = base + now - start
            if now - last_yield >= interval:
                yield self._snapshot(rows)
                rows = []
                last_yield = now

    def _snapshot(self, rows: list[Array], done: bool = False) -> PopulationSnapshot:
        errors = np.array(rows).reshape(len(rows), self.population.size)
        return PopulationSnapshot(
            self.epochs_done, errors, self.reached, self.stopped_at.copy(), self.n_training, self.elapsed, done,
        )

    def run(self, stop: Callable[[], bool] = lambda: False) -> PopulationResult:
        """Train until every network has stopped; returns all epochs' errors."""
        rows: list[Array] = []
        start, base = time.perf_counter(), self.elapsed
        while self._live.size:
            if stop():
                self.stop_all()
                break
            rows.append(self.epoch())
            if self.settings.max_seconds:
                self.elapsed = base + time.perf_counter() - start
        self.elapsed = base + time.perf_counter() - start
        errors = np.array(rows).reshape(len(rows), self.population.size)
        return PopulationResult(errors, self.final_errors, self.reached, list(self.reasons), self.stopped_at.copy())
