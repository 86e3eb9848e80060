"""The network canvas: scene, view, layer and connection items, the connect gesture, the colormap."""

from .connection_item import ConnectionItem
from .layer_item import LayerItem
from .scene import CanvasScene
from .view import PALETTE_MIME, CanvasView

__all__ = ["PALETTE_MIME", "CanvasScene", "CanvasView", "ConnectionItem", "LayerItem"]
