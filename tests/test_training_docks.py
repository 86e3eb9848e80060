"""The training docks in the main window: settings, data, plot, table, try-it, heatmaps, closing."""

from __future__ import annotations

import types

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMessageBox

from nnstudio.core import datasets
from nnstudio.core.frames import grid_points as grid
from nnstudio.core.training import TrainSettings
from nnstudio.ui import MainWindow
from nnstudio.ui.training.controller import IDLE, PAUSED
from nnstudio.ui.training.heatmaps import SURFACE_RESOLUTION, neuron_images, plane_extent


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    w.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(w)
    w.locks = []  # the document's training state as it changes
    w.document.trainingChanged.connect(w.locks.append)
    w.resize(1300, 850)
    yield w
    w.training.controller.shutdown(2000)


def test_docks_and_actions_have_their_names(window):
    for name in ("training", "errorPlot", "dataTable", "tryIt", "heatmap"):
        assert isinstance(window.findChild(QDockWidget, name), QDockWidget), name
    names = {a.objectName() for a in window.training.actions.values()}
    assert names == {"actionTrain", "actionPause", "actionStep", "actionStop", "actionReset"}


def test_actions_follow_the_run_and_lock_the_window(qtbot, window):
    panel, a = window.training, window.training.actions
    window.document.set_settings(TrainSettings(target_error=0.0, epochs=10**9))
    assert a["train"].isEnabled() and not a["pause"].isEnabled() and not a["stop"].isEnabled()
    a["train"].trigger()
    assert window.locks == [True] and window.document.training
    assert not a["train"].isEnabled() and a["pause"].isEnabled() and a["stop"].isEnabled()
    assert not panel.training_dock.dataset_combo.isEnabled()
    a["pause"].trigger()
    qtbot.waitUntil(lambda: panel.controller.state == PAUSED, timeout=5000)
    assert a["train"].isEnabled() and a["train"].text() == "&Resume" and a["step"].isEnabled()
    a["stop"].trigger()
    assert window.locks == [True, False] and not window.document.training
    assert panel.training_dock.dataset_combo.isEnabled()
    assert "Stopped by the user at epoch" in panel.status_label.text()


def test_dataset_choice_and_generator_settings(window):
    dock, doc = window.training.training_dock, window.document
    dock.dataset_combo.setCurrentIndex(dock.dataset_combo.findData("gate:and"))
    dock._dataset_chosen(0)
    assert doc.dataset.name == "AND" and doc.dataset.Y[:, 0].tolist() == [0, 0, 0, 1]
    dock.dataset_combo.setCurrentIndex(dock.dataset_combo.findData("gen:circle"))
    dock._dataset_chosen(0)
    assert doc.dataset.name == "circle" and doc.dataset.has_test and doc.network is not None
    assert dock.noise.isEnabled()
    dock.count.setValue(100)
    dock.test_split.setValue(20)
    assert len(doc.dataset) == 80 and len(doc.dataset.X_test) == 20
    before = doc.dataset.X.copy()
    dock.noise.setValue(0.3)
    assert not np.allclose(doc.dataset.X, before)
    dock.data_seed.setValue(dock.data_seed.value() + 1)
    assert doc.data_seed == dock.data_seed.value()
    dock.test_split.setValue(0)
    assert not doc.dataset.has_test


def test_csv_import_with_a_target_column(window, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("y,a,b\n1,0,0\n0,0,1\n0,1,0\n1,1,1\n")
    dock, doc = window.training.training_dock, window.document
    assert dock.import_csv(str(path), target="y")
    assert doc.dataset.input_names == ["a", "b"] and doc.dataset.output_names == ["y"]
    assert doc.dataset.Y[:, 0].tolist() == [1, 0, 0, 1]
    shown = []
    window.show_error = lambda title, text: shown.append(text)  # a file that cannot be used: one message box
    assert not dock.import_csv(str(path), target="nope")
    assert "no column named" in dock.message.text() and len(shown) == 1 and "no column named" in shown[0]
    # loaded rows are not generated points: no "Points 200" beside them, only the real row count
    form = dock.count.parentWidget().layout()
    assert not any(form.isRowVisible(w) for w in (dock.noise, dock.count, dock.test_split))
    assert dock.dataset_info.text().startswith("4 training rows")
    dock.dataset_combo.setCurrentIndex(dock.dataset_combo.findData("gen:circle"))
    dock._dataset_chosen(0)
    assert all(form.isRowVisible(w) for w in (dock.noise, dock.count, dock.test_split))
    assert dock.count.value() == len(doc.dataset) + len(doc.dataset.X_test)


def test_hyperparameters_become_settings(window):
    dock, doc = window.training.training_dock, window.document
    dock.rate.setCurrentText("0.05")
    assert doc.settings.rate == 0.05
    dock.rate.setCurrentText("3")
    assert doc.settings.rate == 3.0
    dock.optimizer.setCurrentIndex(dock.optimizer.findData("adam"))
    assert doc.settings.optimizer == "adam"
    dock.batch_mode.setCurrentIndex(dock.batch_mode.findData("online"))
    assert doc.settings.batch_size == 1 and dock.step_sample_button.isEnabled()
    dock.batch_mode.setCurrentIndex(dock.batch_mode.findData("mini"))
    dock.batch_size.setValue(3)
    assert doc.settings.batch_size == 3
    dock.batch_mode.setCurrentIndex(dock.batch_mode.findData("full"))
    assert doc.settings.batch_size is None and not dock.batch_size.isEnabled()
    dock.loss.setCurrentIndex(dock.loss.findData("mse"))
    dock.l2.setValue(0.001)
    dock.max_epochs.setValue(1234)
    dock.target_error.setValue(0.01)
    dock.patience.setValue(50)
    dock.shuffle_seed.setValue(7)
    s = doc.settings
    assert (s.cost, s.l2, s.epochs, s.target_error, s.patience, s.seed) == ("mse", 0.001, 1234, 0.01, 50, 7)
    assert s.dtype == "float64"
    dock.precision.setCurrentIndex(dock.precision.findData("float32"))
    assert doc.settings.dtype == "float32" and dock.precision.objectName() == "precision"


def test_new_init_seed_gives_new_weights(window):
    dock, doc = window.training.training_dock, window.document
    before, seed = doc.network.get_params(), doc.init_seed
    dock.findChild(type(dock.step_sample_button), "initSeedNew").click()
    assert doc.init_seed != seed and dock.init_seed.value() == doc.init_seed
    assert not np.allclose(doc.network.params, before)


def test_error_plot_curves_readout_log_and_previous_run(window):
    plot, doc = window.training.error_plot, window.document
    doc.history.extend(1, np.linspace(1.0, 0.1, 100))
    doc.history.add_test(100, 0.2)
    doc.historyChanged.emit()
    x, y = plot.train_curve.getData()
    assert np.array_equal(x, np.arange(1, 101)) and np.allclose(y, np.linspace(1.0, 0.1, 100))
    assert plot.readout_at(50.2) == f"epoch 50 · error {np.linspace(1.0, 0.1, 100)[49]:.5g} · test 0.2"
    plot.log_scale.setChecked(True)
    assert plot.plot.getPlotItem().ctrl.logYCheck.isChecked()
    assert plot.accuracy_label.text().startswith("accuracy ")
    doc.reset_weights()
    px, _py = plot.previous_curve.getData()
    assert len(px) == 100 and len(plot.train_curve.getData()[0] or []) == 0


def test_data_table_shows_live_outputs_and_edits_in_place(qtbot, window):
    table, doc = window.training.data_table, window.document
    model = table.model
    assert model.rowCount() == 4 and model.headers == ["a", "b", "target", "output", "error"]
    outputs = doc.network.predict(doc.dataset.X)
    assert model.index(1, 3).data() == f"{outputs[1, 0]:.4g}"
    loss_value = float(model.index(1, 4).data())
    assert loss_value > 0
    assert model.setData(model.index(0, 2), "1")
    assert doc.dataset.Y[0, 0] == 1.0
    assert not model.setData(model.index(0, 2), "x")
    model.add_row()
    assert len(doc.dataset) == 5
    model.remove_rows([4])
    assert len(doc.dataset) == 4
    params = doc.network.get_params()
    params[0] += 1.0
    doc.set_params(params)
    # the table refreshes at most every SLOW_VIEW_MS; the last change always shows
    expected = f"{doc.network.predict(doc.dataset.X)[2, 0]:.4g}"
    qtbot.waitUntil(lambda: model.index(2, 3).data() == expected, timeout=2000)
    doc.set_training(True)
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable


def test_selecting_a_row_fills_try_it(window):
    panel, doc = window.training, window.document
    panel.data_table.select_row(2)
    assert np.array_equal(panel.try_it.values(), doc.dataset.X[2])
    expected = doc.network.predict(doc.dataset.X[2])[0]
    assert panel.try_it.output_labels[0].text() == f"{expected:.5f}"


def test_try_it_outputs_follow_typing_and_training(window):
    try_it, doc = window.training.try_it, window.document
    try_it.input_boxes[0].setValue(0.25)
    try_it.input_boxes[1].setValue(0.75)
    x = np.array([0.25, 0.75])
    assert try_it.output_labels[0].text() == f"{doc.network.predict(x)[0]:.5f}"
    doc.reset_weights(seed=99)
    assert try_it.output_labels[0].text() == f"{doc.network.predict(x)[0]:.5f}"


def test_try_it_outputs_change_without_laying_the_panel_out_again(window, qtbot):
    """Each frame sets new output texts; a label that changed size made the whole scroll area lay out again."""
    window.show()
    try_it, doc, controller = window.training.try_it, window.document, window.training.controller
    label = try_it.output_labels[0]
    layouts = []

    class Counter(QObject):
        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.LayoutRequest:
                layouts.append(watched)
            return False

    counter = Counter()
    label.parentWidget().installEventFilter(counter)
    texts = []
    controller.frameReady.connect(lambda _frame: texts.append(label.text()))
    doc.set_settings(TrainSettings(target_error=0.0, epochs=10**9, speed=0, rate=0.002))  # outputs keep moving
    controller.train()
    qtbot.waitUntil(lambda: len(set(texts)) >= 8, timeout=20000)
    controller.stop()
    assert len(layouts) <= 1, f"{len(layouts)} relayouts for {len(set(texts))} new outputs"
    assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())  # never clipped


def test_decision_surface_comes_from_the_network(window):
    heatmap, doc = window.training.heatmap, window.document
    n = SURFACE_RESOLUTION
    expected = doc.network.predict(grid(plane_extent(doc), n))[:, 0].reshape(n, n)
    assert np.allclose(heatmap.surface, expected)
    doc.set_dataset(datasets.generate("spiral", n=60, seed=1, test_fraction=0.25))
    assert len(heatmap.train_points.data) == 45 and len(heatmap.test_points.data) == 15
    images = neuron_images(doc)
    assert [len(images[layer.id]) for layer in doc.network.layers] == [2, 3, 1]
    assert images["L2"][0].width() == images["L2"][0].height() > 8
    doc.set_dataset(datasets.sine())  # one input: no plane to draw
    assert heatmap.surface is None and heatmap.note.text()


def test_set_weight_is_one_undoable_step(window):
    panel, doc = window.training, window.document
    old = float(doc.network.weights["L1->L2"][1, 2])
    panel.set_weight("L1->L2", 1, 2, 4.5)
    assert doc.network.weights["L1->L2"][1, 2] == 4.5
    doc.undo_stack.undo()
    assert doc.network.weights["L1->L2"][1, 2] == old
    doc.undo_stack.redo()
    assert doc.network.weights["L1->L2"][1, 2] == 4.5


def test_closing_mid_training_stops_the_thread_quickly_and_quietly(qtbot, qtlog, window):
    doc, controller = window.document, window.training.controller
    doc.set_settings(TrainSettings(target_error=0.0, epochs=10**9))
    window.show()
    controller.train()
    qtbot.waitUntil(lambda: doc.history.last_epoch > 20, timeout=5000)
    thread = controller.thread
    window.close()
    assert thread.isFinished() and controller.thread is None and controller.state == IDLE
    qtbot.wait(50)
    noise = "propagateSizeHints"  # the offscreen platform's own remark on showing a window
    warnings = [r.message for r in qtlog.records if noise not in r.message]
    assert warnings == []


def test_throttle_runs_at_once_drops_bursts_and_keeps_the_last_call(qtbot, monkeypatch):
    from nnstudio.ui.training import throttle as throttle_module

    # the burst comes within one interval by construction: the throttle's clock stands still (a busy
    # machine could otherwise pause this loop for longer than the interval)
    monkeypatch.setattr(throttle_module, "time", types.SimpleNamespace(perf_counter=lambda: 1000.0))
    calls = []
    throttle = throttle_module.Throttle(lambda: calls.append(True), 100)
    for _ in range(20):
        throttle()
    assert len(calls) == 1, "the first call runs at once, the burst after it is dropped"
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=1000)  # the trailing call
    qtbot.wait(300)
    assert len(calls) == 2
