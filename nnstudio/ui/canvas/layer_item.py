"""A layer on the canvas: a box with its name, size, activation, neurons and two ports.

The item mirrors one layer object of the graph, read again on ``refresh()``
(the scene calls it on every change of the layer).  Its geometry uses the
size it was last refreshed with, never the graph's live value: the graph may
change (or lose the layer, when a project is loaded) before the scene hears of
it, and a bounding rect that changes without ``prepareGeometryChange`` corrupts
the scene's index (a crash).  Large layers show the first and last few
neurons with an ellipsis; the hidden neurons still get synapse endpoints,
spread over the ellipsis gap, where a sample of their synapses ends
(connection_item.py).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ...core import Graph, Layer
from ..theme.colormap import rgb_at
from ..theme.style import canvas_theme

WIDTH = 150.0
HEADER = 42.0
PAD = 8.0
SLOT = 22.0
IMAGE_SLOT = 36.0
NEURON_RADIUS = 7.0
PORT_RADIUS = 6.5
#: layers up to this size show every neuron; larger ones show SHOWN_EACH at each end
MAX_SHOWN = 16
SHOWN_EACH = 6
GRID = 20.0
#: below this zoom only the boxes are drawn
LOW_DETAIL = 0.3

ROLE_COLORS = {"input": QColor("#2bb673"), "hidden": QColor("#7b8794"), "output": QColor("#8e5bd8")}


class LayerItem(QGraphicsItem):
    """The picture of one layer; ``layer_id`` names it in the graph."""

    Type = QGraphicsItem.UserType + 1

    def __init__(self, graph: Graph, layer_id: str):
        super().__init__()
        self._graph = graph
        self.layer_id = layer_id
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setAcceptHoverEvents(True)
        self.setZValue(10)
        # Synapse lines end on the box, so every recolour exposes it: repaint from a pixmap unless the
        # layer itself changed (every change below calls update(), which refreshes the cache).
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.snap_to_grid = False
        self.highlight: str | None = None  # "valid" / "invalid" target while a connection is dragged
        self.fresh_bias = False
        self._values: np.ndarray | None = None
        self._value_colors: dict[int, QColor] | None = None  # of the neurons drawn as circles
        self._images: list[QImage] | None = None
        self._labels: list[str] | None = None  # a name beside each neuron (an input layer's features)
        self._geometry_listener = None
        self.refresh()

    def type(self) -> int:
        return self.Type

    @property
    def layer(self) -> Layer:
        """The layer as of the last ``refresh()`` (it stays readable while the graph is being replaced)."""
        return self._layer

    @property
    def size(self) -> int:
        """The number of neurons the item is laid out for."""
        return self._size

    # -- geometry -----------------------------------------------------------------------
    @property
    def slot(self) -> float:
        return IMAGE_SLOT if self._images else SLOT

    def n_slots(self) -> int:
        size = self._size
        return size if size <= MAX_SHOWN else 2 * SHOWN_EACH + 1

    def height(self) -> float:
        return HEADER + 2 * PAD + self.n_slots() * self.slot

    def boundingRect(self) -> QRectF:
        return QRectF(-PORT_RADIUS - 2, -2, WIDTH + 2 * PORT_RADIUS + 4, self.height() + 4)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)  # the ports overlap the box: keep both inside
        path.addRoundedRect(QRectF(0, 0, WIDTH, self.height()), 8, 8)
        for centre in (self.input_port_local(), self.output_port_local()):
            path.addEllipse(centre, PORT_RADIUS + 3, PORT_RADIUS + 3)
        return path

    def refresh(self) -> None:
        """The layer changed (size, name, role…): recompute the box and repaint."""
        self.prepareGeometryChange()
        layer = self._layer = self._graph.layers[self.layer_id]
        self._size = layer.size
        if self.pos() != QPointF(*layer.position):
            self.setPos(QPointF(*layer.position))
        if self._values is not None and len(self._values) != layer.size:
            self._values, self._value_colors = None, None
        if self._images is not None and len(self._images) != layer.size:
            self._images = None
        if self._labels is not None and len(self._labels) != layer.size:
            self._labels = None
        self.setToolTip(f"{layer.name}: {layer.size} neurons, {layer.activation}")
        self.update()

    def input_port_local(self) -> QPointF:
        return QPointF(0, HEADER / 2)

    def output_port_local(self) -> QPointF:
        return QPointF(WIDTH, HEADER / 2)

    def input_port(self) -> QPointF:
        return self.mapToScene(self.input_port_local())

    def output_port(self) -> QPointF:
        return self.mapToScene(self.output_port_local())

    def port_at(self, scene_pos: QPointF) -> str | None:
        """"in" or "out" when ``scene_pos`` is on a port, else None."""
        for name, centre in (("in", self.input_port()), ("out", self.output_port())):
            d = scene_pos - centre
            if d.x() ** 2 + d.y() ** 2 <= (PORT_RADIUS + 4) ** 2:
                return name
        return None

    def neuron_ys(self) -> np.ndarray:
        """Local y of every neuron; the elided ones are spread over the ellipsis gap."""
        size, slot, top = self._size, self.slot, HEADER + PAD
        if size <= MAX_SHOWN:
            return top + (np.arange(size) + 0.5) * slot
        ys = np.empty(size)
        ys[:SHOWN_EACH] = top + (np.arange(SHOWN_EACH) + 0.5) * slot
        ys[size - SHOWN_EACH:] = top + (np.arange(SHOWN_EACH) + SHOWN_EACH + 1.5) * slot
        hidden = size - 2 * SHOWN_EACH
        ys[SHOWN_EACH:size - SHOWN_EACH] = top + SHOWN_EACH * slot + (np.arange(hidden) + 0.5) / hidden * slot
        return ys

    def shown_mask(self) -> np.ndarray:
        """True for the neurons drawn as circles, False for those behind the ellipsis."""
        size = self._size
        mask = np.ones(size, dtype=bool)
        if size > MAX_SHOWN:
            mask[SHOWN_EACH:size - SHOWN_EACH] = False
        return mask

    def visible_neurons(self) -> list[tuple[int, float]]:
        """(neuron index, local y) of the neurons drawn as circles."""
        size, ys = self._size, self.neuron_ys()
        shown = range(size) if size <= MAX_SHOWN else [*range(SHOWN_EACH), *range(size - SHOWN_EACH, size)]
        return [(i, float(ys[i])) for i in shown]

    def neuron_at(self, scene_pos: QPointF) -> int | None:
        """The index of the drawn neuron under ``scene_pos``, or None."""
        local = self.mapFromScene(scene_pos)
        half = self.slot / 2
        if abs(local.x() - WIDTH / 2) > half:
            return None
        return next((i for i, y in self.visible_neurons() if abs(local.y() - y) <= half), None)

    # -- live values (the training engineer feeds these) ----------------------------------
    def set_neuron_values(self, values: np.ndarray | None) -> None:
        """Colour the neurons by value: 0…1 from grey to blue, signed values on the diverging map."""
        if values is None:
            self._values, self._value_colors = None, None
        else:
            values = np.asarray(values, dtype=float).ravel()
            if values.size != self._size:
                raise ValueError(f"{self.layer.name} has {self._size} neurons, got {values.size} values")
            finite = values[np.isfinite(values)]
            low = finite.min() if finite.size else 0.0
            scale = max(1.0, float(np.abs(finite).max())) if finite.size else 1.0
            shown = np.flatnonzero(self.shown_mask())  # only the circles on screen need a colour
            ts = values[shown] / scale if low < 0 else np.clip(values[shown] / scale, 0, 1)
            self._values = values
            colors = {int(i): QColor(*map(int, rgb)) for i, rgb in zip(shown, rgb_at(ts), strict=True)}
            if colors == self._value_colors:
                return  # the picture is the same: the cached box need not be drawn again
            self._value_colors = colors
        self.update()

    def neuron_value(self, index: int) -> float | None:
        return None if self._values is None else float(self._values[index])

    def set_neuron_images(self, images: list[QImage] | None) -> None:
        """Show a small picture per neuron (e.g. its output over the input plane) instead of a circle."""
        if images is not None and len(images) != self._size:
            raise ValueError(f"{self.layer.name} has {self._size} neurons, got {len(images)} images")
        had = bool(self._images)
        if not had and not images:
            return  # still circles: nothing to redraw, and no change of geometry for the scene's index
        if had != bool(images):  # the neuron slots change height
            self.prepareGeometryChange()
        self._images = list(images) if images else None
        if had != bool(self._images) and self._geometry_listener:
            self._geometry_listener(self)
        self.update()

    def set_neuron_labels(self, labels: list[str] | None) -> None:
        """A short name beside each neuron (None: none); e.g. the feature an input neuron is fed."""
        if labels is not None and len(labels) != self._size:
            raise ValueError(f"{self.layer.name} has {self._size} neurons, got {len(labels)} labels")
        if labels != self._labels:
            self._labels = None if labels is None else list(labels)
            self.update()

    @property
    def neuron_labels(self) -> list[str] | None:
        return None if self._labels is None else list(self._labels)

    def set_geometry_listener(self, listener) -> None:
        """``listener(item)`` is called when the item moves or its neurons move (connections follow)."""
        self._geometry_listener = listener

    # -- Qt hooks -----------------------------------------------------------------------------
    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionChange and self.snap_to_grid:
            return QPointF(round(value.x() / GRID) * GRID, round(value.y() / GRID) * GRID)
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged and self._geometry_listener:
            self._geometry_listener(self)
        return super().itemChange(change, value)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        theme = canvas_theme()
        layer = self.layer
        height = self.height()
        box = QRectF(0, 0, WIDTH, height)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)

        border = theme.border
        width = 1.2
        if self.highlight == "valid":
            border, width = theme.valid_target, 2.5
        elif self.highlight == "invalid":
            border, width = theme.invalid_target, 1.5
        if self.isSelected():
            border, width = theme.selected, 2.5
        painter.setPen(QPen(border, width))
        painter.setBrush(theme.box)
        painter.drawRoundedRect(box, 8, 8)

        header = QPainterPath()
        header.addRoundedRect(QRectF(0, 0, WIDTH, HEADER), 8, 8)
        header.addRect(QRectF(0, HEADER / 2, WIDTH, HEADER / 2))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.box_header)
        painter.drawPath(header.simplified())
        painter.setBrush(ROLE_COLORS.get(layer.role, theme.border))
        painter.drawRoundedRect(QRectF(6, 6, 4, HEADER - 12), 2, 2)
        if option.levelOfDetailFromTransform(painter.worldTransform()) < LOW_DETAIL:
            return  # zoomed far out: text and neurons would be specks

        font = QFont(painter.font())
        font.setPointSizeF(9.5)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(theme.text)
        metrics = painter.fontMetrics()
        name = metrics.elidedText(layer.name, Qt.TextElideMode.ElideRight, int(WIDTH - 30))
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(QRectF(16, 4, WIDTH - 24, 18), left, name)
        font.setBold(False)
        font.setPointSizeF(8)
        painter.setFont(font)
        painter.setPen(theme.muted_text)
        if layer.role == "input":
            detail = f"{self._size} input{'s' if self._size != 1 else ''}"
        else:
            detail = f"{self._size} · {layer.activation}" + ("" if layer.bias else " · no bias")
        painter.drawText(QRectF(16, 21, WIDTH - 24, 16), left, detail)

        self._paint_neurons(painter, theme)

        painter.setBrush(theme.port if layer.role != "input" else theme.box)
        painter.setPen(QPen(theme.port, 1.5))
        if layer.role != "input":
            painter.drawEllipse(self.input_port_local(), PORT_RADIUS, PORT_RADIUS)
        if layer.role != "output":
            painter.setBrush(theme.port)
            painter.drawEllipse(self.output_port_local(), PORT_RADIUS, PORT_RADIUS)

    def _paint_neurons(self, painter: QPainter, theme) -> None:
        cx = WIDTH / 2
        pen = QPen(theme.neuron_border, 1.2)
        if self.fresh_bias:
            pen.setStyle(Qt.PenStyle.DashLine)
        if self._labels:
            font = QFont(painter.font())
            font.setPointSizeF(7.5)
            painter.setFont(font)
        for i, y in self.visible_neurons():
            if self._labels:
                painter.setPen(theme.muted_text)
                right = cx - self.slot / 2 - 2
                painter.drawText(QRectF(4, y - self.slot / 2, right - 4, self.slot),
                                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self._labels[i])
            if self._images:
                side = self.slot - 6
                target = QRectF(cx - side / 2, y - side / 2, side, side)
                painter.drawImage(target, self._images[i])
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(target, 3, 3)
                continue
            painter.setPen(pen)
            painter.setBrush(QBrush(self._value_colors.get(i, theme.neuron) if self._value_colors else theme.neuron))
            painter.drawEllipse(QPointF(cx, y), NEURON_RADIUS, NEURON_RADIUS)
        size = self._size
        if size > MAX_SHOWN:
            y = HEADER + PAD + (SHOWN_EACH + 0.5) * self.slot
            painter.setPen(theme.muted_text)
            painter.drawText(
                QRectF(0, y - self.slot / 2, WIDTH, self.slot), Qt.AlignmentFlag.AlignCenter,
                f"⋮  {size - 2 * SHOWN_EACH} more",
            )
