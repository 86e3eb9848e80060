"""The training controller and its worker thread: pause, step, stop, reset, divergence, dropped snapshots."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from nnstudio.core.training import TrainingRun, TrainSettings
from nnstudio.ui.model.document import Document
from nnstudio.ui.training.controller import IDLE, PAUSED, RUNNING, TrainingController

ENDLESS = TrainSettings(target_error=0.0, epochs=10**9)


@pytest.fixture
def doc(qtbot):
    return Document()


@pytest.fixture
def controller(qtbot, doc):
    c = TrainingController(doc)
    yield c
    c.shutdown(2000)
    assert c.thread is None


def test_trains_xor_to_target_and_says_why(qtbot, doc, controller):
    messages = []
    controller.statusChanged.connect(messages.append)
    assert controller.train()
    assert controller.state == RUNNING and doc.training
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=10000)
    assert controller.last_reason == "target_error"
    assert not doc.training
    assert doc.history.last_error <= doc.settings.target_error
    assert np.array_equal(doc.history.epochs, np.arange(1, doc.history.last_epoch + 1))
    assert messages[-1].startswith(f"Target error reached at epoch {doc.history.last_epoch:,}")
    # the document holds the trained weights: XOR is solved
    assert np.allclose(doc.network.predict(doc.dataset.X).round(), doc.dataset.Y)


def test_step_after_pause_advances_exactly_one_epoch(qtbot, doc, controller):
    doc.set_settings(ENDLESS)
    controller.train()
    qtbot.waitUntil(lambda: doc.history.last_epoch > 20, timeout=5000)
    controller.pause()
    qtbot.waitUntil(lambda: controller.state == PAUSED, timeout=5000)
    epoch = doc.history.last_epoch
    qtbot.wait(150)
    assert doc.history.last_epoch == epoch, "a paused run must not advance"
    assert controller.run.epochs_done == epoch
    for k in range(1, 4):
        assert controller.step()
        qtbot.waitUntil(lambda: controller.state == PAUSED, timeout=5000)
        qtbot.wait(50)
        assert doc.history.last_epoch == epoch + k
        assert controller.run.epochs_done == epoch + k
        assert np.array_equal(doc.network.params, controller.run.net.params)


def test_resume_after_pause_continues_the_same_run(qtbot, doc, controller):
    doc.set_settings(ENDLESS)
    controller.train()
    qtbot.waitUntil(lambda: doc.history.last_epoch > 10, timeout=5000)
    controller.pause()
    qtbot.waitUntil(lambda: controller.state == PAUSED, timeout=5000)
    run, epoch = controller.run, doc.history.last_epoch
    controller.train()
    assert controller.state == RUNNING
    qtbot.waitUntil(lambda: doc.history.last_epoch > epoch + 10, timeout=5000)
    assert controller.run is run
    # one numbering from epoch 1 on, no restart (a long history keeps every k-th epoch)
    epochs = doc.history.epochs
    assert epochs[0] == 1 and (np.diff(epochs) > 0).all() and epochs[-1] > epoch


def test_online_sample_step_trains_one_sample(qtbot, doc, controller):
    settings = dataclasses.replace(ENDLESS, batch_size=1, shuffle=False)
    doc.set_settings(settings)
    reference = TrainingRun(doc.network.copy(), doc.dataset, dataclasses.replace(settings))
    stepped = []
    controller.sampleStepped.connect(stepped.append)
    for k in range(len(doc.dataset)):
        assert controller.step_sample()
        qtbot.waitUntil(lambda k=k: len(stepped) == k + 1, timeout=5000)
        index, _error = reference.sample_step()
        assert stepped[-1] == index
        assert np.allclose(doc.network.params, reference.net.params)
        # the epoch completes only with its last sample
        assert doc.history.last_epoch == (1 if k == len(doc.dataset) - 1 else 0)
    assert controller.state == PAUSED


def test_divergent_run_keeps_finite_weights_and_says_so(qtbot, doc, controller):
    # a linear output with rate 1000 blows up (a logistic output with BCE only saturates)
    doc.graph.set_layer("L3", activation="identity")
    doc.set_settings(TrainSettings(rate=1000.0, epochs=100_000))
    messages = []
    controller.statusChanged.connect(messages.append)
    controller.train()
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=10000)
    assert controller.last_reason == "diverged"
    assert np.isfinite(doc.network.params).all()
    assert messages[-1].startswith("Diverged at epoch ")
    assert "last finite weights are kept" in messages[-1] and "lower the learning rate" in messages[-1]


def test_stop_keeps_the_weights_reached(qtbot, doc, controller):
    doc.set_settings(ENDLESS)
    before = doc.network.get_params()
    controller.train()
    qtbot.waitUntil(lambda: doc.history.last_epoch > 50, timeout=5000)
    controller.stop()
    assert controller.state == IDLE and controller.thread is None and not doc.training
    assert controller.last_reason == "stopped"
    assert not np.allclose(doc.network.params, before)
    assert doc.modified


def test_reset_returns_to_the_same_initial_weights(qtbot, doc, controller):
    initial = doc.network.get_params()
    doc.set_settings(ENDLESS)
    controller.train()
    qtbot.waitUntil(lambda: doc.history.last_epoch > 50, timeout=5000)
    controller.reset()
    assert controller.state == IDLE
    assert np.array_equal(doc.network.params, initial)
    assert len(doc.history) == 0
    doc.reset_weights(seed=doc.init_seed + 1)
    assert not np.allclose(doc.network.params, initial)


def test_hundred_rapid_train_stop_reset_cycles(qtbot, doc, controller):
    initial = doc.network.get_params()
    doc.set_settings(ENDLESS)
    for k in range(100):
        controller.train()
        if k % 3 == 0:
            qtbot.wait(1)
        if k % 4 == 1:
            controller.pause()
        controller.stop()
        controller.reset()
        assert controller.thread is None
    qtbot.wait(100)  # late signals from the closed runs must be ignored
    assert controller.state == IDLE and not doc.training
    assert np.array_equal(doc.network.params, initial)
    assert len(doc.history) == 0


def test_settings_change_reaches_the_running_worker(qtbot, doc, controller):
    doc.set_settings(ENDLESS)
    controller.train()
    qtbot.waitUntil(lambda: doc.history.last_epoch > 5, timeout=5000)
    doc.set_settings(dataclasses.replace(ENDLESS, rate=0.01, optimizer="adam"))
    qtbot.waitUntil(lambda: controller.run.settings.rate == 0.01, timeout=5000)
    assert controller.run.settings.optimizer == "adam"
    assert controller.state == RUNNING


def test_older_snapshots_are_dropped_but_no_epoch_is_lost(qtbot, doc, controller):
    doc.set_settings(ENDLESS)
    controller.train()
    qtbot.waitUntil(lambda: doc.history.last_epoch > 5, timeout=5000)
    frames, received = controller.frames, controller.snapshots_received
    # the GUI is busy: no frame is drawn while several snapshots queue up (the run never ends, so they come);
    # only the queued snapshot signals are delivered (no timer runs), then one frame is drawn
    while controller.snapshots_received < received + 3:
        time.sleep(0.01)
        QCoreApplication.sendPostedEvents(controller, QEvent.Type.MetaCall)
    assert controller.frames == frames
    controller.apply_frame()
    assert controller.frames == frames + 1, "queued snapshots are merged into one frame"
    controller.stop()
    history = doc.history
    assert np.array_equal(history.epochs, np.arange(1, len(history) + 1)) or history.stride > 1
    assert history.last_epoch == controller.last_epoch


def test_speed_limit_paces_epochs(qtbot, doc, controller):
    """At 50 epochs a second, epoch k starts no sooner than (k - 1) / 50 s after the first one.

    Both checks are one-sided, so a busy machine (which only slows the run) cannot fail them:
    epoch 11 comes no sooner than 0.2 s after Train, and by any moment there are at most
    1 + 50 x (seconds since Train) epochs.  Unlimited, the worker runs thousands of XOR epochs in 0.2 s.
    """
    doc.set_settings(ENDLESS)
    controller.set_speed(50)
    start = time.perf_counter()
    controller.train()
    qtbot.waitUntil(lambda: doc.history.last_epoch >= 11, timeout=10000)
    epochs = doc.history.last_epoch
    elapsed = time.perf_counter() - start
    assert elapsed >= 10 / 50
    assert epochs <= 1 + 50 * elapsed
    controller.stop()


def test_a_run_writes_the_training_state_twice_and_its_final_weights_once(qtbot, monkeypatch):
    doc = Document()
    doc.set_settings(TrainSettings(epochs=40, target_error=0.0))
    c = TrainingController(doc)
    states, during_conclude = [], []
    doc.trainingChanged.connect(states.append)
    set_params, conclude = doc.set_params, c._conclude
    calls = []
    monkeypatch.setattr(doc, "set_params", lambda params, trained=True: (calls.append(params.copy()),
                                                                         set_params(params, trained)))

    def counted_conclude():
        before = len(calls)
        conclude()
        during_conclude.append(len(calls) - before)

    monkeypatch.setattr(c, "_conclude", counted_conclude)
    with qtbot.waitSignal(c.runFinished, timeout=10000):
        assert c.train()
    assert states == [True, False] and not doc.training
    assert sum(during_conclude) == 1  # the end of the run: one application, of the final weights
    assert np.array_equal(calls[-1], doc.network.get_params()) and doc.history.last_epoch == 40


def test_trains_in_float32_and_hands_back_the_weights(qtbot, doc, controller):
    doc.set_settings(dataclasses.replace(doc.settings, dtype="float32"))
    assert controller.train()
    assert controller.run.net.params.dtype == np.float32  # the worker's own copy of the network
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=10000)
    assert controller.last_reason == "target_error"
    assert np.allclose(doc.network.predict(doc.dataset.X).round(), doc.dataset.Y)


@pytest.mark.parametrize("compiled", [True, False])
def test_a_gui_that_never_says_it_has_drawn_loses_no_epoch(qtbot, doc, monkeypatch, compiled) -> None:
    """A worker whose GUI never says it has drawn (each wait ends at HOLD_LIMIT) hands over every epoch, in order;
    compiled epochs run on meanwhile, NumPy ones wait."""
    from PySide6.QtCore import Qt

    from nnstudio.core.frames import ViewRequest
    from nnstudio.ui.training import worker as worker_module
    from nnstudio.ui.training.worker import TrainingWorker

    monkeypatch.setattr(worker_module, "GIL_FREE_EPOCH", 1e-9)  # XOR's short epochs run on as long ones do
    if not compiled:
        monkeypatch.setenv("NNSTUDIO_JIT", "0")
    settings = dataclasses.replace(ENDLESS, epochs=3000)
    reference = TrainingRun(doc.network.copy(), doc.dataset, dataclasses.replace(settings)).run()
    run = TrainingRun(doc.network.copy(), doc.dataset, dataclasses.replace(settings))
    from nnstudio.core import kernels

    assert (run.kernel is not None) == (compiled and kernels.enabled())  # running on, or waiting
    worker = TrainingWorker(run, max_rate=1000.0, request=ViewRequest())
    snapshots = []
    worker.snapshotReady.connect(lambda _gen, snap, _frame: snapshots.append(snap), Qt.ConnectionType.DirectConnection)
    worker.hold()  # drawing, and release() never comes
    worker.work()  # in this thread, to the end of the run
    assert snapshots[-1].reason == "max_epochs"
    np.testing.assert_array_equal(np.concatenate([s.errors for s in snapshots]), reference.errors)
    epochs = [s.epoch for s in snapshots]
    assert epochs == sorted(epochs) and all(s.epoch - len(s.errors) >= 0 for s in snapshots)


def test_a_gui_always_drawing_gets_every_snapshot_of_short_epochs_and_time_travel_records(qtbot, doc) -> None:
    """A GUI that is always drawing when a snapshot comes: short compiled epochs hand over every snapshot with its
    frame, in order, losing no epoch; the compiled chunks record into the time-travel store up to the last epoch."""
    from PySide6.QtCore import Qt

    from nnstudio.core import kernels
    from nnstudio.core.frames import ViewRequest
    from nnstudio.core.snapshots import SnapshotStore
    from nnstudio.ui.training.worker import TrainingWorker

    if not kernels.enabled():
        pytest.skip("numba is not installed or NNSTUDIO_JIT=0")
    settings = dataclasses.replace(ENDLESS, epochs=200_000)
    reference = TrainingRun(doc.network.copy(), doc.dataset, dataclasses.replace(settings)).run()
    run = TrainingRun(doc.network.copy(), doc.dataset, dataclasses.replace(settings))
    store = SnapshotStore(run.net.n_params, 400 * (8 * run.net.n_params + 16))
    worker = TrainingWorker(run, max_rate=60.0, request=ViewRequest(), store=store, epoch_offset=7)
    produced = []
    snapshots = run.snapshots
    run.snapshots = lambda *a, **k: (produced.append(s) or s for s in snapshots(*a, **k))
    handed = []

    def drawn(_generation, snap, frame) -> None:
        assert frame is not None and frame.epoch == snap.epoch
        handed.append(snap)
        worker.hold()  # the GUI draws this one as the next comes

    worker.snapshotReady.connect(drawn, Qt.ConnectionType.DirectConnection)
    worker.hold()
    worker.work()  # in this thread, to the end of the run
    assert handed[-1].reason == "max_epochs" and len(handed) == len(produced) > 3
    np.testing.assert_array_equal(np.concatenate([s.errors for s in handed]), reference.errors)
    assert store.last_epoch == 7 + 200_000 and store.stride > 1 and len(store) > 300
    epoch, params = store.nearest(7 + 200_000)
    np.testing.assert_array_equal(params, reference.params)
