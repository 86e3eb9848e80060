"""Glue between a TrainingRun and the compiled epoch kernel: buffers, shuffled orders, rates, state in and out.

:class:`EpochKernel` is built for one run (and rebuilt when its settings
change).  :meth:`EpochKernel.run` trains a chunk of epochs and leaves the run
exactly as the same number of ``TrainingRun.epoch()`` calls would: parameters,
optimizer state, shuffling generator, sample order, best error and plateau
counter.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from . import compiled, disable
from .layout import LOSS_CODES, OPTIMIZER_CODES, build_layout, chain_layout, kernel_limit, numpy_is_faster

if TYPE_CHECKING:
    from ..training import TrainingRun, TrainSettings

#: most sample indices precomputed for one chunk of shuffled epochs
_MAX_ORDER_CELLS = 1 << 20


class EpochKernel:
    """The compiled loop for one TrainingRun's network, data and settings."""

    def __init__(self, module: ModuleType, run: TrainingRun):
        self.module = module
        net, n = run.net, len(run.data)
        layout = build_layout(net)
        self.layout = layout.arrays()
        rows = min(run.settings.batch_size or n, n)
        units = int(self.layout[0].sum())
        dtype = net.params.dtype
        self.buffers = tuple(np.zeros((rows, units), dtype) for _ in range(4))
        self.natural_order = np.arange(n, dtype=np.int64)[None, :]
        self.empty = np.zeros(1, dtype)
        self.chain = chain_layout(layout) if _online_sgd(run.settings, run.loss.name) else None
        self.online: ModuleType | None = None
        if self.chain is not None:
            self.online = compiled("online_kernel")
            self.chain_buffers = tuple(np.zeros(units, dtype) for _ in range(3))
        self.recorded = 0  # rows of ``records`` the last run() filled

    @classmethod
    def for_run(cls, run: TrainingRun) -> tuple[EpochKernel | None, str]:
        """A kernel for ``run`` and the status line, or None and the reason it trains on NumPy."""
        module = compiled("network_kernel")
        if module is None:
            from . import status

            return None, status()
        rows = min(run.settings.batch_size or len(run.data), len(run.data))
        reason = kernel_limit(run.net, rows) or numpy_is_faster(run.net, rows)
        if reason is not None:
            return None, f"training core: NumPy ({reason})"
        return cls(module, run), "training core: compiled kernel"

    def run(self, run: TrainingRun, epochs: int, record_after: np.ndarray | None = None,
            records: np.ndarray | None = None) -> np.ndarray | None:
        """Train up to ``epochs`` epochs; returns their errors (fewer when a stop rule fired).

        With ``record_after`` (ascending epoch counts from 1 within the chunk) the parameters after
        each of those epochs are copied into the rows of ``records``, as far as the chunk got
        (``self.recorded`` rows).  Returns None, and leaves the run untouched, when the kernel fails
        to run (logged once; the caller goes on with NumPy).
        """
        s, opt = run.settings, run.optimizer
        epochs = max(1, min(epochs, max_chunk(run.settings, len(run.data), run.rate_function is not None)))
        orders, rng_state, order_before = self._orders(run, epochs)
        rates = self._rates(run, epochs)
        velocity = getattr(opt, "velocity", getattr(opt, "v", self.empty))
        moments = getattr(opt, "m", self.empty)
        adam_t = np.array([getattr(opt, "t", 0)], dtype=np.int64)
        best = np.array([run.best_error])
        since_best = np.array([run._since_best], dtype=np.int64)
        errors = np.empty(epochs)
        net = run.net
        self.recorded = 0
        try:
            arguments = (
                run._X, run._Y, orders, rates, int(s.batch_size or 0), net.params, net.grads, net.weight_mask,
                *self.layout,
                LOSS_CODES[run.loss.name], bool(run._binary_targets), OPTIMIZER_CODES[s.optimizer],
                float(s.l1), float(s.l2), float(s.momentum), velocity, moments, adam_t,
                best, since_best, run._last_good, float(s.target_error), int(s.patience), errors, *self.buffers,
            )
            if record_after is not None:  # time travel recorded inside the chunk (the generic kernel)
                done, self.recorded = self.module.train_epochs_recording(*arguments, record_after, records)
            elif self.online is not None and self.chain is not None:
                done = self.online.train_online(
                    run._X, run._Y, orders, rates, net.params, *self.chain, LOSS_CODES[run.loss.name],
                    bool(run._binary_targets), best, since_best, run._last_good, float(s.target_error),
                    int(s.patience), errors, *self.chain_buffers,
                )
            else:
                done = self.module.train_epochs(*arguments)
        except Exception as exc:  # noqa: BLE001 - a compile or typing failure must never stop training
            undo_shuffles(run, rng_state, order_before)
            disable(f"the epoch kernel failed: {type(exc).__name__}: {exc}")
            return None
        if rng_state is not None:
            keep_shuffles(run._rng, rng_state, run._order, orders, done)
        if hasattr(opt, "t"):
            opt.t = int(adam_t[0])
        run.best_error, run._since_best = float(best[0]), int(since_best[0])
        return errors[:done]

    def _orders(self, run: TrainingRun, epochs: int) -> tuple[np.ndarray, dict | None, np.ndarray | None]:
        s = run.settings
        if s.batch_size is None:
            return self.natural_order, None, None
        if not s.shuffle:
            return run._order[None, :], None, None
        return shuffled_orders(run._rng, run._order, epochs)

    @staticmethod
    def _rates(run: TrainingRun, epochs: int) -> np.ndarray:
        if run.rate_function is not None:
            return np.full(epochs, run.current_rate())
        return scheduled_rates(run.settings, run.epochs_done, epochs)


def _online_sgd(settings: TrainSettings, loss: str) -> bool:
    """Whether the settings are those online_kernel serves: one sample per step, plain sgd, mse or bce."""
    return (settings.batch_size == 1 and settings.optimizer == "sgd" and settings.l1 == 0 and settings.l2 == 0
            and loss in ("mse", "bce"))


def max_chunk(settings: TrainSettings, rows: int, rate_function: bool) -> int:
    """The most epochs one kernel call may run (bounded by the shuffled orders it needs)."""
    if rate_function:
        return 1  # a rate function sees each epoch's error
    if settings.batch_size is not None and settings.shuffle:
        return max(1, _MAX_ORDER_CELLS // max(1, rows))
    return 1 << 30


def scheduled_rates(settings: TrainSettings, epochs_done: int, epochs: int) -> np.ndarray:
    """The learning rate of each of the next ``epochs`` epochs (TrainingRun.current_rate, vectorised)."""
    s = settings
    if not s.schedule:
        return np.full(epochs, float(s.rate))
    steps = (epochs_done + np.arange(epochs)) // int(s.schedule["every"])
    return s.rate * float(s.schedule.get("factor", 0.5)) ** steps


def shuffled_orders(
    rng: np.random.Generator, order: np.ndarray, epochs: int
) -> tuple[np.ndarray, dict[str, Any], np.ndarray]:
    """Shuffle ``order`` in place once per epoch as TrainingRun does; returns each epoch's order, the generator
    state before and the order before (to undo or trim with :func:`keep_shuffles`)."""
    state, before = dict(rng.bit_generator.state), order.copy()
    orders = np.empty((epochs, len(order)), dtype=np.int64)
    for e in range(epochs):
        rng.shuffle(order)
        orders[e] = order
    return orders, state, before


def undo_shuffles(run, state: dict | None, order_before: np.ndarray | None) -> None:
    """Put ``run``'s generator and sample order back as they were before a chunk's shuffles (a failed kernel)."""
    if state is not None and order_before is not None:
        run._rng.bit_generator.state = state
        run._order[:] = order_before


def keep_shuffles(rng: np.random.Generator, state: dict, order: np.ndarray, orders: np.ndarray, done: int) -> None:
    """Leave the generator and ``order`` as if only the first ``done`` epochs' shuffles had happened."""
    if done < len(orders):
        rng.bit_generator.state = state
        scratch = np.empty(len(order), dtype=np.int64)
        for _ in range(done):
            rng.shuffle(scratch)  # how many numbers a shuffle draws depends only on the length
    order[:] = orders[done - 1]
