"""Loading a data file in the window: the choice of target columns, classes, test split and input scaling.

:func:`read_columns` reads a file once (a CSV into typed columns, an ``.npz`` or MNIST IDX file into a
dataset); :class:`DataImportDialog` asks which columns are targets, whether numeric targets are classes,
how many rows are held out for testing and how the inputs are scaled; :func:`make_dataset` turns the file
and the answers into the dataset the document takes (split with the project's data seed, the scaling
stored with it).  Every problem with the file is a :class:`DatasetError` whose message names it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.csv_table import Table, encode, read_table
from ...core.data_files import CSV_SUFFIXES, DATA_SUFFIXES, load_data
from ...core.data_prep import prepare
from ...core.datasets import Dataset, DatasetError
from ...core.scaling import SCALINGS
from .background import run_in_background

DATA_FILTER = f"Data files ({' '.join('*' + s for s in DATA_SUFFIXES)});;All files (*)"
SCALING_TEXT = {"standard": "Standard (mean 0, deviation 1)", "minmax": "Min–max (0 to 1)", "none": "None (raw)"}
#: a single numeric target with whole numbers and at most this many values is offered as classes
MAX_GUESSED_CLASSES = 20


@dataclass
class DataFile:
    """A file read once: its columns (a CSV) or its dataset (``.npz``, IDX), and its name."""

    path: str
    table: Table | None = None
    dataset: Dataset | None = None

    @property
    def columns(self) -> list[str]:
        return self.table.names if self.table is not None else []

    @property
    def rows(self) -> int:
        if self.table is not None:
            return len(self.table.columns[0].values) if self.table.columns else 0
        return 0 if self.dataset is None else len(self.dataset) + (len(self.dataset.X_test)
                                                                  if self.dataset.has_test else 0)


@dataclass
class DataChoice:
    """What the user chose: target columns (a CSV), numeric targets as classes, test share, scaling."""

    targets: list[str] = field(default_factory=list)
    classes: bool = False
    test_split: float = 0.2
    scale: str = "standard"


def read_columns(path: str | os.PathLike) -> DataFile:
    """Read ``path`` once; raises DatasetError (whose message says what is wrong) or OSError."""
    path = str(path)
    if Path(path).suffix.lower() in CSV_SUFFIXES:
        table = read_table(path)
        if len(table.columns) < 2:
            raise DatasetError(f"{Path(path).name} has {len(table.columns)} column; a dataset needs at least an "
                               "input and a target column")
        return DataFile(path, table=table)
    return DataFile(path, dataset=load_data(path))


def read_in_background(path: str | os.PathLike, parent: QWidget | None = None) -> DataFile:
    """:func:`read_columns` on a thread of its own while the window shows that it is reading (and stays
    painted); raises what the reader raised."""
    return run_in_background(lambda: read_columns(path), f"Reading {Path(path).name}…", "Load data", "dataReading",
                             parent)


def guess_classes(file: DataFile, targets: list[str]) -> bool:
    """A single numeric target of whole numbers with a few values (a digit, a grade) is most likely a class."""
    if file.table is None or len(targets) != 1 or targets[0] not in file.columns:
        return False
    column = file.table.columns[file.columns.index(targets[0])]
    if column.is_category:
        return False
    values = np.unique(column.values)
    return 2 < len(values) <= MAX_GUESSED_CLASSES and bool(np.all(values == np.round(values)))


def make_dataset(file: DataFile, choice: DataChoice, seed: int = 0) -> Dataset:
    """The dataset for ``file`` and ``choice``: encoded, split and scaled (raises DatasetError)."""
    if file.table is not None:
        if not choice.targets:
            raise DatasetError("choose at least one target column")
        encoded = encode(file.table, choice.targets, choice.classes)
        data = Dataset(encoded.X, encoded.Y, name=Path(file.path).stem, input_names=encoded.input_names,
                       output_names=encoded.output_names, kind=encoded.kind, class_names=encoded.class_names)
    else:
        assert file.dataset is not None
        data = file.dataset
    return prepare(data, test_fraction=choice.test_split, seed=seed, scale=choice.scale)


class DataImportDialog(QDialog):
    """Target columns (checkable, objectName ``dataTargets``), ``dataClasses``, ``dataTestSplit``, ``dataScaling``."""

    def __init__(self, file: DataFile, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dataImportDialog")
        self.setWindowTitle(f"Load data: {Path(file.path).name}")
        self.file = file
        form = QFormLayout()
        shape = f"{file.rows:,} rows, {len(file.columns)} columns" if file.table is not None else \
            f"{file.rows:,} rows, {file.dataset.n_inputs if file.dataset else 0} inputs"
        form.addRow(QLabel(shape))
        self.targets = QListWidget()
        self.targets.setObjectName("dataTargets")
        self.targets.setToolTip("Tick the columns the network should predict; the others are its inputs")
        for k, name in enumerate(file.columns):
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if k == len(file.columns) - 1 else Qt.CheckState.Unchecked)
            self.targets.addItem(item)
        self.targets.itemChanged.connect(self._targets_changed)
        if file.table is not None:
            form.addRow("Target columns", self.targets)
        else:
            self.targets.hide()
        self.classes = QCheckBox("Numeric targets are class labels")
        self.classes.setObjectName("dataClasses")
        self.classes.setToolTip("A column of 0…9 becomes ten classes (one output each) instead of one number")
        self.classes.setVisible(file.table is not None)
        form.addRow(self.classes)
        self.test_split = QSpinBox()
        self.test_split.setObjectName("dataTestSplit")
        self.test_split.setToolTip("The share of rows held out to test the network (each class alike)")
        self.test_split.setRange(0, 90)
        self.test_split.setSuffix(" %")
        self.test_split.setValue(20)
        form.addRow("Test split", self.test_split)
        self.scaling = QComboBox()
        self.scaling.setObjectName("dataScaling")
        self.scaling.setToolTip("How the inputs are scaled for the network; exports take raw inputs either way")
        for method in SCALINGS:
            self.scaling.addItem(SCALING_TEXT[method], method)
        form.addRow("Input scaling", self.scaling)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._targets_changed()

    def _targets_changed(self, *_args) -> None:
        targets = self.choice().targets
        self.classes.setChecked(guess_classes(self.file, targets))
        table = self.file.table
        numeric = table is not None and any(not table.columns[table.names.index(t)].is_category for t in targets)
        self.classes.setEnabled(numeric)  # text targets are classes anyway
        self.ok_button.setEnabled(self.file.table is None or 0 < len(targets) < len(self.file.columns))

    def choice(self) -> DataChoice:
        targets = [self.targets.item(k).text() for k in range(self.targets.count())
                   if self.targets.item(k).checkState() == Qt.CheckState.Checked]
        return DataChoice(targets, self.classes.isChecked(), self.test_split.value() / 100,
                          str(self.scaling.currentData()))
