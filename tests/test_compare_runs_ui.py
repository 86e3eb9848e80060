"""View → Compare Runs: runs that end are kept, overlaid, compared, and their weights restored as one undo step."""

import dataclasses

import numpy as np

from nnstudio.core.runs import MAX_RUNS
from nnstudio.io.project import load_project
from nnstudio.ui.training.controller import IDLE


def train_until_it_stops(qtbot, window) -> None:
    controller = window.training.controller
    with qtbot.waitSignal(controller.runFinished, timeout=60_000):
        assert controller.train()
    assert controller.state == IDLE


def two_runs(qtbot, window) -> tuple[np.ndarray, np.ndarray]:
    """Two runs of the XOR network: rate 0.3, then (after Reset Weights) rate 2; their final weights."""
    doc = window.document
    doc.set_settings(dataclasses.replace(doc.settings, rate=0.3, epochs=300, target_error=0.0))
    train_until_it_stops(qtbot, window)
    first = doc.network.get_params().copy()
    window.training.controller.reset()
    doc.set_settings(dataclasses.replace(doc.settings, rate=2.0))
    train_until_it_stops(qtbot, window)
    return first, doc.network.get_params().copy()


def test_each_run_that_ends_is_kept_with_its_curve_and_weights(qtbot, window, tmp_path):
    doc = window.document
    first, second = two_runs(qtbot, window)
    assert len(doc.runs) == 2
    old, new = doc.runs
    assert (old.settings.rate, new.settings.rate) == (0.3, 2.0)
    assert old.epochs_trained == new.epochs_trained == 300 and old.reason == "max_epochs"
    assert old.epochs[0] == 1 and old.epochs[-1] == 300  # counted from each run's start
    assert new.train_error == doc.history.last_error
    assert new.accuracy == 1.0 and new.test_accuracy is None  # measured on the training thread; XOR has no test rows
    np.testing.assert_array_equal(np.concatenate([new.weights[k].ravel() for k in doc.network.specs]),
                                  np.concatenate([doc.network.param_dict()[k].ravel() for k in doc.network.specs]))
    assert window.save_to(str(tmp_path / "runs.nnstudio"))
    assert [run.settings.rate for run in load_project(tmp_path / "runs.nnstudio").runs] == [0.3, 2.0]


def test_the_dialog_overlays_the_runs_and_lists_what_differs(qtbot, window):
    two_runs(qtbot, window)
    window.actions["compareRuns"].trigger()
    dialog = window.learning_tools.compare_dialog
    assert dialog is not None and dialog.isVisible() and dialog.list.rowCount() == 2
    assert len(dialog.checked_runs()) == 2  # the newest two start ticked
    curves = [item for item in dialog.plot.plotItem.listDataItems()]
    assert len(curves) == 2 and {len(c.getData()[0]) for c in curves} == {len(window.document.runs[0].epochs)}
    labels = [dialog.differences.verticalHeaderItem(r).text() for r in range(dialog.differences.rowCount())]
    assert "rate" in labels and "init seed" not in labels  # Reset Weights keeps the init seed
    rate_row = labels.index("rate")
    assert [dialog.differences.item(rate_row, c).text() for c in range(2)] == ["2", "0.3"]  # newest first
    axis = dialog.plot.getAxis("left")
    assert axis.labelText == "error" and axis.autoSIPrefixScale == 1.0  # errors read as 0.69, not 690 (× 0.001)
    dialog.set_checked([1])
    assert len(dialog.plot.plotItem.listDataItems()) == 1 and dialog.differences.rowCount() == 0


def test_the_overlay_reads_errors_as_they_are_not_scaled_by_a_prefix(qtbot, window):
    """A cross-entropy of 0.6 reads 0.6 on the axis, as on the error plot, not 600 under "error (x0.001)"."""
    two_runs(qtbot, window)
    dialog = window.learning_tools.open_compare_runs()
    axis = dialog.plot.getAxis("left")
    highest = max(np.nanmax(c.getData()[1]) for c in dialog.plot.plotItem.listDataItems())
    assert highest < 1
    qtbot.waitUntil(lambda: dialog.plot.viewRange()[1] != [0, 1])  # the view has ranged over the curves
    assert axis.autoSIPrefixScale == 1.0 and "x0.001" not in axis.labelString()


def test_restoring_a_runs_weights_is_one_undo_step(qtbot, window):
    doc = window.document
    first, second = two_runs(qtbot, window)
    dialog = window.learning_tools.open_compare_runs()
    dialog.list.selectRow(1)  # the older run
    assert dialog.restore_button.isEnabled()
    history = doc.history.train.copy()
    steps = doc.undo_stack.count()
    assert dialog.restore_selected() is None
    np.testing.assert_array_equal(doc.network.get_params(), first)
    assert doc.undo_stack.count() == steps + 1 and "Restored the final weights of run #1" in doc.status
    window.actions["undo"].trigger()
    np.testing.assert_array_equal(doc.network.get_params(), second)
    np.testing.assert_array_equal(doc.history.train, history)
    window.actions["redo"].trigger()
    np.testing.assert_array_equal(doc.network.get_params(), first)


def test_a_restored_run_brings_its_own_curve_and_time_travel_starts_from_it(qtbot, window):
    doc, tools = window.document, window.learning_tools
    two_runs(qtbot, window)
    older, later = doc.runs[0], doc.runs[1]
    assert older.settings.rate == 0.3 and later.settings.rate == 2.0
    later_curve, later_snapshots = doc.history.train.copy(), len(tools.time_travel.store)
    dialog = tools.open_compare_runs()
    dialog.list.selectRow(1)  # the older run
    assert dialog.restore_selected() is None
    shown = [(int(e), float(v)) for e, v in zip(doc.history.epochs, doc.history.train, strict=True)]
    assert shown == [(e, v) for e, v in zip(older.epochs, older.train, strict=True) if v is not None]
    assert doc.history.last_epoch == older.epochs_trained
    store = tools.time_travel.store
    assert len(store) == 1 and store.last_epoch == older.epochs_trained  # its final weights, nothing later
    window.actions["undo"].trigger()  # the later run's curve and snapshots come back
    np.testing.assert_array_equal(doc.history.train, later_curve)
    assert len(tools.time_travel.store) == later_snapshots
    window.actions["redo"].trigger()
    assert doc.history.last_epoch == older.epochs_trained and len(tools.time_travel.store) == 1


def test_a_run_of_another_network_cannot_be_restored(qtbot, window):
    two_runs(qtbot, window)
    assert window.editor.set_layer("L2", size=5) is None
    dialog = window.learning_tools.open_compare_runs()
    dialog.list.selectRow(0)
    assert not dialog.restore_button.isEnabled()
    assert "trained on another network" in dialog.restore_selected()


def test_the_window_keeps_at_most_max_runs(window):
    doc = window.document
    from nnstudio.core.runs import RunRecord

    record = RunRecord(settings=doc.settings, init=doc.init, init_seed=0, data_seed=0, topology="2-3-1")
    for _ in range(MAX_RUNS + 3):
        doc.add_run(dataclasses.replace(record))
    assert len(doc.runs) == MAX_RUNS
    dialog = window.learning_tools.open_compare_runs()
    assert dialog.list.rowCount() == MAX_RUNS


def test_a_run_fed_other_features_is_not_restored_into_this_input_layer(qtbot, window):
    from pathlib import Path

    assert window.open_sample(Path(__file__).resolve().parents[1] / "samples" / "circle.nnstudio")
    window.document.set_settings(dataclasses.replace(window.document.settings, epochs=20))
    train_until_it_stops(qtbot, window)
    boxes = window.training.training_dock.feature_inputs
    boxes.toggles["x1^2"].setChecked(True)
    boxes.toggles["x1"].setChecked(False)  # two inputs again, but x2 and x1^2: the weights would fit
    dialog = window.learning_tools.open_compare_runs()
    dialog.list.selectRow(0)
    assert "fed the raw inputs" in dialog.restore_selected()
