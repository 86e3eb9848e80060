"""Glue between a PopulationRun and the compiled population kernel: stacked state, orders, rates, chunks.

The state of the networks still training lives in (parameters, live
networks) arrays — parameters, optimizer moments, last finite parameters —
plus per-network best error and plateau count; ``ids`` names each column's
network.  Between chunks :meth:`PopulationKernel.keep` drops the columns of
networks that stopped, so the others train on narrower arrays.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from . import compiled, disable
from .layout import LOSS_CODES, OPTIMIZER_CODES, build_layout, kernel_limit
from .runner import keep_shuffles, max_chunk, scheduled_rates, shuffled_orders, undo_shuffles

if TYPE_CHECKING:
    from ..population import PopulationRun

#: largest work buffer (rows × units × networks) one chunk allocates
_MAX_CELLS = 1 << 24


class PopulationKernel:
    """Stacked state of the live networks of a population and the compiled loop over them."""

    def __init__(self, module: ModuleType, run: PopulationRun):
        self.module = module
        net, s = run.population.template, run.settings
        self.dtype = net.params.dtype
        self.layout = build_layout(net).arrays()
        self.rows = min(s.batch_size or len(run.data), len(run.data))
        self.units = int(self.layout[0].sum())
        count = run.population.size
        self.ids = np.arange(count)
        self.params = np.ascontiguousarray(run.population.params, dtype=self.dtype)
        self.last_good = self.params.copy()
        self.weight_mask = net.weight_mask
        self.velocity = np.zeros(self.params.shape if s.optimizer != "sgd" else (1, count), self.dtype)
        self.moments = np.zeros(self.params.shape if s.optimizer == "adam" else (1, count), self.dtype)
        self.adam_t = np.zeros(1, dtype=np.int64)
        self.best = np.full(count, np.inf)
        self.since_best = np.zeros(count, dtype=np.int64)
        self.natural_order = np.arange(len(run.data), dtype=np.int64)[None, :]

    @classmethod
    def for_run(cls, run: PopulationRun) -> PopulationKernel | None:
        """A kernel for ``run``, or None when the population trains on NumPy."""
        module = compiled("population_kernel")
        template = run.population.template
        rows = min(run.settings.batch_size or len(run.data), len(run.data))
        cells = rows * sum(layer.size for layer in template.layers) * run.population.size
        if module is None or kernel_limit(template, rows) is not None or cells > _MAX_CELLS:
            return None
        return cls(module, run)

    def run(self, run: PopulationRun, epochs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Up to ``epochs`` epochs of every live network.

        Returns (errors shaped (epochs run, live networks), the epochs each ran,
        which ones a stop rule stopped), or None when the kernel failed.
        """
        s = run.settings
        epochs = max(1, min(epochs, max_chunk(s, len(run.data), False)))
        state = before = None
        if s.batch_size is None:
            orders = self.natural_order
        elif not s.shuffle:
            orders = run._order[None, :]
        else:
            orders, state, before = shuffled_orders(run._rng, run._order, epochs)
        live = self.ids.size
        errors = np.empty((epochs, live))
        ran = np.full(live, -1, dtype=np.int64)
        buffers = [np.zeros((self.rows, self.units, live), self.dtype) for _ in range(4)]
        scratch = [np.zeros(live) for _ in range(3)]
        try:
            done = self.module.train_population(
                run._X, run._Y, orders, scheduled_rates(s, run.epochs_done, epochs), int(s.batch_size or 0),
                self.params, np.zeros_like(self.params), self.weight_mask, *self.layout,
                LOSS_CODES[run.loss.name], bool(run._binary_targets), OPTIMIZER_CODES[s.optimizer],
                float(s.l1), float(s.l2), float(s.momentum), self.velocity, self.moments, self.adam_t,
                self.best, self.since_best, self.last_good, float(s.target_error), int(s.patience),
                errors, ran, *buffers, *scratch,
            )
        except Exception as exc:  # noqa: BLE001 - a compile or typing failure must never stop training
            undo_shuffles(run, state, before)
            disable(f"the population kernel failed: {type(exc).__name__}: {exc}")
            return None
        if state is not None:
            keep_shuffles(run._rng, state, run._order, orders, done)
        stopped = ran >= 0
        ran[~stopped] = done
        return errors[:done], ran, stopped

    def column(self, k: int) -> int:
        return int(np.searchsorted(self.ids, k))

    def params_of(self, k: int, restore: bool = False) -> np.ndarray:
        """Network k's parameters as float64 (its last finite ones when ``restore``)."""
        source = self.last_good if restore else self.params
        return source[:, self.column(k)].astype(float)

    def overflowing(self) -> np.ndarray:
        """Per live network: do its parameters' squares no longer sum to a finite number?"""
        with np.errstate(over="ignore", invalid="ignore"):
            return ~np.isfinite(np.einsum("ij,ij->j", self.params, self.params))

    def keep(self, still: np.ndarray) -> None:
        """Keep only the columns where ``still`` is true (networks that go on training)."""
        self.ids = self.ids[still]
        for name in ("params", "last_good", "velocity", "moments"):
            setattr(self, name, np.ascontiguousarray(getattr(self, name)[:, still]))
        self.best, self.since_best = self.best[still], self.since_best[still]
