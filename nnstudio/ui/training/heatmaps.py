"""Heatmaps for networks with two inputs, as TensorFlow Playground draws them.

The decision surface shows one output over the input plane with the data
points on top, filled with their target's colour (training points with a white
rim, test points with a dark rim) and ringed in red where the network's answer
is on the wrong side of the core's accuracy threshold (for a categorical target the
legend names the class the colours stand for); "Discretize output" shows the answer
the accuracy reads instead of the raw output (as TF Playground does).
Every neuron on the canvas can show its own small map (an input neuron of a
network fed features shows its feature).  The grid of
values always comes from the core (``network.layer_activations(grid)``);
this module only turns numbers into colours.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core.activations import get_activation
from ...core.datasets import Dataset
from ...core.frames import Frame, FrameBuilder, FrameRequest, GridRequest, ViewRequest, grid_points
from ...core.metrics import discretized
from ...core.network import Network
from ...core.training import resolve_cost
from ..model.document import Document
from ..theme.colormap import NEGATIVE, POSITIVE, ZERO
from .throttle import SLOW_VIEW_MS, Throttle

SURFACE_RESOLUTION = 64
NEURON_RESOLUTION = 24
MAX_NEURONS_WITH_IMAGES = 16  # larger layers draw only some neurons; skip their pictures
#: the surface draws at most about this many data points (an even sample of larger datasets)
MAX_POINTS = 2000

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


def plane_network(document: Document) -> Network | None:
    """The network when its inputs come from a plane: two raw inputs (x1, x2), fed raw or as features."""
    net, data = document.network, document.dataset
    if net is None or data.n_inputs != 2 or net.n_inputs != data.network_width:
        return None
    return net


def neuron_grid(document: Document) -> GridRequest | None:
    """The grid the neuron maps are computed on (None unless the network's inputs come from a plane)."""
    if plane_network(document) is None:
        return None
    return GridRequest(plane_extent(document), NEURON_RESOLUTION)


def neuron_images(document: Document, acts: dict[str, np.ndarray] | None = None) -> dict[str, list[QImage] | None]:
    """A small map per neuron, by layer id (None for layers too large to show them all), from the layers'
    activations over :func:`neuron_grid` (``acts``, e.g. a frame's; computed here when not given)."""
    net, request = plane_network(document), neuron_grid(document)
    if net is None or request is None:
        return {}
    if acts is None:
        acts = net.layer_activations(document.dataset.network_inputs(grid_points(request.extent, request.resolution)))
    resolution = request.resolution
    images: dict[str, list[QImage] | None] = {}
    for layer in net.layers:
        values = acts.get(layer.id)
        if layer.size > MAX_NEURONS_WITH_IMAGES or values is None or values.shape != (resolution**2, layer.size):
            images[layer.id] = None
            continue
        scale = None if layer.role != "input" else max(1.0, float(np.abs(values).max()))
        signed = to_signed(values, layer.activation if layer.role != "input" else "identity", scale)
        maps = signed.T.reshape(layer.size, resolution, resolution)
        images[layer.id] = [to_qimage(colorize(m)) for m in maps]
    return images


def marked_points(data: Dataset, index: np.ndarray) -> np.ndarray:
    """The inputs of table rows ``index`` (training rows, then test rows), without stacking the whole dataset."""
    train = index[index < len(data)]
    if not data.has_test:
        return data.X[train]
    return np.vstack([data.X[train], data.X_test[index[index >= len(data)] - len(data)]])


class DecisionSurface(QWidget):
    """Contents of the "heatmap" dock: one output over the input plane, with the data on it."""

    refreshed = Signal()

    def __init__(self, document: Document, request: ViewRequest | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.request = request
        self.live = False  # frames bring the surface (training runs): weight changes are not recomputed here
        self.marked = (0, 0, 1)  # range(*marked): the data rows drawn (and checked for wrong answers)
        self.extent = (0.0, 1.0, 0.0, 1.0)  # the input plane shown (set from the data)
        self._wrong_shown: np.ndarray | None = None  # the wrong-answer flags the rings show
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
        self.class_legend = QLabel()
        self.class_legend.setObjectName("heatmapClasses")
        self.class_legend.setToolTip("For a class target the surface shows the output of one class: how sure the "
                                     "network is that a point belongs to it")
        self.note = QLabel()
        self.note.setObjectName("heatmapNote")
        self.note.setWordWrap(True)
        self.discretize = QCheckBox("Discretize output")
        self.discretize.setObjectName("heatmapDiscretize")
        self.discretize.setToolTip("Show the class the network answers (its side of the threshold), not its output")
        self.discretize.toggled.connect(lambda _on: self.refresh())
        top = QHBoxLayout()
        top.addWidget(QLabel("Output"))
        top.addWidget(self.output_choice, 1)
        top.addWidget(self.discretize)
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
        layout.addWidget(self.class_legend)
        layout.addWidget(self.note)
        self.surface: np.ndarray | None = None  # the last values drawn, (rows, cols)
        document.datasetChanged.connect(self.reload)
        document.networkChanged.connect(self.reload)
        document.weightsChanged.connect(Throttle(lambda: None if self.live else self.refresh(), SLOW_VIEW_MS, self))
        self.reload()

    def reload(self) -> None:
        """New data or network: output names, points, and the surface."""
        data = self.document.dataset
        self.output_choice.blockSignals(True)
        self.output_choice.clear()
        self.output_choice.addItems(data.output_names)
        self.output_choice.blockSignals(False)
        rows = len(data) + (len(data.X_test) if data.has_test else 0)
        self.marked = (0, rows, max(1, -(-rows // MAX_POINTS)))
        self._marked_points = marked_points(data, np.arange(*self.marked))
        self._wrong_shown = None
        self.extent = plane_extent(self.document) if data.n_inputs == 2 else (0.0, 1.0, 0.0, 1.0)
        self.discretize.setEnabled(data.kind != "regression")
        self._draw_points()
        self._update_request()
        self.refresh()

    def surface_grid(self) -> GridRequest | None:
        if plane_network(self.document) is None:
            return None
        return GridRequest(self.extent, SURFACE_RESOLUTION)

    def _marks_wrong(self) -> bool:
        data, net = self.document.dataset, self.document.network
        return (net is not None and data.kind != "regression" and data.n_inputs == 2
                and net.n_outputs == data.n_outputs)

    def _update_request(self) -> None:
        """Ask the worker for the surface only while it is on screen."""
        if self.request is None:
            return
        shown = self.isVisible()
        self.request.update(surface=self.surface_grid() if shown else None,
                            marked_rows=self.marked if shown and self._marks_wrong() else None)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._update_request()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._update_request()

    def _draw_points(self) -> None:
        data = self.document.dataset
        for widget in self._legend_widgets:
            widget.setVisible(data.n_inputs == 2)
        self._show_class_legend()
        if data.n_inputs != 2:
            self.train_points.setData([], [])
            self.test_points.setData([], [])
            return
        start, stop, step = self.marked
        train = np.arange(start, min(stop, len(data)), step)
        self.train_points.setData(pos=data.X[train], brush=self._brushes(data.Y[train]))
        if data.has_test:
            test = np.arange(start, stop, step)
            test = test[test >= len(data)] - len(data)
            self.test_points.setData(pos=data.X_test[test], brush=self._brushes(data.Y_test[test]))
        else:
            self.test_points.setData([], [])

    def _show_class_legend(self) -> None:
        """For a categorical target: which class the blue points and surface are, the rest being orange."""
        data = self.document.dataset
        k = self.output_choice.currentIndex()
        shown = bool(data.class_names) and data.n_inputs == 2 and 0 <= k < len(data.class_names)
        self.class_legend.setVisible(shown)
        if shown:
            swatch = '<span style="color: rgb({}, {}, {})">■</span>'
            this, other = (swatch.format(*color.astype(int)) for color in (POSITIVE, NEGATIVE))
            others = "the other class" if len(data.class_names) == 2 else "the other classes"
            self.class_legend.setText(f"{this} {escape(data.class_names[k])} &nbsp; {other} {others}")

    def _brushes(self, Y: np.ndarray) -> list:
        data = self.document.dataset
        k = max(0, self.output_choice.currentIndex())
        scale = max(1.0, float(np.abs(data.Y[:, k]).max()))
        activation = "logistic" if data.Y.min() >= 0 and data.Y.max() <= 1 else "identity"
        colors = colorize(to_signed(Y[:, k], activation, scale))
        return [pg.mkBrush(*c) for c in colors]

    def refresh(self) -> None:
        """Recompute the surface and the wrong answers from the document's network."""
        doc, net = self.document, self.document.network
        grid_request = self.surface_grid()
        if grid_request is None:
            self.show_frame(None)
            return
        builder = FrameBuilder(net, doc.dataset, resolve_cost(doc.settings.cost, net, doc.dataset), own_copy=False)
        request = FrameRequest(surface=grid_request, marked_rows=self.marked if self._marks_wrong() else None)
        self.show_frame(builder.build(request))

    def show_frame(self, frame: Frame | None) -> None:
        """Draw the frame's surface and wrong answers (None: the network cannot have a surface)."""
        net = plane_network(self.document)
        if net is None:
            self.image.clear()
            self.surface = None
            self.wrong_marks.setData([], [])
            self.wrong_count, self._wrong_shown = 0, None
            self.note.setText("The heatmap needs a working network with two inputs.")
            return
        self.note.clear()
        k = min(max(0, self.output_choice.currentIndex()), net.n_outputs - 1)
        if frame.wrong is not None and frame.wrong.shape == (len(range(*self.marked)), net.n_outputs):
            wrong = frame.wrong[:, k]
            if self._wrong_shown is None or not np.array_equal(wrong, self._wrong_shown):
                # redrawing a scatter costs tens of milliseconds: only when the set of rings changed
                self._wrong_shown = wrong
                points = self._marked_points[wrong]
                self.wrong_count = len(points)
                self.wrong_marks.setData(pos=points)
        elif not self._marks_wrong():
            self.wrong_marks.setData([], [])
            self.wrong_count, self._wrong_shown = 0, None
        if frame.surface is None or frame.surface.shape[-1] != net.n_outputs:
            return
        values = self._shown_values(frame.surface, k)
        self.surface = values
        activation = net.output_layers[0].activation if len(net.output_layers) == 1 else "identity"
        scale = max(1.0, float(np.abs(self.document.dataset.Y).max()))
        rgb = colorize(to_signed(values, activation, scale))
        self.image.setImage(rgb.transpose(1, 0, 2), autoLevels=False)
        x0, x1, y0, y1 = self.extent
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.refreshed.emit()


    def _shown_values(self, surface: np.ndarray, k: int) -> np.ndarray:
        """Output ``k`` over the plane, or with "Discretize output" on, the answer the accuracy reads there."""
        if self.discretize.isChecked():
            rows, cols, n = surface.shape
            snapped = discretized(surface.reshape(-1, n), self.document.dataset.Y)
            if snapped is not None:  # None: a regression has no classes to snap to
                return snapped.reshape(rows, cols, n)[:, :, k]
        return surface[:, :, k]


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
