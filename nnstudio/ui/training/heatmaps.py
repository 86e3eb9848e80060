"""Heatmaps for networks with two inputs, as TensorFlow Playground draws them.

The decision surface shows one output over the input plane with the data
points on top, filled with their target's colour (training points with a white
rim, test points with a dark rim) and ringed in red where the network's answer
is on the wrong side of the core's accuracy threshold; every neuron on the
canvas can show its own small map.  The grid of
values always comes from the core (``network.layer_activations(grid)``);
this module only turns numbers into colours.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core.activations import get_activation
from ..model.document import Document
from ..theme.colormap import NEGATIVE, POSITIVE, ZERO
from .outputs import wrong_rows
from .throttle import SLOW_VIEW_MS, Throttle

SURFACE_RESOLUTION = 64
NEURON_RESOLUTION = 24
MAX_NEURONS_WITH_IMAGES = 16  # larger layers draw only some neurons; skip their pictures

_T = np.linspace(-1.0, 1.0, 256)[:, None]
#: 256 colours along the diverging map, index 0 = −1, 255 = +1
LUT = np.where(_T < 0, ZERO + (-_T) * (NEGATIVE - ZERO), ZERO + _T * (POSITIVE - ZERO)).round().astype(np.uint8)
TRAIN_RIM, TEST_RIM, WRONG_RING = "#ffffff", "#222222", "#e0245e"
POINT_SIZE, RING_SIZE = 7, 13


def to_signed(values: np.ndarray, activation: str, scale: float | None = None) -> np.ndarray:
    """Map values to [-1, 1] for colouring: 0…1 activations around 0.5, others by their size."""
    values = np.nan_to_num(np.asarray(values, dtype=float))
    if get_activation(activation).unit_range:
        return np.clip(2.0 * values - 1.0, -1.0, 1.0)
    if scale is None:
        scale = max(1.0, float(np.abs(values).max(initial=0.0)))
    return np.clip(values / scale, -1.0, 1.0)


def colorize(t: np.ndarray) -> np.ndarray:
    """RGB uint8 array (…, 3) for values in [-1, 1]."""
    return LUT[np.clip(((t + 1.0) * 127.5).round().astype(int), 0, 255)]


def to_qimage(rgb: np.ndarray) -> QImage:
    """A QImage of an (rows, cols, 3) array whose row 0 is the bottom of the plane."""
    rgb = np.ascontiguousarray(rgb[::-1])
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def plane_extent(document: Document, margin: float = 0.1) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) around all data points, with a margin."""
    data = document.dataset
    X = np.vstack([data.X, data.X_test]) if data.has_test else data.X
    low, high = X.min(axis=0), X.max(axis=0)
    pad = np.maximum((high - low) * margin, 0.1)
    return float(low[0] - pad[0]), float(high[0] + pad[0]), float(low[1] - pad[1]), float(high[1] + pad[1])


def grid(extent: tuple[float, float, float, float], n: int) -> np.ndarray:
    """(n·n, 2) points covering ``extent``, row by row from the bottom."""
    x0, x1, y0, y1 = extent
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def neuron_images(document: Document, resolution: int = NEURON_RESOLUTION) -> dict[str, list[QImage] | None]:
    """A small map per neuron, by layer id (None for layers too large to show them all)."""
    net = document.network
    if net is None or net.n_inputs != 2:
        return {}
    acts = net.layer_activations(grid(plane_extent(document), resolution))
    images: dict[str, list[QImage] | None] = {}
    for layer in net.layers:
        if layer.size > MAX_NEURONS_WITH_IMAGES:
            images[layer.id] = None
            continue
        values = acts[layer.id]
        scale = None if layer.role != "input" else max(1.0, float(np.abs(values).max()))
        signed = to_signed(values, layer.activation if layer.role != "input" else "identity", scale)
        maps = signed.T.reshape(layer.size, resolution, resolution)
        images[layer.id] = [to_qimage(colorize(m)) for m in maps]
    return images


class DecisionSurface(QWidget):
    """Contents of the "heatmap" dock: one output over the input plane, with the data on it."""

    refreshed = Signal()

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("heatmapPlot")
        self.plot.setBackground(None)
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.train_points = pg.ScatterPlotItem(size=POINT_SIZE, pen=pg.mkPen(TRAIN_RIM, width=1.2))
        self.test_points = pg.ScatterPlotItem(size=POINT_SIZE, pen=pg.mkPen(TEST_RIM, width=1.6))
        # a ring, not a fill: the point keeps its target colour inside it
        self.wrong_marks = pg.ScatterPlotItem(size=RING_SIZE, pen=pg.mkPen(WRONG_RING, width=2), brush=None)
        self.plot.addItem(self.train_points)
        self.plot.addItem(self.test_points)
        self.plot.addItem(self.wrong_marks)
        self.wrong_count = 0
        self.output_choice = QComboBox()
        self.output_choice.setObjectName("heatmapOutput")
        self.output_choice.setToolTip("Which output the surface shows")
        # the points' colours are the chosen output's targets
        self.output_choice.currentIndexChanged.connect(lambda _i: (self._draw_points(), self.refresh()))
        self.note = QLabel()
        self.note.setObjectName("heatmapNote")
        self.note.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Output"))
        top.addWidget(self.output_choice, 1)
        legend = QHBoxLayout()  # under the plot: beside the output choice it made the dock too wide
        self._legend_widgets: list[QLabel] = []
        for rim, ring, text, tip in (
            (TRAIN_RIM, False, "train", "Training points: the target's colour, white rim"),
            (TEST_RIM, False, "test", "Test points: the target's colour, dark rim"),
            (TRAIN_RIM, True, "wrong answer", "Red ring: the network's answer is on the wrong side of the threshold"),
        ):
            glyph = QLabel()
            glyph.setPixmap(legend_glyph(rim, ring))
            glyph.setToolTip(tip)
            label = QLabel(text)
            label.setToolTip(tip)
            legend.addWidget(glyph)
            legend.addWidget(label)
            self._legend_widgets += [glyph, label]
        legend.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        layout.addLayout(legend)
        layout.addWidget(self.note)
        self.surface: np.ndarray | None = None  # the last values drawn, (rows, cols)
        document.datasetChanged.connect(self.reload)
        document.networkChanged.connect(self.reload)
        document.weightsChanged.connect(Throttle(self.refresh, SLOW_VIEW_MS, self))
        self.reload()

    def reload(self) -> None:
        """New data or network: output names, points, and the surface."""
        data = self.document.dataset
        self.output_choice.blockSignals(True)
        self.output_choice.clear()
        self.output_choice.addItems(data.output_names)
        self.output_choice.blockSignals(False)
        self._draw_points()
        self.refresh()

    def _mark_wrong(self) -> None:
        """Ring the points whose answer is wrong by the core's accuracy rule (none for regression data)."""
        data, net = self.document.dataset, self.document.network
        if net is None or data.kind == "regression" or data.n_inputs != 2 or net.n_outputs != data.n_outputs:
            self.wrong_marks.setData([], [])
            self.wrong_count = 0
            return
        k = min(max(0, self.output_choice.currentIndex()), data.n_outputs - 1)
        X, Y = data.X, data.Y
        if data.has_test:
            X, Y = np.vstack([X, data.X_test]), np.vstack([Y, data.Y_test])
        wrong = wrong_rows(net.predict(X), Y, k)
        self.wrong_count = int(wrong.sum())
        self.wrong_marks.setData(pos=X[wrong])

    def _draw_points(self) -> None:
        data = self.document.dataset
        for widget in self._legend_widgets:
            widget.setVisible(data.n_inputs == 2)
        if data.n_inputs != 2:
            self.train_points.setData([], [])
            self.test_points.setData([], [])
            return
        self.train_points.setData(pos=data.X, brush=self._brushes(data.Y))
        if data.has_test:
            self.test_points.setData(pos=data.X_test, brush=self._brushes(data.Y_test))
        else:
            self.test_points.setData([], [])

    def _brushes(self, Y: np.ndarray) -> list:
        data = self.document.dataset
        k = max(0, self.output_choice.currentIndex())
        scale = max(1.0, float(np.abs(data.Y[:, k]).max()))
        activation = "logistic" if data.Y.min() >= 0 and data.Y.max() <= 1 else "identity"
        colors = colorize(to_signed(Y[:, k], activation, scale))
        return [pg.mkBrush(*c) for c in colors]

    def refresh(self) -> None:
        """Recompute the surface from the current weights."""
        doc, net = self.document, self.document.network
        self._mark_wrong()
        if net is None or net.n_inputs != 2:
            self.image.clear()
            self.surface = None
            self.note.setText("The heatmap needs a working network with two inputs." if net is None or
                              net.n_inputs != 2 else "")
            return
        self.note.clear()
        n = SURFACE_RESOLUTION
        extent = plane_extent(doc)
        k = max(0, self.output_choice.currentIndex())
        values = net.predict(grid(extent, n))[:, min(k, net.n_outputs - 1)].reshape(n, n)
        self.surface = values
        activation = net.output_layers[0].activation if len(net.output_layers) == 1 else "identity"
        scale = max(1.0, float(np.abs(doc.dataset.Y).max()))
        rgb = colorize(to_signed(values, activation, scale))
        self.image.setImage(rgb.transpose(1, 0, 2), autoLevels=False)
        x0, x1, y0, y1 = extent
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.refreshed.emit()


def legend_glyph(rim: str, ring: bool, size: int = 16) -> QPixmap:
    """A legend swatch: a point as the surface draws it, on a neutral patch so a white rim shows."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(*ZERO.astype(int)).darker(125))
    painter.drawRoundedRect(0, 0, size, size, 3, 3)
    centre, r = QPointF(size / 2, size / 2), POINT_SIZE / 2
    painter.setBrush(QColor(*POSITIVE.astype(int)))
    painter.setPen(QPen(QColor(rim), 1.4))
    painter.drawEllipse(centre, r, r)
    if ring:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(WRONG_RING), 1.8))
        painter.drawEllipse(centre, size / 2 - 1.5, size / 2 - 1.5)
    painter.end()
    return pixmap
