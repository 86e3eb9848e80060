"""Glue between a TrainingRun and the compiled epoch kernel: buffers, shuffled orders, rates, state in and out.

:class:`EpochKernel` is built for one run (and rebuilt when its settings
change).  :meth:`EpochKernel.run` trains a chunk of epochs and leaves the run
exactly as the same number of ``TrainingRun.epoch()`` calls would: parameters,
optimizer state, shuffling generator, sample order, best error and plateau
counter.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from . import compiled, disable
from .layout import LOSS_CODES, OPTIMIZER_CODES, build_layout, kernel_limit

if TYPE_CHECKING:
    from ..training import TrainingRun

#: most sample indices precomputed for one chunk of shuffled epochs
_MAX_ORDER_CELLS = 1 << 20


class EpochKernel:
    """The compiled loop for one TrainingRun's network, data and settings."""

    def __init__(self, module: ModuleType, run: TrainingRun):
        self.module = module
        net, n = run.net, len(run.data)
        self.layout = build_layout(net).arrays()
        rows = min(run.settings.batch_size or n, n)
        units = int(self.layout[0].sum())
        dtype = net.params.dtype
        self.buffers = tuple(np.zeros((rows, units), dtype) for _ in range(4))
        self.natural_order = np.arange(n, dtype=np.int64)[None, :]
        self.empty = np.zeros(1, dtype)

    @classmethod
    def for_run(cls, run: TrainingRun) -> tuple[EpochKernel | None, str]:
        """A kernel for ``run`` and the status line, or None and the reason it trains on NumPy."""
        module = compiled("network_kernel")
        if module is None:
            from . import status

            return None, status()
        reason = kernel_limit(run.net, min(run.settings.batch_size or len(run.data), len(run.data)))
        if reason is not None:
            return None, f"training core: NumPy ({reason})"
        return cls(module, run), "training core: compiled kernel"

    def max_epochs(self, run: TrainingRun) -> int:
        """The longest chunk one call may run (bounded by the shuffled orders it needs)."""
        s = run.settings
        if run.rate_function is not None:
            return 1
        if s.batch_size is not None and s.shuffle:
            return max(1, _MAX_ORDER_CELLS // max(1, len(run.data)))
        return 1 << 30

    def run(self, run: TrainingRun, epochs: int) -> np.ndarray | None:
        """Train up to ``epochs`` epochs; returns their errors (fewer when a stop rule fired).

        Returns None, and leaves the run untouched, when the kernel fails to run
        (logged once; the caller goes on with NumPy).
        """
        s, opt = run.settings, run.optimizer
        epochs = max(1, min(epochs, self.max_epochs(run)))
        orders, rng_state, order_before = self._orders(run, epochs)
        rates = self._rates(run, epochs)
        velocity = getattr(opt, "velocity", getattr(opt, "v", self.empty))
        moments = getattr(opt, "m", self.empty)
        adam_t = np.array([getattr(opt, "t", 0)], dtype=np.int64)
        best = np.array([run.best_error])
        since_best = np.array([run._since_best], dtype=np.int64)
        errors = np.empty(epochs)
        net = run.net
        try:
            done = self.module.train_epochs(
                run._X, run._Y, orders, rates, int(s.batch_size or 0), net.params, net.grads, net.weight_mask,
                *self.layout,
                LOSS_CODES[run.loss.name], bool(run._binary_targets), OPTIMIZER_CODES[s.optimizer],
                float(s.l1), float(s.l2), float(s.momentum), velocity, moments, adam_t,
                best, since_best, run._last_good, float(s.target_error), int(s.patience), errors, *self.buffers,
            )
        except Exception as exc:  # noqa: BLE001 - a compile or typing failure must never stop training
            if rng_state is not None:
                run._rng.bit_generator.state = rng_state
                run._order[:] = order_before
            disable(f"the epoch kernel failed: {type(exc).__name__}: {exc}")
            return None
        if rng_state is not None and done < epochs:  # replay only the shuffles the epochs used
            run._rng.bit_generator.state = rng_state
            scratch = np.empty(len(run.data), dtype=np.int64)
            for _ in range(done):
                run._rng.shuffle(scratch)
        if rng_state is not None:
            run._order[:] = orders[done - 1]
        if hasattr(opt, "t"):
            opt.t = int(adam_t[0])
        run.best_error, run._since_best = float(best[0]), int(since_best[0])
        return errors[:done]

    def _orders(self, run: TrainingRun, epochs: int) -> tuple[np.ndarray, dict | None, np.ndarray | None]:
        """Each epoch's sample order, the generator state before the shuffles and the order before them."""
        s = run.settings
        if s.batch_size is None:
            return self.natural_order, None, None
        if not s.shuffle:
            return run._order[None, :], None, None
        state, before = run._rng.bit_generator.state, run._order.copy()
        orders = np.empty((epochs, len(run.data)), dtype=np.int64)
        order = run._order
        for e in range(epochs):
            run._rng.shuffle(order)
            orders[e] = order
        return orders, state, before

    @staticmethod
    def _rates(run: TrainingRun, epochs: int) -> np.ndarray:
        s = run.settings
        if run.rate_function is not None or not s.schedule:
            return np.full(epochs, run.current_rate())
        steps = (run.epochs_done + np.arange(epochs)) // int(s.schedule["every"])
        return s.rate * float(s.schedule.get("factor", 0.5)) ** steps
