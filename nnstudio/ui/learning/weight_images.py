"""Weights as images: each first hidden neuron's incoming weights drawn as a picture of the input image.

For an image dataset (``dataset.image_shape``) the layer fed by the image input layer shows one tile per neuron:
weight ``w[pixel, neuron]`` at the pixel's place, blue for positive and orange for negative (the canvas's
colours), each tile at its own scale so that every neuron's pattern shows.  Clicking a tile inspects that
neuron.  The pictures come from :func:`nnstudio.core.images.incoming_weight_images`; during training they
redraw a few times a second, and not at all while the view is out of sight.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...core.images import incoming_weight_images
from ..model.document import Document
from ..training.pictures import signed_image
from ..training.throttle import SLOW_VIEW_MS, Throttle

MAX_TILES = 256  # a 784-512 layer shows its first 256 neurons
GAP = 3
NO_IMAGE = "Weights show as pictures when the dataset is an image (dataset.image_shape) feeding a hidden layer."


def weight_tiles(document: Document) -> tuple[str, list[QImage], int] | None:
    """(layer id, one picture per neuron shown, the layer's size) for the first layer fed by an image input."""
    net = document.network
    if net is None:
        return None
    images = incoming_weight_images(net, document.dataset)
    if not images:
        return None
    layer_id = next(lid for lid in net.order if lid in images)  # the first in evaluation order
    weights = images[layer_id]
    return layer_id, [signed_image(w) for w in weights[:MAX_TILES]], len(weights)


class TileGrid(QWidget):
    """The tiles in rows, as large as the widget allows; ``tileClicked(index)`` on a left click."""

    tileClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("weightTiles")
        self.tiles: list[QImage] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(320, 320)

    def set_tiles(self, tiles: list[QImage]) -> None:
        self.tiles = tiles
        self.update()

    def _layout(self) -> tuple[int, int]:
        """(columns, tile side in pixels) that fit every tile in the widget."""
        n = len(self.tiles)
        if not n:
            return 1, 0
        best = (1, 0)
        for columns in range(1, n + 1):
            rows = math.ceil(n / columns)
            side = min((self.width() - GAP) // columns, (self.height() - GAP) // rows) - GAP
            if side > best[1]:
                best = (columns, side)
        return best

    def tile_rects(self) -> list[QRect]:
        """Where each tile is drawn."""
        columns, side = self._layout()
        return [QRect(GAP + column * (side + GAP), GAP + row * (side + GAP), side, side)
                for row, column in (divmod(k, columns) for k in range(len(self.tiles)))]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        for rect, tile in zip(self.tile_rects(), self.tiles, strict=True):
            painter.drawImage(rect, tile)  # no smoothing: each weight a sharp square
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point = event.position().toPoint()
        hit = next((k for k, rect in enumerate(self.tile_rects()) if rect.contains(point)), None)
        if hit is not None:
            self.tileClicked.emit(hit)


class WeightImages(QWidget):
    """Contents of the "weightImages" dock; ``neuronClicked(layer_id, index)`` when a tile is clicked."""

    neuronClicked = Signal(str, int)

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("weightImagesView")
        self.document = document
        self.layer_id: str | None = None
        self.title = QLabel(NO_IMAGE, objectName="weightImagesTitle")
        self.title.setWordWrap(True)
        self.grid = TileGrid()
        self.grid.setToolTip("Each neuron's incoming weights at its pixels: blue positive, orange negative, each "
                             "picture at its own scale. Click one to inspect that neuron.")
        self.grid.tileClicked.connect(self._tile_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.grid, 1)
        self._stale = True
        document.weightsChanged.connect(Throttle(self.refresh, SLOW_VIEW_MS, self))
        for signal in (document.networkChanged, document.datasetChanged):
            signal.connect(self.refresh)

    def refresh(self) -> None:
        """Redraw the tiles from the document's weights (later, when the view is out of sight)."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        found = weight_tiles(self.document)
        if found is None:
            self.layer_id = None
            self.title.setText(NO_IMAGE)
            self.grid.set_tiles([])
            return
        self.layer_id, tiles, size = found
        name = self.document.graph.layers[self.layer_id].name
        shown = f"its first {len(tiles)} of {size} neurons" if len(tiles) < size else f"its {size} neurons"
        self.title.setText(f"Incoming weights of {name}, {shown}, as pictures of the input.")
        self.grid.set_tiles(tiles)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _tile_clicked(self, index: int) -> None:
        if self.layer_id is not None:
            self.neuronClicked.emit(self.layer_id, index)


def weights_of(document: Document, layer_id: str, index: int) -> np.ndarray | None:
    """The incoming weights of neuron ``index`` of ``layer_id`` as a picture, if that layer is fed by an image."""
    net = document.network
    if net is None:
        return None
    images = incoming_weight_images(net, document.dataset)
    return images[layer_id][index] if layer_id in images and index < len(images[layer_id]) else None
