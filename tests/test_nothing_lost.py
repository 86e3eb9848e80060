"""Nothing lost in the window: every edit is an undo step, opening is all or nothing, autosave, close prompt."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from nnstudio.core import TrainSettings
from nnstudio.io.project import load_project, save_project
from nnstudio.ui import MainWindow
from nnstudio.ui.files import AUTOSAVE_IDLE_MS, AUTOSAVE_MAX_WAIT_MS
from nnstudio.ui.training.controller import RUNNING

CANCEL = QMessageBox.StandardButton.Cancel


@pytest.fixture
def errors(window):
    shown: list[str] = []
    window.show_error = lambda title, text: shown.append(f"{title}: {text}")
    return shown


def type_into(qtbot, widget, text: str) -> None:
    """Select the box's text and type ``text`` key by key, then leave the box (Return)."""
    widget.setFocus()
    line = widget.lineEdit()
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


# -- every edit is one undo step -----------------------------------------------------------------
def test_typing_a_learning_rate_is_one_undo_step(qtbot, window):
    doc, dock = window.document, window.training.training_dock
    old, count = doc.settings.rate, doc.undo_stack.count()
    type_into(qtbot, dock.rate, "0.25")
    assert doc.settings.rate == 0.25 and doc.undo_stack.count() == count + 1
    type_into(qtbot, dock.l2, "0.0125")
    assert doc.settings.l2 == 0.0125 and doc.undo_stack.count() == count + 2
    window.actions["undo"].trigger()
    assert doc.settings.l2 == 0 and dock.l2.value() == 0 and doc.settings.rate == 0.25
    window.actions["undo"].trigger()
    assert doc.settings.rate == old and dock.rate.currentText() == f"{old:g}"
    window.actions["redo"].trigger()
    assert doc.settings.rate == 0.25 and dock.rate.currentText() == "0.25"


@pytest.mark.parametrize(("widget", "field", "value"), [
    ("optimizer", "optimizer", "adam"), ("loss", "cost", "mse"), ("batchMode", "batch_size", 1),
    ("precision", "dtype", "float32"),
])
def test_each_learning_choice_is_undoable(window, widget, field, value):
    doc, dock = window.document, window.training.training_dock
    combo = {"optimizer": dock.optimizer, "loss": dock.loss, "batchMode": dock.batch_mode,
             "precision": dock.precision}[widget]
    old = getattr(doc.settings, field)
    combo.setCurrentIndex(combo.findData("online" if widget == "batchMode" else value))
    assert getattr(doc.settings, field) == value
    window.actions["undo"].trigger()
    assert getattr(doc.settings, field) == old
    assert combo.currentData() == ("full" if widget == "batchMode" else old)


def test_stop_criteria_and_the_shuffling_seed_are_undoable(qtbot, window):
    doc, dock = window.document, window.training.training_dock
    before = doc.settings
    type_into(qtbot, dock.max_epochs, "1234")
    type_into(qtbot, dock.target_error, "0.02")
    type_into(qtbot, dock.shuffle_seed, "77")
    assert (doc.settings.epochs, doc.settings.target_error, doc.settings.seed) == (1234, 0.02, 77)
    for _ in range(3):
        window.actions["undo"].trigger()
    assert doc.settings == before


def test_dataset_choice_and_generator_settings_are_undo_steps(qtbot, window):
    doc, dock = window.document, window.training.training_dock
    circle = dock.dataset_combo.findData("gen:circle")
    dock.dataset_combo.setCurrentIndex(circle)
    dock.dataset_combo.activated.emit(circle)
    assert doc.dataset.name == "circle"
    points = doc.dataset.X.copy()
    type_into(qtbot, dock.noise, "0.3")
    assert doc.generator_noise == 0.3 and not np.array_equal(doc.dataset.X, points)
    type_into(qtbot, dock.data_seed, "5")
    assert doc.data_seed == 5
    window.actions["undo"].trigger()
    assert doc.data_seed == 0 and dock.data_seed.value() == 0
    window.actions["undo"].trigger()  # the noise, typed key by key, is one step
    assert doc.generator_noise == 0 and dock.noise.value() == 0 and np.array_equal(doc.dataset.X, points)
    window.actions["undo"].trigger()
    assert doc.dataset.name == "XOR" and dock.dataset_combo.currentData() == "gate:xor"


def test_a_hand_edited_table_is_custom_data_in_the_window_and_the_file(window, tmp_path):
    doc, dock, model = window.document, window.training.training_dock, window.training.data_table.model
    assert model.setData(model.index(0, 2), 1.0)  # XOR's first target, 0 → 1
    assert doc.dataset.name == "Custom" and dock.dataset_combo.currentText() == "Custom"
    path = tmp_path / "custom.nnstudio"
    assert window.save_to(str(path))
    assert json.loads(path.read_text())["dataset"]["name"] == "Custom"
    assert load_project(path).dataset.Y[0, 0] == 1.0
    window.actions["undo"].trigger()
    assert doc.dataset.name == "XOR" and doc.dataset.Y[0, 0] == 0 and dock.dataset_combo.currentText() == "XOR"
    assert window.open_path(str(path), ask=False)
    assert window.training.training_dock.dataset_combo.currentText() == "Custom"


def test_adding_and_removing_rows_are_undo_steps(window):
    doc, table = window.document, window.training.data_table
    count = doc.undo_stack.count()
    assert table.model.add_row()
    assert len(doc.dataset) == 5 and doc.undo_stack.count() == count + 1
    assert table.model.remove_rows([0, 1])
    assert len(doc.dataset) == 3
    window.actions["undo"].trigger()
    assert len(doc.dataset) == 5
    window.actions["undo"].trigger()
    assert len(doc.dataset) == 4 and doc.dataset.name == "XOR"
    assert table.model.rowCount() == 4


def test_the_same_value_typed_again_is_no_edit(window):
    doc, model = window.document, window.training.data_table.model
    count = doc.undo_stack.count()
    assert model.setData(model.index(1, 0), float(doc.dataset.X[1, 0]))
    assert doc.undo_stack.count() == count and doc.dataset.name == "XOR"


# -- opening is all or nothing ----------------------------------------------------------------------
def unsaved_work(window, tmp_path):
    path = tmp_path / "mine.nnstudio"
    assert window.save_to(str(path))
    window.editor.set_layer("L2", size=6)
    return path, path.read_bytes(), window.document.graph.to_dict(), window.document.undo_stack.count()


def assert_untouched(window, path, content, graph, count):
    doc = window.document
    assert doc.graph.to_dict() == graph and doc.path == str(path) and doc.modified
    assert doc.undo_stack.count() == count and window.isWindowModified()
    assert doc.network is not None and doc.network.n_params == 2 * 6 + 6 + 6 * 1 + 1
    assert window.save()  # Save writes the user's own work, never a half-opened network
    assert load_project(path).graph.layers["L2"].size == 6
    assert path.read_bytes() != content


def write_with(tmp_path, name: str, change) -> str:
    project = load_project_dict()
    change(project)
    path = tmp_path / name
    path.write_text(json.dumps(project))
    return str(path)


def load_project_dict() -> dict:
    from nnstudio.io.project import default_project

    return default_project().to_dict()


def _parallel(project: dict) -> None:
    project["graph"]["connections"].append({"id": "again", "source": "L1", "target": "L2", "kind": "all_to_all"})


def _bad_snapshots(project: dict) -> None:
    project["snapshots"] = {"format": "nnstudio-snapshots", "n_params": 13, "max_bytes": 10**6, "dense": 4,
                            "epochs": [1, 2], "errors": [0.5, 0.4], "params": "not base64!"}


def _huge_seed(project: dict) -> None:
    project["seeds"]["init"] = 10**30


def _huge_momentum(project: dict) -> None:
    project["settings"]["momentum"] = 10**400  # beyond any float


def _bad_generator(project: dict) -> None:
    project["generator"] = {"noise": "loud"}


@pytest.mark.parametrize("change", [_parallel, _bad_snapshots, _huge_seed, _huge_momentum, _bad_generator])
def test_a_project_the_window_cannot_hold_changes_nothing(window, errors, tmp_path, change):
    path, content, graph, count = unsaved_work(window, tmp_path)
    bad = write_with(tmp_path, "bad.nnstudio", change)
    assert not window.open_path(bad, ask=False)
    assert len(errors) == 1 and bad in errors[0]
    assert_untouched(window, path, content, graph, count)


def test_a_refused_project_leaves_a_running_training_running(qtbot, window, errors, tmp_path):
    doc, controller = window.document, window.training.controller
    doc.set_settings(TrainSettings(target_error=0.0, epochs=10**9))
    controller.train()
    bad = write_with(tmp_path, "bad.nnstudio", _parallel)
    assert not window.open_path(bad, ask=False)
    assert controller.state == RUNNING and controller.thread.isRunning() and len(errors) == 1
    controller.stop()


def test_a_project_that_fails_at_start_up_leaves_the_default_document(qtbot, tmp_path):
    bad = write_with(tmp_path, "bad.nnstudio", _parallel)
    window = MainWindow(bad)
    qtbot.addWidget(window)
    assert window.startup_error and bad in window.startup_error
    assert window.document.path is None and window.document.graph.layers["L2"].size == 3
    window.training.controller.shutdown(2000)


def test_a_good_project_still_opens(window, tmp_path):
    path = tmp_path / "good.nnstudio"
    project = load_project(write_with(tmp_path, "src.nnstudio", lambda p: p.update(name="good")))
    save_project(project, path)
    assert window.open_path(str(path), ask=False)
    assert window.document.path == str(path) and window.document.name == "good"


# -- autosave ----------------------------------------------------------------------------------------
def test_autosave_follows_an_edit_after_a_short_pause(qtbot, window):
    saver = window.autosaver
    assert (saver.idle_timer.interval(), saver.deadline_timer.interval()) == (AUTOSAVE_IDLE_MS, AUTOSAVE_MAX_WAIT_MS)
    assert AUTOSAVE_IDLE_MS <= 3_000 and AUTOSAVE_MAX_WAIT_MS <= 5_000
    saver.idle_timer.setInterval(20)
    with qtbot.waitSignal(saver.saved, timeout=10_000):
        window.editor.set_layer("L2", size=4)
    assert load_project(saver.path).graph.layers["L2"].size == 4


def test_autosave_waits_no_longer_than_its_deadline_while_edits_go_on(qtbot, window):
    saver = window.autosaver
    saver.idle_timer.setInterval(10**7)  # edits never pause
    saver.deadline_timer.setInterval(20)
    with qtbot.waitSignal(saver.saved, timeout=10_000):
        window.editor.set_layer("L2", size=4)
        window.editor.set_layer("L2", size=5)
    assert load_project(saver.path).graph.layers["L2"].size == 5


def test_a_failing_autosave_says_so_once_and_keeps_trying(qtbot, window, tmp_path):
    saver = window.autosaver
    good = saver.folder
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the autosave folder should be")
    saver.folder = blocker / "autosave"
    failures: list[str] = []
    saver.failed.connect(failures.append)
    window.editor.set_layer("L2", size=4)
    assert saver.autosave_now() is None and saver.autosave_now() is None
    assert len(failures) == 1 and "Autosave failed" in window.statusBar().currentMessage()
    saver.folder = good
    saver.idle_timer.setInterval(20)
    with qtbot.waitSignal(saver.saved, timeout=10_000):
        window.editor.set_layer("L2", size=5)
    assert saver.failure is None and load_project(saver.path).graph.layers["L2"].size == 5


# -- closing -----------------------------------------------------------------------------------------
def test_cancel_on_the_close_prompt_leaves_training_running(qtbot, window):
    doc, controller = window.document, window.training.controller
    window.show()
    window.editor.set_layer("L2", size=4)
    doc.set_settings(TrainSettings(target_error=0.0, epochs=10**9))
    window.ask_save_changes = lambda: CANCEL
    controller.train()
    qtbot.waitUntil(lambda: doc.history.last_epoch > 5, timeout=10_000)
    assert not window.close()
    assert window.isVisible() and controller.state == RUNNING and controller.thread.isRunning()
    epoch = doc.history.last_epoch
    qtbot.waitUntil(lambda: doc.history.last_epoch > epoch, timeout=10_000)  # still learning
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    assert window.close()
    assert controller.thread is None


def test_snapshots_that_do_not_fit_the_network_open_without_them_and_say_so(window, tmp_path):
    from nnstudio.core.snapshots import SnapshotStore

    store = SnapshotStore(5, 10**5)
    store.add(1, np.zeros(5))
    path = write_with(tmp_path, "other.nnstudio", lambda p: p.update(snapshots=store.to_dict()))
    assert window.open_path(path, ask=False)
    assert len(window.learning_tools.time_travel.store) == 0
    assert "do not fit the network" in window.training.status_label.text()


def test_a_project_the_loader_passed_but_the_document_cannot_hold_changes_nothing(window, errors, tmp_path,
                                                                                   monkeypatch):
    """The window's own check, whatever the loader lets through (importers and recovery give projects too)."""
    from nnstudio.core import Connection
    from nnstudio.io.project import default_project

    path, content, graph, count = unsaved_work(window, tmp_path)
    project = default_project()
    twin = Connection("L1", "L2", id="twin")
    project.graph.connections[twin.id] = twin  # a second connection between the same layers, past the graph's guard
    monkeypatch.setattr("nnstudio.ui.files.load_project", lambda _path: project)
    assert not window.open_path(str(tmp_path / "whatever.nnstudio"), ask=False)
    assert len(errors) == 1 and "whatever.nnstudio" in errors[0]
    assert_untouched(window, path, content, graph, count)


def test_a_table_edit_keeps_the_class_names_and_the_input_scaling(window):
    import dataclasses

    from nnstudio.core.scaling import InputScaling

    doc, model = window.document, window.training.data_table.model
    scaling = InputScaling("minmax", np.zeros(2), np.ones(2))
    doc.set_dataset(dataclasses.replace(doc.dataset, class_names=["true"], scaling=scaling))
    assert model.setData(model.index(2, 1), 0.5)
    assert doc.dataset.name == "Custom" and doc.dataset.X[2, 1] == 0.5
    assert doc.dataset.class_names == ["true"] and doc.dataset.scaling is scaling


def test_the_start_up_error_waits_for_the_question_in_front(qtbot, tmp_path, monkeypatch):
    """The offer to recover a crashed session is open when the window appears: the reason the project did not
    open comes after it is answered, not stacked on top of it."""
    from PySide6.QtWidgets import QApplication, QDialog

    bad = write_with(tmp_path, "bad.nnstudio", _parallel)
    window = MainWindow(bad)
    qtbot.addWidget(window)
    shown = []
    monkeypatch.setattr(window, "show_error",
                        lambda title, text: shown.append((title, text, QApplication.activeModalWidget())))
    question = QDialog(window)
    question.setModal(True)
    question.show()
    window.show()
    qtbot.waitExposed(window)
    for _ in range(3):  # the window's zero-delay timers run while the question is open: no error yet
        QApplication.processEvents()
    assert shown == []
    question.accept()
    qtbot.waitUntil(lambda: len(shown) == 1)
    title, text, in_front = shown[0]
    assert bad in text and in_front is None
    window.training.controller.shutdown(2000)
