"""Synaptic's ``Trainer``: ``Trainer(net).train(data, rate=..., iterations=..., error=...)`` and ``Trainer(net).XOR()``.

A thin front over :class:`~nnstudio.core.training.TrainingRun` with Synaptic's argument names; the
truth-table tasks come from :class:`~nnstudio.core.synaptic.TruthTableTasks`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .datasets import Dataset
from .network import Network
from .synaptic import TruthTableTasks
from .training import RateFunction, TrainingRun, TrainSettings

Array = np.ndarray


def as_dataset(data: Dataset | Sequence[dict]) -> Dataset:
    """Accept a Dataset or Synaptic's list of ``{"input": [...], "output": [...]}``."""
    return data if isinstance(data, Dataset) else Dataset.from_records(data)


class Trainer(TruthTableTasks):
    """Synaptic's Trainer: ``Trainer(net).train(data, rate=..., iterations=..., error=...)``, ``Trainer(net).XOR()``."""

    def __init__(self, network: Network):
        self.network = network

    def train(
        self,
        data: Dataset | Sequence[dict],
        rate: float | RateFunction = 4.0,
        iterations: int = 5000,
        error: float = 0.005,
        shuffle: bool = True,
        cost: str = "auto",
        log: int = 0,
        schedule: dict | None = None,
        batch_size: int | None = None,
        optimizer: str = "sgd",
        momentum: float = 0.9,
        seed: int = 0,
        l1: float = 0.0,
        l2: float = 0.0,
        patience: int = 0,
        max_seconds: float = 0.0,
        stop: Callable[[], bool] = lambda: False,
        dtype: str = "float64",
    ) -> dict[str, Any]:
        """Train and return ``{"error", "iterations", "time", "reason", "errors"}``.

        The defaults (full batch, plain gradient descent at rate 4, cost
        "auto") solve XOR with a default 2-3-1 network for 398 of 400 seeds.  ``iterations``
        counts epochs (passes over the data) as in Synaptic;
        ``time`` is in seconds (Synaptic reports milliseconds).  ``rate`` may be
        a function ``rate(iterations, error)`` as in Synaptic.  ``log=N`` prints
        the error every N epochs.  ``dtype="float32"`` trains in single precision.
        """
        dataset = as_dataset(data)
        settings = TrainSettings(
            rate=rate if not callable(rate) else 4.0,
            epochs=iterations,
            target_error=error,
            cost=cost,
            optimizer=optimizer,
            momentum=momentum,
            batch_size=batch_size,
            shuffle=shuffle,
            l1=l1,
            l2=l2,
            patience=patience,
            max_seconds=max_seconds,
            schedule=schedule,
            seed=seed,
            dtype=dtype,
        )
        run = TrainingRun(self.network, dataset, settings, rate_function=rate if callable(rate) else None)
        if log:
            final = None
            errors: list[Array] = []
            for snap in run.snapshots(stop, max_rate=0):
                errors.append(snap.errors)
                if snap.epoch % log == 0 or snap.done:
                    print(f"iterations {snap.epoch} error {snap.error:.6g} rate {snap.rate:.4g}")
                final = snap
            assert final is not None, "snapshots() always ends with the snapshot that carries the reason"
            final.errors = np.concatenate(errors)
        else:
            final = run.run(stop)
        return {
            "error": run.last_error if final.reason != "diverged" else math.nan,
            "iterations": final.epoch,
            "time": final.elapsed,
            "reason": final.reason,
            "errors": final.errors,
        }
