"""Network → Train restarts…: N copies of the current network from N seeds, trained at once.

The population core (:mod:`nnstudio.core.population`) does the work on a
worker thread (restarts_worker.py); the dialog records the errors each
snapshot brings and redraws at most a few times a second.  All N error curves are drawn faintly as one plot item, the
median bold on top; a histogram shows the final errors, a table lists the runs
best first, and "Open on canvas" puts the chosen run's weights into the document.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.metrics import percent_text
from ...core.population import Population, PopulationRun
from ..model.commands import SetParamsCommand, push_with_state
from ..model.document import Document
from ..training.error_axis import ErrorAxis
from .restarts_worker import RestartsWorker

REDRAW_SECONDS = 0.2
MAX_ROWS = 1000  # recorded epochs per curve; halved (every other row dropped) when full
CURVE_COLOR = (8, 119, 189)
MEDIAN_COLOR = "#f59322"
PICK_COLOR = "#d64545"
SHORT_REASONS = {
    "target_error": "target reached", "max_epochs": "max epochs", "plateau": "plateau",
    "time_limit": "time limit", "stopped": "stopped", "diverged": "diverged",
}


class CurveBuffer:
    """Every network's error at recorded epochs, with bounded rows (halved when full)."""

    def __init__(self, n: int, max_rows: int = MAX_ROWS):
        self.n, self.max_rows = n, max_rows
        self.stride = 1
        self.epochs: list[int] = []
        self.rows: list[np.ndarray] = []
        self.medians: list[float] = []

    def wants(self, epoch: int) -> bool:
        """Whether :meth:`add` would record ``epoch`` (later epochs are recorded ever more sparsely)."""
        return not self.epochs or epoch - self.epochs[-1] >= self.stride

    def add(self, epoch: int, errors: np.ndarray, median: float) -> None:
        """Record an epoch's errors (NaN for stopped networks) and the median of every run's standing error."""
        if not self.wants(epoch):
            return
        if len(self.epochs) >= self.max_rows:
            self.epochs, self.rows, self.medians = self.epochs[::2], self.rows[::2], self.medians[::2]
            self.stride *= 2
        self.epochs.append(epoch)
        self.rows.append(errors.copy())
        self.medians.append(median)

    def curves(self) -> tuple[np.ndarray, np.ndarray]:
        """x and y of all curves joined into one path, NaN-separated (for ``connect="finite"``)."""
        if not self.rows:
            return np.empty(0), np.empty(0)
        y = np.vstack([np.array(self.rows), np.full((1, self.n), np.nan)]).T.ravel()
        x = np.tile(np.append(np.array(self.epochs, dtype=float), np.nan), self.n)
        return x, y


def share_text(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage rounded down to 0.1: 199 of 200 is "99.5%", never "100%"."""
    return percent_text(part / whole)


class RestartsDialog(QDialog):
    """Train the current topology from many seeds; inspect the spread; keep the run you like."""

    runOpened = Signal(int)  # index (within the population) of the run whose weights went onto the canvas

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("restartsDialog")
        self.setWindowTitle("Train restarts")
        self.document = document
        self.run: PopulationRun | None = None
        self.buffer: CurveBuffer | None = None
        self._last_draw = 0.0
        self._thread: QThread | None = None
        self._worker: RestartsWorker | None = None
        self._generation = 0  # of the worker whose news counts
        self._failure = ""  # why the worker stopped short, shown instead of the summary

        self.count = QSpinBox(objectName="restartsCount")
        self.count.setRange(2, 1000)
        self.count.setValue(100)
        self.count.setToolTip("How many copies of the network to train, each from its own initial-weight seed")
        self.first_seed = QSpinBox(objectName="restartsFirstSeed")
        self.first_seed.setRange(0, 2**31 - 1)
        self.first_seed.setValue(int(document.init_seed))
        # the last seed used, first + count - 1, must fit a project file and the seed boxes too
        self.count.valueChanged.connect(lambda n: self.first_seed.setMaximum(2**31 - n))
        self.first_seed.setMaximum(2**31 - self.count.value())
        self.first_seed.setToolTip("Seeds used: this one and the following ones")
        self.start_button = QPushButton("Train", objectName="restartsStart")
        self.stop_button = QPushButton("Stop", objectName="restartsStop", enabled=False)
        self.open_button = QPushButton("Open on canvas", objectName="restartsOpen", enabled=False)
        self.open_button.setToolTip("Put the selected run's weights into the network on the canvas")
        self.summary = QLabel(objectName="restartsSummary")
        self.summary.setWordWrap(True)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.open_button.clicked.connect(self.open_selected)

        self.curves_plot = pg.PlotWidget(objectName="restartsCurves", axisItems={"left": ErrorAxis("left")})
        self.curves_plot.setBackground(None)
        self.curves_plot.setLabel("bottom", "epoch")
        self.curves_plot.setLabel("left", "error")
        self.curves_plot.setLogMode(y=True)
        self.curves_plot.showGrid(x=True, y=True, alpha=0.2)
        self.curves_plot.addLegend(offset=(-10, 10))
        self.all_curves = self.curves_plot.plot(pen=pg.mkPen((*CURVE_COLOR, 40), width=1), name="each run")
        self.median_curve = self.curves_plot.plot(pen=pg.mkPen(MEDIAN_COLOR, width=3), name="median")
        self.picked_curve = self.curves_plot.plot(pen=pg.mkPen(PICK_COLOR, width=2), name="selected run")
        self.target_line = pg.InfiniteLine(angle=0, pen=pg.mkPen((120, 120, 120), style=Qt.PenStyle.DashLine))
        self.curves_plot.addItem(self.target_line)

        self.histogram = pg.PlotWidget(objectName="restartsHistogram")
        self.histogram.setBackground(None)
        self.histogram.setLabel("bottom", "final error (log10)")
        self.histogram.setLabel("left", "runs")
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.1, brush=pg.mkBrush(*CURVE_COLOR, 180))
        self.histogram.addItem(self.bars)
        self.hist_target = pg.InfiniteLine(angle=90, pen=pg.mkPen((120, 120, 120), style=Qt.PenStyle.DashLine))
        self.histogram.addItem(self.hist_target)

        self.table = QTableWidget(0, 4, objectName="restartsRuns")
        self.table.setHorizontalHeaderLabels(["seed", "final error", "epochs", "ended"])
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._picked)
        self.table.itemDoubleClicked.connect(lambda _item: self.open_selected())

        controls = QHBoxLayout()
        for label, widget in (("Runs", self.count), ("first seed", self.first_seed)):
            controls.addWidget(QLabel(label))
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.start_button)
        controls.addWidget(self.stop_button)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.histogram)
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.table)
        table_layout.addWidget(self.open_button)
        lower.addWidget(table_box)
        lower.setSizes([380, 440])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.curves_plot)
        split.addWidget(lower)
        split.setSizes([300, 220])
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self.resize(820, 640)
        self._show_problems()

    # -- running -------------------------------------------------------------------------
    def _show_problems(self) -> bool:
        problems = self.document.network_problems()
        if problems:
            self.summary.setText("The network cannot be trained yet: " + "; ".join(problems))
        self.start_button.setEnabled(not problems)
        return bool(problems)

    def start(self) -> None:
        """Build the population from the current graph, settings and data, and start training it."""
        if self._show_problems():
            return
        doc = self.document
        first, n = self.first_seed.value(), self.count.value()
        population = Population(doc.graph, range(first, first + n), init=doc.init)
        self.run = PopulationRun(population, doc.dataset, doc.settings)
        self.buffer = CurveBuffer(n)
        self._failure = ""
        # target error 0 means "run to the maximum epochs": there is no target to draw
        target = doc.settings.target_error
        for line in (self.target_line, self.hist_target):
            line.setVisible(target > 0)
            if target > 0:
                line.setValue(math.log10(target))
        self.table.setRowCount(0)
        self.picked_curve.setData([], [])
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.open_button.setEnabled(False)
        self.count.setEnabled(False)
        self.first_seed.setEnabled(False)
        self._generation += 1
        worker = RestartsWorker(self.run, self._generation)
        thread = QThread()
        thread.setObjectName("restartsThread")
        worker.moveToThread(thread)
        thread.started.connect(worker.work)
        worker.finished.connect(thread.quit, type=Qt.ConnectionType.DirectConnection)
        worker.progressed.connect(self._took)
        worker.failed.connect(self._failed)
        worker.finished.connect(self._ended)
        self._worker, self._thread = worker, thread
        thread.start()

    def stop(self) -> None:
        """Stop every run still training (they keep the weights they have)."""
        if self._worker is not None:
            self._worker.request_stop()
            self._thread.wait()  # the end of the current chunk: a fraction of a second
        self._ended(self._generation)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _took(self, generation: int, snapshot, medians: np.ndarray) -> None:
        """Record the epochs a snapshot brings (the GUI thread: the worker only trains)."""
        if generation != self._generation or not len(snapshot.errors):
            return
        buffer, errors = self.buffer, snapshot.errors
        first = snapshot.epoch - len(errors) + 1
        for row in range(len(errors)):
            if buffer.wants(first + row):
                buffer.add(first + row, errors[row], float(medians[row]))
        if time.perf_counter() - self._last_draw >= REDRAW_SECONDS:
            self._redraw()

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self._failure = f"Training the restarts failed: {message}"

    def _ended(self, generation: int) -> None:
        """The worker's thread has ended (or is ending): collect its last news and close the run."""
        thread = self._thread
        if generation != self._generation or thread is None:
            return
        thread.wait()
        self._thread = self._worker = None
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)  # snapshots still queued for us
        self._generation += 1
        thread.deleteLater()
        if self.run.n_training:  # the worker failed: its runs stop where they are
            self.run.stop_all()
        self._finish()

    def _standing(self) -> np.ndarray:
        """Each run's current error, a stopped run held at its final one, a diverged run as +inf."""
        errors = self.run.final_errors
        errors[np.isnan(errors)] = np.inf
        return errors

    def _finish(self) -> None:
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.count.setEnabled(True)
        self.first_seed.setEnabled(True)
        if self.run is not None:
            self._redraw()
            self._fill_table()

    # -- drawing ------------------------------------------------------------------------------
    def _redraw(self) -> None:
        self._last_draw = time.perf_counter()
        buffer = self.buffer
        x, y = buffer.curves()
        positive = np.where(y > 0, y, np.nan)
        self.all_curves.setData(x, positive, connect="finite")
        self.median_curve.setData(np.array(buffer.epochs, float), np.array(buffer.medians), connect="finite")
        finals = self._standing()
        logs = np.log10(finals[np.isfinite(finals) & (finals > 0)])
        if len(logs):
            lo, hi = math.floor(logs.min() * 4) / 4, math.ceil(logs.max() * 4) / 4 + 0.25
            counts, edges = np.histogram(logs, bins=np.arange(lo, hi + 0.25, 0.25))
            self.bars.setOpts(x=(edges[:-1] + edges[1:]) / 2, height=counts, width=0.22)
        self.summary.setText(self._failure or self.summary_text())

    def summary_text(self) -> str:
        run = self.run
        n = run.population.size
        reached = int(run.reached.sum())
        target = run.settings.target_error
        finals = self._standing()
        if target > 0:
            text = f"{reached} of {n} runs reached the target error {target:g} ({share_text(reached, n)})"
        else:
            text = f"{n} runs · target error: none (runs to max epochs)"
        diverged = sum(r == "diverged" for r in run.reasons)
        if diverged:
            text += f" · {diverged} diverged"
        text += f" · median error {np.median(finals):.4g} · epoch {run.epochs_done:,}"
        if run.n_training:
            text += f" · {run.n_training} still training"
        else:
            text += f" · {run.epochs_done * n / max(run.elapsed, 1e-9) / 1e6:.2f} M network-epochs/s"
        return text

    def _fill_table(self) -> None:
        run = self.run
        finals = self._standing()
        order = np.argsort(finals, kind="stable")
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(order))
        for row, k in enumerate(order):
            reason = run.reasons[k]
            cells = [
                str(run.population.seeds[k]), f"{finals[k]:.4g}", str(int(run.stopped_at[k]) or run.epochs_done),
                SHORT_REASONS.get(reason, reason) if reason else "training",
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, int(k))
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()

    # -- picking a run ------------------------------------------------------------------------
    def selected_run(self) -> int | None:
        """The index (within the population) of the run selected in the table."""
        items = self.table.selectedItems()
        return None if not items else int(items[0].data(Qt.ItemDataRole.UserRole))

    def select_run(self, k: int) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) == k:
                self.table.selectRow(row)
                return

    def _picked(self) -> None:
        k = self.selected_run()
        self.open_button.setEnabled(k is not None and not self.running)
        if k is None or self.buffer is None:
            self.picked_curve.setData([], [])
            return
        y = np.array(self.buffer.rows)[:, k]
        self.picked_curve.setData(np.array(self.buffer.epochs, float), np.where(y > 0, y, np.nan), connect="finite")

    def open_selected(self) -> None:
        """Put the selected run's weights on the canvas (the document keeps them)."""
        k = self.selected_run()
        if k is None or self.run is None or self.running:
            return
        net, template = self.document.network, self.run.population.template
        same = net is not None and {key: s.shape for key, s in net.specs.items()} == {
            key: s.shape for key, s in template.specs.items()
        }
        if not same:
            self.summary.setText("The network on the canvas has changed since these runs: train them again.")
            return
        if self.document.training:
            self.summary.setText("Stop the training on the canvas first, then open a run.")
            return
        seed = int(self.run.population.seeds[k])
        # one undo step: Undo brings back the network, history and status that were on the canvas
        push_with_state(self.document, SetParamsCommand(self.document, self.run.params_of(k),
                                                        f"Open the restart run from seed {seed}"))
        self.runOpened.emit(k)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.running:
            self.stop()
        super().closeEvent(event)
