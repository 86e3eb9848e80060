"""The drawing pad of Try It for image datasets: draw with the mouse, and the picture feeds the network live.

:class:`DrawingPad` is the surface (ink on white, at :func:`nnstudio.core.images.pad_size`); :class:`ImagePad`
adds what the network sees (the drawing at the image's own size), a Clear button and the network's guess.
The drawing becomes an input row in the core (:func:`~nnstudio.core.images.drawing_to_image`, then
:func:`~nnstudio.core.images.image_to_inputs`); while a stroke goes on, a few rows a second reach the network.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...core.datasets import Dataset
from ...core.images import drawing_to_image, pad_size
from .pictures import fitted, gray_image
from .throttle import Throttle

PEN_FRACTION = 0.11  # the pen's width as a share of the pad's side: a digit's stroke
PREVIEW_PX = 84
LIVE_MS = 40  # during a stroke, the network sees the drawing at most this often


class DrawingPad(QWidget):
    """A white square to draw on with the left mouse button; ``strokeChanged`` after each bit of a stroke."""

    strokeChanged = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("drawingPad")
        self.setAccessibleName("Drawing pad: draw an input picture with the mouse")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._ink = QImage(1, 1, QImage.Format.Format_Grayscale8)  # 255 = full ink
        self._last: QPointF | None = None
        self.set_size(pad_size((8, 8)))

    def set_size(self, size: tuple[int, int]) -> None:
        """A blank pad of ``size`` = (height, width) drawing pixels."""
        height, width = size
        self._ink = QImage(width, height, QImage.Format.Format_Grayscale8)
        self._ink.fill(0)
        self.setFixedSize(width, height)
        self.update()

    def drawing(self) -> np.ndarray:
        """The ink, (height, width) values in [0, 1]."""
        bits = np.frombuffer(self._ink.constBits(), np.uint8).reshape(self._ink.height(), self._ink.bytesPerLine())
        return bits[:, : self._ink.width()].astype(np.float64) / 255.0

    def set_drawing(self, image: np.ndarray) -> None:
        """Show a picture (values in [0, 1], any size that divides the pad) as the ink, enlarged block by block."""
        height, width = self._ink.height(), self._ink.width()
        block = (height // image.shape[0], width // image.shape[1])
        ink = np.kron(np.clip(image, 0.0, 1.0), np.ones(block))
        ink = np.ascontiguousarray((255.0 * ink).round().astype(np.uint8))
        self._ink = QImage(ink.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
        self.update()

    def clear(self) -> None:
        self._ink.fill(0)
        self.update()
        self.strokeChanged.emit()

    @property
    def pen_width(self) -> float:
        return PEN_FRACTION * max(self._ink.width(), self._ink.height())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = event.position()
            self._stroke(self._last)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._last is not None:
            self._stroke(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._last is not None:
            self._stroke(event.position())
            self._last = None

    def _stroke(self, to: QPointF) -> None:
        """Ink a round-ended line from the last point to ``to``."""
        painter = QPainter(self._ink)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(255, 255, 255), self.pen_width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        painter.drawLine(self._last or to, to)
        painter.end()
        self._last = to
        self.update()
        self.strokeChanged.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        paper = self._ink.copy()
        paper.invertPixels()  # ink black on white paper
        painter.drawImage(QPoint(0, 0), paper)
        painter.setPen(QColor("#888888"))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()


class ImagePad(QWidget):
    """The pad, what the network sees, Clear and the guess; ``drawn`` carries the picture at the image's shape."""

    drawn = Signal(object)  # np.ndarray (height, width), values in [0, 1]

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("imagePad")
        self.shape: tuple[int, int] | None = None
        self.pad = DrawingPad()
        self.pad.setToolTip("Draw with the left mouse button; the network sees the picture on the right")
        self.preview = QLabel(objectName="imagePadPreview")
        self.preview.setToolTip("What the network is fed: the drawing at the image's size")
        self.preview.setFixedSize(PREVIEW_PX, PREVIEW_PX)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.guess = QLabel("—", objectName="imagePadGuess")
        self.guess.setAccessibleName("The network's guess")
        self.guess.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.guess.setWordWrap(True)
        self.clear_button = QPushButton("Clear", objectName="imagePadClear")
        self.clear_button.setToolTip("Wipe the pad")
        self.clear_button.clicked.connect(self.pad.clear)
        side = QVBoxLayout()
        side.addWidget(QLabel("Network sees"))
        side.addWidget(self.preview)
        side.addWidget(self.guess)
        side.addStretch(1)
        side.addWidget(self.clear_button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pad)
        layout.addLayout(side, 1)
        self._live = Throttle(self._send, LIVE_MS, self)
        self.pad.strokeChanged.connect(self._live)

    def set_dataset(self, dataset: Dataset) -> None:
        """Show the pad for an image dataset (a blank one when the shape changes), hide it otherwise."""
        self.setVisible(dataset.image_shape is not None)
        if dataset.image_shape is not None and dataset.image_shape != self.shape:
            self.shape = dataset.image_shape
            self.pad.set_size(pad_size(self.shape))
        elif dataset.image_shape is None:
            self.shape = None

    def image(self) -> np.ndarray:
        """The drawing at the image's shape, values in [0, 1]."""
        if self.shape is None:
            raise ValueError("the dataset is not an image")
        return drawing_to_image(self.pad.drawing(), self.shape)

    def show_image(self, image: np.ndarray) -> None:
        """Put a picture (the selected row, typed values) on the pad, to look at or draw over."""
        self.pad.set_drawing(image)
        self.preview.setPixmap(fitted(gray_image(image), PREVIEW_PX))

    def show_guess(self, text: str) -> None:
        self.guess.setText(text)

    def _send(self) -> None:
        if self.shape is None:
            return
        image = self.image()
        self.preview.setPixmap(fitted(gray_image(image), PREVIEW_PX))
        self.drawn.emit(image)


def guess_text(dataset: Dataset, outputs: np.ndarray) -> str:
    """The network's answer for the pad: the class (by name when the target has names) and its output."""
    if len(outputs) == 1:
        return f"{outputs[0]:.3f}"
    best = int(np.argmax(outputs))
    name = dataset.label(outputs) or dataset.output_names[best]
    return f"{name} ({outputs[best]:.2f})"
