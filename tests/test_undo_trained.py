"""Undo after training: a structural edit, a new dataset or Reset Weights, undone, brings the trained work back."""

import numpy as np
import pytest

from nnstudio.core import TrainSettings
from nnstudio.ui.model.trained_state import StateArchive
from nnstudio.ui.training.controller import IDLE


def train_until_it_stops(qtbot, window) -> None:
    controller = window.training.controller
    with qtbot.waitSignal(controller.runFinished, timeout=60_000):
        assert controller.train()
    assert controller.state == IDLE


def trained_picture(window) -> dict:
    doc = window.document
    return {
        "params": doc.network.get_params(),
        "epochs": doc.history.epochs.copy(),
        "train": doc.history.train.copy(),
        "last": (doc.history.last_epoch, doc.history.last_error),
        "status": window.training.status_label.text(),
        "snapshots": window.learning_tools.time_travel.store.epochs.copy(),
        "trained": doc.trained,
    }


def assert_same(picture: dict, other: dict) -> None:
    assert np.array_equal(picture["params"], other["params"])
    assert np.array_equal(picture["epochs"], other["epochs"])
    assert np.array_equal(picture["train"], other["train"])
    assert picture["last"] == other["last"] or np.isnan(picture["last"][1]) and picture["last"][0] == other["last"][0]
    assert picture["status"] == other["status"]
    assert np.array_equal(picture["snapshots"], other["snapshots"])
    assert picture["trained"] == other["trained"]


@pytest.mark.parametrize("change", [{"size": 5}, {"activation": "tanh"}])
def test_undo_of_an_edit_after_training_brings_back_weights_history_and_status(qtbot, window, change):
    doc = window.document
    train_until_it_stops(qtbot, window)
    trained = trained_picture(window)
    assert trained["status"].startswith("Target error reached") and len(trained["epochs"]) > 10
    assert window.editor.set_layer("L2", **change) is None
    edited = trained_picture(window)
    assert edited["status"] != trained["status"]  # the status no longer claims the old result
    window.actions["undo"].trigger()
    assert doc.graph.layers["L2"].size == 3 and doc.graph.layers["L2"].activation == "logistic"
    assert_same(trained_picture(window), trained)
    curve_x, _curve_y = window.training.error_plot.train_curve.getData()
    assert np.array_equal(curve_x, trained["epochs"])  # the error plot shows the trained curve again
    window.actions["redo"].trigger()
    assert all(getattr(doc.graph.layers["L2"], key) == value for key, value in change.items())
    assert_same(trained_picture(window), edited)


def test_training_after_the_edit_is_kept_for_redo(qtbot, window):
    train_until_it_stops(qtbot, window)
    before = trained_picture(window)
    window.editor.set_layer("L2", size=4)
    train_until_it_stops(qtbot, window)
    after = trained_picture(window)
    assert not np.array_equal(after["epochs"], before["epochs"])
    window.actions["undo"].trigger()
    assert_same(trained_picture(window), before)
    window.actions["redo"].trigger()
    assert_same(trained_picture(window), after)


def test_reset_weights_is_one_undo_step_that_brings_the_run_back(qtbot, window):
    doc = window.document
    train_until_it_stops(qtbot, window)
    trained = trained_picture(window)
    count = doc.undo_stack.count()
    window.actions["reset"].trigger()
    assert doc.undo_stack.count() == count + 1 and len(doc.history) == 0 and not doc.trained
    assert window.training.status_label.text().startswith("Reset to the initial weights")
    window.actions["undo"].trigger()
    assert_same(trained_picture(window), trained)
    window.actions["redo"].trigger()
    assert len(doc.history) == 0 and not doc.trained


def test_a_new_init_seed_is_undoable_with_the_seed(qtbot, window):
    doc, dock = window.document, window.training.training_dock
    train_until_it_stops(qtbot, window)
    trained = trained_picture(window)
    dock.init_seed.setValue(1234)
    dock.init_seed.editingFinished.emit()
    assert doc.init_seed == 1234 and not doc.trained
    window.actions["undo"].trigger()
    assert doc.init_seed == 0 and dock.init_seed.value() == 0
    assert_same(trained_picture(window), trained)


def test_undo_of_a_dataset_change_after_training_brings_the_trained_weights_back(qtbot, window):
    doc, dock = window.document, window.training.training_dock
    train_until_it_stops(qtbot, window)
    trained = trained_picture(window)
    dock.dataset_combo.setCurrentIndex(dock.dataset_combo.findData("gate:and"))
    dock.dataset_combo.activated.emit(dock.dataset_combo.currentIndex())
    assert doc.dataset.name == "AND"
    window.actions["undo"].trigger()
    assert doc.dataset.name == "XOR" and dock.dataset_combo.currentData() == "gate:xor"
    assert_same(trained_picture(window), trained)


def test_consecutive_edits_without_training_share_the_kept_weights(window):
    doc = window.document
    doc.set_settings(TrainSettings(epochs=10))
    window.editor.rename("L2", "Hidden A")
    window.editor.set_layer("L3", activation="tanh")
    window.editor.set_layer("L3", activation="relu")
    first, second = (cmd.before for cmd in (doc.undo_stack.command(1), doc.undo_stack.command(2)))
    assert all(first.blocks[key] is second.blocks[key] for key in first.blocks)


def test_the_kept_states_stay_within_the_memory_budget_and_the_newest_is_whole():
    archive = StateArchive(budget=3 * 8000)
    from nnstudio.core.history import ErrorHistory

    states = [archive.capture({"W": np.full(1000, float(k))}, True, set(), ErrorHistory(), "", {})
              for k in range(10)]
    assert archive.nbytes <= 3 * 8000
    assert not states[-1].released and states[0].released
    assert sum(not s.released for s in states) >= 2


def test_train_stop_reset_cycles_leave_no_runs_behind_and_keep_undo_memory_bounded(qtbot, window):
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    from nnstudio.ui.training.controller import RUNNING
    from nnstudio.ui.training.worker import TrainingWorker

    def workers() -> int:
        gc.collect()
        # type(), not isinstance(): isinstance asks a weak proxy for its class, which fails once its object is gone
        return sum(type(obj) is TrainingWorker for obj in gc.get_objects())

    doc, controller, actions = window.document, window.training.controller, window.actions
    alive = workers()  # other tests' windows may still be going away
    doc.set_settings(TrainSettings(target_error=0.0, epochs=10**9))
    doc.states.budget = 64 * 1024  # small, so that these cycles overfill it
    cycles = 25
    for _ in range(cycles):
        frames = controller.frames
        actions["train"].trigger()
        qtbot.waitUntil(lambda frames=frames: controller.state == RUNNING and controller.frames > frames,
                        timeout=20_000)
        actions["stop"].trigger()
        qtbot.waitUntil(lambda: controller.state == IDLE, timeout=20_000)
        actions["reset"].trigger()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert controller.thread is None
    assert workers() <= alive + 1  # the last run's thread object may still wait for its deferred delete
    assert doc.undo_stack.count() == cycles
    newest = doc.undo_stack.command(cycles - 1).before
    assert doc.states.nbytes <= doc.states.budget + newest.nbytes
    assert doc.undo_stack.command(0).before.released and not newest.released
    window.actions["undo"].trigger()  # the newest reset, undone, brings its run back
    assert doc.trained and len(doc.history) > 0


def test_over_budget_the_snapshots_of_old_states_go_before_their_weights():
    from nnstudio.core.history import ErrorHistory

    class Snapshots:
        nbytes = 10_000

    archive = StateArchive(budget=5 * 8000 + 10_000)
    states = [archive.capture({"W": np.full(1000, float(k))}, True, set(), ErrorHistory(), "", {"tt": Snapshots()})
              for k in range(5)]
    assert [bool(s.kept) for s in states] == [False, False, False, False, True]
    assert not any(s.released for s in states)  # every step still brings its weights and history back
