"""Idle views off the GUI thread: big data's accuracy and confusion counts come from a worker thread, equal the
core's numbers, end with the latest parameters, and a window closed mid-computation drops the result quietly."""

from __future__ import annotations

import threading

import numpy as np
from shiboken6 import isValid

from nnstudio.core import datasets
from nnstudio.core.fitting import network_for_data
from nnstudio.core.frames import Frame, FrameBuilder, FrameRequest
from nnstudio.core.metrics import percent_text
from nnstudio.io.project import Project
from nnstudio.ui.model.document import Document
from nnstudio.ui.training import idle_frames
from nnstudio.ui.training.confusion import ConfusionView
from nnstudio.ui.training.error_plot import ErrorPlot
from nnstudio.ui.training.idle_frames import IdleFrames


def _big_document() -> Document:
    """Rows × parameters over IdleFrames.sync_work: answered on the worker thread."""
    data = datasets.generate("spiral", n=2000, seed=3, test_fraction=0.25)
    graph, _cost = network_for_data(data, (32, 32))
    doc = Document()
    doc.load(Project(graph=graph, dataset=data))
    rows = len(data) + len(data.X_test)
    assert rows * doc.network.n_params >= IdleFrames.sync_work
    return doc


def _expected_label(doc: Document) -> str:
    train, test = FrameBuilder(doc.network, doc.dataset, "ce").accuracies()
    return f"accuracy {percent_text(train)} · test {percent_text(test)}"


class Gate:
    """Holds the worker's FrameBuilder.build until opened; records the threads and networks it built for."""

    def __init__(self, monkeypatch):
        self.open, self.entered = threading.Event(), threading.Event()
        self.threads: list[int] = []
        self.params: list[np.ndarray] = []
        build = FrameBuilder.build

        def gated(builder, request, params=None, epoch=0):
            self.threads.append(threading.get_ident())
            self.params.append(builder.net.params.copy())
            self.entered.set()
            self.open.wait()
            return build(builder, request, params, epoch)

        monkeypatch.setattr(idle_frames.FrameBuilder, "build", gated)


def test_big_data_accuracy_is_computed_off_the_gui_thread_and_equals_the_cores(qtbot):
    doc = _big_document()
    plot = ErrorPlot(doc)
    qtbot.addWidget(plot)
    qtbot.waitUntil(lambda: not plot.idle_frames.pending)
    assert plot.idle_frames.computed_on not in (None, threading.get_ident())
    assert plot.accuracy_label.text() == _expected_label(doc)
    assert plot.accuracy_label.isEnabled()


def test_big_data_confusion_counts_are_computed_off_the_gui_thread_and_equal_the_cores(qtbot):
    doc = _big_document()
    view = ConfusionView(doc)
    qtbot.addWidget(view)
    view.set_on_screen(True)
    qtbot.waitUntil(lambda: not view.idle_frames.pending)
    assert view.idle_frames.computed_on not in (None, threading.get_ident())
    train, test = FrameBuilder(doc.network, doc.dataset, "ce").confusions()
    assert np.array_equal(view.confusion[0], train) and np.array_equal(view.confusion[1], test)
    assert view.model.counts is not None and view.table.isEnabled()


def test_small_data_stay_on_the_gui_thread_and_show_at_once(qtbot):
    plot = ErrorPlot(Document())  # XOR
    qtbot.addWidget(plot)
    assert plot.idle_frames.computed_on == threading.get_ident()
    assert not plot.idle_frames.pending and plot.accuracy_label.text().startswith("accuracy ")


def test_an_edit_while_a_computation_is_pending_ends_with_the_latest_parameters(qtbot, monkeypatch):
    doc = _big_document()
    gate = Gate(monkeypatch)
    plot = ErrorPlot(doc)
    qtbot.addWidget(plot)
    shown: list[str] = []
    plot.idle_frames.ready.connect(lambda frame: shown.append(plot.accuracy_label.text()))
    assert gate.entered.wait(30)  # the first computation is under way, held
    assert plot.idle_frames.pending and not plot.accuracy_label.isEnabled()
    first = doc.network.params.copy()
    doc.set_params(np.random.default_rng(7).normal(size=first.shape))
    plot.refresh_accuracy()  # what the throttled weightsChanged does
    gate.open.set()
    qtbot.waitUntil(lambda: not plot.idle_frames.pending)
    assert len(gate.threads) == 2 and threading.get_ident() not in gate.threads
    assert np.array_equal(gate.params[0], first) and np.array_equal(gate.params[1], doc.network.params)
    assert shown == [_expected_label(doc)]  # the first (older) result was dropped, never shown
    assert plot.accuracy_label.isEnabled()


def test_closing_a_view_while_it_computes_drops_the_result_without_a_crash(qtbot, monkeypatch):
    errors: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    doc = _big_document()
    gate = Gate(monkeypatch)
    plot = ErrorPlot(doc)
    thread = plot.idle_frames.thread
    assert gate.entered.wait(30)
    plot.close()
    plot.deleteLater()
    qtbot.waitUntil(lambda: not isValid(plot))
    gate.open.set()
    thread.join(30)
    assert not thread.is_alive() and errors == []


def test_a_run_frame_supersedes_a_pending_idle_result(qtbot, monkeypatch):
    doc = _big_document()
    gate = Gate(monkeypatch)
    plot = ErrorPlot(doc)
    qtbot.addWidget(plot)
    assert gate.entered.wait(30)
    plot.show_frame(Frame(5, FrameRequest(accuracy=True), np.empty((0, 3)), np.empty(0), accuracy=(0.5, 0.25)))
    assert not plot.idle_frames.pending and plot.accuracy_label.isEnabled()
    delivered: list[object] = []
    plot.idle_frames._computed.connect(lambda *args: delivered.append(args))
    gate.open.set()
    qtbot.waitUntil(lambda: bool(delivered))  # the held result arrives, and is dropped
    assert plot.accuracy_label.text() == "accuracy 50% · test 25%"
