"""Loading the number-heavy sections of a project file: weights, history and time-travel snapshots.

Used by :mod:`nnstudio.io.project`; every problem raises its ``ProjectError``
naming the field.  Each section is checked completely here, so that the
app, which reads them after the document has opened, never meets one it
cannot hold.
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any

import numpy as np

from ..core.graph import Graph
from ..core.history import ErrorHistory
from ..core.limits import MAX_PARAMETERS
from ..core.snapshots import FORMAT as SNAPSHOTS_FORMAT
from ..core.snapshots import SnapshotStore

MAX_EPOCH = 2**53  # epoch numbers stay exact as floats (the error plot's x axis)
MAX_STRIDE = 2**40  # the history's stride doubles from 1; 2**40 would need 10**16 epochs of training
MAX_SNAPSHOT_BYTES = 2**30  # the memory a time-travel store may grow to (the app uses 50 MB)


def _section(d: dict, key: str, error: Any) -> dict:
    value = d.get(key)
    if not isinstance(value, dict):
        raise error(f"weights.{key}", "missing" if value is None else "expected an object")
    return value


def load_weights(d: dict, graph: Graph, error: Any) -> dict[str, np.ndarray]:
    """Parameter blocks by key ("W:<conn>", "b:<layer>") from a ``weights`` section of ``graph``."""
    conns, biases = _section(d, "connections", error), _section(d, "biases", error)
    blocks = {}
    for conn in graph.connections.values():
        where = f"weights.connections[{conn.id!r}]"
        if conn.id not in conns:
            raise error(where, "missing")
        shape = (graph.layers[conn.source].size, graph.layers[conn.target].size)
        blocks["W:" + conn.id] = _array(conns[conn.id], shape, where, error)
    for layer in graph.layers.values():
        if layer.role == "input" or not layer.bias:
            continue
        where = f"weights.biases[{layer.id!r}]"
        if layer.id not in biases:
            raise error(where, "missing")
        blocks["b:" + layer.id] = _array(biases[layer.id], (layer.size,), where, error)
    extra = (set(conns) - set(graph.connections)) | (
        set(biases) - {lid for lid, layer in graph.layers.items() if layer.bias and layer.role != "input"}
    )
    if extra:
        raise error("weights", f"weights for parts the graph does not have: {', '.join(sorted(extra))}")
    return blocks


def _array(values: Any, shape: tuple[int, ...], where: str, error: Any) -> np.ndarray:
    table = "×".join(map(str, shape))
    rows_ok = isinstance(values, list) and len(values) == shape[0]
    if rows_ok and len(shape) == 2:
        rows_ok = all(isinstance(row, list) and len(row) == shape[1] for row in values)
    if not rows_ok:  # checked before numpy sees it: a ragged or wrong-sized table allocates nothing
        got = f"{len(values)} rows" if isinstance(values, list) else "not a table"
        raise error(where, f"expected shape {table}, got {got}")
    try:
        arr = np.array(values, dtype=float)
    except (ValueError, TypeError, OverflowError):
        raise error(where, f"expected a {table} table of numbers") from None
    if arr.shape != shape:
        raise error(where, f"expected shape {table}, got {'×'.join(map(str, arr.shape)) or 'a single value'}")
    if not np.all(np.isfinite(arr)):
        raise error(where, "contains NaN or infinite values")
    return arr


def _numbers(d: dict, key: str, error: Any, *, whole: bool, nulls: bool, required: bool) -> list:
    where = f"history.{key}"
    if key not in d and not required:
        return []
    values = d.get(key)
    if not isinstance(values, list):
        raise error(where, "missing" if key not in d else "expected a list of numbers")
    for v in values:
        if v is None and nulls:
            continue
        number = isinstance(v, (int, float)) and not isinstance(v, bool)
        if not number or (whole and (not isinstance(v, int) or not 0 <= v <= MAX_EPOCH)):
            what = f"whole numbers from 0 to {MAX_EPOCH}" if whole else "numbers"
            raise error(where, f"expected a list of {what}")
    return values


def load_history(d: dict, error: Any) -> ErrorHistory:
    """The error history from a ``history`` section."""
    epochs = _numbers(d, "epochs", error, whole=True, nulls=False, required=True)
    train = _numbers(d, "train", error, whole=False, nulls=True, required=True)
    test_epochs = _numbers(d, "test_epochs", error, whole=True, nulls=False, required=False)
    test = _numbers(d, "test", error, whole=False, nulls=True, required=False)
    if len(epochs) != len(train):
        raise error("history", "history.epochs and history.train differ in length")
    if len(test_epochs) != len(test):
        raise error("history", "history.test_epochs and history.test differ in length")
    stride = d.get("stride", 1)
    if not isinstance(stride, int) or isinstance(stride, bool) or not 1 <= stride <= MAX_STRIDE:
        raise error("history.stride", f"must be a whole number from 1 to {MAX_STRIDE}")
    try:
        return ErrorHistory.from_dict(d)
    except (ValueError, TypeError, OverflowError) as exc:
        raise error("history", str(exc)) from None


def check_snapshots(d: Any, graph: Graph, error: Any) -> None:
    """A ``snapshots`` section the time-travel slider can read (it drops ones for another network itself)."""
    if not isinstance(d, dict):
        raise error("snapshots", "expected an object")
    if d.get("format") != SNAPSHOTS_FORMAT:
        raise error("snapshots.format", f"expected {SNAPSHOTS_FORMAT!r}")
    bounds = {"n_params": (1, MAX_PARAMETERS), "max_bytes": (1, MAX_SNAPSHOT_BYTES), "dense": (1, 2**31 - 1),
              "stride": (1, MAX_STRIDE)}
    for key, (low, high) in bounds.items():
        value = d.get(key, 1 if key == "stride" else None)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise error(f"snapshots.{key}", f"must be a whole number from {low} to {high:,}")
    epochs, errors, params = d.get("epochs", []), d.get("errors", []), d.get("params", "")
    if not isinstance(epochs, list) or not all(
        isinstance(e, int) and not isinstance(e, bool) and 0 <= e <= MAX_EPOCH for e in epochs
    ):
        raise error("snapshots.epochs", f"expected a list of whole numbers from 0 to {MAX_EPOCH}")
    if not isinstance(errors, list) or not all(
        e is None or (isinstance(e, (int, float)) and not isinstance(e, bool) and math.isfinite(e)) for e in errors
    ):
        raise error("snapshots.errors", "expected a list of numbers or null")
    if not isinstance(params, str):
        raise error("snapshots.params", "expected a base64 string")
    # the decoded size follows from the text's length: compared before anything is decoded
    expected = len(epochs) * d["n_params"] * 8
    if len(params) != 4 * math.ceil(expected / 3):
        raise error("snapshots.params", f"{len(epochs)} snapshots of {d['n_params']} parameters need "
                    f"{expected:,} bytes, the text holds about {len(params) * 3 // 4:,}")
    try:
        base64.b64decode(params, validate=True)
        SnapshotStore.from_dict(d)
    except (binascii.Error, ValueError, TypeError, OverflowError) as exc:
        raise error("snapshots", str(exc).removeprefix("snapshots: ")) from None

