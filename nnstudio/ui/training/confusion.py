"""The confusion-matrix dock: counts of actual × predicted classes and each class's accuracy, live as training runs.

The counts come from the core (``FrameBuilder.confusions`` by ``core.metrics.confusion_matrix``): during a
run in the worker's frames, which carry them only while this view is on screen (the view request's
``confusion``); otherwise computed from the document's network when the weights change (by :class:`IdleFrames`:
off the GUI thread for big data, the previous counts greyed meanwhile).  The table is
a model, so a thousand classes cost no widgets.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from ...core.datasets import Dataset
from ...core.frames import Frame, FrameRequest, ViewRequest
from ...core.metrics import per_class_accuracy
from ...core.training import resolve_cost
from ..model.document import Document
from .idle_frames import IdleFrames
from .throttle import SLOW_VIEW_MS, Throttle

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
PARTS = [("Training rows", "train"), ("Test rows", "test")]
#: the shade of a cell holding every row of its class: right answers green, wrong ones red
RIGHT_SHADE, WRONG_SHADE = np.array([46, 160, 67]), np.array([224, 36, 94])


def class_labels(data: Dataset) -> list[str]:
    """The names of the classes a confusion matrix of ``data`` counts: the class names of a categorical
    target, the output names of one-hot targets, or the two values of a single label column."""
    if data.class_names:
        return list(data.class_names)
    if data.n_outputs > 1:
        return list(data.output_names)
    Y = data.Y if data.Y_test is None else np.vstack([data.Y, data.Y_test])
    values = np.unique(Y[:, 0])
    low, high = (values[0], values[-1]) if len(values) == 2 else (0.0, 1.0) if values.min() >= 0 else (-1.0, 1.0)
    name = data.output_names[0]
    return [f"{name} = {low:g}", f"{name} = {high:g}"]


class ConfusionModel(QAbstractTableModel):
    """Rows: actual classes; columns: predicted classes, then the class's accuracy."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.labels: list[str] = []
        self.counts: np.ndarray | None = None
        self.right = np.empty(0)

    def set_counts(self, labels: list[str], counts: np.ndarray | None) -> None:
        if counts is not None and counts.shape != (len(labels), len(labels)):
            counts = None  # counts of a dataset this view no longer shows
        if labels != self.labels or (counts is None) != (self.counts is None):
            self.beginResetModel()
            self.labels, self.counts = list(labels), counts
            self.right = per_class_accuracy(counts) if counts is not None else np.empty(0)
            self.endResetModel()
            return
        self.counts = counts
        self.right = per_class_accuracy(counts) if counts is not None else np.empty(0)
        if self.labels and counts is not None:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.labels) - 1, len(self.labels)))

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() or self.counts is None else len(self.labels)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() or self.counts is None else len(self.labels) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal and section == len(self.labels):
                return "accuracy"
            return self.labels[section] if section < len(self.labels) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if orientation == Qt.Orientation.Vertical:
                return f"Rows whose actual class is {self.labels[section]}"
            if section < len(self.labels):
                return f"Rows the network puts in class {self.labels[section]}"
            return "The share of the class's rows the network gets right"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if self.counts is None:
            return None
        row, col = index.row(), index.column()
        if col == len(self.labels):
            value = self.right[row]
            if role == Qt.ItemDataRole.DisplayRole:
                return "—" if np.isnan(value) else f"{100 * value:.1f} %"
        elif role == Qt.ItemDataRole.DisplayRole:
            return str(int(self.counts[row, col]))
        elif role == Qt.ItemDataRole.BackgroundRole:
            total = self.counts[row].sum()
            share = self.counts[row, col] / total if total else 0.0
            if share > 0:
                shade = RIGHT_SHADE if row == col else WRONG_SHADE
                return QBrush(QColor(*shade, int(40 + 170 * share)))
        elif role == Qt.ItemDataRole.ToolTipRole:
            return (f"{int(self.counts[row, col])} rows of class {self.labels[row]} "
                    f"predicted as {self.labels[col]}")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ConfusionView(QWidget):
    """Contents of the "confusion" dock: the train or test confusion matrix and per-class accuracy."""

    def __init__(self, document: Document, request: ViewRequest | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.request = request
        self.live = False  # frames bring the counts (training runs): weight changes are not recomputed here
        self.on_screen = False  # see set_on_screen
        self.confusion: tuple[np.ndarray | None, np.ndarray | None] = (None, None)  # train, test counts shown
        self.idle_frames = IdleFrames(self)
        self.idle_frames.ready.connect(self._show_idle_frame)
        self.part = QComboBox()
        self.part.setObjectName("confusionPart")
        self.part.setToolTip("Count the training rows or the held-out test rows")
        for label, key in PARTS:
            self.part.addItem(label, key)
        self.part.currentIndexChanged.connect(lambda _i: self._show())
        self.summary = QLabel()
        self.summary.setObjectName("confusionSummary")
        self.summary.setWordWrap(True)
        self.model = ConfusionModel(self)
        self.table = QTableView()
        self.table.setObjectName("confusionMatrix")
        self.table.setAccessibleName("Confusion matrix: actual classes down, predicted classes across")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setDefaultSectionSize(64)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.idle_frames.pendingChanged.connect(lambda pending: self.table.setEnabled(not pending))
        self.idle_frames.pendingChanged.connect(lambda pending: self.summary.setEnabled(not pending))
        top = QHBoxLayout()
        top.addWidget(QLabel("Rows"))
        top.addWidget(self.part, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(QLabel("Actual class down, predicted class across"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        document.datasetChanged.connect(self.refresh)
        document.networkChanged.connect(self.refresh)
        document.settingsChanged.connect(self.refresh)
        document.weightsChanged.connect(Throttle(lambda: None if self.live else self.refresh(), SLOW_VIEW_MS, self))
        self.refresh()

    # -- what is asked for ----------------------------------------------------------------------
    def set_on_screen(self, shown: bool) -> None:
        """Whether the view can be seen (its dock's ``visibilityChanged``: a tab behind another is not): the
        worker counts classes, and weight changes are counted here, only while it can."""
        self.on_screen = shown
        if self.request is not None:
            self.request.update(confusion=shown)
        if shown:
            self.refresh()

    # -- counts ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Count from the document's network as it is (when no run brings frames, and the view is seen)."""
        doc, net = self.document, self.document.network
        data = doc.dataset
        self.part.setEnabled(data.has_test)
        if not data.has_test:
            self.part.setCurrentIndex(0)
        if net is None or net.n_inputs != data.network_width or net.n_outputs != data.n_outputs:
            self.idle_frames.cancel()
            self.confusion = (None, None)
            self._show("The network cannot run on these data: " + "; ".join(doc.network_problems()))
            return
        if not self.on_screen:
            return
        self.idle_frames.ask(net, data, resolve_cost(doc.settings.cost, net, data), FrameRequest(confusion=True))

    def _show_idle_frame(self, frame: Frame | None) -> None:
        if self.live:
            return  # a run's frames are newer
        self.confusion = (None, None) if frame is None or frame.confusion is None else frame.confusion
        self._show()

    def show_frame(self, frame: Frame) -> None:
        """The counts a worker's frame carries (when it carries them)."""
        if frame.confusion is not None:
            self.idle_frames.cancel()  # the run's counts are newer than any idle request
            self.confusion = frame.confusion
            self._show()

    def _show(self, problem: str = "") -> None:
        data = self.document.dataset
        test = self.part.currentData() == "test"
        counts = self.confusion[1 if test else 0]
        labels = class_labels(data)
        self.model.set_counts(labels, counts)
        if problem:
            self.summary.setText(problem)
        elif counts is None:
            self.summary.setText("No test rows." if self.confusion[0] is not None else
                                 "No confusion matrix: the targets are not classes (one class column, or a single "
                                 "label column).")
        else:
            right, total = int(np.trace(counts)), int(counts.sum())
            share = f"{100 * right / total:.1f} %" if total else "—"
            self.summary.setText(f"{'Test' if test else 'Training'} accuracy {share}: {right:,} of {total:,} rows "
                                 "right.")
