"""The data and outputs table: dataset rows, targets, the network's live outputs and per-row error.

Inputs and targets are editable in place (a truth table can be changed by
typing), rows can be added and removed; every edit replaces the document's
dataset.  Inputs show, and are typed, as they were before the dataset's input
scaling: the values their column names mean.  Selecting a row makes it the "current data row" the canvas shows.

Outputs are known only for the rows in view: during training they come in the
worker's frames (for the rows the table asked for in the view request), and
only the rows on screen are signalled; otherwise, and for rows scrolled into
view before the next frame, the few rows on screen are computed on demand.

A categorical target (the dataset has class names) shows as one "class"
column of names, and the outputs as one "guess" column: the class the
network picks, with its output value (the tooltip lists every output).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QPushButton, QTableView, QVBoxLayout, QWidget

from ...core.datasets import DatasetError
from ...core.frames import Frame, FrameBuilder, FrameRequest, ViewRequest
from ...core.table_rows import TableRows
from ...core.training import resolve_cost
from ..model.commands import CUSTOM_DATA, DATA_CHANGED, SetDatasetCommand, push_with_state
from ..model.document import Document
from .throttle import SLOW_VIEW_MS, Throttle
from .thumbnails import THUMBNAIL_PX, ThumbnailHeader

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
#: rows beyond the last visible one that frames also carry (a little scrolling shows numbers at once)
ROW_MARGIN = 8


class DataTableModel(QAbstractTableModel):
    """Rows: the training rows, then the test rows.  Columns: inputs, targets, outputs, error (the targets and
    outputs of a categorical target as one class column each)."""

    editFailed = Signal(str)

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        self.live = False  # frames bring the outputs (training runs): weight changes are not recomputed here
        self.visible = (0, 0)  # rows [start, stop) on screen, as the view reports them
        self._block_start = 0
        self._outputs = np.empty((0, 0))  # outputs of rows [_block_start, _block_start + len)
        self._errors = np.empty(0)
        self._builder: FrameBuilder | None = None
        self._load()
        document.datasetChanged.connect(self.reload)
        document.networkChanged.connect(self.reload)
        document.settingsChanged.connect(self._settings_changed)
        document.weightsChanged.connect(Throttle(self._weights_changed, SLOW_VIEW_MS, self))

    # -- the data ------------------------------------------------------------------------
    def _load(self) -> None:
        data = self.document.dataset
        self.n_train = len(data)
        self.X, self.Y = TableRows(data.X, data.X_test), TableRows(data.Y, data.Y_test)  # read in place
        self.scaling = data.scaling  # the inputs are stored scaled; the table shows and takes them raw
        self.n_in, self.n_out = data.n_inputs, data.n_outputs
        self.classes = list(data.class_names)
        self.n_shown = 1 if self.classes else self.n_out  # target (and output) columns
        if self.classes:
            self.headers = [*data.input_names, "class", "guess", "error"]
        elif data.n_outputs == 1:
            self.headers = [*data.input_names, "target", "output", "error"]
        else:
            self.headers = [*data.input_names, *(f"target {n}" for n in data.output_names),
                            *(f"output {n}" for n in data.output_names), "error"]
        self._forget_outputs()

    def reload(self) -> None:
        self.beginResetModel()
        self._load()
        self.endResetModel()

    def _forget_outputs(self) -> None:
        self._builder = None
        self._outputs, self._errors = np.empty((0, self.n_out)), np.empty(0)

    def _settings_changed(self) -> None:
        self._builder = None  # the loss may have changed
        if not self.live:
            self.refresh_outputs()

    def _weights_changed(self) -> None:
        if not self.live:
            self.refresh_outputs()

    def refresh_outputs(self) -> None:
        """New weights: forget the outputs; the output and error columns of the rows on screen repaint."""
        self._outputs, self._errors = np.empty((0, self.n_out)), np.empty(0)
        self._signal_rows(*self.visible)

    def show_frame(self, frame: Frame) -> None:
        """Outputs and errors of the frame's rows; only the rows on screen are signalled."""
        if frame.outputs.shape[1:] != (self.n_out,):
            return  # a frame of a network this table no longer shows
        self._block_start, self._outputs, self._errors = frame.first_row, frame.outputs, frame.row_errors
        self._signal_rows(*self.visible)

    def _signal_rows(self, start: int, stop: int) -> None:
        stop = min(stop, self.rowCount())
        if stop > start:
            first = self.n_in + self.n_shown
            self.dataChanged.emit(self.index(start, first), self.index(stop - 1, self.columnCount() - 1),
                                  [Qt.ItemDataRole.DisplayRole])

    def _known(self, row: int) -> bool:
        return self._block_start <= row < self._block_start + len(self._outputs)

    def _compute_rows(self, row: int) -> bool:
        """Compute the outputs of the rows on screen (and ``row``) from the document's network."""
        doc = self.document
        net = doc.network
        if net is None or net.n_inputs != self.n_in or net.n_outputs != self.n_out:
            return False
        if self._builder is None:
            self._builder = FrameBuilder(net, doc.dataset, resolve_cost(doc.settings.cost, net, doc.dataset),
                                         own_copy=False)
        start, stop = self.visible
        start, stop = min(start, row), max(stop, row + 1)
        frame = self._builder.build(FrameRequest(rows=(start, stop)))
        self._block_start, self._outputs, self._errors = start, frame.outputs, frame.row_errors
        return True

    def output_row(self, row: int) -> np.ndarray | None:
        if not self._known(row) and not self._compute_rows(row):
            return None
        return self._outputs[row - self._block_start]

    def error(self, row: int) -> float | None:
        """The row's error by the run's loss, as the core computes it."""
        if not self._known(row) and not self._compute_rows(row):
            return None
        return float(self._errors[row - self._block_start])

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
        if index.column() < self.n_in + self.n_shown and not self.document.training:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        row, col = index.row(), index.column()
        value = self._value(row, col)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if value is None:
                return "—" if role == Qt.ItemDataRole.DisplayRole else None
            if isinstance(value, str):
                return value
            if role == Qt.ItemDataRole.EditRole:
                return float(value)
            return f"{value:.3g}" if col == len(self.headers) - 1 else _display(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and row >= self.n_train:
            return QBrush(QColor("#8a6d3b"))
        if role == Qt.ItemDataRole.ToolTipRole and self.classes and col == self.n_in + 1:
            out = self.output_row(row)
            return None if out is None else ", ".join(f"{n} {v:.3f}" for n, v in zip(self.classes, out, strict=True))
        return None

    def _value(self, row: int, col: int) -> float | str | None:
        if col < self.n_in:
            return self._raw(row, col)
        col -= self.n_in
        if self.classes and col < 2:  # the class name of the target, the network's guess
            values = self.Y[row] if col == 0 else self.output_row(row)
            if values is None:
                return None
            k = int(np.argmax(values))
            return self.classes[k] if col == 0 else f"{self.classes[k]} {_display(values[k])}"
        if self.classes:
            return self.error(row)
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
        row, col = index.row(), index.column()
        if self.classes and col == self.n_in:
            name = str(value).strip()
            if name not in self.classes:
                self.editFailed.emit(f"the class of {self._row_name(row)} stays {self._value(row, col)}: "
                                     f"{name!r} is not a class; the classes are {', '.join(self.classes)}")
                return False
            one_hot = np.arange(self.n_out) == self.classes.index(name)
            if np.array_equal(one_hot, self.Y[row]):
                return True  # the same class again: no edit, no undo step
            X, Y = self.X.stacked(), self.Y.stacked()
            Y[row] = one_hot
            return self._replace(X, Y, text=f"Edit class of {self._row_name(row)}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not np.isfinite(number):  # one cell, named as the table shows it; nothing changed
            kept = _display(self._value(row, col))
            self.editFailed.emit(f"{self.headers[col]} of {self._row_name(row)} stays {kept}: "
                                 f"{str(value)!r} is not a finite number")
            return False
        rows, column = (self.X, col) if col < self.n_in else (self.Y, col - self.n_in)
        if col < self.n_in and self.scaling is not None:  # typed raw, as shown
            number = float((number - self.scaling.offset[col]) * self.scaling.factor[col])
        if rows[row, column] == number:
            return True  # the same value again: no edit, no undo step
        X, Y = self.X.stacked(), self.Y.stacked()
        (X if col < self.n_in else Y)[row, column] = number
        return self._replace(X, Y, text=f"Edit {self.headers[col]} of {self._row_name(row)}")

    def _raw(self, row: int, col: int) -> float:
        """Input ``col`` of ``row`` as it was before scaling (what the column's name means)."""
        value = float(self.X[row, col])
        if self.scaling is None:
            return value
        return float(f"{value / self.scaling.factor[col] + self.scaling.offset[col]:.12g}")  # no round-off dust

    def _row_name(self, row: int) -> str:
        """"row 3" or "test row 1", as the row headers number them."""
        return f"row {row + 1}" if row < self.n_train else f"test row {row - self.n_train + 1}"

    # -- rows ----------------------------------------------------------------------------------
    def add_row(self) -> bool:
        """Append a training row (a copy of the last one, to edit)."""
        n = self.n_train
        X = np.insert(self.X.stacked(), n, self.X[n - 1], axis=0)
        Y = np.insert(self.Y.stacked(), n, self.Y[n - 1], axis=0)
        return self._replace(X, Y, n_train=n + 1, text="Add row")

    def remove_rows(self, rows: list[int]) -> bool:
        keep = np.setdiff1d(np.arange(len(self.X)), rows)
        n_train = int(np.sum(keep < self.n_train))
        if n_train == 0:
            self.editFailed.emit("the dataset needs at least one training row")
            return False
        text = "Remove row" if len(rows) == 1 else f"Remove {len(rows)} rows"
        return self._replace(self.X.take(keep), self.Y.take(keep), n_train=n_train, text=text)

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

    def __init__(self, document: Document, request: ViewRequest | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.request = request
        self.model = DataTableModel(document, self)
        self.view = QTableView()
        self.view.setObjectName("dataTableView")
        self.view.setAccessibleName("Dataset rows, targets, outputs and errors")
        self.row_header = ThumbnailHeader(self.view)  # image rows show their picture
        self.view.setVerticalHeader(self.row_header)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.horizontalHeader().setDefaultSectionSize(64)
        rows = self.view.verticalHeader()
        rows.setDefaultSectionSize(self._row_height())
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measured row by row
        self.view.verticalScrollBar().valueChanged.connect(self._update_visible_rows)
        self.view.viewport().installEventFilter(self)
        self.view.selectionModel().currentRowChanged.connect(lambda current, _prev: self._row_changed(current.row()))
        self.model.modelReset.connect(self._show_thumbnails)
        self.model.modelReset.connect(self._restore_selection)
        self.model.modelReset.connect(self._stretch_error_column)
        self.model.modelReset.connect(self._update_visible_rows)
        self._show_thumbnails()
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

    def set_live(self, live: bool) -> None:
        """While training runs, the outputs come in frames (see :meth:`show_frame`)."""
        self.model.live = live

    def show_frame(self, frame: Frame) -> None:
        self.model.show_frame(frame)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide):
            self._update_visible_rows()
            if event.type() == QEvent.Type.Resize:
                self._fit_error_column()
        return super().eventFilter(watched, event)

    def _update_visible_rows(self, *_args) -> None:
        """Tell the model and the worker (through the view request) which rows are on screen."""
        count = self.model.rowCount()
        first = max(0, self.view.rowAt(0))
        last = self.view.rowAt(max(0, self.view.viewport().height() - 1))
        stop = count if last < 0 else last + 1
        if not self.view.isVisible():
            first = stop = 0  # a table out of sight (a tab behind, a closed dock) needs no rows
        self.model.visible = (first, stop)
        if self.request is not None:
            self.request.update(rows=(first, min(count, stop + ROW_MARGIN)))

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

        The other columns get a user-resizable width that fits their header and a shown number, set once
        per dataset: fitting to contents would measure cells of many rows on every update.
        """
        header = self.view.horizontalHeader()
        metrics = header.fontMetrics()
        number = metrics.horizontalAdvance("-0.0000") + 14
        for column in range(self.model.columnCount() - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            title = metrics.horizontalAdvance(str(self.model.headers[column])) + 18
            if self.model.classes and column - self.model.n_in in (0, 1):  # a class name, the guess and its value
                extra = "" if column == self.model.n_in else " 0.0000"
                title = max(metrics.horizontalAdvance(name + extra) for name in self.model.classes) + 18
            header.resizeSection(column, max(number, min(title, 160)))
        self._fit_error_column()

    def _fit_error_column(self) -> None:
        """The error column stretches over the room left, but never below a number's width: in a narrow
        table (large type) it keeps that width and the table scrolls sideways instead of eliding it."""
        header, last = self.view.horizontalHeader(), self.model.columnCount() - 1
        if last < 0:
            return
        least = header.fontMetrics().horizontalAdvance("0.000000") + 14
        others = sum(header.sectionSize(column) for column in range(last))
        stretch = others + least <= self.view.viewport().width()
        mode = QHeaderView.ResizeMode.Stretch if stretch else QHeaderView.ResizeMode.Interactive
        if header.sectionResizeMode(last) != mode:
            header.setSectionResizeMode(last, mode)
        if not stretch:
            header.resizeSection(last, least)

    def _show_thumbnails(self) -> None:
        """Rows of an image dataset show their picture in the row header, tall enough to see it."""
        header = self.row_header
        header.reset_rows(self.document.dataset, self.model.X)
        header.setDefaultSectionSize(THUMBNAIL_PX + 4 if header.cache.active else self._row_height())

    def _row_height(self) -> int:
        """A row of text in the table's font (22 px at the usual size, more in the presentation layout)."""
        return max(22, self.view.fontMetrics().height() + 6)

    def changeEvent(self, event: QEvent) -> None:
        """A bigger or smaller font (the presentation layout): the columns and rows are measured again."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._stretch_error_column()
            self._show_thumbnails()

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
