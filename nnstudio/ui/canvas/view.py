"""The canvas view: zoom, pan, palette drops, the grid, the weight legend and the training banner."""

from __future__ import annotations

import json

import numpy as np
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QWidget

from ..theme import colormap
from ..theme.style import canvas_theme
from .layer_item import GRID
from .scene import CanvasScene

#: MIME type of palette entries dragged onto the canvas: JSON {"role": ...} or {"preset": ...}
PALETTE_MIME = "application/x-nnstudio-palette"
LOCK_BANNER = "Training: the structure is locked until you stop (layers can still move)"
#: the weight legend's width in the bottom-left corner (the training banner keeps clear of it)
LEGEND_WIDTH = 286
MIN_SCALE, MAX_SCALE = 0.05, 4.0


class CanvasView(QGraphicsView):
    paletteDropped = Signal(dict, QPointF)  # palette entry, scene position
    nudgeRequested = Signal(float, float)  # arrow keys: move the selected layers by (dx, dy)

    def __init__(self, scene: CanvasScene, parent: QWidget | None = None):
        super().__init__(scene, parent)
        self.setObjectName("canvas")
        self.setAccessibleName("Network canvas")
        self.setToolTip("")
        self.setAcceptDrops(True)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        # Training recolours the synapses ~30 times a second: repaint only what changed, from a cached
        # background. The legend and banner are fixed to the viewport, so scrolling repaints it all.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        scene.overlayChanged.connect(self.viewport().update)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.show_legend = True
        # how much bigger than usual the window's type is (1.5 in the presentation layout): Fit may zoom a
        # small network that far, and the weight legend is drawn that much bigger
        self.type_scale = 1.0
        self._pan_from: QPointF | None = None
        self._legend_cache: tuple[tuple, QPixmap] | None = None
        self._banner_at = QRectF()  # where the training banner was drawn last

    def canvas_scene(self) -> CanvasScene:
        return self.scene()

    # -- zoom and pan ---------------------------------------------------------------------------
    def zoom_by(self, factor: float) -> None:
        scale = self.transform().m11()
        factor = min(max(factor, MIN_SCALE / scale), MAX_SCALE / scale)
        self.scale(factor, factor)
        self.resetCachedContent()  # the grid's dots are drawn at screen size

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self.viewport().update()  # a scroll moves the pixels, but the overlays stay put

    def refresh_theme(self) -> None:
        """Repaint everything after a theme change (the background is cached)."""
        self._legend_cache = None
        self.resetCachedContent()
        self.viewport().update()

    def zoom_in(self) -> None:
        self.zoom_by(1.25)

    def zoom_out(self) -> None:
        self.zoom_by(0.8)

    def zoom_reset(self) -> None:
        self.resetTransform()

    def fit(self) -> None:
        """Show every layer, at most at natural size (``type_scale`` times it)."""
        rect = self.scene().itemsBoundingRect()
        if rect.isEmpty():
            return
        self.fitInView(rect.adjusted(-40, -40, 40, 120), Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > self.type_scale:
            self.resetTransform()
            self.scale(self.type_scale, self.type_scale)
            self.centerOn(rect.center())

    def center_scene_pos(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            super().wheelEvent(event)  # Shift+wheel scrolls
            return
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.15**steps)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton and self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        scene = self.canvas_scene()
        if event.key() == Qt.Key.Key_Escape and scene.interaction is not None:
            scene.cancel_interaction()
            event.accept()
            return
        arrows = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        if event.key() in arrows and scene.selected_layer_ids():
            step = GRID * (5 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1)
            dx, dy = arrows[event.key()]
            self.nudgeRequested.emit(dx * step, dy * step)
            event.accept()
            return
        super().keyPressEvent(event)

    # -- palette drops -------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(PALETTE_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasFormat(PALETTE_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        if not event.mimeData().hasFormat(PALETTE_MIME):
            event.ignore()
            return
        entry = json.loads(bytes(event.mimeData().data(PALETTE_MIME)).decode("utf-8"))
        event.acceptProposedAction()
        self.paletteDropped.emit(entry, self.mapToScene(event.position().toPoint()))

    # -- background and overlays ----------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        theme = canvas_theme()
        painter.fillRect(rect, theme.background)
        if self.transform().m11() < 0.4:
            return
        xs = np.arange(np.floor(rect.left() / GRID) * GRID, rect.right(), GRID)
        ys = np.arange(np.floor(rect.top() / GRID) * GRID, rect.bottom(), GRID)
        if len(xs) * len(ys) > 100_000:
            return
        points = PrimitiveArray(QPointF, 2)
        points.resize(len(xs) * len(ys))
        grid = points.ndarray()
        grid[:, 0] = np.tile(xs, len(ys))
        grid[:, 1] = np.repeat(ys, len(xs))
        painter.setPen(QPen(theme.grid, 0))
        painter.drawPoints(*points.drawargs())

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.show_legend and self.canvas_scene().connection_items():
            self._draw_legend(painter)
        if self.canvas_scene().locked:
            self._draw_banner(painter, LOCK_BANNER)
        painter.restore()

    def _legend_notes(self) -> list[str]:
        """The lines under the colour bar: only what applies now."""
        scene = self.canvas_scene()
        notes = []
        if scene.locked:
            notes.append("scale kept for this run (doubles if outgrown)")
        if scene.any_fresh:
            notes.append("dashed: freshly initialised")
        return notes

    def _draw_legend(self, painter: QPainter) -> None:
        """The legend is drawn once per scale, notes, theme and pixel ratio, then blitted (it is on every frame)."""
        theme = canvas_theme()
        ratio = self.devicePixelRatioF()
        notes = self._legend_notes()
        size = self.type_scale
        key = (self.canvas_scene().weight_scale, tuple(notes), theme.box.rgba(), theme.text.rgba(), ratio, size)
        height = 48 + 15 * len(notes)
        if self._legend_cache is None or self._legend_cache[0] != key:
            pixmap = QPixmap(int(LEGEND_WIDTH * size * ratio), int((height + 2) * size * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            legend_painter = QPainter(pixmap)
            legend_painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            legend_painter.setFont(painter.font())  # at 8 pt (see _paint_legend): the scale makes it bigger
            legend_painter.scale(size, size)
            self._paint_legend(legend_painter, QRectF(0.5, 0.5, 282, height), notes)
            legend_painter.end()
            self._legend_cache = (key, pixmap)
        painter.drawPixmap(QPointF(12, self.viewport().height() - (height + 12) * size), self._legend_cache[1])

    def _paint_legend(self, painter: QPainter, box: QRectF, notes: list[str]) -> None:
        theme = canvas_theme()
        scale = self.canvas_scene().weight_scale
        back = QColor(theme.box)
        back.setAlpha(235)
        painter.setPen(QPen(theme.border, 1))
        painter.setBrush(back)
        painter.drawRoundedRect(box, 6, 6)
        painter.setPen(theme.text)
        font = painter.font()
        font.setPointSizeF(8)
        painter.setFont(font)
        bar_left, bar_width = box.left() + 10, box.width() - 20
        painter.drawText(QRectF(bar_left, box.top() + 4, bar_width, 14), Qt.AlignmentFlag.AlignLeft,
                         f"Synapse weight (full colour at ±{scale:g})")
        step = bar_width / colormap.N_BINS
        for k, color in enumerate(colormap.BIN_COLORS):
            painter.fillRect(QRectF(bar_left + k * step, box.top() + 22, step + 0.5, 10), color)
        painter.setPen(theme.muted_text)
        labels = QRectF(bar_left, box.top() + 33, bar_width, 14)
        painter.drawText(labels, Qt.AlignmentFlag.AlignLeft, f"−{scale:g}")
        painter.drawText(labels, Qt.AlignmentFlag.AlignHCenter, "0")
        painter.drawText(labels, Qt.AlignmentFlag.AlignRight, f"+{scale:g}")
        for k, note in enumerate(notes):
            y = box.top() + 55 + 15 * k
            left = bar_left
            if note.startswith("dashed"):
                painter.setPen(QPen(theme.muted_text, 1.2, Qt.PenStyle.DashLine))
                painter.drawLine(QPointF(bar_left, y), QPointF(bar_left + 24, y))
                left += 30
            painter.setPen(theme.muted_text)
            painter.drawText(QRectF(left, y - 7, box.right() - left - 6, 14), Qt.AlignmentFlag.AlignLeft, note)

    def banner_box(self) -> QRectF:
        """Where the training banner goes: the top centre, unless it would cover a layer there and the
        bottom right (beside the weight legend) is free, or covers less."""
        view_width, view_height = self.viewport().width(), self.viewport().height()
        metrics = self.viewport().fontMetrics()  # as big as the text in the window's font (large in Presentation)
        width = min(view_width - 24, metrics.horizontalAdvance(LOCK_BANNER) + 28)
        height = metrics.height() + 12
        boxes = [QRectF((view_width - width) / 2, 10, width, height)]
        if view_width - LEGEND_WIDTH * self.type_scale - 36 >= width:  # beside the legend
            boxes.append(QRectF(view_width - width - 12, view_height - height - 12, width, height))
        else:  # above it
            legend = 48 + 15 * len(self._legend_notes()) + 12 if self.show_legend else 0
            boxes.append(QRectF((view_width - width) / 2, view_height - legend - height - 20, width, height))
        layers = [QRectF(self.mapFromScene(item.sceneBoundingRect()).boundingRect())
                  for item in self.canvas_scene().layer_items()]

        def covered(box: QRectF) -> float:
            return sum(box.intersected(layer).width() * box.intersected(layer).height() for layer in layers
                       if box.intersects(layer))

        return min(boxes, key=covered)  # the first of equals: the top centre

    def _draw_banner(self, painter: QPainter, text: str) -> None:
        theme = canvas_theme()
        box = self.banner_box()
        if box != self._banner_at:  # it moved: paint it all, the old place included (updates are partial)
            self._banner_at = box
            self.viewport().update()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.banner)
        painter.drawRoundedRect(box, 6, 6)
        painter.setPen(QColor("white"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
