"""The training dock: dataset, hyperparameters, seeds, speed and the run controls.

Every edit becomes a new :class:`TrainSettings` (or dataset) on the document;
the controller forwards settings to a running worker, which applies them
between epochs.  The dataset and the init seed are locked while training.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QDoubleValidator
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core import datasets
from ...core.datasets import DatasetError
from ..model.commands import CUSTOM_DATA, DATA_CHANGED, SetDatasetCommand, push_with_state, settings_command
from ..model.document import Document, plural
from .data_import import DATA_FILTER, DataChoice, DataFile, DataImportDialog, make_dataset, read_in_background
from .form_boxes import choice_box, combo_box, double_box, int_box, number_or_none, select_data, show_value
from .speed_choice import SpeedChoice

GATES = [("XOR", "xor"), ("AND", "and"), ("OR", "or"), ("NAND", "nand"), ("NOR", "nor"), ("XNOR", "xnor")]
GENERATED = [
    ("Circle", "circle"), ("XOR quadrants", "xor_quadrants"), ("Two Gaussians", "gaussians"),
    ("Spiral", "spiral"), ("Plane (regression)", "regression_plane"),
    ("Gaussian bumps (regression)", "regression_gaussian"),
]
RATES = ["0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "0.5", "1", "2", "4", "10"]
OPTIMIZERS = [("SGD", "sgd"), ("Momentum", "momentum"), ("Adam", "adam")]
LOSSES = [("Auto", "auto"), ("Mean squared error", "mse"), ("Binary cross-entropy", "bce"),
          ("Categorical cross-entropy", "ce")]
PRECISIONS = [("float64 (double)", "float64"), ("float32 (single)", "float32")]
BATCH_MODES = [("Full batch", "full"), ("Mini-batch", "mini"), ("Online (one sample)", "online")]
MAX_INT = 2**31 - 1


def new_seed() -> int:
    return random.randrange(1, 1_000_000)


class TrainingDock(QWidget):
    """The contents of the "training" dock."""

    stepSampleRequested = Signal()
    refused = Signal(str)  # an input was not accepted: why (the window shows it in the status bar too)
    initSeedChanged = Signal(int)  # the weights must be reset to this seed
    loadFailed = Signal(str)  # a data file could not be used: why (the window shows it in a message box)

    def __init__(self, document: Document, actions: dict[str, QAction] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self._updating = False
        self._edit_session = 0  # a new visit to a box starts a new undo step
        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(self._controls(actions or {}))
        column.addWidget(self._dataset_group())
        column.addWidget(self._settings_group())
        column.addWidget(self._seeds_group())
        for box in (*self.generator_widgets, self.rate.lineEdit(), self.momentum, self.batch_size, self.l1, self.l2,
                    self.max_epochs, self.target_error, self.patience, self.shuffle_seed, self.data_seed):
            box.editingFinished.connect(self._next_session)  # leaving a box ends its undo step
        self.message = QLabel()
        self.message.setObjectName("trainingMessage")
        self.message.setWordWrap(True)
        column.addWidget(self.message)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        document.settingsChanged.connect(self.show_settings)
        document.datasetChanged.connect(self.show_dataset)
        document.trainingChanged.connect(self._enable)
        self.show_settings()
        self.show_dataset()

    # -- building -----------------------------------------------------------------------
    def _controls(self, actions: dict[str, QAction]) -> QWidget:
        row = QWidget()
        layout = QGridLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        buttons = []
        for key in ("train", "pause", "step", "stop", "reset"):
            if key in actions:
                button = QToolButton()
                button.setDefaultAction(actions[key])
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
                button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                buttons.append(button)
        self.step_sample_button = QPushButton("Step sample")
        self.step_sample_button.setObjectName("stepSample")
        self.step_sample_button.setToolTip("Online and mini-batch modes: train on the next sample (batch), then pause")
        self.step_sample_button.clicked.connect(self.stepSampleRequested)
        buttons.append(self.step_sample_button)
        for k, button in enumerate(buttons):
            layout.addWidget(button, k // 3, k % 3)
        return row

    def _dataset_group(self) -> QGroupBox:
        box = QGroupBox("Dataset")
        form = QFormLayout(box)
        self.dataset_combo = combo_box("datasetChoice", "The data the network learns from")
        for label, key in GATES:
            self.dataset_combo.addItem(label, "gate:" + key)
        self.dataset_combo.insertSeparator(self.dataset_combo.count())
        for label, key in GENERATED:
            self.dataset_combo.addItem(label, "gen:" + key)
        self.dataset_combo.insertSeparator(self.dataset_combo.count())
        self.dataset_combo.addItem("Data file (CSV, .npz, MNIST)…", "csv")
        self.dataset_combo.activated.connect(self._dataset_chosen)
        form.addRow("Data", self.dataset_combo)
        self.noise = double_box("noise", "Noise added to the generated points (0 = none)", 0.0, 1.0, 0.05, 2)
        self.count = int_box("sampleCount", "Number of generated points (train + test)", 10, 5000)
        self.count.setSingleStep(50)
        self.test_split = int_box("testSplit", "Percentage of the points held out as the test set", 0, 90)
        self.test_split.setSuffix(" %")
        for widget, label in ((self.noise, "Noise"), (self.count, "Points"), (self.test_split, "Test split")):
            form.addRow(label, widget)
            widget.valueChanged.connect(self._regenerate)
        self.generator_widgets = (self.noise, self.count, self.test_split)
        self.count.setValue(200)  # TensorFlow Playground's defaults: 200 points, half held out
        self.test_split.setValue(50)
        self.dataset_info = QLabel()
        self.dataset_info.setObjectName("datasetInfo")
        self.dataset_info.setWordWrap(True)
        form.addRow(self.dataset_info)
        return box

    def _settings_group(self) -> QGroupBox:
        box = QGroupBox("Learning")
        form = QFormLayout(box)
        self.rate = combo_box("learningRate", "Learning rate: pick a common value or type one")
        self.rate.setEditable(True)
        self.rate.addItems(RATES)
        validator = QDoubleValidator(1e-9, 1e6, 9, self.rate)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.rate.setValidator(validator)
        self.rate.currentTextChanged.connect(self._rate_typed)
        # a refused rate (0, negative) goes back to the one in use, and says so: a rejected key (a minus
        # sign) or Return / leaving the box with a number the validator does not accept (0)
        self.rate.lineEdit().inputRejected.connect(self._key_refused)
        self.rate.lineEdit().installEventFilter(self)
        form.addRow("Learning rate", self.rate)
        self.optimizer = choice_box("optimizer", "How the gradient updates the weights", OPTIMIZERS,
                                    self._settings_edited)
        form.addRow("Optimizer", self.optimizer)
        self.momentum = double_box("momentum", "Momentum factor (momentum optimizer)", 0.0, 0.999, 0.05, 3)
        self.momentum.valueChanged.connect(self._settings_edited)
        form.addRow("Momentum", self.momentum)
        self.batch_mode = choice_box("batchMode", "Full batch: one update per epoch; mini-batch: one per batch; "
                                  "online: one per sample", BATCH_MODES, self._settings_edited)
        self.batch_size = int_box("batchSize", "Samples per mini-batch", 2, 100_000)
        self.batch_size.valueChanged.connect(self._settings_edited)
        batch_row = QWidget()
        batch_layout = QHBoxLayout(batch_row)
        batch_layout.setContentsMargins(0, 0, 0, 0)
        batch_layout.addWidget(self.batch_mode, 1)
        batch_layout.addWidget(self.batch_size)
        form.addRow("Batches", batch_row)
        self.loss = choice_box("loss", "The error the network minimises (auto picks one that suits the outputs)",
                            LOSSES, self._settings_edited)
        form.addRow("Loss", self.loss)
        self.precision = choice_box("precision", "Precision of the training arithmetic: float32 is faster on wide "
                                    "networks, float64 is exact to more digits", PRECISIONS, self._settings_edited)
        form.addRow("Precision", self.precision)
        self.l1 = double_box("l1", "L1 regularisation strength (weights only)", 0.0, 10.0, 0.0001, 5)
        self.l2 = double_box("l2", "L2 regularisation strength (weights only)", 0.0, 10.0, 0.0001, 5)
        self.max_epochs = int_box("maxEpochs", "Stop after this many epochs (per run)", 1, MAX_INT)
        self.max_epochs.setSingleStep(1000)
        self.target_error = double_box("targetError", "Stop when the error is at or below this (0 = never)",
                                    0.0, 1e6, 0.001, 6)
        self.patience = int_box("patience", "Stop when the error has not improved for this many epochs "
                             "(0 = never)", 0, MAX_INT)
        self.patience.setSpecialValueText("off")
        for widget, label in ((self.l1, "L1"), (self.l2, "L2"), (self.max_epochs, "Max epochs"),
                              (self.target_error, "Target error"), (self.patience, "Plateau patience")):
            widget.valueChanged.connect(self._settings_edited)
            form.addRow(label, widget)
        self.speed_choice = SpeedChoice()
        self.speed = self.speed_choice.combo
        self.speed_choice.speedChosen.connect(self._speed_chosen)
        form.addRow("Speed", self.speed_choice)
        return box

    def _seeds_group(self) -> QGroupBox:
        box = QGroupBox("Seeds")
        form = QFormLayout(box)
        self.init_seed = int_box("initSeed", "Seed of the initial weights (changing it resets the weights)", 0, MAX_INT)
        self.shuffle_seed = int_box("shuffleSeed", "Seed of the sample order in mini-batch and online modes", 0,
                                    MAX_INT)
        self.data_seed = int_box("dataSeed", "Seed of the generated points", 0, MAX_INT)
        self.init_seed.editingFinished.connect(lambda: self._init_seed_set(self.init_seed.value()))
        self.shuffle_seed.valueChanged.connect(self._settings_edited)
        self.data_seed.valueChanged.connect(self._regenerate)
        seeds = ((self.init_seed, "Initial weights"), (self.shuffle_seed, "Shuffling"), (self.data_seed, "Data"))
        for spin, label in seeds:
            row = QWidget()
            layout = QHBoxLayout(row)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(spin, 1)
            button = QPushButton("New seed")
            button.setObjectName(spin.objectName() + "New")
            button.setToolTip(f"Draw a new random seed for: {label.lower()}")
            button.clicked.connect(lambda _checked=False, s=spin: self._new_seed(s))
            layout.addWidget(button)
            form.addRow(label, row)
        self.init_seed_row = form.itemAt(0, QFormLayout.ItemRole.FieldRole).widget()
        return box

    # -- showing the document -------------------------------------------------------------
    def show_settings(self) -> None:
        s = self.document.settings
        self._updating = True
        try:
            if number_or_none(self.rate.currentText()) != s.rate:  # a rate being typed ("0.50") stays as typed
                self.rate.setCurrentText(f"{s.rate:g}")
            select_data(self.optimizer, s.optimizer)
            select_data(self.batch_mode, _batch_mode(s.batch_size))
            select_data(self.loss, s.cost)
            select_data(self.precision, s.dtype)
            values = [(self.momentum, s.momentum), (self.l1, s.l1), (self.l2, s.l2),
                      (self.target_error, s.target_error), (self.max_epochs, min(s.epochs, MAX_INT)),
                      (self.patience, min(s.patience, MAX_INT)),
                      (self.shuffle_seed, s.seed), (self.init_seed, self.document.init_seed),
                      (self.data_seed, self.document.data_seed)]
            if s.batch_size and s.batch_size > 1:
                values.append((self.batch_size, s.batch_size))
            for spin, value in values:
                show_value(spin, value)
            self.speed_choice.show_speed(s.speed)
        finally:
            self._updating = False
        self._enable()

    def show_dataset(self) -> None:
        data = self.document.dataset
        key = _dataset_key(data)
        self._updating = True
        try:
            index = self.dataset_combo.findData(key) if key else -1
            if index < 0:
                custom = self.dataset_combo.findData("project")
                if custom < 0:
                    self.dataset_combo.insertItem(0, "", "project")
                    custom = 0
                label = data.name if data.name == CUSTOM_DATA else f"{data.name} (project data)"
                self.dataset_combo.setItemText(custom, label)
                index = custom
            self.dataset_combo.setCurrentIndex(index)
            show_value(self.noise, self.document.generator_noise)
            show_value(self.data_seed, self.document.data_seed)
            if data.has_test:
                total = len(data) + len(data.X_test)
                self.count.setValue(total)
                self.test_split.setValue(round(100 * len(data.X_test) / total))
        finally:
            self._updating = False
        test = f", {plural(len(data.X_test), 'test row')}" if data.has_test else ""
        self.dataset_info.setText(f"{plural(len(data), 'training row')}{test}; {plural(data.n_inputs, 'input')} → "
                                  f"{plural(data.n_outputs, 'target')} ({data.kind}{_described(data)})")
        self._enable()

    def _enable(self, _training_changed: bool = False) -> None:
        """During a run, what cannot change is locked (the data and the initial weights)."""
        training = self.document.training
        generated = str(self.dataset_combo.currentData()).startswith("gen:")
        self.dataset_combo.setEnabled(not training)
        form = self.count.parentWidget().layout()
        for widget in self.generator_widgets:
            widget.setEnabled(generated and not training)
            form.setRowVisible(widget, generated)  # "Points 200" beside a loaded table of 60,000 rows misleads
        self.data_seed.parentWidget().setEnabled(generated and not training)
        self.init_seed_row.setEnabled(not training)
        mode = self.batch_mode.currentData()
        self.batch_size.setEnabled(mode == "mini")
        self.momentum.setEnabled(self.optimizer.currentData() == "momentum")
        self.step_sample_button.setEnabled(mode in ("online", "mini") and self.document.network is not None)

    # -- edits ------------------------------------------------------------------------------
    def _settings_edited(self, *_args) -> None:
        if self._updating:
            return
        self._enable()
        mode = self.batch_mode.currentData()
        batch = None if mode == "full" else 1 if mode == "online" else self.batch_size.value()
        try:
            rate = float(self.rate.currentText())
        except ValueError:
            self.message.setText("The learning rate must be a number, e.g. 0.3.")
            return
        settings = dataclasses.replace(
            self.document.settings, rate=rate, optimizer=self.optimizer.currentData(),
            momentum=self.momentum.value(), batch_size=batch, cost=self.loss.currentData(), l1=self.l1.value(),
            l2=self.l2.value(), epochs=self.max_epochs.value(), target_error=self.target_error.value(),
            patience=self.patience.value(), seed=self.shuffle_seed.value(), dtype=self.precision.currentData(),
        )
        try:
            settings.validate()
        except ValueError as exc:
            self.message.setText(str(exc).capitalize())
            return
        self.message.clear()
        command = settings_command(self.document, settings, self._edit_session)
        if command is None:
            return
        self._updating = True
        try:
            self.document.undo_stack.push(command)
        finally:
            self._updating = False

    def _speed_chosen(self, speed: float) -> None:
        """A new pace: part of the settings, one undo step (a running worker takes it at once)."""
        self.speed_choice.show_speed(speed)
        command = settings_command(self.document, dataclasses.replace(self.document.settings, speed=speed),
                                   self._edit_session)
        if command is not None and not self._updating:
            self.document.undo_stack.push(command)

    def _next_session(self) -> None:
        self._edit_session += 1

    def _rate_typed(self, text: str) -> None:
        if self.rate.lineEdit() and not self.rate.lineEdit().hasAcceptableInput() and text not in RATES:
            return
        self._settings_edited()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.rate.lineEdit() and not watched.hasAcceptableInput():
            finished = event.type() == QEvent.Type.FocusOut or (
                event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter))
            if finished:
                self._rate_refused()
        return super().eventFilter(watched, event)

    def _key_refused(self) -> None:
        """A key the rate box refused (a minus sign): the text did not change; say why."""
        kept = f"{self.document.settings.rate:g}"
        self._refuse(f"Refused: the learning rate must be a number above 0. Kept {kept}.")

    def _rate_refused(self) -> None:
        """Return or leaving the box with a rate that is not accepted (0, empty): back to the rate in use."""
        kept = f"{self.document.settings.rate:g}"
        typed = self.rate.currentText().strip()
        self._updating = True
        try:
            self.rate.setCurrentText(kept)
        finally:
            self._updating = False
        self._refuse(f"Learning rate {typed or '(empty)'} refused: it must be a number above 0. Kept {kept}.")

    def _refuse(self, text: str) -> None:
        self.message.setText(text)
        self.refused.emit(text)

    def _new_seed(self, spin: QSpinBox) -> None:
        self._next_session()
        spin.setValue(new_seed())
        self._next_session()
        if spin is self.init_seed:
            self._init_seed_set(spin.value())

    def _init_seed_set(self, seed: int) -> None:
        if not self._updating and seed != self.document.init_seed:
            self.initSeedChanged.emit(seed)

    def _dataset_chosen(self, _index: int) -> None:
        key = str(self.dataset_combo.currentData())
        if key == "csv":
            self.load_data_dialog()
        elif key.startswith("gate:"):
            self._set_dataset(datasets.truth_table(key[5:]), f"Data {self.dataset_combo.currentText()}")
        elif key.startswith("gen:"):
            self._next_session()
            self._regenerate()
            self._next_session()
        self._enable()

    def _regenerate(self, *_args) -> None:
        if self._updating:
            return
        key = str(self.dataset_combo.currentData())
        if not key.startswith("gen:"):
            return
        data = datasets.generate(key[4:], n=self.count.value(), noise=self.noise.value(),
                                 seed=self.data_seed.value(), test_fraction=self.test_split.value() / 100)
        self._set_dataset(data, f"Data {self.dataset_combo.currentText()}", self.data_seed.value(),
                          self.noise.value(), merge_key=("generator", self._edit_session))

    def _set_dataset(self, data: datasets.Dataset, text: str, data_seed: int | None = None,
                     noise: float | None = None, merge_key: object = None) -> None:
        """New data as one undo step (with the trained state it replaces)."""
        self.message.clear()
        command = SetDatasetCommand(self.document, data, text, data_seed, noise, merge_key)
        self._updating = True
        try:
            push_with_state(self.document, command, DATA_CHANGED)
        finally:
            self._updating = False

    def load_data_dialog(self) -> None:
        """Ask for a data file, then for its targets, split and scaling, and load it."""
        path, _filter = QFileDialog.getOpenFileName(self, "Load a dataset", "", DATA_FILTER)
        if not path:
            self.show_dataset()
            return
        self.import_csv(path)

    def ask_data_choice(self, file: DataFile) -> DataChoice | None:
        """Which columns are targets, the test split and the scaling (None: cancelled); tests answer here."""
        dialog = DataImportDialog(file, self)
        try:
            return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def import_csv(self, path: str, target: str | None = None, choice: DataChoice | None = None) -> bool:
        """Load a data file (CSV, .npz, IDX) as the dataset, one undo step; a bad file changes nothing and says why.

        ``choice`` answers the questions (targets, classes, test split, scaling); ``target`` alone takes
        that column with every row for training and no scaling; with neither the user is asked.
        """
        try:
            file = read_in_background(path, self.window())
        except (DatasetError, OSError, ValueError, MemoryError) as exc:
            return self._load_failed(path, exc)
        if choice is None and target is not None:
            choice = DataChoice([target], test_split=0.0, scale="none")
        if choice is None:
            choice = self.ask_data_choice(file)
            if choice is None:
                self.show_dataset()
                return False
        try:
            data = make_dataset(file, choice, self.document.data_seed)
        except (DatasetError, ValueError) as exc:
            return self._load_failed(path, exc)
        self._set_dataset(data, f"Data {Path(path).name}")
        return True

    def _load_failed(self, path: str, error: Exception) -> bool:
        reason = "there is not enough memory to hold it" if isinstance(error, MemoryError) else str(error)
        text = f"Cannot use {Path(path).name}: {reason}"
        self.message.setText(text)
        self.loadFailed.emit(text)
        self.show_dataset()
        return False


def _described(data: datasets.Dataset) -> str:
    """The classes and the input scaling of ``data``, for the dataset summary (empty when it has neither)."""
    classes = f", {len(data.class_names)} classes" if data.class_names else ""
    return classes + (f", {data.scaling.method} scaling" if data.scaling else "")


def _batch_mode(batch_size: int | None) -> str:
    return "full" if batch_size is None else "online" if batch_size == 1 else "mini"


def _dataset_key(data: datasets.Dataset) -> str | None:
    """The dataset menu entry that made ``data``, recognised by its name."""
    for _label, key in GATES:
        if data.name == key.upper():
            return "gate:" + key
    names = {"circle": "circle", "xor quadrants": "xor_quadrants", "two gaussians": "gaussians", "spiral": "spiral",
             "plane": "regression_plane", "gaussian bumps": "regression_gaussian"}
    return "gen:" + names[data.name] if data.name in names else None
