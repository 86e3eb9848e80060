"""Many copies of one network trained at once: the core of "Train restarts…".

A :class:`Population` holds N networks that share one topology but start from N
initial-weight seeds: network k's initial parameters are exactly those of
``Network.from_graph(graph, seed=seeds[k], init=init)``.  :class:`PopulationRun`
trains them as N separate :class:`~nnstudio.core.training.TrainingRun` objects
would (same batches, same shuffled order, same maths, each stopping on its own
by the shared :func:`~nnstudio.core.training.stop_reason`).

Two engines do the work.  The compiled population kernel (kernels/) runs
chunks of epochs over stacked (network, parameter) arrays with the
interpreter lock released.  Without it (numba missing, ``NNSTUDIO_JIT=0``, a
network too large) each network is an ordinary TrainingRun on NumPy — the
reference, with no maths of its own here.
"""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.random.bit_generator import ISeedSequence
from numpy.typing import NDArray

from .datasets import Dataset
from .graph import Graph
from .initializers import DEFAULT_INIT, ZERO_BIAS_INITS, init_bias, init_weights
from .kernels.population_runner import PopulationKernel
from .losses import get_loss
from .network import Network
from .training import TrainingRun, TrainSettings, resolve_cost, stop_reason

Array = np.ndarray
Words32 = NDArray[np.uint32]


def initial_params(template: Network, seeds: Sequence[int]) -> Array:
    """(n_params, N): exactly what ``Network.from_graph(graph, seed=seeds[k], init=...)`` draws (Network.init_param).

    Each block draws from initializers.rng_for(seed, key), ``default_rng([seed, crc32(key)])``; building N of
    those one by one was most of a population's set-up (~15 µs each, two per XOR network).  Here NumPy's
    SeedSequence hashing is done for all N seeds at once (:func:`pcg64_seed_words`) and each generator is
    built from its words, which gives the same PCG64 state and so the same numbers.
    """
    params = np.empty((template.n_params, len(seeds)))
    low_words = np.array([int(seed) & 0xFFFFFFFF for seed in seeds], dtype=np.uint32)
    for key, spec in template.specs.items():
        if key.startswith("b:") and template.init in ZERO_BIAS_INITS:
            params[spec.slice] = 0.0
            continue
        words = pcg64_seed_words(low_words, zlib.crc32(key.encode("utf-8")))
        mask = template.masks[key[2:]] if key.startswith("W:") else None
        for k in range(len(seeds)):
            rng = np.random.Generator(np.random.PCG64(_SeedWords(words[k])))  # type: ignore[arg-type]
            if key.startswith("W:"):
                values = init_weights(template.init, (spec.shape[0], spec.shape[1]), rng)
                if mask is not None:
                    values *= mask
            else:
                values = init_bias(template.init, spec.shape[0], rng)
            params[spec.slice, k] = values.ravel()
    return params


_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED  # numpy's SeedSequence
_MIX_L, _MIX_R, _MASK32 = 0xCA01F9DD, 0x4973F715, 0xFFFFFFFF


def pcg64_seed_words(first: Array, second: int) -> NDArray[np.uint64]:
    """(N, 4) uint64: ``SeedSequence([first[k], second]).generate_state(4, np.uint64)`` for every k at once.

    NumPy's documented SeedSequence algorithm (pool of 4 words, hashmix and mix) on uint32 arrays: its hash
    constants do not depend on the data, so one pass serves every seed.  Both entropy words must be < 2**32.
    """
    low: Words32 = np.asarray(first, dtype=np.uint32)
    const = _INIT_A

    def hashmix(value: Words32) -> Words32:
        nonlocal const
        value = value ^ np.uint32(const)
        const = (const * _MULT_A) & _MASK32
        value = value * np.uint32(const)
        return value ^ (value >> np.uint32(16))

    def mix(x: Words32, y: Words32) -> Words32:
        result = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
        return result ^ (result >> np.uint32(16))

    zero = np.zeros_like(low)
    pool = [hashmix(low), hashmix(np.full_like(low, second)), hashmix(zero), hashmix(zero)]
    for src in range(4):
        for dst in range(4):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    words = np.empty((low.size, 8), dtype=np.uint32)
    const = _INIT_B
    for i in range(8):
        value = pool[i % 4] ^ np.uint32(const)
        const = (const * _MULT_B) & _MASK32
        value = value * np.uint32(const)
        words[:, i] = value ^ (value >> np.uint32(16))
    return words.astype("<u4").view("<u8").astype(np.uint64)


class _SeedWords(ISeedSequence):
    """A seed sequence whose state words are already known (PCG64 asks for 4 uint64 words)."""

    def __init__(self, words: Array):
        self.words = words

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> Any:
        if n_words != 4 or np.dtype(dtype) != np.uint64:
            raise ValueError("these seed words serve PCG64 only")
        return self.words.copy()


class Population:
    """N networks of one topology, from N initial-weight seeds; ``params`` is (n_params, N)."""

    def __init__(self, graph: Graph, seeds: Sequence[int], init: str = DEFAULT_INIT):
        seeds = [int(s) for s in seeds]
        if not seeds:
            raise ValueError("a population needs at least one seed")
        self.template = Network.from_graph(graph, seed=seeds[0], init=init)
        self.graph = self.template.graph
        self.seeds, self.init = seeds, init
        self.params = initial_params(self.template, seeds)

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

    def predict(self, X: Array) -> Array:
        """Every network's outputs for a batch, shaped (N, samples, outputs)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        net = self.template.copy()
        outputs = []
        for k in range(self.size):
            net.set_params(self.params[:, k])
            outputs.append(net.predict(X))
        return np.stack(outputs)


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
    shuffle with ``settings.seed``, the same for all).  A network that stops —
    target error, divergence (its last finite parameters are put back) or
    plateau — is frozen: its parameters go back into ``population.params``.
    """

    def __init__(self, population: Population, data: Dataset, settings: TrainSettings | None = None):
        self.population, self.data = population, (data := data.for_network())  # feature inputs computed once
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
        self._live = np.arange(n)  # ids of the networks still training, ascending
        net.set_dtype(self.settings.dtype)
        self._X, self._Y = data.X.astype(net.dtype), data.Y.astype(net.dtype)
        self._binary_targets = bool(np.isin(data.Y, (0.0, 1.0)).all())
        self._rng = np.random.default_rng(self.settings.seed)
        self._order = np.arange(len(data))
        self._epoch_seconds = 0.0
        self.kernel = PopulationKernel.for_run(self)
        self._runs: list[TrainingRun] = [] if self.kernel is not None else self._numpy_runs()

    def _numpy_runs(self) -> list[TrainingRun]:
        settings = TrainSettings(**self.settings.to_dict())
        return [TrainingRun(self.population.network(k), self.data, settings) for k in range(self.population.size)]

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
        if k not in self._live:
            return self.population.params[:, k].copy()
        if self.kernel is not None:
            return self.kernel.params_of(k)
        return self._runs[k].net.params.astype(float)

    def current_rate(self) -> float:
        s = self.settings
        if s.schedule:
            return s.rate * s.schedule.get("factor", 0.5) ** (self.epochs_done // int(s.schedule["every"]))
        return s.rate

    # -- training --------------------------------------------------------------------
    def _advance(self, epochs: int) -> Array:
        """Train every live network up to ``epochs`` epochs; returns (epochs run, N) errors, NaN when not training."""
        if not self._live.size:
            raise RuntimeError("every network of the population has stopped")
        live = self._live
        chunk = self.kernel.run(self, epochs) if self.kernel is not None else None
        if chunk is None and self.kernel is not None:  # the kernel failed: go on with NumPy from here
            self.sync()
            self.kernel, self._runs = None, self._numpy_runs()
        s = self.settings
        if chunk is None:
            with np.errstate(all="ignore"):  # some of many networks may diverge; that is reported, not warned
                errors = np.array([[self._runs[k].epoch() for k in live]])
            ran = np.ones(live.size, dtype=np.int64)
            last = np.array([self._runs[k].last_error for k in live])
            since = np.array([self._runs[k]._since_best for k in live])
            candidates = np.arange(live.size)
        else:
            errors, ran, stopped = chunk
            assert self.kernel is not None  # a chunk comes only from the kernel
            last = errors[ran - 1, np.arange(live.size)]
            since = self.kernel.since_best
            # the kernel stops a network exactly when a stop rule fires; the others can only stop on the
            # epoch limit or the clock
            if s.epochs - self.epochs_done <= len(errors) or (s.max_seconds and self.elapsed >= s.max_seconds):
                stopped[:] = True
            candidates = np.flatnonzero(stopped)
            last = np.where(self.kernel.overflowing(), math.nan, last)
        rows = np.full((len(errors), self.population.size), math.nan)
        rows[:, live] = errors
        start = self.epochs_done
        self.epochs_done += len(errors)
        self.last_errors[live] = last
        stops = [
            (i, reason)
            for i in candidates.tolist()
            if (reason := stop_reason(s, start + int(ran[i]), last[i], int(since[i]), self.elapsed))
        ]
        for i, reason in stops:
            self._freeze(int(live[i]), reason, start + int(ran[i]))
        if stops:
            still = np.array([self.reasons[k] is None for k in live])
            self._live = live[still]
            if self.kernel is not None:
                self.kernel.keep(still)
        return rows

    def epoch(self) -> Array:
        """One epoch of every network still training; returns (N,) errors, NaN for stopped networks."""
        return self._advance(1)[0]

    def _freeze(self, k: int, reason: str, epoch: int) -> None:
        if self.kernel is not None:
            self.population.params[:, k] = self.kernel.params_of(k, restore=reason == "diverged")
        else:
            if reason == "diverged":
                self._runs[k].restore_last_finite()
            self.population.params[:, k] = self._runs[k].net.params
        self.reasons[k] = reason
        self.stopped_at[k] = epoch

    def stop_all(self, reason: str = "stopped") -> None:
        """Freeze every network still training (an external stop)."""
        for k in self._live:
            self._freeze(int(k), reason, self.epochs_done)
        if self.kernel is not None:
            self.kernel.keep(np.zeros(self._live.size, bool))
        self._live = self._live[:0]

    def sync(self) -> None:
        """Copy the parameters of the networks still training into ``population.params``."""
        for k in self._live:
            self.population.params[:, k] = self.params_of(int(k))

    # -- loops -----------------------------------------------------------------------
    def _chunk(self, seconds: float) -> Array:
        """As many epochs as fit in about ``seconds`` (one without the kernel); returns their error rows."""
        epochs = 1
        if self.kernel is not None and self._epoch_seconds > 0:
            epochs = int(seconds / self._epoch_seconds)
        epochs = max(1, min(epochs, self.settings.epochs - self.epochs_done))
        start = time.perf_counter()
        rows = self._advance(epochs)
        self._epoch_seconds = (time.perf_counter() - start) / len(rows)
        return rows

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
            rows.append(self._chunk(max(0.0, interval - (time.perf_counter() - last_yield))))
            now = time.perf_counter()
            self.elapsed = base + now - start
            if now - last_yield >= interval:
                yield self._snapshot(rows)
                rows = []
                last_yield = now

    def _snapshot(self, rows: list[Array], done: bool = False) -> PopulationSnapshot:
        errors = np.concatenate(rows) if rows else np.empty((0, self.population.size))
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
            rows.append(self._chunk(0.05 if self.settings.max_seconds else 0.1))
            self.elapsed = base + time.perf_counter() - start
        self.elapsed = base + time.perf_counter() - start
        errors = np.concatenate(rows) if rows else np.empty((0, self.population.size))
        return PopulationResult(errors, self.final_errors, self.reached, list(self.reasons), self.stopped_at.copy())
