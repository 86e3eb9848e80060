"""The run list: a record of every training run that ended, to compare runs (View → Compare Runs).

A :class:`RunRecord` holds what a run was trained with (settings, initializer, seeds, a topology summary, the
feature inputs), its error curve downsampled to at most :data:`MAX_CURVE_POINTS` points, how it ended (final
train and test error and accuracy, stop reason, epochs, seconds, when) and, for a network of at most
:data:`MAX_RUN_PARAMETERS` parameters, its final weights (:func:`weights_problem` says whether they fit a
graph, to restore them).  A project keeps the last :data:`MAX_RUNS` (:func:`add_run`); :func:`run_differences`
says what differs between chosen runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from .datasets import Dataset
from .graph import Graph
from .history import ErrorHistory
from .metrics import accuracy
from .network import Network
from .training import TrainSettings

MAX_RUNS = 50  # runs a project keeps: the oldest goes when another ends
MAX_CURVE_POINTS = 200  # points of each curve (train, test) a run keeps: enough for an overlay plot
MAX_RUN_PARAMETERS = 10_000  # a run keeps its final weights up to this size: 50 runs stay within ~10 MB of JSON


@dataclass
class RunRecord:
    """One training run that ended: what it was trained with and how it ended."""

    settings: TrainSettings  # its seed is the shuffle seed
    init: str
    init_seed: int
    data_seed: int
    topology: str  # e.g. "2-4-1 (tanh, logistic)", see topology_summary
    features: tuple[str, ...] | None = None
    epochs: list[int] = field(default_factory=list)  # the curve: epochs counted from the run's start
    train: list[float | None] = field(default_factory=list)
    test_epochs: list[int] = field(default_factory=list)
    test: list[float | None] = field(default_factory=list)
    train_error: float | None = None
    test_error: float | None = None
    accuracy: float | None = None
    test_accuracy: float | None = None
    reason: str = ""  # a key of core.STOP_REASONS
    epochs_trained: int = 0
    seconds: float = 0.0
    ended: str = ""  # ISO 8601, UTC
    weights: dict[str, np.ndarray] | None = None  # final parameter blocks ("W:<conn>", "b:<layer>"), small nets only

    def to_dict(self) -> dict:
        settings = {k: v for k, v in self.settings.to_dict().items() if k != "seed"}
        return {
            "settings": settings,
            "init": self.init,
            "seeds": {"init": self.init_seed, "shuffle": self.settings.seed, "data": self.data_seed},
            "topology": self.topology,
            "features": None if self.features is None else list(self.features),
            "curve": {"epochs": self.epochs, "train": self.train, "test_epochs": self.test_epochs, "test": self.test},
            "final": {"train_error": self.train_error, "test_error": self.test_error, "accuracy": self.accuracy,
                      "test_accuracy": self.test_accuracy},
            "reason": self.reason,
            "epochs": self.epochs_trained,
            "seconds": self.seconds,
            "ended": self.ended,
            "weights": None if self.weights is None else {
                "connections": {k[2:]: v.tolist() for k, v in self.weights.items() if k.startswith("W:")},
                "biases": {k[2:]: v.tolist() for k, v in self.weights.items() if k.startswith("b:")},
            },
        }

    @classmethod
    def from_dict(cls, d: dict) -> RunRecord:
        """From :meth:`to_dict`'s form (checked first by the project loader, :mod:`nnstudio.io.project_runs`)."""
        seeds, curve, final, weights = d["seeds"], d["curve"], d["final"], d.get("weights")
        blocks = None if weights is None else {
            **{"W:" + k: np.asarray(v, dtype=float) for k, v in weights["connections"].items()},
            **{"b:" + k: np.asarray(v, dtype=float) for k, v in weights["biases"].items()},
        }
        return cls(
            settings=TrainSettings.from_dict({**d["settings"], "seed": seeds["shuffle"]}),
            init=d["init"], init_seed=seeds["init"], data_seed=seeds["data"], topology=d["topology"],
            features=None if d.get("features") is None else tuple(d["features"]),
            epochs=list(curve["epochs"]), train=list(curve["train"]),
            test_epochs=list(curve["test_epochs"]), test=list(curve["test"]),
            train_error=final["train_error"], test_error=final["test_error"], accuracy=final["accuracy"],
            test_accuracy=final["test_accuracy"], reason=d["reason"], epochs_trained=d["epochs"],
            seconds=d["seconds"], ended=d["ended"], weights=blocks,
        )


def topology_summary(graph: Graph) -> str:
    """Layer sizes in evaluation order and the activations after the inputs, e.g. ``"2-4-1 (tanh, logistic)"``.

    A graph that is not a plain chain also says how many connections it has.
    """
    order = [graph.layers[i] for i in graph.topological_order()]
    text = "-".join(str(layer.size) for layer in order)
    activations = [layer.activation for layer in order if layer.role != "input"]
    if activations:
        text += f" ({', '.join(activations)})"
    if len(graph.connections) != len(order) - 1:
        text += f", {len(graph.connections)} connections"
    return text


def downsample(epochs: Sequence[int], values: Sequence[float], limit: int = MAX_CURVE_POINTS) -> tuple[list, list]:
    """At most ``limit`` evenly spread points of a curve, its first and last included; NaN becomes None."""
    n = len(epochs)
    keep = range(n) if n <= limit else np.unique(np.linspace(0, n - 1, limit).round().astype(int)).tolist()
    return [int(epochs[k]) for k in keep], [_finite(values[k]) for k in keep]


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def final_accuracies(net: Network, dataset: Dataset) -> tuple[float | None, float | None]:
    """Train and test accuracy of ``net`` on ``dataset`` (None for a regression, or without test rows)."""
    if dataset.kind != "classification" or net.n_inputs != dataset.network_width:
        return None, None
    train = accuracy(net.predict(dataset.network_inputs()), dataset.Y)
    X_test, Y_test = dataset.X_test, dataset.Y_test
    if X_test is None or Y_test is None or not len(X_test):  # has_test, spelt out for the type checker
        return train, None
    return train, accuracy(net.predict(dataset.network_inputs(X_test)), Y_test)


def record_run(net: Network, dataset: Dataset, settings: TrainSettings, curve: ErrorHistory, *, init: str,
               init_seed: int, data_seed: int, reason: str, seconds: float, ended: datetime | None = None,
               accuracies: tuple[float | None, float | None] | None = None) -> RunRecord:
    """The record of a run that trained ``net`` (its final weights) on ``dataset``; ``curve`` is this run's errors.

    ``accuracies`` (train, test) as :func:`final_accuracies` measured them (the GUI does it on the training
    thread); measured here when not given.  The final test error is the curve's last.
    """
    epochs, train = downsample(curve.epochs.tolist(), curve.train.tolist())
    test_epochs, test = downsample(curve.test_epochs, curve.test)
    record = RunRecord(
        settings=settings, init=init, init_seed=init_seed, data_seed=data_seed, topology=topology_summary(net.graph),
        features=dataset.features, epochs=epochs, train=train, test_epochs=test_epochs, test=test,
        train_error=_finite(curve.last_error) if len(curve) else None,
        test_error=_finite(curve.test[-1]) if curve.test else None,
        reason=reason, epochs_trained=curve.last_epoch, seconds=float(seconds),
        ended=(ended or datetime.now(UTC)).isoformat(timespec="seconds"),
        weights=net.param_dict() if net.n_params <= MAX_RUN_PARAMETERS else None,
    )
    record.accuracy, record.test_accuracy = final_accuracies(net, dataset) if accuracies is None else accuracies
    return record


def weights_problem(run: RunRecord, graph: Graph) -> str | None:
    """Why ``run``'s final weights cannot be restored into ``graph`` (None when they can: same blocks and shapes)."""
    if run.weights is None:
        return "this run's weights were not kept (its network was too large)"
    expected: dict[str, tuple[int, ...]] = {"W:" + c.id: (graph.layers[c.source].size, graph.layers[c.target].size)
                for c in graph.connections.values()}
    expected.update({"b:" + layer.id: (layer.size,) for layer in graph.layers.values()
                     if layer.bias and layer.role != "input"})
    got = {key: block.shape for key, block in run.weights.items()}
    if got != expected:
        return f"the run was trained on another network ({run.topology}); its weights do not fit this one"
    return None


def add_run(runs: list[RunRecord], record: RunRecord) -> None:
    """Append ``record`` to ``runs``, dropping the oldest beyond :data:`MAX_RUNS`."""
    runs.append(record)
    del runs[:-MAX_RUNS]


def run_facts(run: RunRecord) -> dict[str, Any]:
    """What a run was trained with, by the label a comparison table shows."""
    s = run.settings
    return {
        "rate": s.rate,
        "optimizer": s.optimizer,
        "momentum": s.momentum,
        "cost": s.cost,
        "batch size": "full batch" if s.batch_size is None else s.batch_size,
        "max epochs": s.epochs,
        "target error": s.target_error,
        "l1": s.l1,
        "l2": s.l2,
        "patience": s.patience,
        "time limit (s)": s.max_seconds,
        "schedule": "none" if s.schedule is None else f"× {s.schedule.get('factor', 0.5)} every {s.schedule['every']}",
        "shuffle": s.shuffle,
        "precision": s.dtype,
        "topology": run.topology,
        "features": "raw inputs" if run.features is None else ", ".join(run.features),
        "initializer": run.init,
        "init seed": run.init_seed,
        "shuffle seed": s.seed,
        "data seed": run.data_seed,
    }


def run_differences(runs: Sequence[RunRecord]) -> dict[str, list[Any]]:
    """The facts (:func:`run_facts`) that are not the same in all ``runs``: label → one value per run, in order."""
    facts = [run_facts(run) for run in runs]
    if not facts:
        return {}
    return {label: [f[label] for f in facts] for label in facts[0] if len({repr(f[label]) for f in facts}) > 1}
