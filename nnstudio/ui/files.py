"""Files of the window: new, open, samples, recent, save, import and export, and the offer to recover.

:class:`FileActions` does the File menu's work for one document and asks its
questions through the window shell (``ask_save_changes``, ``show_error``, the
file dialogs), so tests can answer them.  Opening is all or nothing: the
whole project is checked before the open document, its path or a running
training change; a big file is read and parsed on a thread while the window
stays painted.  Saving writes a snapshot on the writer's thread
(:mod:`nnstudio.ui.saving`): the status bar says "Saving…" and then "Saved",
and the document counts as saved only once the file really is.  Autosave and
crash recovery live in :mod:`nnstudio.ui.autosave`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QMenu, QMessageBox

from ..io.project import Project, ProjectError, load_project
from ..paths import samples_dir
from .autosave import (
    AUTOSAVE_IDLE_MS,
    AUTOSAVE_INTERVAL_MS,
    AUTOSAVE_MAX_WAIT_MS,
    Autosaver,
    Recovery,
    app_data_dir,
    app_settings,
    autosave_dir,
    find_recoveries,
)
from .canvas.image_export import export_canvas_image
from .canvas.scene import CanvasScene
from .main_window import WindowShell
from .model.document import Document, DocumentLoadError, default_project
from .model.import_weights import is_weights_file, load_weights_into
from .saving import SaveJob, take_snapshot
from .training.background import run_in_background

__all__ = [  # the autosave names stay importable from here, where scripts and tests found them
    "AUTOSAVE_IDLE_MS", "AUTOSAVE_INTERVAL_MS", "AUTOSAVE_MAX_WAIT_MS", "Autosaver", "FileActions", "Recovery",
    "RecentFiles", "app_data_dir", "app_settings", "autosave_dir", "find_recoveries",
]

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
        self.writer = autosaver.writer  # one writer for saves and autosaves: they never interleave
        shell.recent_menu.aboutToShow.connect(self.fill_recent_menu)
        shell.sample_menu.aboutToShow.connect(self.fill_sample_menu)

    # -- asking ------------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document (saved, discarded or unmodified)."""
        self.finish_writes()  # a save going on decides whether there is anything left to ask about
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
            project = run_in_background(lambda: load_project(path), f"Opening {Path(path).name}…", "Open project",
                                        "projectOpening", self.shell)
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
    def save(self, wait: bool = True) -> bool:
        """Save to the document's path (or ask for one); see :meth:`save_to` for ``wait``."""
        if self.document.path:
            return self.save_to(self.document.path, wait)
        return self.save_as(wait)

    def save_as(self, wait: bool = True) -> bool:
        suggestion = self.document.path or f"{self.document.title}.nnstudio"
        path = self.shell.choose_save_path("Save project", PROJECT_FILTER, suggestion)
        if not path:
            return False
        if not Path(path).suffix:
            path += ".nnstudio"
        return self.save_to(path, wait)

    def save_to(self, path: str, wait: bool = True) -> bool:
        """Save a snapshot of the document to ``path`` on the writer's thread, atomically.

        With ``wait`` the window stays painted until the file is written and the result says whether it was;
        without, the result only says the save has begun (how it ended shows on the window).  Either way the
        previous file survives any failure and the document counts as saved only once the file is.
        """
        revision = self.document.revision
        self.shell.show_status(f"Saving {Path(path).name}…", 0)
        job = self.writer.submit(take_snapshot(self.document), path, lambda job: self._saved(job, revision))
        if not wait:
            return True
        self.finish_writes()
        return job.error is None

    def _saved(self, job: SaveJob, revision: int) -> None:
        path = str(job.path)
        if job.error is not None:
            self.shell.show_status(f"Not saved: {job.path.name}", 12000)
            self.shell.show_error("Could not save the project",
                                  f"{path}:\n{job.error}\n\nThe file there (if any) is as it was, "
                                  "and your work is still open: save it somewhere else.")
            return
        self.document.mark_saved(path, revision)
        if not self.document.modified:
            self.autosaver.discard()
        self.recent.add(path)
        problems = self.document.graph.problems()
        if problems:
            self.shell.show_status(f"Saved {path}, but the network is unfinished ({problems[0]}): "
                                   "fix that before reopening it", 12000)
        else:
            self.shell.show_status(f"Saved {path}")

    def finish_writes(self) -> None:
        """Return once every save and autosave handed to the writer is on disk (or has failed)."""
        self.writer.wait("Finishing the save…", self.shell)

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
