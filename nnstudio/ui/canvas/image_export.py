"""The canvas as a picture: the whole network as a PNG (at a scale) or an SVG drawing, without the selection."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from ..theme.style import canvas_theme
from .scene import CanvasScene

MARGIN = 30  # scene units around the network


def export_canvas_image(scene: CanvasScene, path: str, title: str = "", scale: float = 2.0) -> None:
    """Write the network to ``path``: ``.svg`` as a drawing, anything else as a PNG at ``scale`` × natural size."""
    rect = scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
    if Path(path).suffix.lower() == ".svg":
        from PySide6.QtSvg import QSvgGenerator  # loaded only when someone exports a drawing

        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(rect.size().toSize())
        generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
        generator.setTitle(title)
        painter = QPainter(generator)
        _render(scene, painter, QRectF(0, 0, rect.width(), rect.height()), rect)
        painter.end()
        return
    image = QImage((rect.size() * scale).toSize(), QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    _render(scene, painter, QRectF(image.rect()), rect)
    painter.end()
    if not image.save(str(path)):
        raise OSError(f"could not write {path}")


def _render(scene: CanvasScene, painter: QPainter, target: QRectF, source: QRectF) -> None:
    painter.fillRect(target, canvas_theme().background)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    selected = scene.selectedItems()
    scene.clearSelection()
    scene.render(painter, target, source)
    for item in selected:
        item.setSelected(True)
