"""The composition root: builds a window's document, editor, canvas, panels and tools, and wires them together.

Only this module knows every part.  Each part gets what it needs in its
constructor and talks to the others through the document's signals or through
the connections made here; nothing is attached to the window from outside.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from .actions import TRAINING_ACTIONS
from .autosave import Autosaver, app_settings
from .canvas.editing import CanvasEditing
from .canvas.palette import PaletteList
from .canvas.properties import PropertiesPanel
from .canvas.scene import CanvasScene
from .canvas.validation import ValidationList
from .canvas.view import CanvasView
from .files import FileActions
from .help.first_run import first_run_steps
from .help.tour import GuidedTour
from .layouts import WindowLayouts
from .learning.tools import LearningTools
from .main_window import WindowShell
from .model.document import Document
from .model.editor import Editor
from .theme.choice import ThemeChoice, is_dark, saved_theme
from .theme.style import apply_theme, theme_plots
from .training.fit_bar import FitBar
from .training.panel import TrainingPanel


class MainWindow(WindowShell):
    """nnstudio's window; ``MainWindow(path)`` opens a project file, ``MainWindow()`` the XOR 2-3-1 network."""

    def __init__(self, path: str | None = None, parent: QWidget | None = None):
        settings = app_settings()
        apply_theme(is_dark(saved_theme(settings)))  # the desktop's light or dark, unless one was chosen
        # the project opens once every part is built (they check their own sections of it)
        document = Document(None, None)
        super().__init__(document, settings, parent)
        document.setParent(self)
        self.editor = Editor(document)
        self.scene = CanvasScene(document, self)
        self.scene.set_snap_to_grid(self.actions["snapToGrid"].isChecked())
        self.view = CanvasView(self.scene, self)
        self.fit_bar = FitBar(document)
        self.set_canvas(self.view, self.fit_bar)
        self.editing = CanvasEditing(self.editor, self.scene, self.view, self._ask_layer_name, self)
        self.palette_list = PaletteList()
        self.properties_panel = PropertiesPanel(self.editor, self.scene)
        self.validation_list = ValidationList(document)
        self.docks = {
            "palette": self.add_dock(self.palette_list, "Palette", "palette"),
            "properties": self.add_dock(self.properties_panel, "Properties", "properties"),
            "validation": self.add_dock(self.validation_list, "Validation", "validation"),
        }
        self.autosaver = Autosaver(document, parent=self)
        self.autosaver.failed.connect(self._autosave_failed)
        self.files = FileActions(document, self.scene, self, settings, self.autosaver, self)
        self.recent = self.files.recent
        self.training = TrainingPanel(document, {name: self.actions[name] for name in TRAINING_ACTIONS}, self)
        self.learning_tools = LearningTools(self.training, self.actions["restarts"], self,
                                            self.actions["compareRuns"], self.actions["exportAnimation"])
        self._dock_training()
        self._dock_learning_tools()
        self.layouts = WindowLayouts(self, self.docks, self.view, self.scene, self.toolbar, self.actions, settings)
        train_button = self.toolbar.widgetForAction(self.actions["train"])
        self.tour = GuidedTour(self, first_run_steps(self, self.docks, self.view, self.scene, train_button), settings)
        self._connect_actions()
        self._connect_parts()
        self._update_actions()
        theme_plots(self)
        if path:
            self.startup_error = self.files.open_file(path, str(path))
            if self.startup_error is None:
                self.recent.add(path)

    # -- docks ----------------------------------------------------------------------------------
    def _dock_training(self) -> None:
        panel = self.training
        for widget, title, name in (
            (panel.training_dock, "Training", "training"), (panel.error_plot, "Error", "errorPlot"),
            (panel.data_table, "Data and Outputs", "dataTable"), (panel.try_it, "Try It", "tryIt"),
            (panel.heatmap, "Decision Surface", "heatmap"),
            (self.learning_tools.weight_images, "Weights as Images", "weightImages"),
            (panel.confusion, "Confusion Matrix", "confusion"),
        ):
            self.docks[name] = self.add_dock(widget, title, name)  # the layout places them
        self.docks["confusion"].visibilityChanged.connect(panel.confusion.set_on_screen)  # a tab behind is unseen
        self.statusBar().addPermanentWidget(panel.status_label)  # no stretch: messages (Saving…, Saved) keep room

    def _dock_learning_tools(self) -> None:
        self.docks["inspector"] = self.add_dock(self.learning_tools.inspector, "Math Inspector", "inspector")

    def _raise_inspector(self) -> None:
        dock = self.docks["inspector"]
        if dock.toggleViewAction().isChecked():  # a dock the user closed stays closed (the View menu brings it back)
            dock.raise_()

    # -- wiring ------------------------------------------------------------------------------------
    def _connect_actions(self) -> None:
        files, editing, view, stack = self.files, self.editing, self.view, self.document.undo_stack
        slots = {
            "new": files.new_document, "open": files.open_dialog,
            "save": lambda: files.save(wait=False), "saveAs": lambda: files.save_as(wait=False),  # the window goes on
            "export": files.export_dialog, "exportImage": files.export_image_dialog, "import": files.import_dialog,
            "quit": self.close, "undo": stack.undo, "redo": stack.redo,
            "delete": editing.delete_selected, "duplicate": editing.duplicate_selected,
            "rename": editing.rename_selected, "selectAll": editing.select_all, "connect": editing.connect_selected,
            "autoLayout": editing.auto_layout, "zoomIn": view.zoom_in, "zoomOut": view.zoom_out,
            "zoomFit": view.fit, "zoomReset": view.zoom_reset, "about": self.about,
            "loadData": self.training.training_dock.load_data_dialog,
            "exportSynaptic": lambda: files.export_js_dialog("synaptic"),
            "exportBrain": lambda: files.export_js_dialog("brain"),
            "gettingStarted": self.tour.start, "documentation": self.show_documentation,
        }
        for name, slot in slots.items():
            self.actions[name].triggered.connect(lambda _checked=False, slot=slot: slot())
        self.actions["snapToGrid"].toggled.connect(self._set_snap)
        self.actions["showLegend"].toggled.connect(self._set_legend)
        self.theme = ThemeChoice(self.actions, self.settings, self.set_dark_theme, self)

    def _connect_parts(self) -> None:
        # bound methods, not lambdas: Qt drops a connection once its receiver (the window) is being
        # destroyed, while the undo stack and the scene still emit from their own destructors
        doc, scene = self.document, self.scene
        for signal in (doc.networkChanged, doc.graphChanged, doc.datasetChanged, doc.settingsChanged,
                       doc.undo_stack.canUndoChanged, doc.undo_stack.canRedoChanged, scene.selectionChanged):
            signal.connect(self._update_actions)
        doc.trainingChanged.connect(self._training_changed)
        # other receivers (the properties panel) outlive the scene; a window destroyed without being
        # closed silences its parts first, as closing does (a lambda: the window's own methods are cut)
        parts = (doc.undo_stack, doc, scene)
        self.destroyed.connect(lambda _obj=None: _block_signals(parts))
        self.closing.connect(self.layouts.save)  # before the parts stop
        self.closing.connect(self.theme.stop_following)
        self.closing.connect(self._closing)
        self.firstShown.connect(self.layouts.restore)
        for messages in (scene.statusMessage, self.editing.statusMessage, self.properties_panel.message):
            messages.connect(self.show_status)
        self.palette_list.entryActivated.connect(self._add_palette_entry)
        self.training.training_dock.loadFailed.connect(self._data_load_failed)
        self.validation_list.layerRequested.connect(self.editing.show_layer)
        scene.synapseDoubleClicked.connect(self.training.edit_weight)
        scene.neuronClicked.connect(self.learning_tools.inspect)
        self.learning_tools.neuronInspected.connect(self._raise_inspector)
        # a run of the old network must not go on writing into the new project
        self.files.aboutToLoad.connect(self.training.controller.stop)
        self.files.loaded.connect(self.view.fit)

    def _ask_layer_name(self, current: str) -> str | None:
        return self.ask_layer_name(current)  # looked up on each call: tests answer for the dialog

    def _data_load_failed(self, text: str) -> None:
        self.show_error("Could not load the data", text)  # looked up on each call: tests answer for the dialog

    def _autosave_failed(self, text: str) -> None:
        self.show_status(text, 0)  # until the next message: the user should notice it

    def _add_palette_entry(self, entry: dict) -> None:
        self.editing.add_palette_entry(entry, None)

    # -- state -------------------------------------------------------------------------------------
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
        for name in ("new", "open", "import", "loadData"):
            a[name].setEnabled(not locked)
        net = doc.network
        self.summary_label.setText(
            f"{len(doc.graph.layers)} layers · {net.n_synapses} synapses" if net else
            f"{len(doc.graph.layers)} layers · not trainable yet"
        )

    def _training_changed(self, training: bool) -> None:
        """While training, the structure cannot be edited (the scene and the docks follow the document too)."""
        self.palette_list.set_locked(training)
        self.properties_panel.refresh()
        self.view.viewport().update()
        self._update_actions()

    def _set_snap(self, on: bool) -> None:
        self.scene.set_snap_to_grid(on)
        self.settings.setValue("snapToGrid", on)

    def _set_legend(self, on: bool) -> None:
        self.view.show_legend = on
        self.view.viewport().update()

    def set_dark_theme(self, dark: bool) -> None:
        """Repaint the window light or dark (View > Theme decides which; see theme.choice)."""
        apply_theme(dark)
        theme_plots(self)
        self.scene.apply_weights()  # unknown-weight lines take the theme's grey
        self.scene.repaint_all()
        self.view.refresh_theme()

    # -- the window's file API (scripts and tests call these on the window; the work is in files.py) ------
    def new_document(self) -> bool:
        return self.files.new_document()

    def open_path(self, path: str, ask: bool = True) -> bool:
        return self.files.open_path(path, ask)

    def open_sample(self, path: Path) -> bool:
        return self.files.open_sample(path)

    def save(self) -> bool:
        return self.files.save()

    def save_to(self, path: str) -> bool:
        return self.files.save_to(path)

    def export_to(self, path: str) -> bool:
        return self.files.export_to(path)

    def import_path(self, path: str) -> bool:
        return self.files.import_path(path)

    def offer_recovery(self) -> bool:
        return self.files.offer_recovery()

    def autosave_now(self) -> Path | None:
        """Write the autosave file now; None when that failed."""
        return self.autosaver.autosave_now()

    # -- closing -----------------------------------------------------------------------------------
    def may_close(self) -> bool:
        return self.files.maybe_save()  # Cancel leaves the window, and a training run, as they were

    def _closing(self) -> None:
        self.autosaver.stop_autosaving()  # the work is saved or discarded by now
        self.training.controller.shutdown(1000)
        self.files.finish_writes()  # a save going on ends first: never a half file
        self.autosaver.stop()
        # the window is going away: its parts must not signal into each other while Qt destroys them
        _block_signals((self.document.undo_stack, self.document, self.scene))


def _block_signals(objects: tuple[QObject, ...]) -> None:
    """Silence the parts of a window that is going away (those Qt has not destroyed yet)."""
    for obj in objects:
        if shiboken6.isValid(obj):
            obj.blockSignals(True)
