"""Saving off the GUI thread: the GUI thread takes a snapshot of the document, one worker thread writes it.

:func:`take_snapshot` copies what can still change (graph, weights, error
history, settings, extra sections) and shares what never changes in place
(the dataset's arrays, made read-only views), so it is cheap even for a
60,000 × 784 dataset.  :class:`ProjectWriter` turns snapshots into files on
its own thread, one job after the other in the order they came (the later
save of a path wins, two writes never interleave), each write atomic
(:mod:`nnstudio.io.atomic`).  How a job ended is handed back to the GUI
thread, where its ``on_done`` runs.  :meth:`ProjectWriter.wait` keeps the
window painted (and, after a moment, shows a note) until every job is done:
closing the window and answering "Save" in the unsaved-changes prompt use it.
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..io.project import Project, save_project
from .model.document import Document

#: a wait shorter than this shows no note at all
SHOW_WAITING_AFTER_MS = 300


def take_snapshot(document: Document) -> Project:
    """The document as a :class:`Project` that nothing the window does later can change."""
    project = document.project()  # copies the graph, the weights and the run list; runs the section writers
    dataset = copy.copy(project.dataset)
    for name in ("X", "Y", "X_test", "Y_test"):
        values = getattr(dataset, name)
        if isinstance(values, np.ndarray):
            shared = values.view()
            shared.flags.writeable = False  # the snapshot shares the array, never writes into it
            setattr(dataset, name, shared)
    for name in ("input_names", "output_names", "class_names"):
        setattr(dataset, name, list(getattr(dataset, name)))
    project.dataset = dataset
    project.settings = dataclasses.replace(project.settings)
    project.history = copy.deepcopy(project.history)  # a running training appends to the document's
    fresh = document.section_writers  # their sections were just made for this project: nobody else holds them
    project.extra = {name: section if name in fresh else copy.deepcopy(section)
                     for name, section in project.extra.items()}
    return project


@dataclass
class SaveJob:
    """One write: ``project`` to ``path`` (then ``after``, on the worker); ``error`` says why it failed."""

    project: Project
    path: Path
    on_done: Callable[[SaveJob], None] | None = None
    after: Callable[[], None] | None = None  # more to write once the project is written (an autosave's notes)
    error: str | None = None
    done: bool = False
    written_by: str = ""  # the name of the thread that wrote it


class _Relay(QObject):
    """Carries a finished job from the worker thread to the GUI thread."""

    finished = Signal(object)


class ProjectWriter(QObject):
    """Writes saved projects on a worker thread of its own, one after the other."""

    finished = Signal(object)  # a SaveJob that was written or failed (on the GUI thread, after its on_done)
    idle = Signal()  # every job handed in is done

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._jobs: collections.deque[SaveJob] = collections.deque()
        self._lock = threading.Lock()  # guards _jobs and _writing between the GUI thread and the writer
        self._writing = False  # a writer thread is on its way (it ends once no job is left)
        self._pending = 0  # jobs handed in and not yet reported back (GUI thread only)
        self._relay = _Relay()
        self._relay.finished.connect(self._report, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        """A job is waiting or being written."""
        return self._pending > 0

    def submit(self, project: Project, path: str | Path, on_done: Callable[[SaveJob], None] | None = None,
               after: Callable[[], None] | None = None) -> SaveJob:
        """Write ``project`` (a snapshot: see :func:`take_snapshot`) to ``path`` after the jobs already in."""
        job = SaveJob(project, Path(path), on_done, after)
        self._pending += 1
        with self._lock:
            self._jobs.append(job)
            if not self._writing:  # the writer thread lives only while there is something to write
                self._writing = True
                threading.Thread(target=self._work, name="nnstudio-saver", daemon=True).start()
        return job

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._jobs:
                    self._writing = False
                    return
                job = self._jobs.popleft()
            job.written_by = threading.current_thread().name
            try:
                save_project(job.project, job.path)
                if job.after is not None:
                    job.after()
            except (OSError, ValueError) as error:  # a full disk, a read-only folder, a NaN weight
                job.error = str(error)
            except Exception as error:  # anything else must still be reported, never kill the writer
                job.error = f"{type(error).__name__}: {error}"
            job.project = None  # type: ignore[assignment]  # the snapshot's memory goes now, not at the next job
            self._relay.finished.emit(job)

    def _report(self, job: SaveJob) -> None:
        job.done = True
        self._pending -= 1
        if job.on_done is not None:
            job.on_done(job)
        self.finished.emit(job)
        if not self._pending:
            self.idle.emit()

    def wait(self, note: str = "Finishing the save…", parent: QWidget | None = None) -> None:
        """Return once every job is done; the window stays painted and, when it takes a while, says why."""
        if not self._pending:
            return
        loop = QEventLoop()
        self.idle.connect(loop.quit)
        progress = QProgressDialog(note, "", 0, 0, parent)
        progress.setObjectName("savingNote")
        progress.setWindowTitle("Saving")
        progress.setCancelButton(None)  # a write cannot be stopped halfway: the file would be lost
        progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        show_later = QTimer(progress)
        show_later.setSingleShot(True)
        show_later.timeout.connect(progress.show)
        show_later.start(SHOW_WAITING_AFTER_MS)
        try:
            while self._pending:
                loop.exec()
        finally:
            self.idle.disconnect(loop.quit)
            show_later.stop()
            progress.close()
            progress.deleteLater()
