"""Loading a project file's ``runs`` section (the run list, :mod:`nnstudio.core.runs`), checked field by field.

Used by :mod:`nnstudio.io.project`; every problem raises its ``ProjectError`` naming the field, e.g.
``runs[3].settings: learning rate must be a number above 0 to 10, not -1``.  A list longer than
:data:`~nnstudio.core.runs.MAX_RUNS` or a curve longer than :data:`~nnstudio.core.runs.MAX_CURVE_POINTS` is
refused: the app never writes one.
"""

from __future__ import annotations

import math
from typing import Any

from ..core.features import feature_problem
from ..core.initializers import INITIALIZERS
from ..core.runs import MAX_CURVE_POINTS, MAX_RUN_PARAMETERS, MAX_RUNS, RunRecord
from ..core.training import STOP_REASONS
from .limits import MAX_INT, MAX_NAME_CHARS
from .project_sections import MAX_EPOCH

_KEYS = {"settings", "init", "seeds", "topology", "features", "curve", "final", "reason", "epochs", "seconds", "ended"}
_OPTIONAL = {"weights"}
_FINAL = ("train_error", "test_error", "accuracy", "test_accuracy")


def load_runs(value: Any, error: Any) -> list[RunRecord]:
    """The run list from a ``runs`` section (a list of runs, oldest first)."""
    if not isinstance(value, list):
        raise error("runs", "expected a list")
    if len(value) > MAX_RUNS:
        raise error("runs", f"{len(value):,} runs; the limit is {MAX_RUNS} (MAX_RUNS)")
    return [_load_run(run, f"runs[{i}]", error) for i, run in enumerate(value)]


def _load_run(d: Any, where: str, error: Any) -> RunRecord:
    if not isinstance(d, dict):
        raise error(where, "expected an object")
    missing = sorted(_KEYS - set(d))
    if missing:
        raise error(f"{where}.{missing[0]}", "missing")
    unknown = sorted(set(d) - _KEYS - _OPTIONAL)
    if unknown:
        raise error(f"{where}.{unknown[0][:40]}", "not a field of a run")
    for key in ("init", "topology", "reason", "ended"):
        if not isinstance(d[key], str) or len(d[key]) > MAX_NAME_CHARS:
            raise error(f"{where}.{key}", f"expected a string of at most {MAX_NAME_CHARS} characters")
    if d["init"] not in INITIALIZERS:
        raise error(f"{where}.init", f"unknown initializer {d['init'][:40]!r}")
    if d["reason"] not in STOP_REASONS:
        raise error(f"{where}.reason", f"unknown stop reason {d['reason'][:40]!r}; known: {', '.join(STOP_REASONS)}")
    seeds = d["seeds"]
    if not isinstance(seeds, dict) or set(seeds) != {"init", "shuffle", "data"} or not all(
        _whole(v, MAX_INT) for v in seeds.values()
    ):
        raise error(f"{where}.seeds", f'expected {{"init", "shuffle", "data"}}: whole numbers from 0 to {MAX_INT:,}')
    problem = feature_problem(d["features"], 2)
    if problem:
        raise error(f"{where}.features", problem)
    if not _whole(d["epochs"], MAX_EPOCH):
        raise error(f"{where}.epochs", f"expected a whole number from 0 to {MAX_EPOCH}")
    if not _number(d["seconds"]) or d["seconds"] < 0:
        raise error(f"{where}.seconds", "expected a number of seconds, 0 or more")
    final = d["final"]
    if not isinstance(final, dict) or set(final) != set(_FINAL) or not all(
        v is None or _number(v) for v in final.values()
    ):
        raise error(f"{where}.final", f"expected {', '.join(_FINAL)}: numbers or null")
    _check_curve(d["curve"], f"{where}.curve", error)
    if d.get("weights") is not None:
        _check_weights(d["weights"], f"{where}.weights", error)
    settings = d["settings"]
    if not isinstance(settings, dict) or "seed" in settings:
        raise error(f"{where}.settings", "expected an object of training settings (the seeds are in seeds)")
    try:
        return RunRecord.from_dict(d)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:  # TrainSettings.validate says what is wrong
        raise error(f"{where}.settings", str(exc)) from None


def _check_curve(curve: Any, where: str, error: Any) -> None:
    if not isinstance(curve, dict) or set(curve) != {"epochs", "train", "test_epochs", "test"}:
        raise error(where, 'expected an object with "epochs", "train", "test_epochs" and "test"')
    for epochs_key, values_key in (("epochs", "train"), ("test_epochs", "test")):
        epochs, values = curve[epochs_key], curve[values_key]
        if not isinstance(epochs, list) or not isinstance(values, list) or len(epochs) != len(values):
            raise error(f"{where}.{values_key}", f"expected lists {epochs_key} and {values_key} of one length")
        if len(epochs) > MAX_CURVE_POINTS:
            raise error(f"{where}.{epochs_key}",
                        f"{len(epochs):,} points; the limit is {MAX_CURVE_POINTS} (MAX_CURVE_POINTS)")
        if not all(_whole(e, MAX_EPOCH) for e in epochs):
            raise error(f"{where}.{epochs_key}", f"expected whole numbers from 0 to {MAX_EPOCH}")
        if not all(v is None or _number(v) for v in values):
            raise error(f"{where}.{values_key}", "expected numbers or null")


def _check_weights(weights: Any, where: str, error: Any) -> None:
    """Tables (and bias vectors) of finite numbers by id, at most MAX_RUN_PARAMETERS numbers: counted first."""
    if not isinstance(weights, dict) or set(weights) != {"connections", "biases"} or not all(
        isinstance(v, dict) for v in weights.values()
    ):
        raise error(where, 'expected an object with "connections" and "biases" objects, or null')
    count = 0
    for part in ("connections", "biases"):
        for key, table in weights[part].items():
            here = f"{where}.{part}[{key[:40]!r}]"
            rows = table if part == "connections" else [table]
            if len(key) > MAX_NAME_CHARS or not isinstance(table, list) or not table or not all(
                isinstance(row, list) and len(row) == len(rows[0]) and row for row in rows
            ):
                raise error(here, "expected a table of numbers" if part == "connections" else "expected numbers")
            count += len(rows) * len(rows[0])
            if count > MAX_RUN_PARAMETERS:
                raise error(where, f"more than {MAX_RUN_PARAMETERS:,} numbers (MAX_RUN_PARAMETERS)")
            if not all(_number(v) for row in rows for v in row):
                raise error(here, "expected finite numbers")


def _whole(value: Any, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= high


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
