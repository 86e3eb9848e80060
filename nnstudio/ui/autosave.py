"""Autosave and crash recovery: the document written to the application-data folder, never next to the user's file.

Autosaves happen every 30 s, ~3 s after the last edit (at most ~5 s after the
first one of a burst) and when a run stops, so a crash loses a few seconds of
work.  They are written on the :class:`~nnstudio.ui.saving.ProjectWriter`'s
thread from a snapshot, so typing and drawing never wait for one; while one is
being written the next is only noted, and taken when the writer is free.  A
failing autosave (a full disk, a read-only folder) is reported once and tried
again at the next edit or tick; it never raises.  Each running window holds a
``QLockFile`` for its session; after a crash the lock is stale (its process is
gone), which is how the next start knows there is something to recover.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QSettings, QStandardPaths, QTimer, Signal

from .model.document import Document
from .saving import ProjectWriter, SaveJob, take_snapshot

ORGANIZATION = "nnstudio"
APPLICATION = "nnstudio"
AUTOSAVE_INTERVAL_MS = 30_000
#: quiet time after the last edit before an autosave
AUTOSAVE_IDLE_MS = 3_000
#: the longest an edit waits for its autosave while edits keep coming
AUTOSAVE_MAX_WAIT_MS = 5_000


def app_settings() -> QSettings:
    return QSettings(ORGANIZATION, APPLICATION)


def app_data_dir() -> Path:
    """The platform's application-data folder for nnstudio (created if needed)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    folder = Path(base) / ORGANIZATION / APPLICATION
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def autosave_dir() -> Path:
    folder = app_data_dir() / "autosave"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Recovery:
    """An autosave left behind by a session that did not close cleanly."""

    session: str
    autosave: Path
    original_path: str | None
    saved_at: float
    lock: QLockFile

    def discard(self) -> None:
        """Delete the autosave and the session's files."""
        for path in _session_files(self.autosave.parent, self.session):
            path.unlink(missing_ok=True)
        self.lock.unlock()
        _lock_path(self.autosave.parent, self.session).unlink(missing_ok=True)


def _lock_path(folder: Path, session: str) -> Path:
    return folder / f"session-{session}.lock"


def _session_files(folder: Path, session: str) -> list[Path]:
    return [folder / f"autosave-{session}.nnstudio", folder / f"session-{session}.json"]


class Autosaver(QObject):
    """Saves the document to the app-data folder while it has unsaved changes: periodically and after edits."""

    saved = Signal(str)  # the autosave file just written
    failed = Signal(str)  # why autosaving fails (once per run of failures)

    def __init__(self, document: Document, folder: Path | None = None, parent: QObject | None = None,
                 idle_ms: int = AUTOSAVE_IDLE_MS, max_wait_ms: int = AUTOSAVE_MAX_WAIT_MS,
                 writer: ProjectWriter | None = None):
        super().__init__(parent)
        self.document = document
        self.writer = writer or ProjectWriter(self)  # shared with the File menu's saves: writes never interleave
        self._in_flight = False
        self._again = False  # an autosave was asked for while another write was going on
        self._stopped = False
        self.writer.idle.connect(self._writer_idle)
        self.folder = folder or autosave_dir()
        self.session = uuid.uuid4().hex[:12]
        self.lock = QLockFile(str(_lock_path(self.folder, self.session)))
        self.lock.setStaleLockTime(0)
        self.lock.tryLock(0)
        self.failure: str | None = None  # the last failure, until an autosave succeeds again
        self.timer = QTimer(self)
        self.timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        document.trainingChanged.connect(self._training_changed)
        self.idle_timer = _single_shot(self, idle_ms, self._tick)
        self.deadline_timer = _single_shot(self, max_wait_ms, self._tick)
        document.undo_stack.indexChanged.connect(self.edited)
        document.modifiedChanged.connect(self._modified_changed)

    @property
    def path(self) -> Path:
        return self.folder / f"autosave-{self.session}.nnstudio"

    def edited(self, *_args: object) -> None:
        """An edit: autosave once editing pauses (or the first edit has waited long enough)."""
        self.idle_timer.start()
        if not self.deadline_timer.isActive():
            self.deadline_timer.start()

    def _modified_changed(self, modified: bool) -> None:
        if modified:
            self.edited()

    def _tick(self) -> None:
        self.idle_timer.stop()
        self.deadline_timer.stop()
        if self.document.modified and not self.document.training:
            self.autosave_soon()

    def _training_changed(self, training: bool) -> None:
        if not training and self.document.modified:
            self.autosave_soon()  # a run has stopped: its results are kept at once

    def autosave_soon(self) -> None:
        """Hand a snapshot to the writer, or, while it is busy, take one as soon as it is free."""
        if self._stopped:
            return
        if self._in_flight or self.writer.busy:
            self._again = True
            return
        self._again = False
        self._in_flight = True
        self._submit()

    def _writer_idle(self) -> None:
        if self._again and self.document.modified and not self.document.training:
            self.autosave_soon()

    def autosave_now(self) -> Path | None:
        """Write this session's autosave file now, after the writes already going on; None when that failed."""
        job = self._submit()
        self.writer.wait("Finishing the autosave…")
        return None if job.error else self.path

    def _submit(self) -> SaveJob:
        meta = {"original_path": self.document.path, "saved_at": time.time()}
        meta_path = self.folder / f"session-{self.session}.json"

        def write_meta() -> None:
            meta_path.write_text(json.dumps(meta), encoding="utf-8")

        return self.writer.submit(take_snapshot(self.document), self.path, self._written, after=write_meta)

    def _written(self, job: SaveJob) -> None:
        self._in_flight = False
        if job.error is not None:
            if self.failure is None:
                self.failed.emit(f"Autosave failed ({job.error}); nnstudio keeps trying. Save your work with Save As.")
            self.failure = job.error
            return
        self.failure = None
        self.saved.emit(str(job.path))

    def discard(self) -> None:
        """The document was saved by the user: the autosave is no longer needed."""
        for path in _session_files(self.folder, self.session):
            path.unlink(missing_ok=True)

    def stop_autosaving(self) -> None:
        """The window is closing: no new autosave (a run stopped by the close asks for none)."""
        self._stopped = True
        self._again = False
        for timer in (self.timer, self.idle_timer, self.deadline_timer):
            timer.stop()

    def stop(self) -> None:
        """A clean shutdown: nothing to recover next time."""
        self.stop_autosaving()
        self.writer.wait()  # never a half-written autosave, nor one written after the discard below
        self.discard()
        self.lock.unlock()


def _single_shot(parent: QObject, interval_ms: int, slot) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(interval_ms)
    timer.timeout.connect(slot)
    return timer


def find_recoveries(folder: Path | None = None) -> list[Recovery]:
    """Autosaves of sessions whose process is gone, newest first (their locks are now held by us)."""
    folder = folder or autosave_dir()
    found = []
    for lock_file in folder.glob("session-*.lock"):
        session = lock_file.stem.removeprefix("session-")
        lock = QLockFile(str(lock_file))
        lock.setStaleLockTime(0)  # only a dead owner makes a lock stale, never its age
        if not lock.tryLock(0):
            continue  # another nnstudio is running with this session
        autosave, meta_path = _session_files(folder, session)
        meta = {}
        if meta_path.exists():
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                meta = {}
        recovery = Recovery(session, autosave, meta.get("original_path"), float(meta.get("saved_at", 0.0)), lock)
        if autosave.exists():
            found.append(recovery)
        else:
            recovery.discard()
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


