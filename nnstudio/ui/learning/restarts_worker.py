"""The thread that trains a "Train restarts" population, so that the dialog only shows its progress.

:class:`RestartsWorker` runs the core's :meth:`PopulationRun.snapshots` on a
QThread (the compiled population kernel releases the interpreter lock while it
trains) and hands every snapshot to the GUI thread through a queued signal.
The GUI asks it to stop through a thread-safe flag that the core checks
between chunks of epochs.  With each snapshot comes the median over the runs
of their standing error at every epoch it carries (:func:`held_errors`), so
the GUI thread only appends and draws.
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QObject, Signal

from ...core.population import PopulationRun

#: snapshots per second: the dialog redraws less often, so every redraw finds fresh rows
SNAPSHOT_RATE = 20.0


class RestartsWorker(QObject):
    """Trains one :class:`PopulationRun` until every network has stopped; call :meth:`work` from the thread."""

    # every signal carries the worker's generation so the dialog can drop news from a run it has closed
    # generation, PopulationSnapshot (the epochs since the previous one), the median standing error of each epoch
    progressed = Signal(int, object, object)
    finished = Signal(int)
    failed = Signal(int, str)

    def __init__(self, run: PopulationRun, generation: int, max_rate: float = SNAPSHOT_RATE):
        super().__init__()
        self.run, self.generation, self.max_rate = run, generation, max_rate
        self._stop = threading.Event()

    def request_stop(self) -> None:
        """Ask the run to stop every network at the end of the current chunk (thread-safe)."""
        self._stop.set()

    def work(self) -> None:
        held = np.full(self.run.population.size, np.inf)  # each run's standing error so far
        try:
            for snapshot in self.run.snapshots(stop=self._stop.is_set, max_rate=self.max_rate):
                standing = held_errors(snapshot.errors, held)
                if len(standing):
                    held = standing[-1].copy()
                    held[np.isnan(self.run.final_errors)] = np.inf  # diverged (a NaN row entry reads as "stopped")
                medians = np.median(np.where(np.isnan(standing), np.inf, standing), axis=1)
                self.progressed.emit(self.generation, snapshot, medians)
        except Exception as exc:  # noqa: BLE001 - reported in the dialog; the thread must end cleanly
            self.failed.emit(self.generation, f"{type(exc).__name__}: {exc}")
        self.finished.emit(self.generation)


def held_errors(errors: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Each run's standing error after every row of ``errors`` (epochs, runs).

    A NaN entry means the run was not training at that epoch: it keeps its
    error from the row before (``before`` for the first row).
    """
    rows = np.arange(len(errors))[:, None]
    last = np.maximum.accumulate(np.where(np.isnan(errors), -1, rows), axis=0)  # the last row with a value
    picked = errors[np.maximum(last, 0), np.arange(errors.shape[1])]
    return np.where(last >= 0, picked, before[None, :])
