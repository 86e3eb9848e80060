"""The data and outputs table: dataset rows, targets, the network's live outputs and per-row error.

Inputs and targets are editable in place (a truth table can be changed by
typing), rows can be added and removed; every edit replaces the document's
dataset.  Selecting a row makes it the "current data row" the canvas shows.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QPushButton, QTableView, QVBoxLayout, QWidget

from ...core.datasets import DatasetError
from ..model.commands import CUSTOM_DATA, DATA_CHANGED, SetDatasetCommand, push_with_state
from ..model.document import Document
from .outputs import row_errors
from .throttle import SLOW_VIEW_MS, Throttle

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()



#: tables with more columns get fixed column widths (see DataTable._stretch_error_column)
FIT_COLUMNS_UP_TO = 32

class DataTableModel(QAbstractTableModel):
    """Rows: the training rows, then the test rows.  Columns: inputs, targets, outputs, error."""

    editFailed = Signal(str)

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        self._outputs: np.ndarray | None = None
        self._errors: dict[int, float] = {}
        self._load()
        document.datasetChanged.connect(self.reload)
        document.networkChanged.connect(self.reload)
        document.weightsChanged.connect(Throttle(self.refresh_outputs, SLOW_VIEW_MS, self))

    # -- the data ------------------------------------------------------------------------
    def _load(self) -> None:
        data = self.document.dataset
        self.n_train = len(data)
        self.X = np.vstack([data.X, data.X_test]) if data.has_test else data.X
        self.Y = np.vstack([data.Y, data.Y_test]) if data.has_test else data.Y
        self.n_in, self.n_out = data.n_inputs, data.n_outputs
        if data.n_outputs == 1:
            self.headers = [*data.input_names, "target", "output", "error"]
        else:
            self.headers = [*data.input_names, *(f"target {n}" for n in data.output_names),
                            *(f"output {n}" for n in data.output_names), "error"]
        self._compute_outputs()

    def reload(self) -> None:
        self.beginResetModel()
        self._load()
        self.endResetModel()

    def _compute_outputs(self) -> None:
        net = self.document.network
        self._errors = {}
        self._outputs = net.predict(self.X) if net is not None and net.n_inputs == self.n_in else None

    def refresh_outputs(self) -> None:
        """New weights: recompute the outputs; only the output and error columns repaint."""
        self._compute_outputs()
        if self.rowCount():
            first = self.n_in + self.n_out
            self.dataChanged.emit(self.index(0, first), self.index(self.rowCount() - 1, self.columnCount() - 1),
                                  [Qt.ItemDataRole.DisplayRole])

    def output_row(self, row: int) -> np.ndarray | None:
        return None if self._outputs is None else self._outputs[row]

    def error(self, row: int) -> float | None:
        """The row's error, computed by the core's loss when first asked (only visible rows are)."""
        if self._outputs is None:
            return None
        if row not in self._errors:
            doc = self.document
            self._errors.update(row_errors(doc.network, doc.dataset, doc.settings.cost, self._outputs, self.Y,
                                           range(row, row + 1)))
        return self._errors[row]

    # -- Qt model interface ---------------------------------------------------------------------
    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.X)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return str(section + 1) if section < self.n_train else f"test {section - self.n_train + 1}"

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() < self.n_in + self.n_out and not self.document.training:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        row, col = index.row(), index.column()
        value = self._value(row, col)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if value is None:
                return "—" if role == Qt.ItemDataRole.DisplayRole else None
            if role == Qt.ItemDataRole.EditRole:
                return float(value)
            return f"{value:.3g}" if col == len(self.headers) - 1 else _display(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and row >= self.n_train:
            return QBrush(QColor("#8a6d3b"))
        return None

    def _value(self, row: int, col: int) -> float | None:
        if col < self.n_in:
            return self.X[row, col]
        col -= self.n_in
        if col < self.n_out:
            return self.Y[row, col]
        col -= self.n_out
        if col < self.n_out:
            out = self.output_row(row)
            return None if out is None else out[col]
        return self.error(row)

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.editFailed.emit(f"{value!r} is not a number")
            return False
        X, Y = self.X.copy(), self.Y.copy()
        row, col = index.row(), index.column()
        if col < self.n_in:
            X[row, col] = number
        else:
            Y[row, col - self.n_in] = number
        if np.array_equal(X, self.X) and np.array_equal(Y, self.Y):
            return True  # the same value again: no edit, no undo step
        return self._replace(X, Y, text=f"Edit {self.headers[col]} of row {row + 1}")

    # -- rows ----------------------------------------------------------------------------------
    def add_row(self) -> bool:
        """Append a training row (a copy of the last one, to edit)."""
        n = self.n_train
        X = np.insert(self.X, n, self.X[n - 1], axis=0)
        Y = np.insert(self.Y, n, self.Y[n - 1], axis=0)
        return self._replace(X, Y, n_train=n + 1, text="Add row")

    def remove_rows(self, rows: list[int]) -> bool:
        keep = np.setdiff1d(np.arange(len(self.X)), rows)
        n_train = int(np.sum(keep < self.n_train))
        if n_train == 0:
            self.editFailed.emit("the dataset needs at least one training row")
            return False
        text = "Remove row" if len(rows) == 1 else f"Remove {len(rows)} rows"
        return self._replace(self.X[keep], self.Y[keep], n_train=n_train, text=text)

    def _replace(self, X: np.ndarray, Y: np.ndarray, text: str, n_train: int | None = None) -> bool:
        """The edited rows become the document's dataset, named "Custom", as one undo step."""
        old = self.document.dataset
        n = self.n_train if n_train is None else n_train
        try:
            # names, kind, class names and input scaling stay: the edited values are the network's inputs
            data = dataclasses.replace(old, X=X[:n], Y=Y[:n], name=CUSTOM_DATA,
                                       X_test=X[n:] if len(X) > n else None, Y_test=Y[n:] if len(X) > n else None)
        except DatasetError as exc:
            self.editFailed.emit(str(exc))
            return False
        push_with_state(self.document, SetDatasetCommand(self.document, data, text), DATA_CHANGED)
        return True


class DataTable(QWidget):
    """Contents of the "dataTable" dock."""

    rowSelected = Signal(int)  # row of the table (training rows first, then test rows)

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.model = DataTableModel(document, self)
        self.view = QTableView()
        self.view.setObjectName("dataTableView")
        self.view.setAccessibleName("Dataset rows, targets, outputs and errors")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.horizontalHeader().setDefaultSectionSize(64)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.selectionModel().currentRowChanged.connect(lambda current, _prev: self._row_changed(current.row()))
        self.model.modelReset.connect(self._restore_selection)
        self.model.modelReset.connect(self._stretch_error_column)
        self._stretch_error_column()
        self.add_button = QPushButton("Add row")
        self.add_button.setObjectName("addRow")
        self.add_button.setToolTip("Append a training row (a copy of the last one)")
        self.add_button.clicked.connect(self.model.add_row)
        self.remove_button = QPushButton("Remove rows")
        self.remove_button.setObjectName("removeRows")
        self.remove_button.setToolTip("Remove the selected rows")
        self.remove_button.clicked.connect(self._remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.current_row = 0
        document.trainingChanged.connect(self.set_training)

    def sizeHint(self) -> QSize:
        """Wide enough for the inputs, a target, an output and the error side by side."""
        columns = max(len(self.model.headers), 4)
        column = self.view.fontMetrics().horizontalAdvance("-0.0000") + 14
        width = self.view.verticalHeader().sizeHint().width() + columns * column + 24
        return QSize(max(super().sizeHint().width(), width), super().sizeHint().height())

    def set_training(self, training: bool) -> None:
        """During a run, rows cannot be added or removed."""
        self.add_button.setEnabled(not training)
        self.remove_button.setEnabled(not training)

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def inputs(self, row: int | None = None) -> np.ndarray:
        """The input values of ``row`` (the current row by default)."""
        row = self.current_row if row is None else row
        return self.model.X[min(row, len(self.model.X) - 1)]

    def _row_changed(self, row: int) -> None:
        if row >= 0:
            self.current_row = row
            self.rowSelected.emit(row)

    def _stretch_error_column(self) -> None:
        """The error column takes the width left over, so the table does not scroll sideways for it.

        Narrow tables fit each column to its contents.  Wide ones (an image's pixels as inputs) keep a
        fixed, user-resizable width: fitting would measure every cell of every column on each update.
        """
        header = self.view.horizontalHeader()
        fit = self.model.columnCount() <= FIT_COLUMNS_UP_TO
        other = QHeaderView.ResizeMode.ResizeToContents if fit else QHeaderView.ResizeMode.Interactive
        for column in range(self.model.columnCount()):
            last = column == self.model.columnCount() - 1
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if last else other)

    def _restore_selection(self) -> None:
        self.current_row = min(self.current_row, self.model.rowCount() - 1)
        self.select_row(self.current_row)

    def _remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        if rows:
            self.model.remove_rows(rows)


def _display(value: float) -> str:
    """At most four decimals and four significant digits, so the columns stay narrow; round-off dust
    such as -1.2e-16 (sin π) shows as 0.  The error column keeps small values (they matter there)."""
    return f"{round(float(value), 4) + 0.0:.4g}"  # + 0.0 turns -0 into 0
