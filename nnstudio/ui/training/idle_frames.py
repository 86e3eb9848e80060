"""Whole-dataset numbers of the idle views (accuracy, confusion counts) computed off the GUI thread.

Outside a training run a view asks :class:`IdleFrames` for a :class:`FrameRequest` with a copy of the
document's network, the dataset (its arrays are never written: an edit makes a new dataset) and the cost.
The core's :class:`FrameBuilder` computes the frame on one worker thread; the newest request supersedes any
older one, and a result of an older request is dropped, so the view always ends with the numbers of the
latest network and data.  Small work (rows × parameters under :attr:`IdleFrames.sync_work`) is computed at
once on the GUI thread: a forward pass of that size takes about a millisecond, less than a thread hop.
"""

from __future__ import annotations

import sys
import threading
import traceback
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Signal

from ...core.datasets import Dataset
from ...core.frames import Frame, FrameBuilder, FrameRequest
from ...core.network import Network


@dataclass(frozen=True)
class _Job:
    generation: int
    net: Network  # the view's own copy
    data: Dataset
    cost: str
    request: FrameRequest


class _Jobs:
    """The one pending job and the worker thread's lock; plain Python, so it outlives its QObject safely."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.pending: _Job | None = None
        self.closed = False
        self.thread: threading.Thread | None = None
        self.computed_on: int | None = None

    def close(self, *_args) -> None:
        with self.lock:
            self.closed, self.pending = True, None
            self.lock.notify_all()


class IdleFrames(QObject):
    """Computes frames for one view off the GUI thread; ``ready`` brings the frame of the latest request."""

    ready = Signal(object)  # the Frame answering the latest request, or None when it could not be computed
    pendingChanged = Signal(bool)  # True while a result is awaited
    _computed = Signal(int, object)  # from the worker thread: generation, frame (queued to the GUI thread)
    #: rows × network parameters under which a request is answered at once, on the GUI thread
    sync_work = 2_000_000

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.generation = 0
        self.pending = False
        self._jobs = _Jobs()
        self._computed.connect(self._deliver)
        self.destroyed.connect(self._jobs.close)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._jobs.close)

    def ask(self, net: Network, data: Dataset, cost: str, request: FrameRequest) -> None:
        """Compute ``request`` for ``net`` as it is now (copied here) on ``data``; supersedes earlier requests."""
        self.generation += 1
        rows = len(data) + (len(data.X_test) if data.X_test is not None else 0)
        if rows * net.n_params < self.sync_work:
            with self._jobs.lock:
                self._jobs.pending = None
            self._set_pending(False)
            self.ready.emit(_build(self._jobs, net, data, cost, request))
            return
        job = _Job(self.generation, net.copy(), data, cost, request)
        self._set_pending(True)
        jobs = self._jobs
        with jobs.lock:
            if jobs.closed:
                return
            jobs.pending = job
            jobs.lock.notify_all()
            if jobs.thread is None:
                jobs.thread = threading.Thread(target=self._work, name="nnstudio idle frames", daemon=True)
                jobs.thread.start()

    def cancel(self) -> None:
        """Forget any pending request (its result is dropped)."""
        self.generation += 1
        with self._jobs.lock:
            self._jobs.pending = None
        self._set_pending(False)

    def close(self) -> None:
        """Stop the worker thread (a computation under way finishes, its result is dropped)."""
        self.cancel()
        self._jobs.close()

    @property
    def thread(self) -> threading.Thread | None:
        return self._jobs.thread

    @property
    def computed_on(self) -> int | None:
        """The ``threading.get_ident()`` of the thread that computed the last frame."""
        return self._jobs.computed_on

    def _work(self) -> None:
        jobs = self._jobs
        while True:
            with jobs.lock:
                while jobs.pending is None and not jobs.closed:
                    jobs.lock.wait()
                if jobs.closed:
                    return
                job, jobs.pending = jobs.pending, None
            frame = _build(jobs, job.net, job.data, job.cost, job.request)
            with jobs.lock:  # close() waits for this: no signal of a deleted object
                if jobs.closed:
                    return
                if jobs.pending is None:  # a newer job would supersede this result anyway
                    self._computed.emit(job.generation, frame)

    def _deliver(self, generation: int, frame: Frame | None) -> None:
        if generation != self.generation:
            return  # the answer to a request a newer one superseded
        self._set_pending(False)
        self.ready.emit(frame)

    def _set_pending(self, pending: bool) -> None:
        if pending != self.pending:
            self.pending = pending
            self.pendingChanged.emit(pending)


def _build(jobs: _Jobs, net: Network, data: Dataset, cost: str, request: FrameRequest) -> Frame | None:
    """The core's frame for ``request`` on ``net`` as it is (None, and the error printed, when it fails)."""
    jobs.computed_on = threading.get_ident()
    try:
        return FrameBuilder(net, data, cost, own_copy=False).build(request)
    except Exception:  # a view shows nothing rather than an exception lost on a thread
        traceback.print_exc(file=sys.stderr)
        return None
