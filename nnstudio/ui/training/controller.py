"""The training controller: owns the worker thread and feeds its newest snapshot and frame to the GUI.

Snapshots arrive as queued signals, each with the frame the worker computed
for it; only the newest is kept (error arrays are merged so the curve loses
nothing, and a skipped frame's slow parts carry over) and a single ~30 Hz
timer on the GUI thread applies it: errors into the document's history,
parameters into the document's network, and the frame to the views
(``frameReady``), which only copy its numbers into widgets.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from collections import deque

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QThread, QTimer, Signal

from ...core.frames import Frame, ViewRequest, merged
from ...core.history import ErrorHistory
from ...core.runs import record_run
from ...core.snapshots import SnapshotStore
from ...core.training import Snapshot, TrainingRun, TrainSettings
from ..model.commands import push_reset
from ..model.document import Document
from .gui_thread_gc import collect_on_gui_thread
from .status import end_text, progress_text
from .worker import TrainingWorker

IDLE, RUNNING, PAUSED = "idle", "running", "paused"
#: seconds; Python's default is 5 ms
GIL_SWITCH_INTERVAL = 0.001
#: seconds between progress texts (a status bar that changes 30 times a second cannot be read anyway)
STATUS_INTERVAL = 0.25
#: seconds of recent progress the shown epochs/s is measured over
RATE_WINDOW = 2.0


class TrainingController(QObject):
    """Train / Pause / Step / Stop / Reset for one document."""

    stateChanged = Signal(str)  # IDLE, RUNNING or PAUSED
    statusChanged = Signal(str)
    frameApplied = Signal()  # a snapshot was applied to the document
    frameReady = Signal(object)  # the Frame the views show for the snapshot just applied
    runFinished = Signal(str)  # reason (a STOP_REASONS key)
    sampleStepped = Signal(int)  # index of the data row just trained on
    aboutToStart = Signal()  # a new run is about to copy the document's network (emitted synchronously)

    def __init__(self, document: Document, parent: QObject | None = None, frame_ms: int = 33,
                 request: ViewRequest | None = None):
        super().__init__(parent)
        collect_on_gui_thread()  # the worker thread must never be the one that frees the window's Qt objects
        self.document = document
        self.request = request  # what the views show: the worker computes frames for it
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None
        self._generation = 0
        self._state = IDLE
        self._status_time = 0.0
        self._switch_interval = sys.getswitchinterval()
        self._pending: Snapshot | None = None
        self._pending_frame: Frame | None = None
        self._pending_errors: list[tuple[int, np.ndarray]] = []
        self._epoch_offset = 0  # epochs in the history before this run began
        self._run_settings: TrainSettings | None = None  # what the run was started with (for the run list)
        self._run_init_seed = 0
        self._progress: deque[tuple[float, int]] = deque()  # (time, epoch) of recent frames
        self.epochs_per_second = 0.0
        self.frames = 0  # snapshots applied
        self.snapshots_received = 0
        self.last_reason: str | None = None
        self.last_epoch = 0  # the epoch the last run ended at (counted over the whole history)
        self.snapshot_store: SnapshotStore | None = None  # where runs record parameters for time travel
        self._timer = QTimer(self)
        self._timer.setInterval(frame_ms)
        self._timer.timeout.connect(self.apply_frame)
        document.settingsChanged.connect(self._on_settings_changed)

    # -- state --------------------------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def is_active(self) -> bool:
        """A run exists (running or paused)."""
        return self._thread is not None

    @property
    def thread(self) -> QThread | None:
        return self._thread

    @property
    def run(self):
        """The running :class:`TrainingRun` (owned by the worker thread: read, never write), or None."""
        return self._worker.run if self._worker is not None else None

    def _set_state(self, state: str) -> None:
        if state != self._state:
            if state != RUNNING:
                self._progress.clear()  # a pause is no part of the pace
            self._state = state
            self.stateChanged.emit(state)

    # -- commands -----------------------------------------------------------------------
    def train(self) -> bool:
        """Start a run, or resume a paused one."""
        if self._state == PAUSED:
            self._worker.request_resume()
            self._set_state(RUNNING)
            return True
        if self._state == RUNNING:
            return True
        if not self._start():
            return False
        self._worker.request_resume()
        self._set_state(RUNNING)
        return True

    def pause(self) -> None:
        if self._state == RUNNING:
            self._worker.request_pause()  # the worker answers with paused()

    def step(self, epochs: int = 1) -> bool:
        """Run one epoch then pause (starting a paused run when none exists)."""
        if self._thread is None and not self._start():
            return False
        self._worker.request_step(epochs)
        self._set_state(RUNNING)
        return True

    def step_sample(self) -> bool:
        """Train on one sample (one batch) and stay paused: online stepping."""
        if self._thread is None and not self._start():
            return False
        if self._state == RUNNING:
            self._worker.request_pause()
        self._worker.request_sample_step()
        self._set_state(PAUSED)
        return True

    def stop(self, wait_ms: int = 2000) -> None:
        """End the run; the weights reached so far stay in the document."""
        if self._worker is None:
            return
        self._worker.request_stop()
        self._join(wait_ms)

    def reset(self, seed: int | None = None) -> None:
        """Stop, then go back to the initial weights of ``seed`` (the current init seed); one undo step."""
        self.stop()
        push_reset(self.document, seed)
        self.statusChanged.emit(self.document.status)

    def set_speed(self, epochs_per_second: float) -> None:
        """Pace training at this many epochs per second (0: as fast as possible): the document's
        ``settings.speed``, which a running worker takes at once."""
        settings = self.document.settings
        if settings.speed != epochs_per_second:
            self.document.set_settings(dataclasses.replace(settings, speed=float(epochs_per_second)))

    def shutdown(self, wait_ms: int = 1000) -> bool:
        """Stop for good (the window is closing); True when the thread has ended."""
        self.stop(wait_ms)
        return self._thread is None

    # -- the run ------------------------------------------------------------------------
    def _start(self) -> bool:
        self.aboutToStart.emit()
        doc = self.document
        if doc.network is None:
            self.statusChanged.emit("Cannot train: " + "; ".join(doc.network_problems()))
            return False
        settings = TrainSettings.from_dict(doc.settings.to_dict())
        try:
            run = TrainingRun(doc.network.copy(), doc.dataset, settings)
        except ValueError as exc:
            self.statusChanged.emit(f"Cannot train: {exc}")
            return False
        self._generation += 1
        self._epoch_offset = doc.history.last_epoch
        self._run_settings, self._run_init_seed = TrainSettings.from_dict(settings.to_dict()), doc.init_seed
        self._pending, self._pending_frame, self._pending_errors = None, None, []
        self._progress.clear()
        worker = TrainingWorker(run, self._generation, store=self.snapshot_store, epoch_offset=self._epoch_offset,
                                request=self.request)
        worker.request_pause()  # train() or step() says how to go on
        thread = QThread()
        thread.setObjectName("trainingThread")
        worker.moveToThread(thread)
        thread.started.connect(worker.work)
        # quit() is thread-safe; calling it straight from the worker ends the loop without a GUI round trip
        worker.finished.connect(thread.quit, type=Qt.ConnectionType.DirectConnection)
        worker.failed.connect(thread.quit, type=Qt.ConnectionType.DirectConnection)
        worker.snapshotReady.connect(self._on_snapshot)
        worker.paused.connect(self._on_paused)
        worker.failed.connect(self._on_failed)
        worker.sampleStepped.connect(self._on_sample_stepped)
        thread.finished.connect(self._conclude)
        self._worker, self._thread = worker, thread
        doc.set_training(True)  # the one writer of the document's training state
        # the GUI thread waits for the GIL at each Qt call; a short switch interval keeps those waits short
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, GIL_SWITCH_INTERVAL))
        thread.start()
        self._timer.start()
        return True

    def _join(self, wait_ms: int) -> None:
        """Wait briefly for the thread to end; if it takes longer, its finished signal concludes."""
        thread = self._thread
        thread.quit()
        if thread.wait(wait_ms):
            self._conclude()

    def _conclude(self) -> None:
        """Close a run whose thread has ended (safe to call more than once)."""
        thread, worker = self._thread, self._worker
        if thread is None or not thread.isFinished():
            return
        self._thread = self._worker = None  # first: the queued events delivered below may call us again
        sys.setswitchinterval(self._switch_interval)
        # deliver snapshots still queued for us, in order, before dropping this generation
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)
        outcome = worker.outcome
        # the last frame's history, and the run's final weights, go to the document once
        self.apply_frame(final_params=None if outcome is None else outcome.params)
        self._generation += 1
        self._timer.stop()
        # the thread has ended, so a deleteLater() of the worker (which lives there) would never run:
        # the worker goes with its last Python reference instead
        thread.deleteLater()
        doc = self.document
        if outcome is not None:
            doc.mark_modified()
        doc.set_training(False)  # editing unlocks (and the results are autosaved)
        self._set_state(IDLE)
        if outcome is None:
            return  # failed: _on_failed already said why
        self.last_reason = outcome.reason
        epoch = self.last_epoch = self._epoch_offset + outcome.epoch
        error = doc.history.last_error if outcome.reason != "diverged" else math.nan
        doc.set_status(end_text(outcome.reason, epoch, error))
        self._record(outcome, worker.final_accuracies)
        self.statusChanged.emit(doc.status)
        self.runFinished.emit(outcome.reason)

    def _record(self, outcome: Snapshot, accuracies: tuple[float | None, float | None] | None) -> None:
        """Keep the run that just ended in the document's run list (a run that trained no epoch is not one)."""
        doc, settings = self.document, self._run_settings
        if outcome.epoch <= 0 or doc.network is None or settings is None:
            return
        doc.add_run(record_run(doc.network, doc.dataset, settings, run_curve(doc.history, self._epoch_offset),
                               init=doc.init, init_seed=self._run_init_seed, data_seed=doc.data_seed,
                               reason=outcome.reason or "stopped", seconds=outcome.elapsed, accuracies=accuracies))

    # -- news from the worker -------------------------------------------------------------
    def _on_snapshot(self, generation: int, snap: Snapshot, frame: Frame | None = None) -> None:
        if generation != self._generation:
            return
        self.snapshots_received += 1
        if len(snap.errors):
            self._pending_errors.append((snap.epoch - len(snap.errors) + 1, snap.errors))
        self._pending = snap  # older snapshots are simply replaced
        if frame is not None:
            older = self._pending_frame
            self._pending_frame = frame if older is None else merged(older, frame)

    def _on_paused(self, generation: int) -> None:
        # a pause answered after the user already resumed is stale
        if generation == self._generation and self._worker is not None and self._worker.is_paused():
            self._set_state(PAUSED)
            self.apply_frame()

    def _on_sample_stepped(self, generation: int, index: int, error: float) -> None:
        if generation == self._generation:
            self.apply_frame()
            self.sampleStepped.emit(index)

    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.statusChanged.emit(f"Training failed: {message}")

    def _on_settings_changed(self) -> None:
        if self._worker is not None:
            self._worker.update_settings(TrainSettings.from_dict(self.document.settings.to_dict()))

    # -- the frame timer ------------------------------------------------------------------
    def apply_frame(self, final_params: np.ndarray | None = None) -> None:
        """Apply the newest snapshot (if any) to the document; at the end of a run, with the final weights."""
        snap, frame = self._pending, self._pending_frame
        if snap is None and final_params is None:
            return
        self._pending, self._pending_frame = None, None
        worker = self._worker
        if worker is not None:
            worker.hold()
            # release after the repaints this frame schedules (they are posted events, as is this)
            QTimer.singleShot(0, lambda: QTimer.singleShot(0, worker.release))
        doc, offset = self.document, self._epoch_offset
        for first, errors in self._pending_errors:
            doc.history.extend(offset + first, errors)
        self._pending_errors = []
        if snap is not None and snap.test_error is not None and math.isfinite(snap.test_error):
            doc.history.add_test(offset + snap.epoch, snap.test_error)
        params = final_params if final_params is not None else snap.params
        if doc.network is not None and doc.network.n_params == params.size:
            doc.set_params(params)
        if snap is None:
            return  # the run ended between frames: nothing new for the history
        doc.historyChanged.emit()
        if frame is not None:
            self.frameReady.emit(frame)
        self._update_rate(snap.epoch)
        self.frames += 1
        now = time.perf_counter()
        if now - self._status_time >= STATUS_INTERVAL or self._thread is None or self._state == PAUSED:
            self._status_time = now
            self._emit_progress(snap)
        self.frameApplied.emit()

    def _emit_progress(self, snap: Snapshot) -> None:
        doc, offset = self.document, self._epoch_offset
        self.statusChanged.emit(progress_text(
            offset + snap.epoch, doc.history.last_error, self.epochs_per_second, snap.elapsed,
            snap.test_error, self._state if self._thread is not None else "done",
        ))

    def _update_rate(self, epoch: int) -> None:
        """The epochs/s shown: measured over the last ``RATE_WINDOW`` seconds of frames."""
        now = time.perf_counter()
        progress = self._progress
        progress.append((now, epoch))
        while len(progress) > 2 and now - progress[1][0] >= RATE_WINDOW:
            progress.popleft()
        first_epoch, span = progress[0][1], now - progress[0][0]
        if span >= 0.25:
            self.epochs_per_second = (epoch - first_epoch) / span


def run_curve(history: ErrorHistory, offset: int) -> ErrorHistory:
    """The part of ``history`` after epoch ``offset`` (one run's errors), its epochs counted from the run's start."""
    keep = history.epochs > offset
    tests = [(e - offset, v) for e, v in zip(history.test_epochs, history.test, strict=True) if e > offset]
    curve = ErrorHistory.from_dict({"stride": history.stride, "epochs": history.epochs[keep] - offset,
                                    "train": history.train[keep], "test_epochs": [e for e, _ in tests],
                                    "test": [v for _, v in tests]}, capacity=16)
    curve.last_epoch, curve.last_error = history.last_epoch - offset, history.last_error
    return curve
