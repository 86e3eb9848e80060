"""Frames: what the live views show, computed from one parameter snapshot where the network lives.

A :class:`FrameRequest` says what is on screen (the table rows in view, the
inputs whose activations the canvas shows, which grids are visible); a
:class:`ViewRequest` holds the newest one for the worker thread to read.
:class:`FrameBuilder` turns the network's current parameters and a request
into an immutable :class:`Frame`, so the GUI thread only copies numbers into
widgets.  The same builder serves the GUI when no training runs, so a view
shows the same numbers whichever thread computed them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

import numpy as np

from .datasets import Dataset
from .losses import get_loss
from .metrics import accuracy, confusion_matrix, right_answers
from .network import Network
from .table_rows import TableRows

Array = np.ndarray
Extent = tuple[float, float, float, float]  # x0, x1, y0, y1 of the input plane


@dataclass(frozen=True)
class GridRequest:
    """A square grid over the input plane of a two-input network."""

    extent: Extent
    resolution: int


@dataclass(frozen=True)
class FrameRequest:
    """What the views need from the next frame; every part is optional."""

    rows: tuple[int, int] = (0, 0)  # table rows [start, stop): training rows first, then test rows
    probe: tuple[float, ...] | None = None  # inputs whose layer activations the canvas shows
    accuracy: bool = False
    surface: GridRequest | None = None  # the decision surface (the outputs over the plane)
    marked_rows: tuple[int, int, int] | None = None  # range(start, stop, step) of the rows checked for wrong answers
    neuron_maps: GridRequest | None = None  # every layer's activations over the plane
    confusion: bool = False  # the train and test confusion matrices (classification data)


def _frozen(array: Array) -> Array:
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class Frame:
    """The numbers of one moment of a run, for the request it answers (arrays are read-only)."""

    epoch: int
    request: FrameRequest
    outputs: Array  # rows of request.rows × outputs
    row_errors: Array  # the run's loss per row of request.rows
    # the optional parts are None when this frame does not carry them (not asked for, or left for a later frame)
    probe_activations: dict[str, Array] | None = None  # layer id → activations (size,) for request.probe
    probe_outputs: Array | None = None  # the network's outputs for request.probe
    accuracy: tuple[float | None, float | None] | None = None  # train, test (None: no accuracy for these data)
    surface: Array | None = None  # (resolution, resolution, outputs), row 0 at the bottom of the plane
    wrong: Array | None = None  # per marked row, per output: the answer is wrong by the accuracy rule
    neuron_maps: dict[str, Array] | None = None  # layer id → (resolution², size)
    confusion: tuple[Array | None, Array | None] | None = None  # train, test counts [actual, predicted]

    @property
    def first_row(self) -> int:
        return self.request.rows[0]

    def covers(self, row: int) -> bool:
        start, stop = self.request.rows
        return start <= row < stop


OPTIONAL_PARTS = ("probe_activations", "probe_outputs", "accuracy", "surface", "wrong", "neuron_maps", "confusion")
#: the parts whose cost grows with the dataset or a grid: a worker computes them a few times a second
SLOW_PARTS = {"accuracy": False, "surface": None, "marked_rows": None, "neuron_maps": None, "confusion": False}


def merged(older: Frame, newer: Frame) -> Frame:
    """``newer``, with the optional parts it lacks taken from ``older`` (frames that are skipped lose nothing)."""
    missing = {name: getattr(older, name) for name in OPTIONAL_PARTS
               if getattr(newer, name) is None and getattr(older, name) is not None}
    return replace(newer, **missing) if missing else newer


def grid_points(extent: Extent, n: int) -> Array:
    """(n·n, 2) points covering ``extent``, row by row from the bottom."""
    x0, x1, y0, y1 = extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return np.column_stack([gx.ravel(), gy.ravel()])


def shown_accuracy(data: Dataset, outputs: Array, targets: Array) -> float | None:
    """The core's accuracy of ``outputs``, or None where none is shown (regression data or no rows)."""
    if data.kind == "regression" or not len(targets):
        return None
    return accuracy(outputs, targets)


def wrong_answers(outputs: Array, targets: Array) -> Array:
    """Per row and output, whether the accuracy rule counts the answer as wrong (one-hot targets: the
    row's class, for every output); all False when the targets are not labels."""
    right = right_answers(outputs, targets) if len(targets) else None
    if right is None:
        return np.zeros(targets.shape, dtype=bool)
    if right.ndim == 1:
        right = np.repeat(right[:, None], targets.shape[1], axis=1)
    return ~right


class FrameBuilder:
    """Builds frames for one network and one dataset (rows: the training rows, then the test rows).

    A worker's builder evaluates its own copy of the network, so the run's
    buffers and parameters are never disturbed; the GUI's (``own_copy=False``)
    evaluates the document's network as it is.
    """

    def __init__(self, net: Network, data: Dataset, cost: str, own_copy: bool = True):
        self.net, self.data = (net.copy() if own_copy else net), data
        self.loss = get_loss(cost)
        self._X, self._Y = TableRows(data.X, data.X_test), TableRows(data.Y, data.Y_test)  # never stacked

    def _fits(self) -> bool:
        return self.data.network_width == self.net.n_inputs

    def _all_outputs(self) -> Array:
        """The network's outputs for every table row, training rows and test rows in turn."""
        parts = [part for part in (self._X.train, self._X.test) if part is not None]
        outputs = [self.net.predict(self.data.network_inputs(X)) for X in parts]
        return outputs[0] if len(outputs) == 1 else np.vstack(outputs)

    def rows(self, start: int, stop: int) -> tuple[Array, Array]:
        """Outputs and per-row errors of table rows [start, stop)."""
        start, stop = max(0, start), min(len(self._X), stop)
        if stop <= start:
            return np.empty((0, self.net.n_outputs)), np.empty(0)
        index = np.arange(start, stop)
        outputs = self.net.predict(self.data.network_inputs(self._X.take(index)))
        targets = self._Y.take(index)
        errors = np.array([self.loss.error(outputs[k : k + 1], targets[k : k + 1]) for k in range(len(outputs))])
        return outputs, errors

    def accuracies(self, outputs: Array | None = None) -> tuple[float | None, float | None]:
        """Train and test accuracy by the core's rule (None for regression data); ``outputs``: of every row."""
        data = self.data
        if data.kind == "regression":
            return None, None
        outputs = self._all_outputs() if outputs is None else outputs
        n = len(data)
        train = shown_accuracy(data, outputs[:n], data.Y)
        test = shown_accuracy(data, outputs[n:], data.Y_test) if data.Y_test is not None else None
        return train, None if train is None else test

    def confusions(self, outputs: Array | None = None) -> tuple[Array | None, Array | None]:
        """Train and test confusion matrices by the core's rule (None where the targets are not classes or
        there are no rows); ``outputs``: of every row, when already known."""
        data = self.data
        if data.kind == "regression":
            return None, None
        outputs = self._all_outputs() if outputs is None else outputs
        n = len(data)
        train = confusion_matrix(outputs[:n], data.Y)
        test = confusion_matrix(outputs[n:], data.Y_test) if data.Y_test is not None and data.has_test else None
        return (None if train is None else _frozen(train)), (None if test is None else _frozen(test))

    def wrong(self, marked: tuple[int, int, int], outputs: Array | None = None) -> Array:
        """Wrong answers of the rows ``range(*marked)``; ``outputs``: of every row, when already known."""
        index = np.arange(*marked)
        marked_outputs = (self.net.predict(self.data.network_inputs(self._X.take(index))) if outputs is None
                          else outputs[index])
        return wrong_answers(marked_outputs, self._Y.take(index))

    def grid_activations(self, request: GridRequest) -> dict[str, Array]:
        return self.net.layer_activations(self.data.network_inputs(grid_points(request.extent, request.resolution)))

    def surface(self, request: GridRequest) -> Array:
        n = request.resolution
        grid = self.data.network_inputs(grid_points(request.extent, n))
        return self.net.predict(grid).reshape(n, n, self.net.n_outputs)

    def build(self, request: FrameRequest, params: Array | None = None, epoch: int = 0) -> Frame:
        """Everything ``request`` asks for, for the parameter vector ``params`` (None: the network's own)."""
        if params is not None:
            self.net.set_params(params)
        outputs, errors = self.rows(*request.rows)
        frame = Frame(epoch, request, _frozen(outputs), _frozen(errors))
        if request.probe is not None and len(request.probe) == self.data.n_inputs and self._fits():
            probe = self.data.network_inputs(np.asarray(request.probe, dtype=float)[None, :])
            acts = {k: _frozen(v[0].copy()) for k, v in self.net.layer_activations(probe).items()}
            frame = replace(frame, probe_activations=acts, probe_outputs=_frozen(self.net.predict(probe)[0]))
        everything = None  # the outputs of every row, computed once for the accuracy and the wrong answers
        if (request.accuracy or request.confusion) and self.data.kind != "regression":
            everything = self._all_outputs()
        if request.accuracy:
            frame = replace(frame, accuracy=self.accuracies(everything))
        if request.confusion:
            frame = replace(frame, confusion=self.confusions(everything))
        if request.marked_rows is not None:
            frame = replace(frame, wrong=_frozen(self.wrong(request.marked_rows, everything)))
        if self.data.n_inputs == 2 and self._fits():
            if request.surface is not None:
                frame = replace(frame, surface=_frozen(self.surface(request.surface)))
            if request.neuron_maps is not None:
                maps = {k: _frozen(v) for k, v in self.grid_activations(request.neuron_maps).items()}
                frame = replace(frame, neuron_maps=maps)
        return frame


class ViewRequest:
    """The newest :class:`FrameRequest`, shared by the GUI (writes parts) and the worker (reads it whole)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._request = FrameRequest()

    def current(self) -> FrameRequest:
        with self._lock:
            return self._request

    def update(self, **parts) -> None:
        """Change some parts (the names of :class:`FrameRequest`'s fields)."""
        with self._lock:
            self._request = replace(self._request, **parts)
