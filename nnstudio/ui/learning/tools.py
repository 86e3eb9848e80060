"""The learning tools of a window, wired to its training panel: restarts, the math inspector, time travel.

Network → Train Restarts… (``actionRestarts``) opens the restarts dialog; the
composition root docks the inspector (``inspector``) and the weights-as-images
view (``weightImages``) and sends the inspector the neurons clicked on the canvas
(or on a weight picture); the time-travel slider sits under the error plot
(:mod:`nnstudio.ui.learning.time_travel`).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from ..theme.style import theme_plots
from ..training.controller import RUNNING
from ..training.panel import TrainingPanel
from .inspector_panel import InspectorPanel
from .restarts_dialog import RestartsDialog
from .time_travel import TimeTravel
from .weight_images import WeightImages


class LearningTools(QObject):
    """Restarts, the math inspector and time travel for ``panel``'s document; dialogs open over ``window``."""

    neuronInspected = Signal()  # the inspector shows a neuron just clicked: its dock comes to the front

    def __init__(self, panel: TrainingPanel, restarts_action: QAction, window: QWidget):
        super().__init__(window)
        self.window, self.panel = window, panel
        self.document = doc = panel.document
        self.controller = panel.controller
        self.restarts_dialog: RestartsDialog | None = None
        self.restarts_action = restarts_action
        restarts_action.triggered.connect(lambda _checked=False: self.open_restarts())
        self.inspector = InspectorPanel(doc)
        self.inspector.table.setAccessibleName("Weighted sum term by term, with each weight's gradient")
        self.inspector.row_box.setAccessibleName("Data row inspected")
        self.weight_images = WeightImages(doc)
        self.weight_images.neuronClicked.connect(self.inspect)
        self.time_travel = TimeTravel(doc, panel.controller, panel.error_plot, self)
        self.time_travel.messaged.connect(panel.status_label.setText)
        self._params_before_step: np.ndarray | None = None
        panel.data_table.rowSelected.connect(self._row_selected)
        panel.training_dock.stepSampleRequested.connect(self._before_sample_step)
        self.controller.sampleStepped.connect(self._sample_stepped)
        doc.networkChanged.connect(self._update_action)
        self._update_action()

    # -- restarts ----------------------------------------------------------------------------------
    def _update_action(self) -> None:
        self.restarts_action.setEnabled(self.document.network is not None)

    def open_restarts(self) -> RestartsDialog:
        """Show the restarts dialog (one per window; it keeps its last runs to choose from)."""
        if self.restarts_dialog is None:
            self.restarts_dialog = RestartsDialog(self.document, self.window)
            self.restarts_dialog.runOpened.connect(self._run_opened)
            theme_plots(self.restarts_dialog)  # a child of the window: later theme changes reach it too
        dialog = self.restarts_dialog
        if not dialog.running:
            dialog.first_seed.setValue(int(self.document.init_seed))
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _run_opened(self, k: int) -> None:
        """A restart's weights are on the canvas: its curve becomes the history, its first and last epoch snapshots."""
        dialog, doc = self.restarts_dialog, self.document
        run, buffer = dialog.run, dialog.buffer
        end = int(run.stopped_at[k]) or run.epochs_done
        final = float(run.final_errors[k])
        epochs = np.array(buffer.epochs, dtype=np.int64)
        errors = np.array(buffer.rows)[:, k] if buffer.rows else np.empty(0)
        keep = np.isfinite(errors) & (epochs <= end)
        doc.history.clear()
        doc.historyChanged.emit()  # the canvas run's curve becomes the faint "previous run"
        for epoch, error in zip(epochs[keep], errors[keep], strict=True):
            doc.history.extend(int(epoch), [error])
        if np.isfinite(final) and doc.history.last_epoch < end:
            doc.history.extend(end, [final])
        doc.historyChanged.emit()
        start = doc.network.copy()
        start.reset(int(run.population.seeds[k]))
        if self.time_travel.store is not None:
            self.time_travel.store.add(0, start.params)
        self.time_travel.record_present(end, final)
        doc.mark_modified()
        doc.set_status(
            f"Kept the run from seed {run.population.seeds[k]}: its error curve is the history "
            f"(time travel holds its first and last epoch).")

    # -- the math inspector ------------------------------------------------------------------------
    def current_row(self) -> int:
        """The data row selected in the table (a training row; test rows map to the first)."""
        row = self.panel.data_table.current_row
        return row if 0 <= row < len(self.document.dataset) else 0

    def inspect(self, layer_id: str, index: int) -> None:
        """Show neuron ``index`` of ``layer_id`` in the inspector for the current data row."""
        self.inspector.show_neuron(layer_id, index, self.current_row())
        self.neuronInspected.emit()

    def _row_selected(self, row: int) -> None:
        if self.inspector.layer_id is not None and 0 <= row < len(self.document.dataset):
            self.inspector.set_row(row)

    def _before_sample_step(self) -> None:
        # while a run is going the document lags behind the worker: no reliable "before"
        net = self.document.network
        self._params_before_step = net.params.copy() if net is not None and self.controller.state != RUNNING else None

    def _sample_stepped(self, row: int) -> None:
        """After "Step sample": the inspector shows the row just trained and how far each weight moved."""
        before, self._params_before_step = self._params_before_step, None
        if before is not None and self.inspector.layer_id is not None and row < len(self.document.dataset):
            self.inspector.show_step(row, before)
