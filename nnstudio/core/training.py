"""Training: a resumable run and a snapshot generator (settings in train_settings.py, Synaptic's Trainer in trainer.py).

:class:`TrainingRun` owns the loop state (epoch, optimizer, shuffling
generator, best error).  :meth:`TrainingRun.epoch` runs one pass and
:meth:`TrainingRun.sample_step` one online sample; :meth:`TrainingRun.snapshots`
is a plain generator that runs epochs and yields a :class:`Snapshot` at most
``max_rate`` times a second by the clock.  The GUI's worker thread, the CLI and
the tests all drive this same code.

The error reported for an epoch is measured on the fly: for each batch, the
error before its update (as Synaptic's Trainer does), averaged over the epoch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from .datasets import Dataset
from .kernels import compiled
from .kernels.runner import EpochKernel
from .losses import auto_cost_problem, get_loss
from .network import Network
from .optimizers import make_optimizer
from .pacing import EpochPacer
from .scalar_kernel import ScalarStepper, supports
from .snapshots import ChunkRecorder
from .train_settings import SETTING_RANGES as SETTING_RANGES  # re-exported: the settings' home was here
from .train_settings import TrainSettings

Array = np.ndarray
RateFunction = Callable[[int, float], float]

STOP_REASONS = {
    "target_error": "target error reached",
    "max_epochs": "maximum number of epochs reached",
    "plateau": "the error stopped improving (plateau)",
    "time_limit": "time limit reached",
    "stopped": "stopped by the user",
    "diverged": "the error became NaN or infinite",
}


@dataclass
class Snapshot:
    """Progress since the previous snapshot."""

    epoch: int  # epochs completed
    errors: Array  # the error of every epoch since the last snapshot
    params: Array  # a copy of the parameters now
    test_error: float | None = None
    rate: float = 0.0
    elapsed: float = 0.0  # seconds of training so far
    reason: str | None = None  # set on the last snapshot: a key of STOP_REASONS

    @property
    def done(self) -> bool:
        return self.reason is not None

    @property
    def error(self) -> float:
        return float(self.errors[-1]) if len(self.errors) else math.nan


class TrainingRun:
    """One network learning one dataset; can be paused, stepped and resumed."""

    def __init__(
        self,
        net: Network,
        data: Dataset,
        settings: TrainSettings | None = None,
        rate_function: RateFunction | None = None,
    ):
        self.raw_data = data  # as given (raw x1, x2 when the dataset has feature inputs): what the views show
        self.net, self.data = net, (data := data.for_network())  # feature inputs computed once
        self.settings = settings or TrainSettings()
        self.settings.validate()
        if data.n_inputs != net.n_inputs or data.n_outputs != net.n_outputs:
            raise ValueError(
                f"the dataset has {data.n_inputs} inputs and {data.n_outputs} targets, "
                f"the network {net.n_inputs} inputs and {net.n_outputs} outputs"
            )
        if self.settings.cost == "auto":
            problem = auto_cost_problem([layer.activation for layer in net.output_layers], data.Y)
            if problem:
                raise ValueError(problem)
        self.rate_function = rate_function
        self.loss = get_loss(resolve_cost(self.settings.cost, net, data))
        net.set_dtype(self.settings.dtype)
        self._X, self._Y = data.X.astype(net.dtype), data.Y.astype(net.dtype)
        self.epochs_done = 0
        self.elapsed = 0.0
        self.last_error = math.nan
        self.best_error = math.inf
        self._since_best = 0
        self._rng = np.random.default_rng(self.settings.seed)
        self._order = np.arange(len(data))
        self._cursor = 0  # next sample within the current epoch (online stepping)
        self._epoch_error_sum = 0.0
        self._last_good = net.params.copy()
        self.optimizer = self._make_optimizer()
        self._binary_targets = bool(np.isin(data.Y, (0.0, 1.0)).all())
        self._epoch_seconds = 0.0  # the compiled kernel's measured time per epoch, for sizing its chunks
        self.recorder: ChunkRecorder | None = None  # time travel: compiled chunks record into its store
        self._prepare_kernels()

    def _prepare_kernels(self) -> None:
        """The compiled kernel when it serves this run; else, for online steps of small networks, the scalar one."""
        self.kernel, self.engine = EpochKernel.for_run(self)
        self._scalar: ScalarStepper | None = None
        if self.kernel is None and self.settings.batch_size == 1 and supports(self.net, self.loss.name):
            self._scalar = ScalarStepper(self.net, self.loss.name)
            self._scalar.bind(self._X, self._Y)

    def _make_optimizer(self):
        s = self.settings
        return make_optimizer(
            s.optimizer, self.net.n_params, self.net.weight_mask, l1=s.l1, l2=s.l2, momentum=s.momentum,
            dtype=self.net.dtype, compiled=compiled("update_kernel"),
        )

    # -- settings that may change during a run ----------------------------------------
    def update_settings(self, settings: TrainSettings) -> None:
        """Take new hyperparameters between epochs; the optimizer state is kept when its kind is unchanged."""
        settings.validate()
        old = self.settings
        self.settings = settings
        self.loss = get_loss(resolve_cost(settings.cost, self.net, self.data))
        if settings.dtype != old.dtype:
            self.net.set_dtype(settings.dtype)
            self._X, self._Y = self.data.X.astype(self.net.dtype), self.data.Y.astype(self.net.dtype)
            self._last_good = self._last_good.astype(self.net.dtype)
        if (settings.optimizer, settings.l1, settings.l2, settings.momentum, settings.dtype) != (
            old.optimizer, old.l1, old.l2, old.momentum, old.dtype,
        ):
            self.optimizer = self._make_optimizer()
        self._prepare_kernels()

    def current_rate(self) -> float:
        s = self.settings
        if self.rate_function is not None:
            return float(self.rate_function(self.epochs_done, self.last_error))
        if s.schedule:
            try:
                return s.rate * s.schedule.get("factor", 0.5) ** (self.epochs_done // int(s.schedule["every"]))
            except OverflowError:  # a growing rate past the float range: the run diverges and says so
                return math.inf
        return s.rate

    # -- one unit of work -----------------------------------------------------------------
    def _batch_update(self, X: Array, Y: Array, rate: float) -> float:
        err = self.net.loss_and_gradient(X, Y, self.loss, self._binary_targets)
        self.optimizer.step(self.net.params, self.net.grads, rate)
        return err

    def _start_epoch(self) -> None:
        if self.settings.shuffle and self.settings.batch_size is not None:
            self._rng.shuffle(self._order)
        self._cursor = 0
        self._epoch_error_sum = 0.0

    def sample_step(self) -> tuple[int, float]:
        """Train on the next batch of the current epoch (one sample when online).

        Returns (index of the first sample used, its error).  When the epoch's
        last batch is done, the epoch is finished as :meth:`epoch` would.
        """
        if self._cursor == 0:
            self._start_epoch()
        size = self.settings.batch_size or len(self.data)
        idx = self._order[self._cursor : self._cursor + size]
        err = self._batch_update(self._X[idx], self._Y[idx], self.current_rate())
        self._epoch_error_sum += err * len(idx)
        self._cursor += len(idx)
        if self._cursor >= len(self.data):
            self._finish_epoch(self._epoch_error_sum / len(self.data))
        return int(idx[0]), err

    def epoch(self, interrupt: Callable[[], bool] | None = None) -> float | None:
        """Finish the current epoch (or run a whole one) and return its error; None when ``interrupt``,
        asked between mini-batches, said stop (the next call goes on from there: a pause need not wait)."""
        X, Y = self._X, self._Y
        rate = self.current_rate()
        if self.settings.batch_size is None and self._cursor == 0:
            err = self._batch_update(X, Y, rate)
        else:
            if self._cursor == 0:
                self._start_epoch()
            size, n = self.settings.batch_size or len(X), len(X)
            total, order, update = self._epoch_error_sum, self._order, self._batch_update
            if self._scalar is not None:
                gradient, params, grads, opt_step = (
                    self._scalar.gradient, self.net.params, self.net.grads, self.optimizer.step,
                )
                for i in order[self._cursor :].tolist():
                    total += gradient(i)
                    opt_step(params, grads, rate)
            elif size == 1:
                for i in order[self._cursor :]:
                    total += update(X[i : i + 1], Y[i : i + 1], rate)
            else:
                for start in range(self._cursor, n, size):
                    if interrupt is not None and start > self._cursor and interrupt():
                        self._cursor, self._epoch_error_sum = start, total
                        return None
                    idx = order[start : start + size]
                    total += update(X[idx], Y[idx], rate) * len(idx)
            err = total / n
        self._finish_epoch(err)
        return err

    def _finish_epoch(self, err: float) -> None:
        self.epochs_done += 1
        self._cursor = 0
        params = self.net.params
        if not math.isfinite(params @ params):
            err = math.nan  # overflowing weights diverge even when a saturated output hides it
        self.last_error = err
        if math.isfinite(err):
            self._last_good[:] = self.net.params
            # the first finite error is the first best (inf - inf would be NaN and never improve)
            if not math.isfinite(self.best_error) or err < self.best_error - max(1e-12, 1e-4 * self.best_error):
                self.best_error, self._since_best = err, 0
            else:
                self._since_best += 1

    def stop_reason(self) -> str | None:
        """Why training should stop now, or None to go on."""
        return stop_reason(self.settings, self.epochs_done, self.last_error, self._since_best, self.elapsed)

    def restore_last_finite(self) -> None:
        """Put back the parameters of the last epoch whose error was finite (after divergence)."""
        self.net.params[:] = self._last_good
        self.optimizer.reset()

    def test_error(self) -> float | None:
        X_test, Y_test = self.data.X_test, self.data.Y_test
        if X_test is None or Y_test is None or not len(X_test):  # no test part (Dataset.has_test)
            return None
        return self.loss.error(self.net.forward(X_test), Y_test)

    # -- the loop ----------------------------------------------------------------------------
    def snapshots(
        self,
        stop: Callable[[], bool] = lambda: False,
        max_rate: float = 30.0,
        check_every: Callable[[], int] | None = None,
        pacer: EpochPacer | None = None,
        split_epochs: bool = False,
    ) -> Iterator[Snapshot]:
        """Run epochs until a stop reason; yield progress at most ``max_rate`` times a second.

        ``stop`` is checked between epochs, or between the compiled kernel's
        chunks of epochs; ``check_every()``, when given, says how many epochs at
        most may pass before the next ``stop`` call (1 for every epoch).  The last
        snapshot carries the reason.  Each snapshot's ``errors`` holds every
        epoch's error since the previous one, so nothing is lost by rate limiting.
        A ``pacer`` holds the run to its speed (headless runs pass none and go as fast as they can).
        ``split_epochs`` lets a mini-batch epoch longer than ``1 / max_rate`` span snapshots (those
        in its middle carry no errors, only the parameters so far): a live view moves all the same.
        """
        self._check_every = check_every
        interval = 1.0 / max_rate if max_rate > 0 else 0.0
        start = time.perf_counter()
        base_elapsed = self.elapsed
        while True:
            errors: list[float] = []
            # divergence is handled by stop_reason(); NumPy's overflow warnings would only be noise
            with np.errstate(over="ignore", invalid="ignore"):
                reason = self._run_until(stop, time.perf_counter() + interval, errors, pacer, split_epochs)
            self.elapsed = base_elapsed + time.perf_counter() - start
            if reason == "diverged":
                self.restore_last_finite()
            yield self._snapshot(errors, reason)
            if reason is not None:
                return

    def _run_until(self, stop: Callable[[], bool], deadline: float, errors: list[float],
                   pacer: EpochPacer | None = None, split_epochs: bool = False) -> str | None:
        """Run epochs until a stop reason (returned) or the deadline (None); at least one check per epoch.

        Compiled epochs run in chunks sized from the measured time per epoch to end near the deadline (``stop``
        is checked between chunks); ``split_epochs``: the deadline may also end a NumPy epoch between batches.
        """
        stopped = False

        def interrupt() -> bool:  # between mini-batches: a stop, or (splitting epochs) the deadline
            nonlocal stopped
            stopped = stop()
            return stopped or (split_epochs and time.perf_counter() >= deadline)

        while True:
            reason = self.stop_reason() or ("stopped" if stop() else None)
            if reason is not None:
                return reason
            if pacer is not None and pacer.allowance() < 1:
                pacer.wait()  # then stop() is asked again: a pause or a stop may have come meanwhile
            elif self.kernel is not None and self._cursor == 0:
                chunk = self._run_chunk(deadline, pacer)
                if chunk is None:
                    self._prepare_kernels()  # the kernel failed and switched itself off: NumPy from here
                else:
                    errors.extend(chunk.tolist())
                    if pacer is not None:
                        pacer.spend(len(chunk))
            else:
                error = self.epoch(interrupt)
                if error is None:  # in the middle of an epoch; the next run goes on from there
                    return "stopped" if stopped else None
                errors.append(error)
                if pacer is not None:
                    pacer.spend(1)
            if time.perf_counter() >= deadline:
                return None

    _check_every: Callable[[], int] | None = None

    @property
    def compiled_epoch_seconds(self) -> float:
        """The measured seconds per epoch of the compiled chunk that comes next (run without the GIL), else 0."""
        return self._epoch_seconds if self.kernel is not None and self._cursor == 0 else 0.0

    def _run_chunk(self, deadline: float, pacer: EpochPacer | None = None) -> Array | None:
        """One kernel call of as many epochs as fit before the deadline (at most ~0.1 s without one)."""
        start = time.perf_counter()
        budget = min(max(deadline - start, 0.0), 0.1)
        if self.settings.max_seconds:
            budget = min(budget, max(0.0, self.settings.max_seconds - self.elapsed))
        epochs = int(budget / self._epoch_seconds) if self._epoch_seconds > 0 else 1
        epochs = max(1, min(epochs, self.settings.epochs - self.epochs_done))
        if self._check_every is not None:
            epochs = max(1, min(epochs, self._check_every()))
        if pacer is not None:
            epochs = max(1, min(epochs, pacer.allowance()))
        assert self.kernel is not None  # only called while the compiled kernel serves this run
        recorder, before = self.recorder, self.epochs_done
        if recorder is not None:
            epochs, record_after, records = recorder.plan(before, epochs, self.net.params.dtype)
            errors = self.kernel.run(self, epochs, record_after, records)
        else:
            errors = self.kernel.run(self, epochs)
        if errors is None:
            return None
        if recorder is not None:
            recorder.take(before, errors, self.kernel.recorded)
        self._epoch_seconds = (time.perf_counter() - start) / len(errors)
        # the kernel did each epoch's bookkeeping (last finite parameters, best error, plateau count)
        self.epochs_done += len(errors)
        params = self.net.params
        self.last_error = float(errors[-1]) if math.isfinite(params @ params) else math.nan
        return errors

    def _snapshot(self, errors: list[float], reason: str | None) -> Snapshot:
        return Snapshot(
            epoch=self.epochs_done,
            errors=np.array(errors, dtype=float),
            params=self.net.params.copy(),
            test_error=self.test_error(),
            rate=self.current_rate(),
            elapsed=self.elapsed,
            reason=reason,
        )

    def run(self, stop: Callable[[], bool] = lambda: False) -> Snapshot:
        """Train to the end without yielding; returns the final snapshot (errors of every epoch)."""
        errors: list[float] = []
        start, base = time.perf_counter(), self.elapsed
        with np.errstate(over="ignore", invalid="ignore"):
            while True:
                # with a time limit, come back every 50 ms to count the time
                deadline = math.inf if not self.settings.max_seconds else time.perf_counter() + 0.05
                reason = self._run_until(stop, deadline, errors)
                self.elapsed = base + time.perf_counter() - start
                if reason is not None:
                    break
        if reason == "diverged":
            self.restore_last_finite()
        return self._snapshot(errors, reason)


def stop_reason(
    settings: TrainSettings, epochs_done: int, last_error: float, since_best: int, elapsed: float
) -> str | None:
    """The stop rule of every training loop: why a run in this state stops now (a STOP_REASONS key), or None."""
    s = settings
    if not math.isfinite(last_error) and epochs_done:
        return "diverged"
    if epochs_done and last_error <= s.target_error:
        return "target_error"
    if epochs_done >= s.epochs:
        return "max_epochs"
    if s.patience and since_best >= s.patience:
        return "plateau"
    if s.max_seconds and elapsed >= s.max_seconds:
        return "time_limit"
    return None


def resolve_cost(cost: str, net: Network, data: Dataset) -> str:
    """The loss to use; "auto" picks the one that suits the output layers and targets.

    softmax outputs with one-hot targets → categorical cross-entropy; logistic
    outputs with targets in [0, 1] → binary cross-entropy (learns fastest and
    never stalls on a flat sigmoid); anything else → mean squared error.
    Softmax outputs with other targets get mse here, never cross-entropy, and
    :class:`TrainingRun` refuses to start on them (see :func:`auto_cost_problem`).
    """
    if cost != "auto":
        return cost
    acts = {layer.activation for layer in net.output_layers}
    if acts == {"softmax"} and not auto_cost_problem([layer.activation for layer in net.output_layers], data.Y):
        return "ce"
    if acts == {"logistic"} and data.Y.min() >= 0.0 and data.Y.max() <= 1.0:
        return "bce"
    return "mse"
