"""One connection drawn as its synapse lines, batched by colour bin.

Endpoints live in a NumPy array (one row per synapse: x1, y1, x2, y2) that is
recomputed only when a layer moves or changes size.  A weight update only
re-sorts the synapses into colour bins and refills one native QLineF array per
bin, which the painter draws with a single ``drawLines`` call each.

A raster line costs its length in pixels, and a frame of a 784-128-10 network
must be drawn in a few milliseconds beside training.  Every synapse between two
neurons drawn as circles is always drawn exactly; the lines of the neurons
hidden behind a layer's ellipsis (which start or end in the ellipsis gap, on
top of each other) are an even, fixed sample of at most ``ELIDED_LINES``.
Strong weights are drawn last, so they stay on top.
"""

from __future__ import annotations

import functools

import numpy as np
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ...core import Connection, Graph
from ..theme import colormap
from ..theme.style import canvas_theme
from .layer_item import WIDTH, LayerItem

#: above this many lines they are drawn one pixel wide and without antialiasing (speed over polish)
MANY_SYNAPSES = 3000
#: at most this many lines per connection for the synapses of elided neurons (an even sample): they overlap in
#: the ellipsis gaps, where more would show nothing new; 784-128-10 took 8 ms a frame with 2,000 of them and
#: every line of 128 → 10
ELIDED_LINES = 400


def synapse_pairs(kind: str, n_source: int, n_target: int) -> tuple[np.ndarray, np.ndarray]:
    """Source and target neuron index of every synapse of a connection kind."""
    if kind == "one_to_one":
        i = np.arange(n_source)
        return i, i.copy()
    i, j = np.divmod(np.arange(n_source * n_target), n_target)
    if kind == "all_to_else":
        keep = i != j
        return i[keep], j[keep]
    return i, j


def synapse_count(kind: str, n_source: int, n_target: int) -> int:
    if kind == "one_to_one":
        return n_source
    return n_source * n_target - (n_source if kind == "all_to_else" else 0)


def drawn_pairs(kind: str, source_shown: np.ndarray, target_shown: np.ndarray,
                budget: int = ELIDED_LINES) -> tuple[np.ndarray, np.ndarray]:
    """The synapses to draw: every synapse between drawn neurons, plus an even sample of about ``budget``
    synapses over all of them, which draws the elided neurons' (never materialising all pairs)."""
    n_src, n_tgt = len(source_shown), len(target_shown)
    shown_src, shown_tgt = np.flatnonzero(source_shown), np.flatnonzero(target_shown)
    n_exact = synapse_count(kind, len(shown_src), len(shown_tgt))
    if synapse_count(kind, n_src, n_tgt) <= n_exact + budget:
        return synapse_pairs(kind, n_src, n_tgt)
    if kind == "one_to_one":
        keep = np.union1d(np.intersect1d(shown_src, shown_tgt), np.linspace(0, n_src - 1, budget).astype(np.int64))
        return keep, keep.copy()
    exact = (shown_src[:, None] * n_tgt + shown_tgt[None, :]).ravel()
    sample = np.linspace(0, n_src * n_tgt - 1, budget).astype(np.int64)
    flat = np.union1d(exact, sample)
    i, j = np.divmod(flat, n_tgt)
    if kind == "all_to_else":
        keep = i != j
        return i[keep], j[keep]
    return i, j


@functools.cache
def _bin_pen(bin_index: int, thin: bool, dashed: bool, scale: float = 1.0) -> QPen:
    """The pen of a colour bin, its width times ``scale`` (made once: a pen and its enum lookups cost more than
    the bin's lines)."""
    pen = QPen(colormap.BIN_COLORS[bin_index], scale * (1.0 if thin else colormap.BIN_WIDTHS[bin_index]))
    pen.setCosmetic(True)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def _line_array(rows: np.ndarray) -> PrimitiveArray:
    lines = PrimitiveArray(QLineF, 4)
    lines.resize(len(rows))
    lines.ndarray()[:] = rows
    return lines


class ConnectionItem(QGraphicsItem):
    """The synapses of connection ``conn_id`` between two layer items."""

    Type = QGraphicsItem.UserType + 2

    def __init__(self, graph: Graph, conn_id: str, source: LayerItem, target: LayerItem):
        super().__init__()
        self._graph = graph
        self.conn_id = conn_id
        self.source_item, self.target_item = source, target
        self.setZValue(0)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        # clicks are hit-tested by the scene (nearest synapse), so empty space stays free for rubber bands
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.fresh = False
        self.line_width = 1.0  # times the usual pen widths (thicker for a projector)
        self._weights: np.ndarray | None = None  # one value per synapse, in pair order
        self._scale = 1.0
        self._batches: list[tuple[QPen, PrimitiveArray]] = []
        self._rect = QRectF()
        self.rebuild()

    def type(self) -> int:
        return self.Type

    @property
    def connection(self) -> Connection:
        """The connection as of the last ``rebuild()``."""
        return self._connection

    @property
    def n_synapses(self) -> int:
        """All synapses of the connection (drawn or not)."""
        return self._total

    @property
    def n_drawn(self) -> int:
        return len(self._i)

    # -- structure and layout ----------------------------------------------------------------
    def rebuild(self) -> None:
        """The kind or a layer size changed: new synapse list, geometry and (unknown) weights."""
        conn = self._connection = self._graph.connections[self.conn_id]
        # the sizes the layer items are laid out for: the endpoints index their neuron positions
        n_src, n_tgt = self.source_item.size, self.target_item.size
        self.matrix_shape = (n_src, n_tgt)
        self._total = synapse_count(conn.kind, n_src, n_tgt)
        self._i, self._j = drawn_pairs(conn.kind, self.source_item.shown_mask(), self.target_item.shown_mask())
        self._weights = None
        self.update_geometry()

    def update_geometry(self) -> None:
        """A layer moved or resized: recompute every endpoint (NumPy) and refill the batches."""
        src, tgt = self.source_item, self.target_item
        x1, y1 = src.pos().x() + WIDTH, src.pos().y() + src.neuron_ys()
        x2, y2 = tgt.pos().x(), tgt.pos().y() + tgt.neuron_ys()
        ends = np.empty((len(self._i), 4))
        ends[:, 0] = x1
        ends[:, 1] = y1[self._i]
        ends[:, 2] = x2
        ends[:, 3] = y2[self._j]
        self._ends = ends
        self.prepareGeometryChange()
        if len(ends):
            left, right = min(x1, x2), max(x1, x2)
            top = min(ends[:, 1].min(), ends[:, 3].min())
            bottom = max(ends[:, 1].max(), ends[:, 3].max())
            lines = QRectF(left, top, right - left, bottom - top)
        else:
            lines = QRectF()
        self._rect = lines.united(self.spine().boundingRect()).adjusted(-3, -3, 3, 3)
        self._fill_batches()

    # -- weights ------------------------------------------------------------------------------
    def set_line_width(self, factor: float) -> None:
        """Draw every synapse ``factor`` times as thick as usual."""
        self.line_width = factor
        self._fill_batches()

    def set_weights(self, matrix: np.ndarray | None, scale: float, fresh: bool = False) -> None:
        """New weights (shape source_size × target_size, or None when unknown): only rebins colours."""
        self._weights = None if matrix is None else np.asarray(matrix)[self._i, self._j]
        self._scale = scale
        self.fresh = fresh
        self._fill_batches()

    def weight(self, i: int, j: int) -> float | None:
        if self._weights is None:
            return None
        hit = np.flatnonzero((self._i == i) & (self._j == j))
        return float(self._weights[hit[0]]) if hit.size else None

    @property
    def many(self) -> bool:
        """Whether the connection is drawn in thin, aliased lines (it has too many synapses for more)."""
        return self._total > MANY_SYNAPSES

    def _fill_batches(self) -> None:
        many = self.many
        if self._weights is None:
            pen = QPen(canvas_theme().synapse_unknown, self.line_width)
            pen.setCosmetic(True)
            self._batches = [(pen, _line_array(self._ends))] if len(self._ends) else []
            self.update()
            return
        bins = colormap.bin_indices(self._weights, self._scale)
        order = np.argsort(bins, kind="stable")
        counts = np.bincount(bins, minlength=colormap.N_BINS)
        sorted_ends = self._ends[order]
        batches, start = [], 0
        for b, count in enumerate(counts):
            if count:
                pen = _bin_pen(b, many, self.fresh, self.line_width)
                batches.append((abs(colormap.CENTRES[b]), pen, _line_array(sorted_ends[start:start + count])))
            start += count
        # strong weights of either sign on top, so they stay readable where lines cross
        batches.sort(key=lambda batch: batch[0])
        self._batches = [(pen, lines) for _strength, pen, lines in batches]
        self.update()

    # -- hit testing ---------------------------------------------------------------------------
    def nearest_synapse(self, scene_pos: QPointF, tolerance: float) -> tuple[int, int, float] | None:
        """(source neuron, target neuron, distance) of the synapse nearest ``scene_pos`` within ``tolerance``."""
        near = self._rect.adjusted(-tolerance, -tolerance, tolerance, tolerance)
        if not len(self._ends) or not near.contains(scene_pos):
            return None
        p = np.array([scene_pos.x(), scene_pos.y()])
        a, b = self._ends[:, :2], self._ends[:, 2:]
        ab = b - a
        t = np.clip(((p - a) * ab).sum(axis=1) / np.maximum((ab * ab).sum(axis=1), 1e-12), 0.0, 1.0)
        dist = np.hypot(*(a + t[:, None] * ab - p).T)
        k = int(np.argmin(dist))
        if dist[k] > tolerance:
            return None
        return int(self._i[k]), int(self._j[k]), float(dist[k])

    # -- painting -------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._rect

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addPath(self.spine())
        return path

    def spine(self) -> QPainterPath:
        """A curve from the source's output port to the target's input port (drawn when selected)."""
        a, b = self.source_item.output_port(), self.target_item.input_port()
        path = QPainterPath(a)
        dx = max(40.0, abs(b.x() - a.x()) / 2)
        path.cubicTo(a + QPointF(dx, 0), b - QPointF(dx, 0), b)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, not self.many)
        for pen, lines in self._batches:
            painter.setPen(pen)
            painter.drawLines(*lines.drawargs())
        if self.isSelected():
            color = QColor(canvas_theme().selected)
            color.setAlpha(170)
            pen = QPen(color, 4)
            pen.setCosmetic(True)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(self.spine())
