"""Glue between a PopulationRun and the compiled population kernel: stacked state, orders, rates, chunks.

The state of all N networks lives in (N, parameters) arrays — parameters,
optimizer moments, last finite parameters — plus per-network best error,
plateau count and Adam step.  A network that stops simply leaves the list of
live ids; its row stays where it is.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from . import compiled, disable
from .layout import LOSS_CODES, OPTIMIZER_CODES, build_layout, kernel_limit
from .runner import keep_shuffles, max_chunk, scheduled_rates, shuffled_orders

if TYPE_CHECKING:
    from ..population import PopulationRun


class PopulationKernel:
    """Stacked state of every network of a population and the compiled loop over them."""

    def __init__(self, module: ModuleType, run: PopulationRun):
        self.module = module
        net, s, n = run.population.template, run.settings, len(run.data)
        dtype = net.params.dtype
        self.layout = build_layout(net).arrays()
        rows = min(s.batch_size or n, n)
        self.buffers = tuple(np.zeros((rows, int(self.layout[0].sum())), dtype) for _ in range(4))
        count = run.population.size
        self.params = np.ascontiguousarray(run.population.params.T, dtype=dtype)
        self.last_good = self.params.copy()
        self.grads = np.zeros(net.n_params, dtype)
        self.weight_mask = net.weight_mask
        moment_width = net.n_params if s.optimizer != "sgd" else 1
        self.velocity = np.zeros((count, moment_width), dtype)
        self.moments = np.zeros((count, moment_width if s.optimizer == "adam" else 1), dtype)
        self.adam_t = np.zeros(count, dtype=np.int64)
        self.best = np.full(count, np.inf)
        self.since_best = np.zeros(count, dtype=np.int64)
        self.natural_order = np.arange(n, dtype=np.int64)[None, :]

    @classmethod
    def for_run(cls, run: PopulationRun) -> PopulationKernel | None:
        """A kernel for ``run``, or None when the population trains on NumPy."""
        module = compiled("population_kernel")
        rows = min(run.settings.batch_size or len(run.data), len(run.data))
        if module is None or kernel_limit(run.population.template, rows) is not None:
            return None
        return cls(module, run)

    def run(self, run: PopulationRun, epochs: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Up to ``epochs`` epochs of every live network.

        Returns (errors shaped (live, epochs), the epochs each ran), or None when the kernel failed.
        """
        s, live = run.settings, run._live
        epochs = max(1, min(epochs, max_chunk(s, len(run.data), False)))
        state = before = None
        if s.batch_size is None:
            orders = self.natural_order
        elif not s.shuffle:
            orders = run._order[None, :]
        else:
            orders, state, before = shuffled_orders(run._rng, run._order, epochs)
        errors = np.full((run.population.size, epochs), np.nan)
        ran = np.zeros(live.size, dtype=np.int64)
        try:
            self.module.train_population(
                live, run._X, run._Y, orders, scheduled_rates(s, run.epochs_done, epochs), int(s.batch_size or 0),
                self.params, self.grads, self.weight_mask, *self.layout,
                LOSS_CODES[run.loss.name], bool(run._binary_targets), OPTIMIZER_CODES[s.optimizer],
                float(s.l1), float(s.l2), float(s.momentum), self.velocity, self.moments, self.adam_t,
                self.best, self.since_best, self.last_good, float(s.target_error), int(s.patience),
                errors, ran, *self.buffers,
            )
        except Exception as exc:  # noqa: BLE001 - a compile or typing failure must never stop training
            if state is not None:
                run._rng.bit_generator.state = state
                run._order[:] = before
            disable(f"the population kernel failed: {type(exc).__name__}: {exc}")
            return None
        if state is not None:
            keep_shuffles(run._rng, state, run._order, orders, int(ran.max()))
        return errors[live], ran

    def overflowing(self, ids: np.ndarray) -> np.ndarray:
        """Which of networks ``ids`` have parameters whose squares no longer sum to a finite number."""
        rows = self.params[ids]
        with np.errstate(over="ignore", invalid="ignore"):
            return ~np.isfinite(np.einsum("ij,ij->i", rows, rows))
