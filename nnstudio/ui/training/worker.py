"""The training worker: runs the core's snapshot generator on a QThread and computes the views' frames.

The worker never touches widgets or the document.  The GUI thread talks to
it through thread-safe flags (pause, stop, step, new settings) that the
core's generator consults between epochs through its ``stop`` callable, and
through a :class:`ViewRequest` saying what is on screen; the worker answers
with signals that Qt queues to the GUI thread, each snapshot with the
:class:`Frame` the views show for it.  The pace (``settings.speed``) is kept
by the core's :class:`EpochPacer`, whose waits end early for a pause or a stop.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time

import numpy as np
from PySide6.QtCore import QObject, Signal

from ...core.blas_threads import limit_to_one_thread
from ...core.frames import SLOW_PARTS, Frame, FrameBuilder, ViewRequest, merged
from ...core.pacing import EpochPacer
from ...core.runs import final_accuracies
from ...core.slow_parts import SlowParts, worth_a_thread
from ...core.snapshots import ChunkRecorder, SnapshotStore
from ...core.training import Snapshot, TrainingRun, TrainSettings

#: the longest the worker waits for the GUI to finish a frame (seconds)
HOLD_LIMIT = 0.05
#: compiled epochs at least this long (seconds) go on while the GUI draws: they hardly need the GIL.  Shorter
#: ones come in short chunks whose Python glue would contend with the GUI for it (XOR: 30 -> 23 frames/s)
GIL_FREE_EPOCH = 0.002
#: the worker builds a frame while the GUI draws only when at least this many epochs fit in a snapshot interval
SHORT_EPOCHS = 4
#: snapshots per second; twice the GUI's frame rate so every frame finds a fresh one
SNAPSHOT_RATE = 60.0
#: seconds between frames carrying the parts that cost a pass over the dataset or a grid (see SLOW_PARTS)
SLOW_PARTS_INTERVAL = 0.1
#: and at least this many times the time they took: they never take more than a fifth of the worker's time (or,
#: for big data, of the helper thread's core)
SLOW_PARTS_SHARE = 5.0


class TrainingWorker(QObject):
    """Drives one :class:`TrainingRun`; call :meth:`work` from the thread's ``started`` signal."""

    # every signal carries the worker's generation so the GUI can drop news from a run it already closed
    snapshotReady = Signal(int, object, object)  # generation, Snapshot (progress since the previous one), Frame
    sampleStepped = Signal(int, int, float)  # generation, index of the sample just trained on, its error
    paused = Signal(int)
    finished = Signal(int)  # the outcome is in ``outcome``
    failed = Signal(int, str)

    def __init__(self, run: TrainingRun, generation: int = 0, max_rate: float = SNAPSHOT_RATE, *,
                 store: SnapshotStore | None = None, epoch_offset: int = 0, request: ViewRequest | None = None):
        super().__init__()
        self.run = run
        self.request = request
        self._builder: FrameBuilder | None = None
        self._slow_parts: SlowParts | None = None  # the slow parts' helper thread, for big data
        self._slow_due = 0.0  # when the next frame carries the slow parts
        self.generation = generation
        self.max_rate = max_rate
        # time travel: parameters are recorded into ``store`` at epoch ``epoch_offset + run.epochs_done``
        self.store = store
        self.epoch_offset = epoch_offset
        # the run's next epoch worth recording; between those only the newest is recorded, at each snapshot
        self._record_at = store.next_kept_epoch - epoch_offset if store is not None else math.inf
        # compiled chunks record for themselves: they need not stop at every epoch worth recording
        run.recorder = ChunkRecorder(store, epoch_offset) if store is not None else None
        self.outcome: Snapshot | None = None  # the last snapshot, set when the run ends
        self.final_accuracies: tuple[float | None, float | None] | None = None  # (train, test), at the end
        self._cond = threading.Condition()
        self._stop = False
        self._pause = False
        self._epoch_budget: int | None = None  # epochs to run before pausing again (Step), as asked
        self._step_target: int | None = None  # the run's epoch at which that step ends
        self._sample_steps = 0
        self._settings: TrainSettings | None = None
        self._gui_busy = False
        self.pacer = EpochPacer(run.settings.speed, sleep=self._pace_sleep)

    # -- called from the GUI thread ------------------------------------------------------
    def request_stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()

    def request_pause(self) -> None:
        with self._cond:
            self._pause = True
            self._cond.notify_all()

    def request_resume(self) -> None:
        with self._cond:
            self._pause = False
            self._epoch_budget = self._step_target = None
            self._cond.notify_all()

    def request_step(self, epochs: int = 1) -> None:
        """Run exactly ``epochs`` more epochs, then pause."""
        with self._cond:
            self._pause = False
            self._epoch_budget = epochs
            self._cond.notify_all()

    def request_sample_step(self) -> None:
        """Train on the next sample (batch) only, then stay paused."""
        with self._cond:
            self._pause = True
            self._sample_steps += 1
            self._cond.notify_all()

    def hold(self) -> None:
        """The GUI is drawing a frame: wait between epochs until :meth:`release` (or ``HOLD_LIMIT``).

        Both threads need the GIL; without this, every Qt call that releases the
        GIL in the GUI thread hands it to the worker for a whole switch interval
        (5 ms), and a frame of a few milliseconds stretches to a hundred.  The
        compiled kernel releases the GIL, so its long epochs (``GIL_FREE_EPOCH``)
        go on while the GUI draws; the worker's Python (NumPy epochs, short
        chunks, building the next frame) waits.
        """
        with self._cond:
            self._gui_busy = True

    def release(self) -> None:
        with self._cond:
            self._gui_busy = False
            self._cond.notify_all()

    def update_settings(self, settings: TrainSettings) -> None:
        """New hyperparameters (and pace), applied before the next epoch."""
        with self._cond:
            self._settings = settings
            self._cond.notify_all()  # a long wait for the old pace ends

    def is_paused(self) -> bool:
        with self._cond:
            return self._pause and not self._stop

    # -- the worker thread ---------------------------------------------------------------
    def work(self) -> None:
        limit_to_one_thread()  # the window needs a core of its own (see core.blas_threads)
        try:
            self._loop()
        except Exception as exc:  # a bug or a bad setting must not kill the thread silently
            self.failed.emit(self.generation, f"{type(exc).__name__}: {exc}")
        finally:
            self._close_slow_parts()

    def _loop(self) -> None:
        run = self.run
        while True:
            if not self._wait_until_wanted():
                self._finish(self._final_snapshot("stopped"))
                return
            if self._has_sample_step():
                if self._sample_step():
                    return
                continue
            last: Snapshot | None = None
            self.pacer.restart()  # after a pause the pace starts afresh, with no burst to catch up
            for snap in run.snapshots(self._should_halt, max_rate=self.max_rate, check_every=self._check_every,
                                      pacer=self.pacer, split_epochs=True):
                self._record()
                last = snap
                if snap.reason is None:
                    self._emit(snap, may_wait=False)
            if last.reason == "stopped" and not self._stop:
                # halted for a pause or the end of a step: hand over the progress and wait
                last.reason = None
                self._emit(last)
                continue
            self._finish(last)
            return

    def _finish(self, last: Snapshot) -> None:
        self._record()
        # measured here, not on the GUI thread: a 60,000-row dataset takes a while (the run list keeps them)
        self.final_accuracies = final_accuracies(self.run.net, self.run.raw_data)
        self.outcome = last
        self._emit(last)
        self.finished.emit(self.generation)

    def _emit(self, snap: Snapshot, may_wait: bool = True) -> None:
        """Hand ``snap`` to the GUI with its frame, built once the GUI has drawn the previous one.

        Unless ``may_wait`` and the epochs are short and compiled: then the next snapshot comes within
        ~1/60 s and its chunk runs without the GIL, so the frame is built at once (waiting for the GUI
        here cost XOR a tenth of its epochs; keeping the snapshot back instead cost a third of the frames).
        """
        if may_wait or not (self._gil_free_next() and self._next_snapshot_soon()):
            self._wait_for_gui()
        self.snapshotReady.emit(self.generation, snap, self.frame(snap.epoch, snap.params))

    def frame(self, epoch: int, params: np.ndarray) -> Frame | None:
        """What the views asked for, for ``params`` (None without a view request); the slow parts only
        a few times a second, for big data on a helper thread (core.slow_parts) and merged in when done.
        (When the run pauses or ends the views compute from the document.)"""
        if self.request is None:
            return None
        run = self.run
        if self._builder is None or self._builder.loss.name != run.loss.name:
            self._builder = FrameBuilder(run.net, run.raw_data, run.loss.name)
            self._close_slow_parts()
            if worth_a_thread(run.net, run.raw_data):
                self._slow_parts = SlowParts(run.net, run.raw_data, run.loss.name)
        request = self.request.current()
        start = time.monotonic()
        slow = start >= self._slow_due
        helper = self._slow_parts
        if helper is not None:
            if slow and helper.submit(request, params, epoch):
                self._slow_due = math.inf  # until the job is done
            done = helper.take()
            if done is not None:
                self._slow_due = time.monotonic() + max(SLOW_PARTS_INTERVAL, SLOW_PARTS_SHARE * helper.seconds)
            frame = self._builder.build(dataclasses.replace(request, **SLOW_PARTS), params, epoch)
            return frame if done is None else merged(done, frame)
        if not slow:
            request = dataclasses.replace(request, **SLOW_PARTS)
        frame = self._builder.build(request, params, epoch)
        if slow:
            now = time.monotonic()
            self._slow_due = now + max(SLOW_PARTS_INTERVAL, SLOW_PARTS_SHARE * (now - start))
        return frame

    def _close_slow_parts(self) -> None:
        if self._slow_parts is not None:
            self._slow_parts.close()
            self._slow_parts = None

    def _final_snapshot(self, reason: str) -> Snapshot:
        run = self.run
        return Snapshot(run.epochs_done, np.empty(0), run.net.params.copy(), run.test_error(),
                        run.current_rate(), run.elapsed, reason)

    def _wait_until_wanted(self) -> bool:
        """Block while paused; False when a stop was asked for."""
        with self._cond:
            self._apply_settings()
            if self._pause and not self._stop and not self._sample_steps:
                self.paused.emit(self.generation)  # queued: the GUI hears it once we are waiting
            while self._pause and not self._stop and not self._sample_steps:
                self._cond.wait()
                self._apply_settings()
            return not self._stop

    def _has_sample_step(self) -> bool:
        with self._cond:
            if not self._sample_steps:
                return False
            self._sample_steps -= 1
            return True

    def _sample_step(self) -> bool:
        """Train on one sample (batch); True when that ended the run."""
        run = self.run
        before = run.epochs_done
        index, error = run.sample_step()
        self._record()
        errors = np.array([run.last_error]) if run.epochs_done > before else np.empty(0)
        self._emit(Snapshot(run.epochs_done, errors, run.net.params.copy(), None, run.current_rate(), run.elapsed))
        self.sampleStepped.emit(self.generation, index, error)
        reason = run.stop_reason()
        if reason is not None:
            if reason == "diverged":
                run.restore_last_finite()
            self._finish(self._final_snapshot(reason))
            return True
        return False

    def _apply_settings(self) -> None:
        if self._settings is not None:
            if self._settings.speed != self.pacer.speed:
                self.pacer.set_speed(self._settings.speed)
            self.run.update_settings(self._settings)
            self._settings = None

    def _record(self) -> None:
        """Record the run's parameters in the snapshot store (time travel), once per epoch."""
        store, run = self.store, self.run
        if store is None or (run.epochs_done and not math.isfinite(run.last_error)):
            return  # no store, or diverged: the last finite weights are restored at the end
        epoch = self.epoch_offset + run.epochs_done
        if epoch > store.last_epoch:
            store.add(epoch, run.net.params, run.last_error)
        self._record_at = store.next_kept_epoch - self.epoch_offset

    def _check_every(self) -> int:
        """How many epochs the compiled kernel may run before the next _should_halt (it records and counts
        steps; the pacer limits a paced run's chunks itself)."""
        if self._epoch_budget is not None:
            return 1
        if self._step_target is not None:
            return max(1, self._step_target - self.run.epochs_done)
        if self.run.recorder is not None and self.run.compiled_epoch_seconds < GIL_FREE_EPOCH:
            return 2**31 - 1  # short compiled epochs record for themselves; long ones stop as before
        return max(1, self._record_at - self.run.epochs_done)

    def _should_halt(self) -> bool:
        """The generator's stop check, called before every epoch."""
        if self.run.epochs_done >= self._record_at:
            self._record()
        # fast path without the lock (reading one attribute is atomic): nothing has been asked for
        if not (self._gui_busy or self._stop or self._pause or self._sample_steps
                or self._settings is not None or self._epoch_budget is not None or self._step_target is not None):
            return False
        with self._cond:
            if not self._gil_free_next():
                self._wait_for_gui()
            self._apply_settings()
            if self._stop or self._pause or self._sample_steps:
                return True
            if self._epoch_budget is not None:  # counted from the epochs done: a paced wait asks again
                self._step_target = self.run.epochs_done + self._epoch_budget
                self._epoch_budget = None
            if self._step_target is not None and self.run.epochs_done >= self._step_target:
                self._step_target = None
                self._pause = True
                return True
        return False

    def _gil_free_next(self) -> bool:
        """Whether the next compiled chunk runs long enough without the GIL to go on while the GUI draws."""
        seconds = self.run.compiled_epoch_seconds
        # a chunk runs up to the next snapshot's time, unless a step or (NumPy-recorded) time travel ends it first
        return seconds > 0 and min(seconds * self._check_every(), 1.0 / self.max_rate) >= GIL_FREE_EPOCH

    def _next_snapshot_soon(self) -> bool:
        """Whether the next snapshot comes within about one snapshot interval (short compiled epochs)."""
        return self.run.compiled_epoch_seconds * SHORT_EPOCHS <= 1.0 / self.max_rate

    def _wait_for_gui(self) -> None:
        """Wait (at most ``HOLD_LIMIT``) while the GUI draws a frame; never twice for one frame."""
        with self._cond:
            if self._gui_busy:
                self._cond.wait_for(lambda: not self._gui_busy or self._stop or self._pause, HOLD_LIMIT)
                self._gui_busy = False  # whatever happens to release()

    def _pace_sleep(self, seconds: float) -> None:
        """The pacer's wait: ends early for a pause, a stop, a step, new settings or a GUI frame."""
        with self._cond:
            self._cond.wait_for(lambda: self._stop or self._pause or self._sample_steps or self._gui_busy
                                or self._settings is not None, seconds)
