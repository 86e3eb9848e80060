"""Issue 6's learning tools in the real main window: time travel, continue from here, saving, restarts, inspector."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction

from nnstudio.core.inspector import inspect_neuron
from nnstudio.core.training import TrainingRun, TrainSettings
from nnstudio.io.project import load_project
from nnstudio.ui import MainWindow
from nnstudio.ui.canvas.layer_item import WIDTH
from nnstudio.ui.training.controller import IDLE


def _close(w: MainWindow) -> None:
    w.training.controller.shutdown(2000)
    w.document.undo_stack.clear()
    w.scene.clearSelection()


def train_to_end(qtbot, window: MainWindow, epochs: int, **settings) -> None:
    window.document.set_settings(TrainSettings(epochs=epochs, target_error=0.0, **settings))
    window.actions["train"].trigger()
    qtbot.waitUntil(lambda: window.training.controller.state == IDLE, timeout=20_000)
    assert window.document.history.last_epoch == window.training.controller.last_epoch


def test_training_records_snapshots_and_scrubbing_shows_exactly_them(qtbot, window):
    doc, tt = window.document, window.learning_tools.time_travel
    initial = doc.network.params.copy()
    train_to_end(qtbot, window, 300)
    store, slider = tt.store, tt.slider
    assert store.epochs[0] == 0 and store.last_epoch == 300 == doc.history.last_epoch
    assert np.array_equal(store.nearest(0)[1], initial)
    present = doc.network.params.copy()
    assert np.array_equal(store.nearest(300)[1], present) and slider.live and slider.isEnabled()
    scene = window.scene
    for index in (0, 37, 150, len(store.epochs) - 2):
        slider.slider.setValue(index)
        epoch = slider.epoch
        assert epoch == store.epochs[index] and not slider.live
        assert np.array_equal(doc.network.params, store.nearest(epoch)[1])  # exactly what was recorded then
        # the canvas and the outputs table show that moment
        assert scene.connection_item("L1->L2").weight(0, 1) == doc.network.weights["L1->L2"][0, 1]
        qtbot.waitUntil(lambda: np.allclose(window.training.data_table.model.output_row(1),
                                            doc.network.predict(doc.dataset.X[1:2])[0]), timeout=2000)
        assert tt.error_plot.marker.isVisible() and tt.error_plot.marker.value() == epoch
    slider.slider.setValue(slider.slider.maximum())  # back at the end: the present, not a copy of it
    assert np.array_equal(doc.network.params, present) and tt.present is None
    assert not tt.error_plot.marker.isVisible()


def test_scrubbing_keeps_the_present_when_the_last_snapshot_differs(qtbot, window):
    doc, tt = window.document, window.learning_tools.time_travel
    train_to_end(qtbot, window, 50)
    window.training.set_weight("L1->L2", 0, 0, 3.25)  # an edit after the run: the present is not recorded
    present = doc.network.params.copy()
    tt.slider.show_epoch(10)
    assert np.array_equal(doc.network.params, tt.store.nearest(10)[1])
    tt.slider.slider.setValue(tt.slider.slider.maximum())
    assert np.array_equal(doc.network.params, present)


def test_continue_from_here_cuts_the_history_and_trains_on_from_that_epoch(qtbot, window):
    doc, tt = window.document, window.learning_tools.time_travel
    train_to_end(qtbot, window, 200)
    old_tail = doc.history.train[doc.history.epochs > 60].copy()
    tt.slider.show_epoch(60)
    assert tt.slider.epoch == 60
    params60 = tt.store.nearest(60)[1]
    settings = TrainSettings(epochs=100, target_error=0.0, rate=1.0)  # the current settings apply
    doc.set_settings(settings)
    tt.slider.continue_button.click()
    # synchronously: the history ends at 60, the cut-off tail is the faint curve, training runs
    assert doc.history.last_epoch == 60 and doc.history.epochs.max() <= 60
    _, faint = tt.error_plot.abandoned_curve.getData()
    np.testing.assert_array_equal(faint[np.isfinite(faint)], old_tail)
    qtbot.waitUntil(lambda: window.training.controller.state == IDLE, timeout=20_000)
    assert doc.history.last_epoch == 160 and np.all(np.diff(doc.history.epochs) > 0)
    assert tt.store.last_epoch == 160 and np.array_equal(tt.store.nearest(60)[1], params60)
    # epoch 61 is one step of the new settings from the parameters recorded at 60
    net = doc.network.copy()
    net.set_params(params60)
    run = TrainingRun(net, doc.dataset, TrainSettings.from_dict(settings.to_dict()))
    run.epoch()
    np.testing.assert_allclose(tt.store.nearest(61)[1], run.net.params, rtol=0, atol=1e-12)


def test_snapshots_round_trip_through_save_and_load(qtbot, window, tmp_path):
    train_to_end(qtbot, window, 120)
    store = window.learning_tools.time_travel.store
    path = tmp_path / "xor.nnstudio"
    assert window.save_to(str(path))
    saved = json.loads(path.read_text())["snapshots"]
    assert saved["epochs"] == store.epochs.tolist()
    other = MainWindow(str(path))
    qtbot.addWidget(other)
    try:
        loaded = other.learning_tools.time_travel.store
        assert loaded.epochs.tolist() == store.epochs.tolist()
        for epoch in (0, 7, 120):
            assert np.array_equal(loaded.nearest(epoch)[1], store.nearest(epoch)[1])
        other.learning_tools.time_travel.slider.show_epoch(7)
        assert np.array_equal(other.document.network.params, store.nearest(7)[1])
        # opening another project replaces the snapshots; a new project has none
        other.new_document()
        assert len(other.learning_tools.time_travel.store) == 0
        assert "snapshots" not in other.document.project().extra
    finally:
        _close(other)


def test_saving_while_the_past_is_shown_saves_the_present(qtbot, window, tmp_path):
    """Scrubbing is looking, not editing: the file keeps the newest weights."""
    train_to_end(qtbot, window, 80)
    present = window.document.network.params.copy()
    window.learning_tools.time_travel.slider.show_epoch(10)
    assert not np.array_equal(window.document.network.params, present)
    path = tmp_path / "scrubbed.nnstudio"
    assert window.save_to(str(path))
    saved = load_project(path).build_network()
    assert np.array_equal(saved.params, present)


def test_a_structural_edit_or_a_reset_drops_the_snapshots(qtbot, window):
    doc, tt = window.document, window.learning_tools.time_travel
    train_to_end(qtbot, window, 30)
    window.actions["reset"].trigger()
    assert len(tt.store) == 0 and not tt.slider.isEnabled()
    train_to_end(qtbot, window, 30)
    doc.graph.set_layer("L2", size=4)
    assert tt.store.n_params == doc.network.n_params and len(tt.store) == 0


def test_restarts_action_opens_the_dialog_and_keeping_a_run_replaces_the_history(qtbot, window):
    action = window.findChild(QAction, "actionRestarts")
    assert action is not None and action.toolTip() and action in window.network_menu.actions()
    action.trigger()
    dialog = window.learning_tools.restarts_dialog
    assert dialog.isVisible()
    dialog.count.setValue(12)
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=30_000)
    dialog.table.selectRow(0)
    k = dialog.selected_run()
    dialog.open_button.click()
    doc, tt = window.document, window.learning_tools.time_travel
    run = dialog.run
    end = int(run.stopped_at[k]) or run.epochs_done
    assert np.array_equal(doc.network.params, run.params_of(k))
    assert doc.history.last_epoch == end and doc.history.last_error == pytest.approx(run.final_errors[k])
    assert tt.store.epochs.tolist() == [0, end]
    start = doc.network.copy()
    start.reset(int(run.population.seeds[k]))
    assert np.array_equal(tt.store.nearest(0)[1], start.params)
    dialog.close()


def click_neuron(qtbot, window: MainWindow, layer_id: str, index: int) -> None:
    item = window.scene.layer_item(layer_id)
    y = dict(item.visible_neurons())[index]
    pos = window.view.mapFromScene(item.mapToScene(QPointF(WIDTH / 2, y)))
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_clicking_a_neuron_fills_the_inspector_with_the_cores_gradients(qtbot, window):
    window.show()
    qtbot.waitExposed(window)
    doc, tools = window.document, window.learning_tools
    window.training.data_table.select_row(2)
    click_neuron(qtbot, window, "L2", 1)
    info = tools.inspector.info
    assert info is not None and (info.layer_id, info.index, info.row) == ("L2", 1, 2)
    # the inspector numbers the row as the data table does (its third row is row 3)
    header = window.training.data_table.model.headerData(2, Qt.Orientation.Vertical)
    assert tools.inspector.row_box.value() == int(header) == 3 and "row 3:" in tools.inspector.title.text()
    expected = inspect_neuron(doc.network, doc.dataset, 2, "L2", 1, doc.settings)
    assert info == expected
    # the core's own backward pass on that row: every incoming weight's gradient
    net = doc.network.copy()
    net.backward(net.forward(doc.dataset.X[2:3]), doc.dataset.Y[2:3], info.loss)
    grads = net.grads[net.specs["W:L1->L2"].slice].reshape(net.specs["W:L1->L2"].shape)
    assert [t.gradient for t in info.terms] == pytest.approx(grads[:, 1].tolist(), rel=1e-12)
    table = tools.inspector.table
    assert [float(table.item(r, 4).text()) for r in range(2)] == pytest.approx(grads[:, 1], rel=1e-5)
    # another row in the data table: the inspector follows
    window.training.data_table.select_row(0)
    assert tools.inspector.info.row == 0


def test_step_sample_shows_each_weight_moving_by_rate_times_gradient(qtbot, window):
    doc, tools = window.document, window.learning_tools
    doc.set_settings(TrainSettings(rate=0.5, optimizer="sgd", batch_size=1, shuffle=False, epochs=1000))
    tools.inspect("L3", 0)
    button = window.training.training_dock.step_sample_button
    for expected_row in (0, 1, 2):
        before = doc.network.copy()
        with qtbot.waitSignal(window.training.controller.sampleStepped) as stepped:
            button.click()
        assert stepped.args == [expected_row]
        info_before = inspect_neuron(before, doc.dataset, expected_row, "L3", 0, doc.settings)
        panel = tools.inspector
        assert panel.info.row == expected_row
        moved = [float(panel.table.item(r, 6).text()) for r in range(len(info_before.terms) + 1)]
        changes = [t.change for t in info_before.terms] + [info_before.bias_change]
        np.testing.assert_allclose(moved, changes, rtol=1e-5)
        # and the weights really moved by that much
        after = doc.network.weights["L2->L3"][:, 0] - before.weights["L2->L3"][:, 0]
        np.testing.assert_allclose(after, changes[:-1], rtol=1e-9)


def test_snapshot_memory_and_file_bounds_for_a_bigger_network():
    from nnstudio.core import Layer, Network
    from nnstudio.ui.learning.time_travel import MAX_SNAPSHOT_BYTES, SAVED_SNAPSHOT_BYTES, new_store

    inputs, hidden, outputs = Layer(64, role="input"), Layer(128), Layer(10, role="output")
    inputs.project(hidden)
    hidden.project(outputs)
    net = Network(input=inputs, hidden=[hidden], output=outputs, seed=1)
    store = new_store(net)
    assert store.max_bytes == MAX_SNAPSHOT_BYTES  # 9,610 parameters: 50 MB hold ~680 snapshots
    rng = np.random.default_rng(0)
    row = rng.normal(size=net.n_params)
    for epoch in range(3000):
        row[epoch % net.n_params] += 1.0
        store.add(epoch, row, 1.0 / (epoch + 1))
    assert store.nbytes <= MAX_SNAPSHOT_BYTES and store.last_epoch == 2999 and store.stride > 1
    assert len(json.dumps(store.to_dict(SAVED_SNAPSHOT_BYTES))) <= SAVED_SNAPSHOT_BYTES
    assert np.array_equal(store.nearest(2999)[1], row)
