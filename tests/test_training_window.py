"""Live training inside the real main window: canvas lock, neuron colours, synapse edits, closing."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QInputDialog

from nnstudio.core.training import TrainSettings
from nnstudio.ui.training.controller import IDLE, PAUSED

ENDLESS = TrainSettings(target_error=0.0, epochs=10**9)


def test_training_locks_the_canvas_and_keeps_resume_available(qtbot, window):
    panel, doc, scene = window.training, window.document, window.scene
    doc.set_settings(ENDLESS)
    window.actions["train"].trigger()
    assert doc.training and scene.locked
    qtbot.waitUntil(lambda: doc.history.last_epoch > 10, timeout=5000)
    window.actions["pause"].trigger()
    qtbot.waitUntil(lambda: panel.controller.state == PAUSED, timeout=5000)
    scene.select(layer_ids=["L2"])  # the window re-decides its actions on a selection change
    assert window.actions["train"].isEnabled() and window.actions["step"].isEnabled()
    assert not window.actions["delete"].isEnabled()
    window.actions["stop"].trigger()
    assert not doc.training and not scene.locked
    assert window.actions["train"].isEnabled()


def test_synapses_follow_the_weights_during_training(qtbot, window):
    doc, scene = window.document, window.scene
    item = scene.connection_item("L1->L2")
    before = item.weight(0, 0)
    doc.set_settings(ENDLESS)
    window.training.controller.train()
    qtbot.waitUntil(lambda: doc.history.last_epoch > 200, timeout=5000)
    window.training.controller.stop()
    assert item.weight(0, 0) == pytest.approx(doc.network.weights["L1->L2"][0, 0])
    assert item.weight(0, 0) != pytest.approx(before)


def test_neurons_show_activations_of_the_selected_row(window):
    panel, doc, scene = window.training, window.document, window.scene
    panel.data_table.select_row(3)
    acts = doc.network.layer_activations(doc.dataset.X[3])
    for layer_id in ("L1", "L2", "L3"):
        item = scene.layer_item(layer_id)
        for k in range(item.layer.size):
            assert item.neuron_value(k) == pytest.approx(acts[layer_id][0, k])


def test_neuron_heatmaps_on_the_canvas(window):
    item = window.scene.layer_item("L2")
    assert item._images is not None and len(item._images) == 3  # two inputs: every neuron shows its map


def test_double_clicking_a_synapse_types_an_undoable_weight(window, monkeypatch):
    doc = window.document
    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(lambda *args, **kwargs: (2.5, True)))
    old = float(doc.network.weights["L2->L3"][1, 0])
    window.scene.synapseDoubleClicked.emit("L2->L3", 1, 0)
    assert doc.network.weights["L2->L3"][1, 0] == 2.5
    assert window.scene.connection_item("L2->L3").weight(1, 0) == 2.5
    assert doc.undo_stack.undoText() == "Set weight Hidden 2 → Output 1 to 2.5"
    window.actions["undo"].trigger()
    assert doc.network.weights["L2->L3"][1, 0] == old


def test_closing_the_window_mid_training_stops_the_thread_quietly(qtbot, qtlog, window):
    doc, controller = window.document, window.training.controller
    doc.set_settings(ENDLESS)
    window.show()
    controller.train()
    qtbot.waitUntil(lambda: doc.history.last_epoch > 20, timeout=5000)
    thread = controller.thread
    assert window.close()  # closing waits for the thread (a bounded wait; its length is no test's business)
    assert thread.isFinished() and controller.thread is None and controller.state == IDLE
    assert np.isfinite(doc.network.params).all()
    qtbot.wait(50)
    noise = "propagateSizeHints"  # the offscreen platform's remark on showing a window
    assert [r.message for r in qtlog.records if noise not in r.message] == []


def test_hundred_rapid_cycles_through_the_window_actions(qtbot, qtlog, window):
    doc, a = window.document, window.actions
    initial = doc.network.get_params()
    doc.set_settings(ENDLESS)
    for k in range(100):
        a["train"].trigger()
        if k % 2:
            qtbot.wait(1)
        a["stop"].trigger()
        a["reset"].trigger()
        assert window.training.controller.thread is None
    qtbot.wait(100)
    assert window.training.controller.state == IDLE and not doc.training and not window.scene.locked
    assert np.array_equal(doc.network.params, initial) and len(doc.history) == 0
    assert [r.message for r in qtlog.records if "propagateSizeHints" not in r.message] == []
