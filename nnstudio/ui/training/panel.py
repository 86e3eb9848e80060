"""The training views and their controller, wired to one document: Train/Pause/Step/Stop/Reset drive the run.

The composition root (``nnstudio.ui.app``) puts the widgets into docks
(objectNames ``training``, ``errorPlot``, ``dataTable``, ``tryIt``,
``heatmap``, ``confusion``) and the status label into the status bar; the canvas follows the
activations and neuron pictures this panel hands to the document.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLabel

from ...core.frames import Frame, ViewRequest
from ..model.commands import SetWeightCommand
from ..model.document import Document
from .confusion import ConfusionView
from .controller import IDLE, PAUSED, RUNNING, TrainingController
from .data_table import DataTable
from .error_plot import ErrorPlot
from .heatmaps import DecisionSurface, neuron_grid, neuron_images
from .throttle import SLOW_VIEW_MS, Throttle
from .training_dock import TrainingDock
from .try_it import TryIt

__all__ = ["TrainingPanel"]


class TrainingPanel(QObject):
    """The controller and the training widgets for ``document``; ``actions`` holds train, pause, step, stop, reset."""

    def __init__(self, document: Document, actions: dict[str, QAction], parent: QObject | None = None):
        super().__init__(parent)
        self.document = doc = document
        self.actions = actions
        # what the views show: the worker computes each frame for it (see core.frames)
        self.view_request = request = ViewRequest()
        request.update(accuracy=True)
        self.controller = TrainingController(doc, parent=self, request=request)
        self.training_dock = TrainingDock(doc, self.actions)
        self.training_dock.setMinimumWidth(400)
        self.error_plot = ErrorPlot(doc)
        self.data_table = DataTable(doc, request)
        self.try_it = TryIt(doc)
        self.heatmap = DecisionSurface(doc, request)
        self.confusion = ConfusionView(doc, request)
        self.status_label = QLabel()
        self.status_label.setObjectName("trainingStatus")
        self.status_label.setAccessibleName("Training status")
        self._connect()
        self._update_actions()
        self._probe_changed(self.try_it.values())
        self._update_neuron_request()
        self.show_neuron_images()
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
        doc.trainingChanged.connect(self._update_actions)

    def _state_changed(self, state: str) -> None:
        self._update_actions()
        self.set_live(state == RUNNING)

    # -- frames ---------------------------------------------------------------------------------
    @property
    def live(self) -> bool:
        """Training runs: the views show the worker's frames instead of computing from the document."""
        return self.controller.state == RUNNING

    def set_live(self, live: bool) -> None:
        for view in (self.error_plot, self.try_it, self.heatmap, self.confusion):
            view.live = live
        self.data_table.set_live(live)

    def show_frame(self, frame: Frame) -> None:
        """Copy a frame's numbers into the views (each part only when the frame carries it)."""
        self.data_table.show_frame(frame)
        self.error_plot.show_frame(frame)
        self.try_it.show_frame(frame)
        self.heatmap.show_frame(frame)
        self.confusion.show_frame(frame)
        if frame.probe_activations is not None:
            self.document.show_activations(dict(frame.probe_activations))
        if frame.neuron_maps is not None:
            self.document.show_neuron_images(neuron_images(self.document, frame.neuron_maps))

    def _probe_changed(self, values) -> None:
        self.view_request.update(probe=tuple(float(v) for v in values))
        self.show_activations()

    def _update_neuron_request(self) -> None:
        self.view_request.update(neuron_maps=neuron_grid(self.document))

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

    # -- what the canvas shows ------------------------------------------------------------------
    def show_activations(self) -> None:
        """Every layer's activations for the try-it inputs (the selected row), for the canvas to colour by."""
        net, data = self.document.network, self.document.dataset
        values = self.try_it.values()
        if net is None or values.size != data.n_inputs or net.n_inputs != data.network_width:
            return
        acts = net.layer_activations(data.network_inputs(values[None, :]))  # the typed x1, x2 → the features
        self.document.show_activations({layer_id: act[0] for layer_id, act in acts.items()})

    def show_neuron_images(self) -> None:
        """With two inputs, every neuron on the canvas shows its output over the input plane."""
        self.document.show_neuron_images(neuron_images(self.document))

    def edit_weight(self, conn_id: str, i: int, j: int) -> None:
        """Ask for a new value of synapse ``i → j`` and set it as one undoable step."""
        net = self.document.network
        if net is None or conn_id not in net.weights:
            return
        if self.controller.state != IDLE:
            self.status_label.setText("Stop training to type a weight.")
            return
        old = float(net.weights[conn_id][i, j])
        label = f"Weight of the synapse {self.document.graph.synapse_name(conn_id, i, j)}:"
        value, ok = QInputDialog.getDouble(self.training_dock.window(), "Set weight", label, old, -1e6, 1e6, 4)
        if ok and value != old:
            self.set_weight(conn_id, i, j, value)

    def set_weight(self, conn_id: str, i: int, j: int, value: float) -> None:
        self.document.undo_stack.push(SetWeightCommand(self.document, conn_id, i, j, value))
