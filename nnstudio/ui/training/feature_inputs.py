"""The "Feature inputs" box of the training dock: which features of x1, x2 a two-input network is fed.

One toggle per feature of :data:`nnstudio.core.features.FEATURES` (as in TensorFlow Playground); each toggle
is one undo step that changes ``dataset.features`` and resizes the input layer (:func:`push_features`).
Checking exactly x1 and x2 means the raw inputs (``features`` absent).  The box shows only for datasets with
two inputs and is locked while training runs.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from ...core.features import FEATURES, RAW_INPUTS
from ..model.commands import push_features
from ..model.document import Document

RAW = ("x1", "x2")
COLUMNS = 4


def feature_object_name(name: str) -> str:
    """``x1^2`` → ``feature_x1_sq``: the toggles' objectNames, for scripts and tests."""
    return "feature_" + name.replace("^2", "_sq").replace("*", "_times_").replace("(", "_").replace(")", "")


class FeatureInputs(QGroupBox):
    """Seven toggles, x1 … sin(x2); ``refused`` says why a toggle was not applied."""

    refused = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__("Feature inputs", parent)
        self.setObjectName("featureInputs")
        self.setToolTip("Feed the network features of x1 and x2 instead of the raw inputs (as TensorFlow Playground)")
        self.document = document
        self._updating = False
        grid = QGridLayout(self)
        self.toggles: dict[str, QCheckBox] = {}
        for k, name in enumerate(FEATURES):
            toggle = QCheckBox(name)
            toggle.setObjectName(feature_object_name(name))
            toggle.setToolTip(f"Feed the network {name}: one input neuron")
            toggle.toggled.connect(self._toggled)
            grid.addWidget(toggle, k // COLUMNS, k % COLUMNS)
            self.toggles[name] = toggle
        self.note = QLabel("Each input neuron on the canvas shows its feature over the plane.")
        self.note.setWordWrap(True)
        grid.addWidget(self.note, 2, 0, 1, COLUMNS)
        document.datasetChanged.connect(self.show_features)
        document.trainingChanged.connect(self.show_features)
        self.show_features()

    def page(self) -> QWidget:
        """A tab page holding the toggles at its top."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.addWidget(self)
        column.addStretch(1)
        return box

    def chosen(self) -> tuple[str, ...]:
        """The checked features, in the order of :data:`FEATURES`."""
        return tuple(name for name, toggle in self.toggles.items() if toggle.isChecked())

    def show_features(self, *_args: object) -> None:
        data = self.document.dataset
        self.setVisible(data.n_inputs == RAW_INPUTS)
        self.setEnabled(not self.document.training)
        current = RAW if data.features is None else data.features
        self._updating = True
        try:
            for name, toggle in self.toggles.items():
                toggle.setChecked(name in current)
        finally:
            self._updating = False

    def _toggled(self, _checked: bool) -> None:
        if self._updating:
            return
        chosen = self.chosen()
        if not chosen:
            self.show_features()
            self.refused.emit("The network needs at least one input: keep one feature")
            return
        problem = push_features(self.document, None if chosen == RAW else chosen)
        if problem:
            self.show_features()
            self.refused.emit(problem)
