"""View → Compare Runs: the project's run list, the chosen runs' error curves overlaid, and what differs.

The list holds every run the document kept (:mod:`nnstudio.core.runs`), newest first; ticking runs draws
their training curves (solid) and test curves (dashed) in one colour each and fills the table of the facts
that are not the same in all of them (:func:`~nnstudio.core.runs.run_differences`).  "Restore weights" puts
the selected run's final weights on the canvas as one undo step (Undo brings back the weights, history and
status that were there); ``runRestored`` then lets the window make that run's curve the history.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.runs import RunRecord, run_differences, weights_problem
from ..model.commands import SetParamsCommand, push_with_state
from ..model.document import Document
from ..training.error_axis import ErrorAxis

#: one colour per chosen run, in order (a colour-blind-safe set)
RUN_COLORS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"]
LIST_COLUMNS = ["run", "ended", "network", "epochs", "train error", "test error", "accuracy", "how it ended"]
SHORT_REASONS = {
    "target_error": "target reached", "max_epochs": "max epochs", "plateau": "plateau",
    "time_limit": "time limit", "stopped": "stopped", "diverged": "diverged",
}


def _number(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.1f} %" if percent else f"{value:.4g}"


def _fact(value: object) -> str:
    if value is None:
        return "none"
    return f"{value:g}" if isinstance(value, float) else str(value)


class CompareRunsDialog(QDialog):
    """The run list of ``document`` with an overlay plot and a table of differences (objectName ``compareRuns``)."""

    restored = Signal(str)  # a run's weights were put on the canvas: the status text
    runRestored = Signal(object)  # the RunRecord whose weights were put on the canvas (before ``restored``)

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("compareRuns")
        self.setWindowTitle("Compare Runs")
        self.document = document
        self.runs: list[RunRecord] = []  # as listed: newest first
        self._updating = False
        self.list = QTableWidget(0, len(LIST_COLUMNS))
        self.list.setObjectName("runList")
        self.list.setHorizontalHeaderLabels(LIST_COLUMNS)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.verticalHeader().setVisible(False)
        self.list.itemChanged.connect(self._check_changed)
        self.list.itemSelectionChanged.connect(self._update_restore)
        self.plot = pg.PlotWidget(axisItems={"left": ErrorAxis("left")})  # uncrowded log labels, as the error plot
        self.plot.setObjectName("runCurves")
        self.plot.setBackground(None)
        self.plot.setLabel("bottom", "epoch (from the run's start)")
        self.plot.setLabel("left", "error")
        self.plot.getAxis("left").enableAutoSIPrefix(False)  # errors read as 0.2, not 200 under "error (x0.001)"
        self.plot.addLegend(offset=(-10, 10))
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.toggled.connect(lambda on: self.plot.setLogMode(y=on))
        self.differences = QTableWidget(0, 0)
        self.differences.setObjectName("runDifferences")
        self.differences.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.restore_button = QPushButton("Restore weights")
        self.restore_button.setObjectName("restoreRunWeights")
        self.restore_button.setToolTip("Put the selected run's final weights on the canvas (one undo step)")
        self.restore_button.clicked.connect(lambda _checked=False: self.restore_selected())
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.plot, 3)
        right_layout.addWidget(self.log_scale)
        right_layout.addWidget(QLabel("What differs between the ticked runs"))
        right_layout.addWidget(self.differences, 2)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setSizes([580, 480])
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Tick runs to overlay their curves; select one to restore its final weights."))
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.resize(1100, 620)
        document.runsChanged.connect(self.reload)
        document.networkChanged.connect(self._update_restore)
        document.trainingChanged.connect(self._update_restore)
        self.reload()

    # -- the list ---------------------------------------------------------------------------------
    def reload(self) -> None:
        """Show the document's run list, newest first; the newest two runs start ticked."""
        ticked = {id(run) for run in self.checked_runs()}
        self.runs = list(reversed(self.document.runs))
        if not ticked:
            ticked = {id(run) for run in self.runs[:2]}
        self._updating = True
        try:
            self.list.setRowCount(len(self.runs))
            total = len(self.document.runs)
            for row, run in enumerate(self.runs):
                first = QTableWidgetItem(f"#{total - row}")
                first.setFlags(first.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                first.setCheckState(Qt.CheckState.Checked if id(run) in ticked else Qt.CheckState.Unchecked)
                cells = [first, run.ended.replace("T", " ").split("+")[0], run.topology, str(run.epochs_trained),
                         _number(run.train_error), _number(run.test_error), _number(run.accuracy, percent=True),
                         SHORT_REASONS.get(run.reason, run.reason)]
                for column, cell in enumerate(cells):
                    self.list.setItem(row, column, cell if isinstance(cell, QTableWidgetItem) else
                                      QTableWidgetItem(cell))
        finally:
            self._updating = False
        self.list.resizeColumnsToContents()
        if self.runs and not self.list.selectedItems():
            self.list.selectRow(0)
        self.summary.setText("No run has ended yet: train, then compare." if not self.runs else
                             f"{len(self.runs)} runs kept (the project keeps the last 50).")
        self._show_checked()
        self._update_restore()

    def checked_runs(self) -> list[RunRecord]:
        """The ticked runs, in list order."""
        return [run for row, run in enumerate(self.runs)
                if (item := self.list.item(row, 0)) is not None and item.checkState() == Qt.CheckState.Checked]

    def set_checked(self, rows: list[int]) -> None:
        """Tick exactly these list rows (0 = the newest run)."""
        self._updating = True
        try:
            for row in range(self.list.rowCount()):
                state = Qt.CheckState.Checked if row in rows else Qt.CheckState.Unchecked
                self.list.item(row, 0).setCheckState(state)
        finally:
            self._updating = False
        self._show_checked()

    def _check_changed(self, item: QTableWidgetItem) -> None:
        if not self._updating and item.column() == 0:
            self._show_checked()

    # -- the overlay and the differences ----------------------------------------------------------
    def _show_checked(self) -> None:
        self.plot.clear()
        legend = self.plot.plotItem.legend
        if legend is not None:
            legend.clear()
        chosen = self.checked_runs()
        names = [self.list.item(self.runs.index(run), 0).text() for run in chosen]
        for k, (run, name) in enumerate(zip(chosen, names, strict=True)):
            color = RUN_COLORS[k % len(RUN_COLORS)]
            train = np.array([np.nan if v is None else v for v in run.train], dtype=float)
            self.plot.plot(run.epochs, train, pen=pg.mkPen(color, width=2), name=f"{name} train", connect="finite")
            if run.test_epochs:
                test = np.array([np.nan if v is None else v for v in run.test], dtype=float)
                self.plot.plot(run.test_epochs, test, pen=pg.mkPen(color, width=1, style=Qt.PenStyle.DashLine),
                               name=f"{name} test", connect="finite")
        differences = run_differences(chosen) if len(chosen) > 1 else {}
        self.differences.clear()
        self.differences.setColumnCount(len(chosen))
        self.differences.setHorizontalHeaderLabels(names)
        self.differences.setRowCount(len(differences))
        self.differences.setVerticalHeaderLabels(list(differences))
        for row, values in enumerate(differences.values()):
            for column, value in enumerate(values):
                self.differences.setItem(row, column, QTableWidgetItem(_fact(value)))
        if len(chosen) > 1 and not differences:
            self.differences.setRowCount(1)
            self.differences.setVerticalHeaderLabels([""])
            self.differences.setItem(0, 0, QTableWidgetItem("the same settings, seeds and network"))
        self.differences.resizeColumnsToContents()

    # -- restoring ---------------------------------------------------------------------------------
    def selected_run(self) -> RunRecord | None:
        rows = {index.row() for index in self.list.selectionModel().selectedRows()}
        return self.runs[min(rows)] if rows else None

    def restore_problem(self, run: RunRecord | None) -> str | None:
        """Why ``run``'s weights cannot go on the canvas now (None when they can)."""
        if run is None:
            return "Select a run first"
        if self.document.training:
            return "Training is running: stop it to restore a run's weights"
        if self.document.network is None:
            return "The network on the canvas cannot be trained as it is"
        features = self.document.dataset.features
        if run.features != features:
            fed = "the raw inputs" if run.features is None else ", ".join(run.features)
            return f"The run was fed {fed}: choose those feature inputs first"
        return weights_problem(run, self.document.graph)

    def _update_restore(self) -> None:
        problem = self.restore_problem(self.selected_run())
        self.restore_button.setEnabled(problem is None)
        self.restore_button.setToolTip(problem or "Put the selected run's final weights on the canvas (one undo step)")

    def restore_selected(self) -> str | None:
        """Restore the selected run's final weights as one undo step; returns why not, or None."""
        run = self.selected_run()
        problem = self.restore_problem(run)
        if problem is not None or run is None:
            self.summary.setText(problem or "")
            return problem
        net = self.document.network.copy()
        net.load_param_dict(run.weights)
        name = self.list.item(self.runs.index(run), 0).text()
        text = f"Restored the final weights of run {name} ({run.topology}, {run.epochs_trained} epochs)."
        push_with_state(self.document, SetParamsCommand(self.document, net.get_params(), f"Restore run {name}"),
                        text)
        self.document.set_status(text)
        self.runRestored.emit(run)
        self.restored.emit(text)
        return None
