"""The frame parts that cost a pass over the dataset, computed on a thread of their own during training.

Accuracy, confusion counts, wrong answers and the grids of a big dataset or
network take tens of milliseconds (784-128-10 on 5,000 rows: 30–55 ms).  Built
in the training thread they delayed the snapshot they belonged to past the
GUI's frame tick, and stopped training meanwhile.  A :class:`SlowParts`
builds them from a snapshot's parameters with its own :class:`FrameBuilder`
(its own copy of the network) on a helper thread, while training goes on —
NumPy's matrix products release the interpreter lock — and the training
worker merges the newest finished result into the next frame it builds.
One job at a time: a request made while one is computed is refused, not
queued, so the parts shown are never more than one job old.  What a job
raises is raised again by :meth:`take`, in the training thread, as if the
parts had been built there.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np

from .datasets import Dataset
from .frames import Frame, FrameBuilder, FrameRequest
from .network import Network

#: rows × parameters from which the parts go to the helper thread: below it a pass takes about a
#: millisecond, less than handing it over
HELPER_WORK = 2_000_000


def worth_a_thread(net: Network, data: Dataset) -> bool:
    """Whether a pass over ``data``'s rows with ``net`` is slow enough for :class:`SlowParts`."""
    rows = len(data) + (len(data.X_test) if data.X_test is not None else 0)
    return rows * net.n_params >= HELPER_WORK


class SlowParts:
    """One helper thread computing the slow parts of frames for one run's network and dataset."""

    def __init__(self, net: Network, data: Dataset, cost: str):
        self._builder = FrameBuilder(net, data, cost)  # its own copy: the run's buffers are never touched
        self._cond = threading.Condition()
        self._job: tuple[FrameRequest, np.ndarray, int] | None = None
        self._busy = False  # a job is waiting or being computed
        self._done: Frame | None = None
        self._error: Exception | None = None
        self._closed = False
        self.seconds = 0.0  # what the last job took
        self._thread = threading.Thread(target=self._work, name="nnstudio slow frame parts", daemon=True)
        self._thread.start()

    def submit(self, request: FrameRequest, params: np.ndarray, epoch: int) -> bool:
        """Compute the slow parts of ``request`` for ``params`` (not written to meanwhile); False, and
        nothing done, while the previous job is still under way."""
        slow_only = replace(request, rows=(0, 0), probe=None)
        with self._cond:
            if self._busy or self._closed:
                return False
            self._job, self._busy = (slow_only, params, epoch), True
            self._cond.notify_all()
        return True

    def take(self) -> Frame | None:
        """The frame of the last finished job, once (None when there is none new)."""
        with self._cond:
            done, self._done = self._done, None
            error, self._error = self._error, None
        if error is not None:
            raise error
        return done

    def close(self) -> None:
        """Let the thread end (a job under way finishes; its result is dropped)."""
        with self._cond:
            self._closed, self._job = True, None
            self._cond.notify_all()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _work(self) -> None:
        while True:
            with self._cond:
                while self._job is None and not self._closed:
                    self._cond.wait()
                job, self._job = self._job, None
                if job is None:  # closed
                    return
            request, params, epoch = job
            start = time.monotonic()
            frame, error = None, None
            try:
                frame = self._builder.build(request, params, epoch)
            except Exception as exc:  # handed to the training thread by take()
                error = exc
            with self._cond:
                self.seconds = time.monotonic() - start
                if not self._closed:
                    self._done, self._error = frame, error
                self._busy = False
