"""Files of the window: new, open, samples, recent, save, import, export, autosave and crash recovery.

:class:`FileActions` does the File menu's work for one document and asks its
questions through the window shell (``ask_save_changes``, ``show_error``, the
file dialogs), so tests can answer them.  Opening is all or nothing: the
whole project is checked before the open document, its path or a running
training change.

Autosaves go to the application-data folder, never next to the user's file:
every 30 s, ~3 s after the last edit (at most ~5 s after the first one of a
burst) and when a run stops, so a crash loses a few seconds of work.  A
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
from PySide6.QtWidgets import QMenu, QMessageBox

from ..io.project import Project, ProjectError, load_project, save_project
from ..paths import samples_dir
from .canvas.image_export import export_canvas_image
from .canvas.scene import CanvasScene
from .main_window import WindowShell
from .model.document import Document, DocumentLoadError, default_project
from .model.import_weights import is_weights_file, load_weights_into

ORGANIZATION = "nnstudio"
APPLICATION = "nnstudio"
AUTOSAVE_INTERVAL_MS = 30_000
#: quiet time after the last edit before an autosave
AUTOSAVE_IDLE_MS = 3_000
#: the longest an edit waits for its autosave while edits keep coming
AUTOSAVE_MAX_WAIT_MS = 5_000
MAX_RECENT = 8

PROJECT_FILTER = "nnstudio projects (*.nnstudio);;All files (*)"
EXPORT_FILTER = (
    "Weights JSON (*.json);;NumPy arrays (*.npz);;ONNX model (*.onnx);;Standalone Python (*.py);;"
    "C header (*.h);;Error history CSV (*.csv);;Canvas image PNG (*.png);;Canvas image SVG (*.svg)"
)
IMPORT_FILTER = ("Networks (*.json *.npz *.onnx);;ONNX models (*.onnx);;Synaptic.js / brain.js networks (*.json);;"
                 "All files (*)")
JS_EXPORTS = {"synaptic": ("Export to Synaptic.js", "Synaptic.js network (*.json)"),
              "brain": ("Export to brain.js", "brain.js network (*.json)")}
IMAGE_FILTER = "PNG image (*.png);;SVG drawing (*.svg)"


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


class RecentFiles:
    """The most recently opened or saved project paths, newest first, kept in QSettings."""

    KEY = "recentFiles"

    def __init__(self, settings: QSettings):
        self.settings = settings

    def paths(self) -> list[str]:
        value = self.settings.value(self.KEY, [])
        if isinstance(value, str):
            value = [value]
        return [str(p) for p in value or []]

    def add(self, path: str) -> None:
        path = str(Path(path).resolve())
        self._store([path, *[p for p in self.paths() if p != path]])

    def remove(self, path: str) -> None:
        self._store([p for p in self.paths() if p != path])

    def clear(self) -> None:
        self._store([])

    def _store(self, paths: list[str]) -> None:
        self.settings.setValue(self.KEY, paths[:MAX_RECENT])
        self.settings.sync()


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
                 idle_ms: int = AUTOSAVE_IDLE_MS, max_wait_ms: int = AUTOSAVE_MAX_WAIT_MS):
        super().__init__(parent)
        self.document = document
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
            self.autosave_now()

    def _training_changed(self, training: bool) -> None:
        if not training and self.document.modified:
            self.autosave_now()  # a run has stopped: its results are kept at once

    def autosave_now(self) -> Path | None:
        """Write the document to this session's autosave file now (atomically); None when that failed."""
        try:
            save_project(self.document.project(), self.path)
            meta = {"original_path": self.document.path, "saved_at": time.time()}
            (self.folder / f"session-{self.session}.json").write_text(json.dumps(meta), encoding="utf-8")
        except (OSError, ValueError) as error:
            if self.failure is None:
                self.failed.emit(f"Autosave failed ({error}); nnstudio keeps trying. Save your work with Save As.")
            self.failure = str(error)
            return None
        self.failure = None
        self.saved.emit(str(self.path))
        return self.path

    def discard(self) -> None:
        """The document was saved by the user: the autosave is no longer needed."""
        for path in _session_files(self.folder, self.session):
            path.unlink(missing_ok=True)

    def stop(self) -> None:
        """A clean shutdown: nothing to recover next time."""
        for timer in (self.timer, self.idle_timer, self.deadline_timer):
            timer.stop()
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


class FileActions(QObject):
    """The File menu's work for one document; questions and errors go through ``shell``."""

    aboutToLoad = Signal()  # another project replaces the document next (a run of the old one must end)
    loaded = Signal()  # another project is in

    def __init__(self, document: Document, scene: CanvasScene, shell: WindowShell, settings: QSettings,
                 autosaver: Autosaver, parent: QObject | None = None):
        super().__init__(parent)
        self.document, self.scene, self.shell = document, scene, shell
        self.recent = RecentFiles(settings)
        self.autosaver = autosaver
        shell.recent_menu.aboutToShow.connect(self.fill_recent_menu)
        shell.sample_menu.aboutToShow.connect(self.fill_sample_menu)

    # -- asking ------------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document (saved, discarded or unmodified)."""
        if not self.document.modified:
            return True
        choice = self.shell.ask_save_changes()
        if choice == QMessageBox.StandardButton.Save:
            return self.save()
        return choice == QMessageBox.StandardButton.Discard

    def last_dir(self) -> str:
        """Where a file dialog starts: next to the document, else next to the newest recent file."""
        if self.document.path:
            return str(Path(self.document.path).parent)
        recent = self.recent.paths()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def _load(self, project: Project, path: str | None) -> str | None:
        """Make ``project`` the document, all or nothing; returns why it could not be opened (None: opened).

        The project is checked in full before anything changes: a refused one leaves the open document,
        its path, its unsaved changes and a running training as they were.
        """
        try:
            self.document.check(project)
        except DocumentLoadError as error:
            return str(error)
        self.aboutToLoad.emit()  # a run of the old network must not go on writing into the new project
        try:
            self.document.load(project, path)
        except DocumentLoadError as error:
            return str(error)
        self.autosaver.discard()
        self.loaded.emit()
        return None

    def open_file(self, path: str | Path, document_path: str | None, name: str = "") -> str | None:
        """Read ``path`` and open it as the document saved at ``document_path`` (None: untitled, called ``name``
        unless it has a name); returns why it failed (None: opened)."""
        try:
            project = load_project(path)
        except (ProjectError, OSError) as error:
            return f"{path}:\n{error}"
        project.name = project.name or name
        problem = self._load(project, document_path)
        return None if problem is None else f"{path}:\n{problem}"

    # -- new, open, samples, recent -------------------------------------------------------------
    def new_document(self) -> bool:
        if not self.maybe_save():
            return False
        problem = self._load(default_project(), None)
        if problem:
            self.shell.show_error("Could not start a new project", problem)
        return problem is None

    def open_dialog(self) -> bool:
        if not self.maybe_save():
            return False
        path = self.shell.choose_open_path("Open project", PROJECT_FILTER, self.last_dir())
        return self.open_path(path, ask=False) if path else False

    def open_path(self, path: str, ask: bool = True) -> bool:
        """Open a project; a bad file shows what is wrong and leaves the current document untouched."""
        if ask and not self.maybe_save():
            return False
        problem = self.open_file(path, str(path))
        if problem:
            self.shell.show_error("Could not open the project", problem)
            return False
        self.recent.add(str(path))
        self.shell.show_status(f"Opened {path}")
        return True

    def fill_recent_menu(self) -> None:
        menu: QMenu = self.shell.recent_menu
        menu.clear()
        paths = self.recent.paths()
        for path in paths:
            action = menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _c=False, p=path: self.open_path(p))
        if not paths:
            menu.addAction("No recent files").setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction("Clear List", self.recent.clear)

    def sample_paths(self) -> list[Path]:
        return sorted(samples_dir().glob("*.nnstudio"))

    def fill_sample_menu(self) -> None:
        menu: QMenu = self.shell.sample_menu
        menu.clear()
        for path in self.sample_paths():
            action = menu.addAction(path.stem)
            action.setToolTip(f"Open the sample {path.name}")
            action.triggered.connect(lambda _c=False, p=path: self.open_sample(p))

    def open_sample(self, path: Path) -> bool:
        """Open a bundled sample as an untitled copy (saving asks where, so the sample stays intact)."""
        if not self.maybe_save():
            return False
        problem = self.open_file(path, None, name=path.stem)
        if problem:
            self.shell.show_error("Could not open the sample", problem)
            return False
        self.shell.show_status(f"Opened sample {path.stem}")
        return True

    # -- save ---------------------------------------------------------------------------------
    def save(self) -> bool:
        if self.document.path:
            return self.save_to(self.document.path)
        return self.save_as()

    def save_as(self) -> bool:
        suggestion = self.document.path or f"{self.document.title}.nnstudio"
        path = self.shell.choose_save_path("Save project", PROJECT_FILTER, suggestion)
        if not path:
            return False
        if not Path(path).suffix:
            path += ".nnstudio"
        return self.save_to(path)

    def save_to(self, path: str) -> bool:
        """Save the document to ``path`` atomically; the previous file survives any failure."""
        try:
            save_project(self.document.project(), path)
        except OSError as error:
            self.shell.show_error("Could not save the project", f"{path}:\n{error}")
            return False
        self.document.mark_saved(str(path))
        self.autosaver.discard()
        self.recent.add(str(path))
        problems = self.document.graph.problems()
        if problems:
            self.shell.show_status(f"Saved {path}, but the network is unfinished ({problems[0]}): "
                                   "fix that before reopening it", 12000)
        else:
            self.shell.show_status(f"Saved {path}")
        return True

    # -- export and import ------------------------------------------------------------------------
    def export_dialog(self) -> bool:
        suggestion = str(Path(self.last_dir()) / self.document.title)
        path = self.shell.choose_save_path("Export", EXPORT_FILTER, suggestion)
        return self.export_to(path) if path else False

    def export_image_dialog(self) -> bool:
        path = self.shell.choose_save_path("Export canvas image", IMAGE_FILTER, self.last_dir())
        return self.export_to(path) if path else False

    def export_js_dialog(self, fmt: str) -> bool:
        """Export to a JavaScript library's JSON (``synaptic`` or ``brain``), taking raw inputs."""
        caption, filters = JS_EXPORTS[fmt]
        path = self.shell.choose_save_path(caption, filters, str(Path(self.last_dir()) / f"{self.document.title}.json"))
        return self.export_to(path, fmt) if path else False

    def export_to(self, path: str, fmt: str | None = None) -> bool:
        """Export by extension (or as the JavaScript ``fmt``): canvas images from the scene, everything else
        through ``nnstudio.io.export``."""
        suffix = Path(path).suffix.lower()
        try:
            if suffix in (".png", ".svg") and fmt is None:
                export_canvas_image(self.scene, path, self.document.title)
            else:
                from ..io.export import export_project  # loads the exporters only when one is used

                export_project(self.document.project(), path, fmt)
        except (ValueError, OSError, ImportError, RuntimeError) as error:  # RuntimeError: no onnx package
            self.shell.show_error("Could not export", f"{path}:\n{error}")
            return False
        self.shell.show_status(f"Exported {path}")
        return True

    def import_dialog(self) -> bool:
        path = self.shell.choose_open_path("Import network", IMPORT_FILTER, self.last_dir())
        return self.import_path(path) if path else False

    def import_path(self, path: str) -> bool:
        """Import a foreign network (Synaptic.js, brain.js, ONNX) as a new, unsaved project; weights into this one."""
        if is_weights_file(path):
            return self.import_weights(path)
        if not self.maybe_save():
            return False
        try:
            from ..io.importers import import_file

            project = import_file(path)
        except (ValueError, OSError, ImportError) as error:
            self.shell.show_error("Could not import", f"{path}:\n{error}")
            return False
        problem = self._load(project, None)
        if problem:
            self.shell.show_error("Could not import", f"{path}:\n{problem}")
            return False
        self.document.mark_modified()
        self.shell.show_status(f"Imported {path}")
        return True

    def import_weights(self, path: str) -> bool:
        """Load a weights file into the open network (one undo step); the outcome shows on the window."""
        try:
            load_weights_into(self.document, path)
        except (ValueError, OSError) as error:
            self.shell.show_error("Could not load weights", f"{path}:\n{error}")
            return False
        self.shell.show_status(f"Loaded weights from {path} into the open network (Undo restores the previous ones).")
        return True

    # -- crash recovery -------------------------------------------------------------------------
    def offer_recovery(self) -> bool:
        """After a crash, offer the newest autosave; returns True when it was recovered."""
        recoveries = find_recoveries(self.autosaver.folder)
        if not recoveries:
            return False
        newest, recovered = recoveries[0], False
        if self.shell.ask_recover(newest):
            problem = self.open_file(newest.autosave, newest.original_path)
            if problem:
                self.shell.show_error("Could not recover the autosave", problem)
            else:
                self.document.mark_modified()
                self.autosaver.autosave_now()
                recovered = True
        for recovery in recoveries:
            recovery.discard()
        return recovered
