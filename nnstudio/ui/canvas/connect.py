"""The connect gesture: drag from a layer's output port to another layer's input.

A live curve follows the cursor; layers that would accept the connection are
outlined in green, the others in red; releasing over a layer asks the graph
for ``connect_problem`` and either connects (through the scene's request
signal, so the window can push an undo command) or reports the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from ..theme.style import canvas_theme
from .layer_item import LayerItem

if TYPE_CHECKING:
    from .scene import CanvasScene


class ConnectInteraction:
    """One drag of a new connection, from press on an output port to release (or Esc)."""

    def __init__(self, scene: CanvasScene, source: LayerItem):
        self.scene = scene
        self.source = source
        self.problems = {
            item.layer_id: scene.graph.connect_problem(source.layer_id, item.layer_id)
            for item in scene.layer_items()
        }
        for item in scene.layer_items():
            if item is not source:
                item.highlight = "invalid" if self.problems[item.layer_id] else "valid"
                item.update()
        theme = canvas_theme()
        self.pipe = QGraphicsPathItem()
        pen = QPen(theme.selected, 2.0, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.pipe.setPen(pen)
        self.pipe.setZValue(100)
        scene.addItem(self.pipe)
        self.move(source.output_port())

    def target_at(self, scene_pos: QPointF) -> LayerItem | None:
        items = self.scene.layer_items_at(scene_pos)
        return items[0] if items else None

    def move(self, scene_pos: QPointF) -> None:
        """Redraw the live curve to the cursor (or to the input port of the layer under it)."""
        target = self.target_at(scene_pos)
        valid = target is not None and not self.problems[target.layer_id]
        end = target.input_port() if valid else scene_pos
        start = self.source.output_port()
        dx = max(40.0, abs(end.x() - start.x()) / 2)
        path = QPainterPath(start)
        path.cubicTo(start + QPointF(dx, 0), end - QPointF(dx, 0), end)
        self.pipe.setPath(path)
        if target is not None:
            problem = self.problems[target.layer_id]
            hint = f"Release to connect {self.source.layer.name} → {target.layer.name}"
            self.scene.statusMessage.emit(f"Cannot connect: {problem}" if problem else hint)

    def release(self, scene_pos: QPointF) -> None:
        """Connect to the layer under the cursor, or say why not."""
        target = self.target_at(scene_pos)
        self.finish()
        if target is None:
            self.scene.statusMessage.emit("Connection cancelled: release over another layer to connect")
            return
        problem = self.scene.graph.connect_problem(self.source.layer_id, target.layer_id)
        if problem:
            self.scene.statusMessage.emit(f"Cannot connect: {problem}")
        else:
            self.scene.connectRequested.emit(self.source.layer_id, target.layer_id)

    def cancel(self) -> None:
        self.finish()
        self.scene.statusMessage.emit("Connection cancelled")

    def finish(self) -> None:
        for item in self.scene.layer_items():
            item.highlight = None
            item.update()
        self.scene.removeItem(self.pipe)
        self.scene.end_interaction()
