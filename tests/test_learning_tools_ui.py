"""Restarts dialog, math inspector panel and time-travel slider, driven with pytest-qt."""

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from nnstudio.core import TrainingRun, TrainSettings
from nnstudio.core.inspector import inspect_neuron
from nnstudio.core.snapshots import SnapshotStore
from nnstudio.ui.learning.inspector_panel import InspectorPanel
from nnstudio.ui.learning.restarts_dialog import RestartsDialog
from nnstudio.ui.learning.time_travel_slider import TimeTravelSlider
from nnstudio.ui.model.document import Document


@pytest.fixture
def document(qtbot):
    return Document()  # XOR 2-3-1


def test_restarts_train_many_seeds_and_open_one_on_the_canvas(document, qtbot, tmp_path):
    dialog = RestartsDialog(document)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.count.setValue(40)
    dialog.start()
    assert dialog.running and not dialog.start_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.running, timeout=30_000)
    run = dialog.run
    assert run.population.size == 40 and run.n_training == 0
    assert f"{int(run.reached.sum())} of 40 runs reached" in dialog.summary.text()
    assert run.reached.sum() >= 30
    assert dialog.table.rowCount() == 40
    # the faint curves hold all 40 runs, the median one point per recorded epoch
    x, _ = dialog.all_curves.getData()
    assert len(x) == 40 * (len(dialog.buffer.epochs) + 1)
    assert len(dialog.median_curve.getData()[0]) == len(dialog.buffer.epochs)
    assert dialog.bars.opts["height"].sum() == 40
    # the best run is listed first; opening it puts its weights on the canvas
    dialog.table.selectRow(0)
    k = dialog.selected_run()
    assert run.final_errors[k] == np.nanmin(run.final_errors)
    with qtbot.waitSignal(document.weightsChanged):
        dialog.open_button.click()
    assert np.array_equal(document.network.params, run.params_of(k))
    dialog.grab().save(str(tmp_path / "restarts.png"))


def test_restarts_keep_the_event_loop_responsive_and_stop(document, qtbot):
    """Training runs on a worker thread: other events get their turn while the epochs go on.

    (How long a tick lasts is a speed figure: ``benchmarks/restarts_latency.py`` prints the event-loop latency.)
    """
    document.set_settings(TrainSettings(epochs=10**6, target_error=0.0))
    dialog = RestartsDialog(document)
    qtbot.addWidget(dialog)
    dialog.count.setValue(500)
    seen = []  # the epoch reached each time another timer got its turn

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: seen.append(dialog.run.epochs_done))
    dialog.start()
    timer.start()
    # a dialog that trained in one go would leave no turn to the timer until all 10^6 epochs were done
    qtbot.waitUntil(lambda: len(set(seen)) >= 5, timeout=30_000)
    timer.stop()
    assert dialog.running and seen == sorted(seen) and dialog.run.epochs_done < 10**6
    dialog.stop_button.click()
    assert not dialog.running
    assert dialog.run.reasons == ["stopped"] * 500


def test_restarts_train_off_the_gui_thread_and_report_a_failure(document, qtbot, monkeypatch):
    import threading

    from nnstudio.core.population import PopulationRun

    threads, advance = set(), PopulationRun._advance

    def recording(run, epochs):
        threads.add(threading.current_thread())
        return advance(run, epochs)

    monkeypatch.setattr(PopulationRun, "_advance", recording)
    dialog = RestartsDialog(document)
    qtbot.addWidget(dialog)
    dialog.count.setValue(8)
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=30_000)
    assert threads and threading.main_thread() not in threads
    assert dialog.table.rowCount() == 8 and "of 8 runs reached" in dialog.summary.text()

    def broken(run, epochs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(PopulationRun, "_advance", broken)
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=30_000)
    assert "simulated failure" in dialog.summary.text() and dialog.start_button.isEnabled()
    assert dialog.run.n_training == 0  # the runs were stopped, so they can be inspected and opened


def test_held_errors_keep_a_stopped_runs_last_error():
    from nnstudio.ui.learning.restarts_worker import held_errors

    nan = np.nan
    errors = np.array([[0.5, nan, 0.4], [0.3, nan, nan], [nan, 0.2, nan]])
    held = held_errors(errors, np.array([1.0, 0.9, np.inf]))
    np.testing.assert_array_equal(held, [[0.5, 0.9, 0.4], [0.3, 0.9, 0.4], [0.3, 0.2, 0.4]])


def test_inspector_panel_shows_the_cores_numbers_and_follows_training(document, qtbot, tmp_path):
    panel = InspectorPanel(document)
    qtbot.addWidget(panel)
    panel.show()
    net = document.network
    hidden = [layer for layer in net.layers if layer.role == "hidden"][0]
    panel.show_neuron(hidden.id, 1, row=2)
    expected = inspect_neuron(net, document.dataset, 2, hidden.id, 1, document.settings)
    assert panel.info == expected
    assert panel.table.rowCount() == len(expected.terms) + 1  # + bias
    assert panel.table.item(0, 4).text() == f"{expected.terms[0].gradient:.6g}"
    assert f"{expected.delta:.6g}" in panel.summary.text()
    # one online step of plain SGD: each weight moves by −rate × gradient, and the panel says so
    settings = TrainSettings(rate=0.3, optimizer="sgd", batch_size=1, shuffle=False, cost="bce")
    document.set_settings(settings)
    panel.show_neuron(hidden.id, 1, row=0)
    before = panel.info
    run = TrainingRun(net.copy(), document.dataset, settings)
    run.sample_step()
    document.set_params(run.net.params)
    moved = [float(panel.table.item(r, 6).text()) for r in range(len(before.terms))]
    np.testing.assert_allclose(moved, [t.change for t in before.terms], rtol=1e-5)
    panel.grab().save(str(tmp_path / "inspector_panel.png"))


def test_inspector_panel_for_an_input_neuron_and_a_changed_row(document, qtbot):
    panel = InspectorPanel(document)
    qtbot.addWidget(panel)
    net = document.network
    panel.show_neuron(net.input_layers[0].id, 0, row=3)
    assert panel.table.rowCount() == 0 and "input value a = <b>1</b>" in panel.summary.text()
    output = net.output_layers[0]
    panel.show_neuron(output.id, 0)
    panel.row_box.setValue(2)  # the box counts rows from 1, as the data table does
    assert panel.info.row == 1 and panel.info.layer_id == output.id
    assert "row 2:" in panel.title.text() and panel.row_box.minimum() == 1


def test_time_travel_slider_emits_exactly_the_recorded_params(qtbot, tmp_path):
    store = SnapshotStore(4, max_bytes=1 << 16)
    recorded = {e: np.array([e, e * 0.5, -e, 1.0 / e]) for e in range(1, 41)}
    for e, p in recorded.items():
        store.add(e, p, error=1.0 / e)
    slider = TimeTravelSlider(store)
    qtbot.addWidget(slider)
    assert slider.live and slider.epoch == 40 and not slider.continue_button.isEnabled()
    seen = []
    slider.paramsSelected.connect(lambda epoch, params: seen.append((epoch, params)))
    for index in (0, 9, 25, 39, 3):
        slider.slider.setValue(index)
    assert [e for e, _ in seen] == [1, 10, 26, 40, 4]
    for epoch, params in seen:
        assert np.array_equal(params, recorded[epoch])
    assert "epoch 4" in slider.label.text() and slider.continue_button.isEnabled()
    # new snapshots arrive while scrubbing: the slider stays on the shown epoch
    store.add(41, np.zeros(4))
    slider.refresh()
    assert slider.epoch == 4
    with qtbot.waitSignal(slider.continueRequested) as blocker:
        slider.continue_button.click()
    assert blocker.args == [4]
    tail_epochs, _ = slider.branch()
    assert tail_epochs.tolist() == list(range(5, 42)) and slider.live and slider.epoch == 4
    slider.show_epoch(2.2)
    assert seen[-1][0] == 2
    slider.resize(500, 40)
    slider.grab().save(str(tmp_path / "time_travel.png"))


def test_restarts_share_is_never_rounded_up_and_seeds_stay_in_range(document, qtbot):
    from nnstudio.io.limits import MAX_INT
    from nnstudio.ui.learning.restarts_dialog import share_text

    assert [share_text(199, 200), share_text(200, 200), share_text(1, 3), share_text(0, 7)] == [
        "99.5%", "100%", "33.3%", "0%"]
    dialog = RestartsDialog(document)
    qtbot.addWidget(dialog)
    dialog.count.setValue(1000)
    dialog.first_seed.setValue(MAX_INT)
    assert dialog.first_seed.value() + dialog.count.value() - 1 == MAX_INT  # the last seed still fits a file
