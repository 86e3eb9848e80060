"""The learning tools of a window, wired to its training panel: restarts, compare runs, the inspector, time travel.

Network → Train Restarts… (``actionRestarts``) opens the restarts dialog, View → Compare Runs
(``actionCompareRuns``) the run list (:mod:`nnstudio.ui.learning.compare_runs`), File → Export Training
Animation… (``actionExportAnimation``) records the time-travel range (:mod:`nnstudio.ui.learning.animation`); the
composition root docks the inspector (``inspector``) and the weights-as-images view (``weightImages``) and sends
the inspector the neurons clicked on the canvas (or on a weight picture); the time-travel slider sits under the
error plot (:mod:`nnstudio.ui.learning.time_travel`).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from ...core.runs import RunRecord
from ..theme.style import theme_plots
from ..training.controller import RUNNING
from ..training.panel import TrainingPanel
from .animation_dialog import AnimationDialog
from .compare_runs import CompareRunsDialog
from .inspector_panel import InspectorPanel
from .restarts_dialog import RestartsDialog
from .time_travel import TimeTravel
from .weight_images import WeightImages


class LearningTools(QObject):
    """Restarts, the math inspector and time travel for ``panel``'s document; dialogs open over ``window``."""

    neuronInspected = Signal()  # the inspector shows a neuron just clicked: its dock comes to the front

    def __init__(self, panel: TrainingPanel, restarts_action: QAction, window: QWidget,
                 compare_action: QAction | None = None, animation_action: QAction | None = None):
        super().__init__(window)
        self.window, self.panel = window, panel
        self.document = doc = panel.document
        self.controller = panel.controller
        self.restarts_dialog: RestartsDialog | None = None
        self.restarts_action = restarts_action
        restarts_action.triggered.connect(lambda _checked=False: self.open_restarts())
        self.compare_dialog: CompareRunsDialog | None = None
        if compare_action is not None:
            compare_action.triggered.connect(lambda _checked=False: self.open_compare_runs())
        self.animation_dialog: AnimationDialog | None = None
        if animation_action is not None:
            animation_action.triggered.connect(lambda _checked=False: self.open_animation_export())
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

    def open_compare_runs(self) -> CompareRunsDialog:
        """Show the Compare Runs dialog (one per window; it follows the document's run list)."""
        if self.compare_dialog is None:
            self.compare_dialog = CompareRunsDialog(self.document, self.window)
            self.compare_dialog.runRestored.connect(self._compared_run_restored)
            self.compare_dialog.restored.connect(self.panel.status_label.setText)
            theme_plots(self.compare_dialog)
        dialog = self.compare_dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def open_animation_export(self) -> AnimationDialog:
        """Show File → Export Training Animation (one per window; it records the time-travel range)."""
        store = self.time_travel.store
        if self.animation_dialog is None:
            self.animation_dialog = AnimationDialog(self.document, store, self.window)
            self.animation_dialog.exported.connect(self.panel.status_label.setText)
        dialog = self.animation_dialog
        if dialog.recorder is None:
            dialog.set_store(store)
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
        start = doc.network.copy()
        start.reset(int(run.population.seeds[k]))
        self._curve_becomes_history(list(zip(epochs[keep].tolist(), errors[keep].tolist(), strict=True)), [],
                                    end, final, start.params)
        doc.set_status(
            f"Kept the run from seed {run.population.seeds[k]}: its error curve is the history "
            f"(time travel holds its first and last epoch).")

    def _compared_run_restored(self, run: RunRecord) -> None:
        """A compared run's final weights are on the canvas: its curve becomes the history, time travel holds
        its last epoch (the later run's curve and snapshots come back with Undo)."""
        train = [(e, v) for e, v in zip(run.epochs, run.train, strict=True) if v is not None and math.isfinite(v)]
        test = [(e, v) for e, v in zip(run.test_epochs, run.test, strict=True) if v is not None and math.isfinite(v)]
        final = run.train_error if run.train_error is not None else math.nan
        self._curve_becomes_history(train, test, run.epochs_trained, final)

    def _curve_becomes_history(self, train: list[tuple[int, float]], test: list[tuple[int, float]], end: int,
                               final: float, start: np.ndarray | None = None) -> None:
        """The history becomes this curve (ending at epoch ``end`` with error ``final``); time travel starts
        over with the present weights at ``end`` (and ``start`` at epoch 0)."""
        doc = self.document
        doc.history.clear()
        doc.historyChanged.emit()  # the canvas run's curve becomes the faint "previous run"; time travel empties
        for epoch, error in train:
            doc.history.extend(int(epoch), [error])
        for epoch, error in test:
            doc.history.add_test(int(epoch), error)
        if math.isfinite(final) and doc.history.last_epoch < end:
            doc.history.extend(end, [final])
        doc.historyChanged.emit()
        if start is not None and self.time_travel.store is not None:
            self.time_travel.store.add(0, start)
        self.time_travel.record_present(end, final)
        doc.mark_modified()

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
