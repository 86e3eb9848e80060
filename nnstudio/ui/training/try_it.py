"""The try-it panel: type input values (or draw a picture) and watch the outputs, as you type and as training runs.

The boxes hold raw values, as in the data file (5.1 cm, not the scaled -0.9), as ``nnstudio predict`` and the
exports take them; ``values()`` are the inputs as the network sees them (scaled).  For a categorical target the
panel also names the class the network guesses (``tryGuess``).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from ...core.datasets import Dataset
from ...core.frames import Frame
from ...core.images import image_to_inputs, raw_range, rows_as_images
from ..model.document import Document
from .drawing_pad import ImagePad, guess_text
from .throttle import SLOW_VIEW_MS, Throttle


class TryIt(QWidget):
    """Contents of the "tryIt" dock."""

    inputsChanged = Signal(object)  # np.ndarray of the typed inputs

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.form = QFormLayout()
        self.note = QLabel()
        self.note.setObjectName("tryItNote")
        self.note.setWordWrap(True)
        # one box per input: an image's 784 pixels must scroll, not stretch the window to 23,000 px
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(6, 6, 6, 6)
        self.image_pad = ImagePad()  # shown for image datasets: a drawing feeds the inputs
        self.image_pad.drawn.connect(self._drawn)
        self._range: tuple[Dataset, tuple[float, float]] | None = None  # the pictures' value range, per dataset
        inner.addWidget(self.image_pad)
        inner.addLayout(self.form)
        inner.addWidget(self.note)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.input_boxes: list[QDoubleSpinBox] = []
        self.output_labels: list[QLabel] = []
        self.guess: QLabel | None = None  # the class the network guesses, for a categorical target
        self._classes: list[str] = []
        self._setting = False
        self._drawing = False  # the inputs come from the pad (which then keeps its drawing)
        self._exact: np.ndarray | None = None  # the inputs in full (the boxes round a row's or a drawing's values)
        self._build()
        document.datasetChanged.connect(self._build)
        document.networkChanged.connect(self._build)
        self.live = False  # frames bring the outputs (training runs): weight changes are not recomputed here
        document.weightsChanged.connect(Throttle(lambda: None if self.live else self.refresh(), SLOW_VIEW_MS, self))

    def _build(self) -> None:
        data = self.document.dataset
        self.image_pad.set_dataset(data)
        names_in, names_out = data.input_names, data.output_names
        if ([b.accessibleName() for b in self.input_boxes] == names_in and len(self.output_labels) == len(names_out)
                and self._classes == data.class_names):
            self.refresh()
            return
        old = self.values() if self.input_boxes else None
        while self.form.rowCount():
            self.form.removeRow(0)
        self.input_boxes, self.output_labels, self.guess = [], [], None
        ends = data.raw_inputs(np.vstack([data.X.min(axis=0), data.X.max(axis=0)]))  # raw, without a raw copy
        low, high = float(min(ends.min(), 0.0)), float(max(ends.max(), 1.0))
        span = high - low
        scaled = "" if data.scaling is None else f" as in the data file ({data.scaling.method} scaling is applied)"
        for k, name in enumerate(names_in):
            box = QDoubleSpinBox()
            box.setObjectName(f"tryInput{k}")
            box.setAccessibleName(name)
            box.setToolTip(f"Value of input {name}{scaled}")
            box.setRange(low - 10 * span, high + 10 * span)
            box.setDecimals(3)
            box.setSingleStep(0.1)
            box.setKeyboardTracking(True)  # outputs follow every keystroke
            box.valueChanged.connect(lambda value, k=k: self._box_typed(k, value))
            self.form.addRow(name, box)
            self.input_boxes.append(box)
        for k, name in enumerate(names_out):
            label = QLabel("—")
            label.setObjectName(f"tryOutput{k}")
            label.setAccessibleName(f"output {name}")
            self.form.addRow(f"→ {name}", label)
            self.output_labels.append(label)
        self._classes = list(data.class_names)
        if self._classes:
            self.guess = QLabel("—")
            self.guess.setObjectName("tryGuess")
            self.guess.setAccessibleName("the class the network guesses")
            self.guess.setStyleSheet("font-weight: bold")
            self.form.addRow("→ class", self.guess)
        if old is not None and old.size == len(self.input_boxes):
            self.set_values(old)
        else:
            self.set_values(data.X[0])

    def values(self) -> np.ndarray:
        """The inputs as the network sees them (scaled): as set (a data row, a drawing), with the value of any
        box typed in since."""
        if self._exact is not None and len(self._exact) == len(self.input_boxes):
            return self._exact.copy()
        return self.document.dataset.scale(np.array([box.value() for box in self.input_boxes]))

    def set_values(self, values: np.ndarray) -> None:
        """Show ``values`` (scaled inputs, e.g. the selected data row) in the input boxes, raw."""
        if len(values) != len(self.input_boxes) or len(self.output_labels) != self.document.dataset.n_outputs:
            self._build()  # the dataset changed and this panel has not caught up yet
        raw = self.document.dataset.raw_inputs(np.asarray(values, dtype=float))
        self._setting = True
        try:
            for box, v in zip(self.input_boxes, raw, strict=True):
                box.setValue(float(v))
        finally:
            self._setting = False
        self._exact = np.array(values, dtype=float)
        self._typed()

    def _picture_range(self, data: Dataset) -> tuple[float, float]:
        if self._range is None or self._range[0] is not data:
            self._range = (data, raw_range(data))  # once per dataset: a 60,000-row set takes a moment
        return self._range[1]

    def _drawn(self, image: np.ndarray) -> None:
        """The pad's picture becomes the inputs."""
        data = self.document.dataset
        if data.image_shape is None or image.shape != data.image_shape:
            return
        self._drawing = True
        try:
            self.set_values(image_to_inputs(data, image, self._picture_range(data)))
        finally:
            self._drawing = False

    def _box_typed(self, k: int, value: float) -> None:
        if not self._setting:
            if self._exact is not None and k < len(self._exact):
                data = self.document.dataset
                raw = data.raw_inputs(self._exact)
                raw[k] = value
                self._exact[k] = data.scale(raw)[k]  # the typed input only: the others keep every digit
            self._typed()

    def _typed(self) -> None:
        if self._setting:
            return
        data = self.document.dataset
        if data.image_shape is not None and not self._drawing and len(self.input_boxes) == data.n_inputs:
            self.image_pad.show_image(rows_as_images(data, self.values(), self._picture_range(data))[0])
        self.refresh()
        self.inputsChanged.emit(self.values())

    def refresh(self) -> None:
        """Outputs for the typed inputs, from the document's current network."""
        net, data = self.document.network, self.document.dataset
        if (net is None or len(self.input_boxes) != data.n_inputs
                or (net.n_inputs, net.n_outputs) != (data.network_width, len(self.output_labels))):
            for label in (*self.output_labels, *([self.guess] if self.guess else [])):
                label.setText("—")
            self.image_pad.show_guess("—")
            self.note.setText("The network cannot run: " + "; ".join(self.document.network_problems()))
            return
        self.note.clear()
        self._show_outputs(net.predict(data.network_inputs(self.values())))  # the typed x1, x2 → the features

    def show_frame(self, frame: Frame) -> None:
        """The frame's outputs for the typed inputs (when it was computed for them)."""
        if frame.probe_outputs is not None and frame.request.probe == tuple(self.values().tolist()):
            self._show_outputs(frame.probe_outputs)

    def _show_outputs(self, outputs: np.ndarray) -> None:
        if len(outputs) != len(self.output_labels):
            return
        for label, value in zip(self.output_labels, outputs, strict=True):
            set_steady_text(label, f"{value:.5f}")
        if self.image_pad.shape is not None:
            self.image_pad.show_guess(guess_text(self.document.dataset, outputs))
        if self.guess is not None:
            set_steady_text(self.guess, self._classes[int(np.argmax(outputs))])


def set_steady_text(label: QLabel, text: str) -> None:
    """Show ``text`` without laying the panel out again at every frame: the label keeps a fixed size whose
    width only grows (a label that changes size asks its whole scroll area for a new layout)."""
    metrics, margins = label.fontMetrics(), label.contentsMargins()
    width = metrics.horizontalAdvance(text) + 2 + margins.left() + margins.right()
    height = metrics.height() + margins.top() + margins.bottom()  # a new type size (the presentation layout)
    if width > label.maximumWidth() or label.minimumWidth() != label.maximumWidth() or label.height() != height:
        label.setFixedSize(max(width, label.minimumWidth()), height)
    label.setText(text)
