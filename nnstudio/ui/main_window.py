"""The main window: the canvas in the middle, docks around it, menus, toolbar and file handling."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QImage, QKeySequence, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from ..io.project import Project, ProjectError, load_project, save_project
from ..paths import icon_path, samples_dir
from .canvas import CanvasScene, CanvasView
from .canvas.layer_item import HEADER, WIDTH
from .canvas.palette import PaletteList
from .canvas.properties import PropertiesPanel
from .canvas.validation import ValidationList
from .files import Autosaver, RecentFiles, Recovery, app_settings, find_recoveries
from .model.commands import Editor
from .model.document import Document, DocumentLoadError, default_project
from .theme.style import apply_theme, theme_plots
from .training.panel import install_training

PROJECT_FILTER = "nnstudio projects (*.nnstudio);;All files (*)"
EXPORT_FILTER = (
    "Weights JSON (*.json);;NumPy arrays (*.npz);;ONNX model (*.onnx);;Standalone Python (*.py);;"
    "C header (*.h);;Error history CSV (*.csv);;Canvas image PNG (*.png);;Canvas image SVG (*.svg)"
)
IMPORT_FILTER = "Networks (*.json *.npz);;All files (*)"

# name, text, icon, shortcut, tooltip
_ACTIONS = [
    ("new", "&New", "new", QKeySequence.StandardKey.New, "Start a new project (the XOR 2-3-1 network)"),
    ("open", "&Open…", "open", QKeySequence.StandardKey.Open, "Open a project file"),
    ("save", "&Save", "save", QKeySequence.StandardKey.Save, "Save the project"),
    ("saveAs", "Save &As…", "save-as", QKeySequence.StandardKey.SaveAs, "Save the project under a new name"),
    ("export", "&Export…", "export", "Ctrl+E", "Export weights, a model, code, the error history or a canvas image"),
    ("exportImage", "Export Canvas &Image…", "image", "", "Save the canvas as PNG or SVG"),
    ("import", "&Import…", "import", "Ctrl+I", "Import a Synaptic.js / brain.js network or weights"),
    ("quit", "&Quit", "", QKeySequence.StandardKey.Quit, "Close nnstudio"),
    ("undo", "&Undo", "undo", QKeySequence.StandardKey.Undo, "Undo the last edit"),
    ("redo", "&Redo", "redo", QKeySequence.StandardKey.Redo, "Redo the edit just undone"),
    ("delete", "&Delete", "delete", QKeySequence.StandardKey.Delete, "Delete the selected layers and connections"),
    ("duplicate", "D&uplicate", "duplicate", "Ctrl+D", "Copy the selected layers and the connections among them"),
    ("rename", "Re&name…", "rename", "F2", "Rename the selected layer"),
    ("selectAll", "Select &All", "", QKeySequence.StandardKey.SelectAll, "Select every layer and connection"),
    ("connect", "&Connect Selected Layers", "connect", "Ctrl+K", "Connect two selected layers (left to right)"),
    ("autoLayout", "&Auto-Layout", "layout", "Ctrl+Shift+L", "Arrange layers by depth, left to right"),
    ("snapToGrid", "&Snap to Grid", "grid", "", "Snap moved layers to a 20-pixel grid"),
    ("zoomIn", "Zoom &In", "zoom-in", QKeySequence.StandardKey.ZoomIn, "Zoom in on the canvas"),
    ("zoomOut", "Zoom &Out", "zoom-out", QKeySequence.StandardKey.ZoomOut, "Zoom out of the canvas"),
    ("zoomFit", "&Fit to Window", "zoom-fit", "Ctrl+0", "Show the whole network"),
    ("zoomReset", "&Actual Size", "", "Ctrl+1", "Zoom to 100 %"),
    ("showLegend", "Weight &Legend", "", "", "Show the colour legend of synapse weights on the canvas"),
    ("darkTheme", "&Dark Theme", "", "", "Switch between the light and the dark look"),
    ("train", "&Train", "train", "F5", "Train the network on the dataset"),
    ("pause", "&Pause", "pause", "F6", "Pause training"),
    ("step", "&Step", "step", "F10", "Train one epoch"),
    ("stop", "S&top", "stop", "Shift+F5", "Stop training"),
    ("reset", "&Reset Weights", "reset", "Ctrl+R", "Draw the initial weights again and clear the history"),
    ("about", "&About nnstudio", "", "", "What nnstudio is"),
]
_TRAINING_ACTIONS = ("train", "pause", "step", "stop", "reset")
_STRUCTURAL_ACTIONS = ("delete", "duplicate", "connect", "import", "new", "open")


class MainWindow(QMainWindow):
    """nnstudio's window; ``MainWindow(path)`` opens a project file, ``MainWindow()`` the XOR 2-3-1 network."""

    trainableChanged = Signal(bool)

    def __init__(self, path: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowIcon(QIcon(str(icon_path("nnstudio"))))
        self.settings = app_settings()
        self.recent = RecentFiles(self.settings)
        apply_theme(bool(self.settings.value("darkTheme", False, type=bool)))
        # the project opens once every part is built (they check their own sections of it)
        self.document = Document(None, None, self)
        self.editor = Editor(self.document)
        self.scene = CanvasScene(self.document, self)
        self.view = CanvasView(self.scene, self)
        self.setCentralWidget(self.view)
        self.actions: dict[str, QAction] = {}
        self._state_restored = False
        self._trainable: bool | None = None
        self._build_actions()
        self._build_docks()
        self._build_menus()
        self._build_toolbar()
        self._build_canvas_menu()
        self._build_status_bar()
        self._connect_signals()
        self.autosaver = Autosaver(self.document, parent=self)
        self.autosaver.failed.connect(self._autosave_failed)
        self.resize(1280, 800)
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self._update_title()
        self._update_actions()
        install_training(self)  # the training docks, controls and live views (nnstudio.ui.training)
        theme_plots(self)
        self.startup_error: str | None = None  # shown once the window is on screen
        if path:
            self.startup_error = self._open_file(path, str(path))
            if self.startup_error is None:
                self.recent.add(path)

    # -- building ------------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        for name, text, icon, shortcut, tip in _ACTIONS:
            action = QAction(text, self)
            action.setObjectName(f"action{name[0].upper()}{name[1:]}")
            if icon:
                action.setIcon(QIcon(str(icon_path(icon))))
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                tip = f"{tip} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
            action.setToolTip(tip)
            action.setStatusTip(tip)
            action.setWhatsThis(tip)
            self.actions[name] = action
            self.addAction(action)
        self.actions["delete"].setShortcuts([QKeySequence(QKeySequence.StandardKey.Delete), QKeySequence("Backspace")])
        for name in ("snapToGrid", "showLegend", "darkTheme"):
            self.actions[name].setCheckable(True)
        self.actions["showLegend"].setChecked(True)
        self.actions["darkTheme"].setChecked(bool(self.settings.value("darkTheme", False, type=bool)))
        self.actions["snapToGrid"].setChecked(bool(self.settings.value("snapToGrid", False, type=bool)))
        self.scene.set_snap_to_grid(self.actions["snapToGrid"].isChecked())
        for name in _TRAINING_ACTIONS:
            self.actions[name].setEnabled(False)  # the training controller enables what it drives
        slots = {
            "new": self.new_document, "open": self.open_dialog, "save": self.save, "saveAs": self.save_as,
            "export": self.export_dialog, "exportImage": self.export_image_dialog, "import": self.import_dialog,
            "quit": self.close, "undo": self.document.undo_stack.undo, "redo": self.document.undo_stack.redo,
            "delete": self.delete_selected, "duplicate": self.duplicate_selected, "rename": self.rename_selected,
            "selectAll": self.select_all, "connect": self.connect_selected, "autoLayout": self.auto_layout,
            "zoomIn": self.view.zoom_in, "zoomOut": self.view.zoom_out, "zoomFit": self.view.fit,
            "zoomReset": self.view.zoom_reset, "about": self.about,
        }
        for name, slot in slots.items():
            self.actions[name].triggered.connect(lambda _checked=False, slot=slot: slot())
        self.actions["snapToGrid"].toggled.connect(self._set_snap)
        self.actions["showLegend"].toggled.connect(self._set_legend)
        self.actions["darkTheme"].toggled.connect(self.set_dark_theme)

    def add_dock(self, widget: QWidget, title: str, name: str,
                 area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea) -> QDockWidget:
        """Wrap ``widget`` in a dock called ``name`` (its objectName) and add it to the window."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setAccessibleName(title)
        dock.setWidget(widget)
        dock.toggleViewAction().setObjectName(f"actionShow{name[0].upper()}{name[1:]}")
        dock.toggleViewAction().setToolTip(f"Show or hide the {title} panel")
        self.addDockWidget(area, dock)
        if hasattr(self, "view_menu"):
            self.view_menu.addAction(dock.toggleViewAction())
        return dock

    def _build_docks(self) -> None:
        self.palette_list = PaletteList()
        self.palette_dock = self.add_dock(self.palette_list, "Palette", "palette", Qt.DockWidgetArea.LeftDockWidgetArea)
        self.properties_panel = PropertiesPanel(self.editor, self.scene)
        self.properties_dock = self.add_dock(self.properties_panel, "Properties", "properties")
        self.validation_list = ValidationList(self.document)
        self.validation_dock = self.add_dock(
            self.validation_list, "Validation", "validation", Qt.DockWidgetArea.LeftDockWidgetArea
        )

    def _build_menus(self) -> None:
        bar = self.menuBar()
        a = self.actions
        file_menu = bar.addMenu("&File")
        file_menu.setObjectName("menuFile")
        file_menu.addActions([a["new"], a["open"]])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("menuOpenRecent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.sample_menu = file_menu.addMenu("Open Sa&mple")
        self.sample_menu.setObjectName("menuOpenSample")
        self.sample_menu.aboutToShow.connect(self._fill_sample_menu)
        file_menu.addSeparator()
        file_menu.addActions([a["save"], a["saveAs"]])
        file_menu.addSeparator()
        file_menu.addActions([a["import"], a["export"], a["exportImage"]])
        file_menu.addSeparator()
        file_menu.addAction(a["quit"])
        edit_menu = bar.addMenu("&Edit")
        edit_menu.setObjectName("menuEdit")
        edit_menu.addActions([a["undo"], a["redo"]])
        edit_menu.addSeparator()
        edit_menu.addActions([a["delete"], a["duplicate"], a["rename"], a["selectAll"]])
        self.view_menu = bar.addMenu("&View")
        self.view_menu.setObjectName("menuView")
        self.view_menu.addActions([a["zoomIn"], a["zoomOut"], a["zoomFit"], a["zoomReset"]])
        self.view_menu.addSeparator()
        self.view_menu.addActions([a["snapToGrid"], a["showLegend"], a["darkTheme"]])
        self.view_menu.addSeparator()
        for dock in (self.palette_dock, self.properties_dock, self.validation_dock):
            self.view_menu.addAction(dock.toggleViewAction())
        network_menu = bar.addMenu("&Network")
        network_menu.setObjectName("menuNetwork")
        network_menu.addActions([a["connect"], a["autoLayout"]])
        network_menu.addSeparator()
        network_menu.addActions([a[n] for n in _TRAINING_ACTIONS])
        self.network_menu = network_menu
        help_menu = bar.addMenu("&Help")
        help_menu.setObjectName("menuHelp")
        help_menu.addAction(a["about"])

    def _build_canvas_menu(self) -> None:
        """Right-click on the canvas offers the editing actions."""
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        names = ["connect", "duplicate", "rename", "delete", None, "autoLayout", "zoomFit", "selectAll"]
        for name in names:
            if name is None:
                separator = QAction(self.view)
                separator.setSeparator(True)
                self.view.addAction(separator)
            else:
                self.view.addAction(self.actions[name])

    def _build_toolbar(self) -> None:
        self.toolbar = self.addToolBar("Main")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setIconSize(QSize(20, 20))
        names = ["new", "open", "save", None, "undo", "redo", None, "delete", "connect", "autoLayout", None,
                 "zoomIn", "zoomOut", "zoomFit", None, *_TRAINING_ACTIONS]
        for name in names:
            if name is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(self.actions[name])

    def _build_status_bar(self) -> None:
        self.summary_label = QLabel()
        self.summary_label.setObjectName("networkSummary")
        self.summary_label.setToolTip("Size of the network")
        self.statusBar().addPermanentWidget(self.summary_label)
        hint = "Drag layers from the palette; drag from an output port to an input to connect."
        self.statusBar().showMessage(hint, 8000)

    def _connect_signals(self) -> None:
        # bound methods, not lambdas: Qt drops a connection once its receiver (the window) is being
        # destroyed, while the undo stack and the scene still emit from their own destructors
        doc = self.document
        doc.modifiedChanged.connect(self._update_title)
        doc.pathChanged.connect(self._update_title)
        doc.networkChanged.connect(self._update_actions)
        doc.graphChanged.connect(self._update_actions)
        doc.datasetChanged.connect(self._update_actions)
        doc.settingsChanged.connect(self._update_actions)
        doc.undo_stack.canUndoChanged.connect(self._update_actions)
        doc.undo_stack.canRedoChanged.connect(self._update_actions)
        self.scene.selectionChanged.connect(self._update_actions)
        # other receivers (the properties panel) outlive the scene; a window destroyed without being
        # closed silences its parts first, as closeEvent does (a lambda: the window's own methods are cut)
        parts = (self.document.undo_stack, self.document, self.scene)
        self.destroyed.connect(lambda _obj=None: _block_signals(parts))
        self.scene.statusMessage.connect(self.show_status)
        self.scene.connectRequested.connect(self._connect_layers)
        self.scene.layersMoved.connect(self.editor.move_layers)
        self.view.paletteDropped.connect(self.add_palette_entry)
        self.view.nudgeRequested.connect(self.nudge_selected)
        self.palette_list.entryActivated.connect(lambda entry: self.add_palette_entry(entry, None))
        self.properties_panel.message.connect(self.show_status)
        self.validation_list.layerRequested.connect(self.show_layer)

    # -- state --------------------------------------------------------------------------------------
    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.title}[*] — nnstudio")
        self.setWindowModified(self.document.modified)

    def _update_actions(self) -> None:
        a, doc = self.actions, self.document
        locked = doc.training
        layers, conns = self.scene.selected_layer_ids(), self.scene.selected_connection_ids()
        stack = doc.undo_stack
        a["undo"].setEnabled(stack.canUndo() and not locked)
        a["redo"].setEnabled(stack.canRedo() and not locked)
        a["undo"].setText(f"&Undo {stack.undoText()}".strip())
        a["redo"].setText(f"&Redo {stack.redoText()}".strip())
        a["delete"].setEnabled(bool(layers or conns) and not locked)
        a["duplicate"].setEnabled(bool(layers) and not locked)
        a["rename"].setEnabled(len(layers) == 1)
        a["connect"].setEnabled(len(layers) == 2 and not locked)
        for name in ("new", "open", "import"):
            a[name].setEnabled(not locked)
        trainable = self.is_trainable()
        if getattr(self, "training", None) is None:
            a["train"].setEnabled(trainable)  # until a training controller takes the action over
        if trainable != self._trainable:
            self._trainable = trainable
            self.trainableChanged.emit(trainable)
        net = doc.network
        self.summary_label.setText(
            f"{len(doc.graph.layers)} layers · {net.n_synapses} synapses" if net else
            f"{len(doc.graph.layers)} layers · not trainable yet"
        )

    def is_trainable(self) -> bool:
        return not self.document.network_problems() and not self.document.training

    def set_training_locked(self, locked: bool) -> None:
        """Called by the training controller: while training, the structure cannot be edited.

        Unlocking means a run has stopped: its results are autosaved at once.
        """
        was_locked = self.document.training
        self.document.training = locked
        if was_locked and not locked and self.document.modified:
            self.autosave_now()
        self.scene.set_locked(locked)
        self.palette_list.set_locked(locked)
        self.properties_panel.refresh()
        self.view.viewport().update()
        self._update_actions()

    def show_status(self, text: str, timeout: int = 6000) -> None:
        self.statusBar().showMessage(text, timeout)

    # -- editing ------------------------------------------------------------------------------------
    def add_palette_entry(self, entry: dict, scene_pos: QPointF | None) -> list[str]:
        """Add a palette entry (a layer or a preset) at ``scene_pos`` or the view centre; returns new ids."""
        if self.document.training:
            self.show_status("Training is running: stop it to change the network")
            return []
        pos = scene_pos if scene_pos is not None else self.view.center_scene_pos()
        origin = (round(pos.x() - WIDTH / 2), round(pos.y() - HEADER / 2))
        if "preset" in entry:
            ids = self.editor.add_preset(entry["preset"], origin)
        else:
            new_id = self.editor.add_layer(entry["role"], origin)
            ids = [new_id] if new_id else []
        self.scene.select(layer_ids=ids)
        return ids

    def show_layer(self, layer_id: str) -> None:
        """Select a layer and scroll the canvas to it."""
        self.scene.select(layer_ids=[layer_id])
        self.view.centerOn(self.scene.layer_item(layer_id))

    def nudge_selected(self, dx: float, dy: float) -> None:
        """Move the selected layers with the keyboard (arrow keys; one undo step per press)."""
        graph = self.document.graph
        moves = {}
        for lid in self.scene.selected_layer_ids():
            x, y = graph.layers[lid].position
            moves[lid] = (x + dx, y + dy)
        self.editor.move_layers(moves)

    def delete_selected(self) -> None:
        problem = self.editor.remove(self.scene.selected_layer_ids(), self.scene.selected_connection_ids())
        if problem:
            self.show_status(problem)

    def duplicate_selected(self) -> None:
        ids = self.editor.duplicate(self.scene.selected_layer_ids())
        self.scene.select(layer_ids=ids)

    def ask_layer_name(self, current: str) -> str | None:
        name, ok = QInputDialog.getText(self, "Rename layer", "Name:", text=current)
        return name if ok else None

    def rename_selected(self, name: str | None = None) -> None:
        ids = self.scene.selected_layer_ids()
        if len(ids) != 1:
            return
        if name is None:
            name = self.ask_layer_name(self.document.graph.layers[ids[0]].name)
            if name is None:
                return
        problem = self.editor.rename(ids[0], name)
        if problem:
            self.show_status(problem)

    def select_all(self) -> None:
        for item in self.scene.items():
            if item.flags() & item.GraphicsItemFlag.ItemIsSelectable:
                item.setSelected(True)

    def connect_selected(self) -> None:
        """Connect the two selected layers, left one into right one (or the only way that works)."""
        ids = self.scene.selected_layer_ids()
        if len(ids) != 2:
            self.show_status("Select exactly two layers to connect them")
            return
        graph = self.document.graph
        a, b = sorted(ids, key=lambda lid: graph.layers[lid].position[0])
        if graph.connect_problem(a, b) and not graph.connect_problem(b, a):
            a, b = b, a
        self._connect_layers(a, b)

    def _connect_layers(self, source: str, target: str) -> None:
        problem = self.editor.connect(source, target)
        graph = self.document.graph
        if problem:
            self.show_status(f"Cannot connect: {problem}")
        else:
            self.show_status(f"Connected {graph.layers[source].name} → {graph.layers[target].name}")

    def auto_layout(self) -> None:
        heights = {item.layer_id: item.height() for item in self.scene.layer_items()}
        problem = self.editor.auto_layout(heights)
        if problem:
            self.show_status(problem)
        else:
            self.view.fit()

    def _set_snap(self, on: bool) -> None:
        self.scene.set_snap_to_grid(on)
        self.settings.setValue("snapToGrid", on)

    def _set_legend(self, on: bool) -> None:
        self.view.show_legend = on
        self.view.viewport().update()

    def set_dark_theme(self, dark: bool) -> None:
        apply_theme(dark)
        theme_plots(self)
        self.settings.setValue("darkTheme", dark)
        self.scene.apply_weights()  # unknown-weight lines take the theme's grey
        self.scene.repaint_all()
        self.view.refresh_theme()

    # -- files ---------------------------------------------------------------------------------------
    def ask_save_changes(self) -> QMessageBox.StandardButton:
        """Save, Discard or Cancel for unsaved changes (tests replace this)."""
        return QMessageBox.question(
            self, "Unsaved changes", f"Save the changes to {self.document.title} first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document (saved, discarded or unmodified)."""
        if not self.document.modified:
            return True
        choice = self.ask_save_changes()
        if choice == QMessageBox.StandardButton.Save:
            return self.save()
        return choice == QMessageBox.StandardButton.Discard

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def choose_open_path(self, caption: str = "Open project", filters: str = PROJECT_FILTER) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, caption, self._last_dir(), filters)
        return path or None

    def choose_save_path(self, caption: str = "Save project", filters: str = PROJECT_FILTER,
                         suggestion: str = "") -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, caption, suggestion or self._last_dir(), filters)
        return path or None

    def _last_dir(self) -> str:
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
        training = getattr(self, "training", None)
        if training is not None:
            training.controller.stop()  # a run of the old network must not go on writing into the new project
        try:
            self.document.load(project, path)
        except DocumentLoadError as error:
            return str(error)
        self.autosaver.discard()
        self.view.fit()
        return None

    def _open_file(self, path: str | Path, document_path: str | None, name: str = "") -> str | None:
        """Read ``path`` and open it as the document saved at ``document_path`` (None: untitled, called ``name``
        unless it has a name); returns why it failed (None: opened)."""
        try:
            project = load_project(path)
        except (ProjectError, OSError) as error:
            return f"{path}:\n{error}"
        project.name = project.name or name
        problem = self._load(project, document_path)
        return None if problem is None else f"{path}:\n{problem}"

    def new_document(self) -> bool:
        if not self.maybe_save():
            return False
        problem = self._load(default_project(), None)
        if problem:
            self.show_error("Could not start a new project", problem)
        return problem is None

    def open_dialog(self) -> bool:
        if not self.maybe_save():
            return False
        path = self.choose_open_path()
        return self.open_path(path, ask=False) if path else False

    def open_path(self, path: str, ask: bool = True) -> bool:
        """Open a project; a bad file shows what is wrong and leaves the current document untouched."""
        if ask and not self.maybe_save():
            return False
        problem = self._open_file(path, str(path))
        if problem:
            self.show_error("Could not open the project", problem)
            return False
        self.recent.add(str(path))
        self.show_status(f"Opened {path}")
        return True

    def save(self) -> bool:
        if self.document.path:
            return self.save_to(self.document.path)
        return self.save_as()

    def save_as(self) -> bool:
        path = self.choose_save_path(suggestion=self.document.path or f"{self.document.title}.nnstudio")
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
            self.show_error("Could not save the project", f"{path}:\n{error}")
            return False
        self.document.mark_saved(str(path))
        self.autosaver.discard()
        self.recent.add(str(path))
        problems = self.document.graph.problems()
        if problems:
            self.show_status(f"Saved {path}, but the network is unfinished ({problems[0]}): "
                             "fix that before reopening it", 12000)
        else:
            self.show_status(f"Saved {path}")
        return True

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent.paths()
        for path in paths:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _c=False, p=path: self.open_path(p))
        if not paths:
            self.recent_menu.addAction("No recent files").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear List", self.recent.clear)

    def sample_paths(self) -> list[Path]:
        return sorted(samples_dir().glob("*.nnstudio"))

    def _fill_sample_menu(self) -> None:
        self.sample_menu.clear()
        for path in self.sample_paths():
            action = self.sample_menu.addAction(path.stem)
            action.setToolTip(f"Open the sample {path.name}")
            action.triggered.connect(lambda _c=False, p=path: self.open_sample(p))

    def open_sample(self, path: Path) -> bool:
        """Open a bundled sample as an untitled copy (saving asks where, so the sample stays intact)."""
        if not self.maybe_save():
            return False
        problem = self._open_file(path, None, name=path.stem)
        if problem:
            self.show_error("Could not open the sample", problem)
            return False
        self.show_status(f"Opened sample {path.stem}")
        return True

    def export_dialog(self) -> bool:
        suggestion = str(Path(self._last_dir()) / self.document.title)
        path = self.choose_save_path("Export", EXPORT_FILTER, suggestion=suggestion)
        return self.export_to(path) if path else False

    def export_image_dialog(self) -> bool:
        path = self.choose_save_path("Export canvas image", "PNG image (*.png);;SVG drawing (*.svg)")
        return self.export_to(path) if path else False

    def export_to(self, path: str) -> bool:
        """Export by extension: canvas images here, everything else through ``nnstudio.io.export``."""
        suffix = Path(path).suffix.lower()
        try:
            if suffix in (".png", ".svg"):
                self.export_canvas_image(path)
            else:
                from ..io.export import export_project

                export_project(self.document.project(), path)
        except (ValueError, OSError, ImportError, RuntimeError) as error:  # RuntimeError: no onnx package
            self.show_error("Could not export", f"{path}:\n{error}")
            return False
        self.show_status(f"Exported {path}")
        return True

    def export_canvas_image(self, path: str, scale: float = 2.0) -> None:
        """The whole network as a PNG (``scale`` × natural size) or an SVG drawing."""
        rect = self.scene.itemsBoundingRect().adjusted(-30, -30, 30, 30)
        if Path(path).suffix.lower() == ".svg":
            from PySide6.QtSvg import QSvgGenerator

            generator = QSvgGenerator()
            generator.setFileName(str(path))
            generator.setSize(rect.size().toSize())
            generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
            generator.setTitle(self.document.title)
            painter = QPainter(generator)
            self._render_scene(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
            painter.end()
            return
        image = QImage((rect.size() * scale).toSize(), QImage.Format.Format_ARGB32_Premultiplied)
        painter = QPainter(image)
        self._render_scene(painter, QRectF(image.rect()), rect)
        painter.end()
        if not image.save(str(path)):
            raise OSError(f"could not write {path}")

    def _render_scene(self, painter: QPainter, target: QRectF, source: QRectF) -> None:
        from .theme.style import canvas_theme

        painter.fillRect(target, canvas_theme().background)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        selected = self.scene.selectedItems()
        self.scene.clearSelection()
        self.scene.render(painter, target, source)
        for item in selected:
            item.setSelected(True)

    def import_dialog(self) -> bool:
        path = self.choose_open_path("Import network", IMPORT_FILTER)
        return self.import_path(path) if path else False

    def import_path(self, path: str) -> bool:
        """Import a foreign network (Synaptic.js, brain.js) as a new, unsaved project; weights into this one."""
        from .model.import_weights import import_weights_file, is_weights_file

        if is_weights_file(path):
            return import_weights_file(self, path)
        if not self.maybe_save():
            return False
        try:
            from ..io.importers import import_file

            project = import_file(path)
        except (ValueError, OSError, ImportError) as error:
            self.show_error("Could not import", f"{path}:\n{error}")
            return False
        problem = self._load(project, None)
        if problem:
            self.show_error("Could not import", f"{path}:\n{problem}")
            return False
        self.document.mark_modified()
        self.show_status(f"Imported {path}")
        return True

    # -- autosave and recovery ---------------------------------------------------------------------
    def autosave_now(self) -> Path | None:
        """Write the autosave file now (the training controller calls this when a run stops); None: it failed."""
        return self.autosaver.autosave_now()

    def _autosave_failed(self, text: str) -> None:
        self.show_status(text, 0)  # until the next message: the user should notice it

    def ask_recover(self, recovery: Recovery) -> bool:
        """Whether to restore an autosave left by a crashed session (tests replace this)."""
        where = recovery.original_path or "an untitled project"
        answer = QMessageBox.question(
            self, "Recover unsaved work?",
            f"nnstudio did not close properly last time. Recover the autosaved copy of {where}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    def offer_recovery(self) -> bool:
        """After a crash, offer the newest autosave; returns True when it was recovered."""
        recoveries = find_recoveries(self.autosaver.folder)
        if not recoveries:
            return False
        newest, recovered = recoveries[0], False
        if self.ask_recover(newest):
            problem = self._open_file(newest.autosave, newest.original_path)
            if problem:
                self.show_error("Could not recover the autosave", problem)
            else:
                self.document.mark_modified()
                self.autosaver.autosave_now()
                recovered = True
        for recovery in recoveries:
            recovery.discard()
        return recovered

    # -- window ------------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        # restore the dock layout on first show, so docks other parts add after construction are included
        if not self._state_restored:
            self._state_restored = True
            state = self.settings.value("window/state")
            if state is not None:
                self.restoreState(state)
            self.view.fit()
            if self.startup_error:
                QTimer.singleShot(0, lambda: self.show_error("Could not open the project", self.startup_error))
        super().showEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()
        self.autosaver.stop()
        # the window is going away: its parts must not signal into each other while Qt destroys them
        _block_signals((self.document.undo_stack, self.document, self.scene))
        event.accept()

    def about(self) -> None:
        from .. import __version__
        from ..core.kernels import status

        QMessageBox.about(
            self, "About nnstudio",
            f"<b>nnstudio {__version__}</b><p>Build and train small neural networks visually: "
            "drag layers onto the canvas, wire them, and watch the synapses change while it learns.</p>"
            f"<p>{status().capitalize()}.</p>",
        )


def _block_signals(objects: tuple[QObject, ...]) -> None:
    """Silence the parts of a window that is going away (those Qt has not destroyed yet)."""
    for obj in objects:
        if shiboken6.isValid(obj):
            obj.blockSignals(True)
