"""Frames: computed by the worker thread, equal to what the views show; the table asks only for rows on screen."""

from __future__ import annotations

import numpy as np
import pytest

from nnstudio.core import datasets
from nnstudio.core.frames import FrameBuilder, FrameRequest, GridRequest, ViewRequest, merged, wrong_answers
from nnstudio.core.training import TrainSettings, resolve_cost
from nnstudio.ui.training.data_table import DataTableModel

ENDLESS = TrainSettings(target_error=0.0, epochs=10**9)


def _shown(window) -> dict:
    """What the views show right now."""
    panel, scene = window.training, window.scene
    model = panel.data_table.model
    column = model.n_in + model.n_out
    return {
        "params": window.document.network.params.copy(),
        "table": [model.data(model.index(row, column)) for row in range(model.rowCount())],
        "accuracy": panel.error_plot.accuracy_label.text(),
        "neurons": {lid: [item.neuron_value(k) for k in range(item.layer.size)]
                    for lid, item in ((lid, scene.layer_item(lid)) for lid in ("L1", "L2", "L3"))},
        "try_it": panel.try_it.output_labels[0].text(),
    }


def test_a_frame_from_the_worker_is_what_the_gui_computes_and_what_the_views_show(qtbot, window):
    window.show()
    panel, doc = window.training, window.document
    panel.data_table.select_row(2)
    controller = panel.controller
    seen = []  # each frame with the views as they are once it is applied (the panel shows it first)
    controller.frameReady.connect(lambda frame: seen.append((frame, _shown(window))))
    doc.set_settings(ENDLESS)
    controller.train()
    # a frame that carries its own slow parts: every number in it is for the same parameters
    qtbot.waitUntil(lambda: any(f.request.accuracy and f.epoch > 0 for f, _ in seen), timeout=20000)
    controller.stop()
    frame, shown = next((f, v) for f, v in seen if f.request.accuracy and f.epoch > 0)
    # the same request for the same parameters, computed here on the GUI thread
    net = doc.network.copy()
    builder = FrameBuilder(net, doc.dataset, resolve_cost(doc.settings.cost, net, doc.dataset))
    here = builder.build(frame.request, shown["params"])
    assert np.allclose(here.outputs, frame.outputs) and np.allclose(here.row_errors, frame.row_errors)
    assert here.accuracy == frame.accuracy
    for layer_id, values in here.probe_activations.items():
        assert np.allclose(values, frame.probe_activations[layer_id])
    # what the views showed once that frame was applied
    for row in range(*frame.request.rows):
        assert shown["table"][row] == f"{round(float(frame.outputs[row - frame.first_row, 0]), 4) + 0.0:.4g}"
    train, _test = frame.accuracy
    assert shown["accuracy"] == f"accuracy {train:.0%}"
    assert frame.request.probe == tuple(doc.dataset.X[2])
    for layer_id, values in frame.probe_activations.items():
        assert shown["neurons"][layer_id] == pytest.approx(list(values))
    assert shown["try_it"] == f"{frame.probe_outputs[0]:.5f}"


def test_the_table_asks_only_for_rows_on_screen_while_training(qtbot, window, monkeypatch):
    doc, panel = window.document, window.training
    doc.set_dataset(datasets.generate("circle", n=10_000, noise=0.1, seed=1))
    window.show()
    view = panel.data_table.view
    qtbot.waitUntil(lambda: view.rowAt(0) == 0)
    asked: list[int] = []
    original = DataTableModel.data
    monkeypatch.setattr(DataTableModel, "data", lambda self, index, role=0: asked.append(index.row()) or
                        original(self, index, role))
    doc.set_settings(ENDLESS)
    panel.controller.train()
    for _ in range(4):  # an endless run keeps sending frames
        with qtbot.waitSignal(panel.controller.frameReady, timeout=20000):
            pass
        view.viewport().repaint()
    last_visible = view.rowAt(view.viewport().height() - 1)
    panel.controller.stop()
    assert asked, "the table showed no rows at all"
    assert 0 < last_visible < 100
    assert max(asked) <= last_visible and min(asked) >= 0
    assert panel.view_request.current().rows[1] <= last_visible + 1 + 8  # the worker computes rows on screen only


def test_merging_frames_keeps_the_slow_parts_of_a_skipped_one():
    data = datasets.xor()
    from nnstudio.ui.model.document import Document

    net = Document().network
    builder = FrameBuilder(net, data, "bce")
    full = builder.build(FrameRequest(rows=(0, 4), accuracy=True, surface=GridRequest((0, 1, 0, 1), 4)), net.params)
    light = builder.build(FrameRequest(rows=(0, 4)), net.params, epoch=5)
    both = merged(full, light)
    assert both.epoch == 5 and both.accuracy == full.accuracy and both.surface.shape == (4, 4, 1)
    assert not both.outputs.flags.writeable  # frames are immutable
    request = ViewRequest()
    request.update(rows=(3, 9))
    assert request.current().rows == (3, 9) and request.current().surface is None


def test_rows_across_the_train_test_boundary_are_those_of_the_stacked_table():
    """The builder reads the training and test rows part by part, never stacking the dataset."""
    from nnstudio.core.metrics import accuracy
    from nnstudio.ui.model.document import Document

    data = datasets.generate("circle", n=50, noise=0.1, seed=3, test_fraction=0.4)
    net = Document().network
    builder = FrameBuilder(net, data, "bce")
    X, Y, n = np.vstack([data.X, data.X_test]), np.vstack([data.Y, data.Y_test]), len(data)
    outputs, errors = builder.rows(n - 3, n + 4)
    assert np.allclose(outputs, net.predict(X[n - 3 : n + 4])) and len(errors) == 7
    frame = builder.build(FrameRequest(accuracy=True, confusion=True, marked_rows=(1, len(X), 3)))
    assert np.array_equal(frame.wrong, wrong_answers(net.predict(X[1::3]), Y[1::3]))
    assert frame.accuracy == (accuracy(net.predict(data.X), data.Y), accuracy(net.predict(data.X_test), data.Y_test))
    assert frame.confusion[1].sum() == len(data.X_test)
