"""Live training: the worker thread, its controller, and the docks that watch a run.

``install_training(window)`` is the one entry point: it adds the docks
(objectNames ``training``, ``errorPlot``, ``dataTable``, ``tryIt``,
``heatmap``) to a main window that has a ``document`` and connects the
training actions, the canvas and the status bar.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QGraphicsView, QInputDialog, QLabel, QMainWindow, QWidget

from ...core.frames import Frame, ViewRequest
from ..model.weight_commands import SetWeightCommand
from .controller import IDLE, PAUSED, RUNNING, TrainingController
from .data_table import DataTable
from .error_plot import ErrorPlot
from .heatmaps import DecisionSurface, neuron_grid, neuron_images
from .throttle import SLOW_VIEW_MS, Throttle
from .training_dock import TrainingDock
from .try_it import TryIt

__all__ = ["TrainingController", "TrainingPanel", "install_training"]

RIGHT_COLUMN_WIDTH = 560  # the training controls and the math inspector's table side by side
BOTTOM_AREA_WIDTH = 960  # error plot, data table (every column showing) and decision surface

ACTION_TEXT = {
    "train": ("&Train", "Train the network on the dataset (or resume)"),
    "pause": ("&Pause", "Pause training"),
    "step": ("&Step", "Train one epoch, then pause"),
    "stop": ("S&top", "Stop training; the weights reached so far are kept"),
    "reset": ("&Reset Weights", "Back to the initial weights of the init seed; clears the error history"),
}


class TrainingPanel(QObject):
    """Everything :func:`install_training` adds to a window, and the wiring between the parts."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.document = doc = window.document
        self.actions = _training_actions(window)
        # what the views show: the worker computes each frame for it (see core.frames)
        self.view_request = request = ViewRequest()
        request.update(accuracy=True)
        self.controller = TrainingController(doc, lock=self._lock, parent=self, request=request)
        self.training_dock = TrainingDock(doc, self.actions)
        self.error_plot = ErrorPlot(doc)
        self.data_table = DataTable(doc, request)
        self.try_it = TryIt(doc)
        self.heatmap = DecisionSurface(doc, request)
        right, bottom = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        self.docks = {
            "training": _add_dock(window, self.training_dock, "Training", "training", right),
            "errorPlot": _add_dock(window, self.error_plot, "Error", "errorPlot", bottom),
            "dataTable": _add_dock(window, self.data_table, "Data and Outputs", "dataTable", bottom),
            "tryIt": _add_dock(window, self.try_it, "Try It", "tryIt", bottom),
            "heatmap": _add_dock(window, self.heatmap, "Decision Surface", "heatmap", bottom),
        }
        # the table and the try-it panel share a place; the training dock gets most of the right side
        window.tabifyDockWidget(self.docks["dataTable"], self.docks["tryIt"])
        self.docks["dataTable"].raise_()
        # the right-hand docks run down to the bottom so the training controls keep their height
        window.setCorner(Qt.Corner.BottomRightCorner, right)
        self.training_dock.setMinimumWidth(400)
        window.resizeDocks([self.docks["training"]], [560], Qt.Orientation.Vertical)
        self._size_docks()
        self._sized_on_show = False  # sizes given before the window has its real width are rescaled
        self.status_label = QLabel()
        self.status_label.setObjectName("trainingStatus")
        self.status_label.setAccessibleName("Training status")
        window.statusBar().addPermanentWidget(self.status_label, 1)
        self._connect()
        self._update_actions()
        self._probe_changed(self.try_it.values())
        self._update_neuron_request()
        self.show_neuron_images()
        window.installEventFilter(self)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.controller.shutdown)

    # -- wiring ------------------------------------------------------------------------------
    def _connect(self) -> None:
        c, a, doc = self.controller, self.actions, self.document
        a["train"].triggered.connect(lambda _checked=False: c.train())
        a["pause"].triggered.connect(lambda _checked=False: c.pause())
        a["step"].triggered.connect(lambda _checked=False: c.step())
        a["stop"].triggered.connect(lambda _checked=False: c.stop())
        a["reset"].triggered.connect(lambda _checked=False: c.reset())
        c.stateChanged.connect(self._state_changed)
        c.frameReady.connect(self.show_frame)
        c.statusChanged.connect(self.status_label.setText)
        doc.statusChanged.connect(self.status_label.setText)  # an undo brings back how the run ended
        c.sampleStepped.connect(self.data_table.select_row)
        self.training_dock.stepSampleRequested.connect(c.step_sample)
        self.training_dock.initSeedChanged.connect(self._new_init_seed)
        self.training_dock.refused.connect(self.status_label.setText)
        self.data_table.rowSelected.connect(lambda row: self.try_it.set_values(self.data_table.inputs(row)))
        self.data_table.model.editFailed.connect(self.status_label.setText)
        self.try_it.inputsChanged.connect(self._probe_changed)
        doc.weightsChanged.connect(Throttle(lambda: None if self.live else self.show_activations(), SLOW_VIEW_MS, self))
        doc.weightsChanged.connect(Throttle(lambda: None if self.live else self.show_neuron_images(), SLOW_VIEW_MS,
                                            self))
        doc.networkChanged.connect(self._update_actions)
        doc.datasetChanged.connect(self._update_actions)
        doc.networkChanged.connect(self._update_neuron_request)
        doc.datasetChanged.connect(self._update_neuron_request)
        if hasattr(self.window, "trainableChanged"):
            # the window re-decides Train's state on its own edits; a paused run must stay resumable
            self.window.trainableChanged.connect(lambda _t: self._update_actions())
        scene = self.scene
        if scene is not None and hasattr(scene, "synapseClicked"):
            scene.synapseClicked.connect(self.edit_weight)

    @property
    def scene(self):
        view = self.window.findChild(QGraphicsView, "canvas")
        return view.scene() if view is not None else None

    def _lock(self, locked: bool) -> None:
        if hasattr(self.window, "set_training_locked"):
            self.window.set_training_locked(locked)
        else:
            self.document.training = locked
        self.training_dock.set_training(locked)
        self.data_table.set_training(locked)

    def _state_changed(self, state: str) -> None:
        self._update_actions()
        self.set_live(state == RUNNING)

    # -- frames ---------------------------------------------------------------------------------
    @property
    def live(self) -> bool:
        """Training runs: the views show the worker's frames instead of computing from the document."""
        return self.controller.state == RUNNING

    def set_live(self, live: bool) -> None:
        for view in (self.error_plot, self.try_it, self.heatmap):
            view.live = live
        self.data_table.set_live(live)

    def show_frame(self, frame: Frame) -> None:
        """Copy a frame's numbers into the views (each part only when the frame carries it)."""
        self.data_table.show_frame(frame)
        self.error_plot.show_frame(frame)
        self.try_it.show_frame(frame)
        self.heatmap.show_frame(frame)
        if frame.probe_activations is not None:
            self._show_layer_values(frame.probe_activations)
        if frame.neuron_maps is not None:
            self._show_images(neuron_images(self.document, frame.neuron_maps))

    def _probe_changed(self, values) -> None:
        self.view_request.update(probe=tuple(float(v) for v in values))
        self.show_activations()

    def _update_neuron_request(self) -> None:
        self.view_request.update(neuron_maps=neuron_grid(self.document) if self.scene is not None else None)

    def _update_actions(self) -> None:
        state, a = self.controller.state, self.actions
        trainable = self.document.network is not None
        a["train"].setEnabled(trainable and state != RUNNING)
        a["pause"].setEnabled(state == RUNNING)
        a["step"].setEnabled(trainable and state != RUNNING)
        a["stop"].setEnabled(state != IDLE)
        a["reset"].setEnabled(trainable)
        a["train"].setText("&Resume" if state == PAUSED else "&Train")

    def _new_init_seed(self, seed: int) -> None:
        self.controller.reset(seed)
        self.status_label.setText(f"New initial weights from init seed {seed}.")

    # -- canvas -------------------------------------------------------------------------------
    def show_activations(self) -> None:
        """Colour the canvas neurons by their activation for the try-it inputs (the selected row)."""
        net, scene = self.document.network, self.scene
        values = self.try_it.values()
        if net is None or scene is None or values.size != net.n_inputs:
            return
        self._show_layer_values({k: v[0] for k, v in net.layer_activations(values[None, :]).items()})

    def _show_layer_values(self, acts: dict) -> None:
        scene = self.scene
        if scene is None:
            return
        for layer_id, act in acts.items():
            try:
                scene.layer_item(layer_id).set_neuron_values(act)
            except (KeyError, ValueError):
                pass  # the canvas is still catching up with a structural edit

    def show_neuron_images(self) -> None:
        """With two inputs, every neuron on the canvas shows its output over the input plane."""
        self._show_images(neuron_images(self.document))

    def _show_images(self, images: dict) -> None:
        scene = self.scene
        if scene is None:
            return
        for item in scene.layer_items() if hasattr(scene, "layer_items") else []:
            try:
                item.set_neuron_images(images.get(item.layer_id) if images else None)
            except ValueError:
                pass  # sizes are changing under a structural edit

    def edit_weight(self, conn_id: str, i: int, j: int) -> None:
        """Ask for a new value of synapse ``i → j`` and set it as one undoable step."""
        net = self.document.network
        if net is None or conn_id not in net.weights:
            return
        if self.controller.state != IDLE:
            self.status_label.setText("Stop training to type a weight.")
            return
        old = float(net.weights[conn_id][i, j])
        value, ok = QInputDialog.getDouble(self.window, "Set weight", f"Weight of synapse {i + 1} → {j + 1} "
                                           f"({conn_id}):", old, -1e6, 1e6, 4)
        if ok and value != old:
            self.set_weight(conn_id, i, j, value)

    def set_weight(self, conn_id: str, i: int, j: int, value: float) -> None:
        self.document.undo_stack.push(SetWeightCommand(self.document, conn_id, i, j, value))

    # -- layout and closing ----------------------------------------------------------------------
    def _size_docks(self) -> None:
        # the right-hand column also holds the math inspector, whose seven columns and scrollbar need about
        # 560 px; it widens only while the bottom docks keep the ~960 px the data table needs for every column
        right = min(RIGHT_COLUMN_WIDTH, max(400, self.window.width() - BOTTOM_AREA_WIDTH))
        self.window.resizeDocks([self.docks["training"]], [right], Qt.Orientation.Horizontal)
        bottom_docks = [self.docks[name] for name in ("errorPlot", "dataTable", "heatmap")]
        # the table needs room for five or more number columns; the square surface needs less
        self.window.resizeDocks(bottom_docks, [250, 425, 225], Qt.Orientation.Horizontal)
        self.window.resizeDocks(bottom_docks, [330, 330, 330], Qt.Orientation.Vertical)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # a close that was accepted hides the window (a cancelled one does not, and training goes on);
        # minimising hides it too, but spontaneously (the window system did it)
        if watched is self.window and event.type() == QEvent.Type.Hide and not event.spontaneous():
            self.controller.shutdown(1000)
        if watched is self.window and event.type() == QEvent.Type.Show and not self._sized_on_show:
            self._sized_on_show = True
            self._size_docks()
        return False


def install_training(window: QMainWindow) -> TrainingPanel:
    """Add the training docks to ``window`` and connect everything; returns the panel."""
    panel = TrainingPanel(window)
    window.training = panel
    from ..learning.tools import install_learning_tools  # it builds on this package: imported once it is loaded

    install_learning_tools(window)
    return panel


def _training_actions(window: QMainWindow) -> dict[str, QAction]:
    """The window's training actions, created (with a toolbar) when the window has none."""
    actions = getattr(window, "actions", None)
    actions = dict(actions) if isinstance(actions, dict) else {}
    missing = [key for key in ACTION_TEXT if key not in actions]
    if missing:
        toolbar = window.addToolBar("Training")
        toolbar.setObjectName("trainingToolbar")
        for key in missing:
            text, tip = ACTION_TEXT[key]
            action = QAction(text, window)
            action.setObjectName(f"action{key.capitalize()}")
            action.setToolTip(tip)
            toolbar.addAction(action)
            actions[key] = action
    return actions


def _add_dock(window: QMainWindow, widget: QWidget, title: str, name: str, area: Qt.DockWidgetArea) -> QDockWidget:
    if hasattr(window, "add_dock"):
        return window.add_dock(widget, title, name, area)
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setAccessibleName(title)
    dock.setWidget(widget)
    window.addDockWidget(area, dock)
    return dock

