"""The canvas scene: mirrors the document's graph with one item per layer and per connection.

It never keeps its own topology: items are created and removed as graph
events arrive (``document.graphChanged``; "reset", after a project was
loaded, rebuilds them all) and re-read their layer or connection from the
graph when the event for it arrives.  User gestures that would change the graph
(connecting, moving) are emitted as request signals; the window turns them
into undo commands.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
    QToolTip,
)

from ..model.document import Document
from ..theme import colormap
from .connect import ConnectInteraction
from .connection_item import ConnectionItem
from .layer_item import LayerItem

SCENE_MARGIN = 1500.0
LOCKED_MESSAGE = "Training is running: stop it to change the network"


class CanvasScene(QGraphicsScene):
    statusMessage = Signal(str)
    connectRequested = Signal(str, str)  # source layer id, target layer id
    layersMoved = Signal(dict)  # layer id -> new (x, y), after a drag of one or more layers
    synapseClicked = Signal(str, int, int)  # connection id, source neuron, target neuron: a click selects it
    synapseDoubleClicked = Signal(str, int, int)  # the same for a double-click: the window asks for a new weight
    overlayChanged = Signal()  # something the views draw over the scene (legend scale, lock banner) changed
    neuronClicked = Signal(str, int)  # layer id, neuron index: a left click on a drawn neuron (it still selects)

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        self._layers: dict[str, LayerItem] = {}
        self._conns: dict[str, ConnectionItem] = {}
        self._interaction: ConnectInteraction | None = None
        self.snap_to_grid = False
        self.locked = False
        self.weight_scale = 1.0  # |w| drawn in full colour; see apply_weights for when it changes
        self.any_fresh = False  # some synapses are drawn dashed (freshly initialised): the legend explains them
        document.graphChanged.connect(self._on_graph_changed)
        document.weightsChanged.connect(self.apply_weights)
        document.activationsChanged.connect(self._show_activations)
        document.neuronImagesChanged.connect(self._show_neuron_images)
        document.trainingChanged.connect(self.set_locked)
        self._rebuild()

    @property
    def graph(self):
        return self.document.graph

    # -- lookup ---------------------------------------------------------------------------
    def layer_item(self, layer_id: str) -> LayerItem:
        return self._layers[layer_id]

    def connection_item(self, conn_id: str) -> ConnectionItem:
        return self._conns[conn_id]

    def layer_items(self) -> list[LayerItem]:
        return list(self._layers.values())

    def connection_items(self) -> list[ConnectionItem]:
        return list(self._conns.values())

    def layer_items_at(self, scene_pos: QPointF) -> list[LayerItem]:
        return [item for item in self.items(scene_pos) if isinstance(item, LayerItem)]

    def selected_layer_ids(self) -> list[str]:
        return [i.layer_id for i in self.selectedItems() if isinstance(i, LayerItem)]

    def selected_connection_ids(self) -> list[str]:
        return [i.conn_id for i in self.selectedItems() if isinstance(i, ConnectionItem)]

    def select(self, layer_ids=(), conn_ids=()) -> None:
        self.clearSelection()
        for lid in layer_ids:
            self._layers[lid].setSelected(True)
        for cid in conn_ids:
            self._conns[cid].setSelected(True)

    # -- mirroring the graph ---------------------------------------------------------------
    def _rebuild(self) -> None:
        """Drop every item and mirror the graph afresh (a project was loaded: ids and sizes may be reused)."""
        self._cancel_silently()
        old = [*self._conns.values(), *self._layers.values()]
        self._conns.clear()
        self._layers.clear()
        for item in old:
            if item.scene() is self:
                self.removeItem(item)
        for layer_id in self.graph.layers:
            self._add_layer(layer_id)
        for conn_id in self.graph.connections:
            self._add_connection(conn_id)
        self.apply_weights()
        self._update_scene_rect()

    def _add_layer(self, layer_id: str) -> None:
        item = LayerItem(self.graph, layer_id)
        item.snap_to_grid = self.snap_to_grid
        item.set_geometry_listener(self._layer_geometry_changed)
        self._layers[layer_id] = item
        self.addItem(item)

    def _add_connection(self, conn_id: str) -> None:
        conn = self.graph.connections[conn_id]
        item = ConnectionItem(self.graph, conn_id, self._layers[conn.source], self._layers[conn.target])
        self._conns[conn_id] = item
        self.addItem(item)

    def _remove(self, items: dict, key: str) -> None:
        item = items.pop(key, None)
        if item is not None:
            self.removeItem(item)

    def _on_graph_changed(self, event: str, info: dict) -> None:
        if event == "reset":
            self._rebuild()
            return
        self._cancel_silently()
        if event == "layer_added":
            self._add_layer(info["layer"].id)
        elif event == "layer_removed":
            self._remove(self._layers, info["layer"].id)
        elif event == "connection_added":
            self._add_connection(info["connection"].id)
        elif event == "connection_removed":
            self._remove(self._conns, info["connection"].id)
        elif event == "connection_changed":
            self._conns[info["connection"].id].rebuild()
        elif event == "layer_changed":
            item = self._layers[info["layer"].id]
            item.refresh()
            if {"size", "role"} & set(info["changes"]):
                for conn in self._conns.values():
                    if item in (conn.source_item, conn.target_item):
                        conn.rebuild()
        if event != "layer_changed" or {"size", "activation", "bias", "role"} & set(info["changes"]):
            self.apply_weights()
        self._update_scene_rect()

    def _layer_geometry_changed(self, item: LayerItem) -> None:
        for conn in self._conns.values():
            if item is conn.source_item or item is conn.target_item:
                conn.update_geometry()

    def _update_scene_rect(self) -> None:
        rect = self.itemsBoundingRect()
        self.setSceneRect(rect.adjusted(-SCENE_MARGIN, -SCENE_MARGIN, SCENE_MARGIN, SCENE_MARGIN))

    def _weights(self) -> dict:
        net = self.document.network
        return {cid: w for cid, w in net.weights.items() if cid in self._conns} if net is not None else {}

    def apply_weights(self) -> None:
        """Recolour every connection from the document's network (grey lines when there is none).

        The colour scale stays put so that a colour means the same weight all run long: during a run it
        only doubles, when the weights outgrow it; otherwise it is kept while the largest weight is
        within a factor of four below it, and else rounded anew (see ``colormap.nice_scale``).
        """
        fresh = self.document.fresh_keys
        weights = self._weights()
        largest = max((float(np.abs(w).max()) for w in weights.values() if w.size), default=0.0)
        scale = self.weight_scale
        if self.locked:
            while np.isfinite(largest) and largest > scale:
                scale *= 2.0
        elif largest > scale or largest < scale / 4:
            scale = colormap.nice_scale(largest)
        any_fresh = False
        for cid, item in self._conns.items():
            matrix = weights.get(cid)
            if matrix is not None and matrix.shape != item.matrix_shape:
                matrix = None  # a structural change is still on its way to this item
            item.set_weights(matrix, scale, fresh="W:" + cid in fresh)
            any_fresh = any_fresh or (item.fresh and matrix is not None)
        for lid, item in self._layers.items():
            fresh_bias = "b:" + lid in fresh
            any_fresh = any_fresh or fresh_bias
            if item.fresh_bias != fresh_bias:  # layer boxes are cached: repaint only what changed
                item.fresh_bias = fresh_bias
                item.update()
        if (scale, any_fresh) != (self.weight_scale, self.any_fresh):
            self.weight_scale, self.any_fresh = scale, any_fresh
            self.overlayChanged.emit()

    def repaint_all(self) -> None:
        """Redraw every item from scratch (after a theme change: cached items keep old colours otherwise)."""
        for item in self.items():
            item.update()

    # -- live values from the document ----------------------------------------------------------
    def _show_activations(self, activations: dict) -> None:
        """Colour the neurons of every layer the values fit (a layer still catching up with an edit waits)."""
        for layer_id, values in activations.items():
            item = self._layers.get(layer_id)
            if item is not None and item.size == len(values):
                item.set_neuron_values(values)

    def _show_neuron_images(self, images: dict | None) -> None:
        for item in self._layers.values():
            pictures = images.get(item.layer_id) if images else None
            if pictures is None or len(pictures) == item.size:  # a layer still catching up with an edit waits
                item.set_neuron_images(pictures)

    # -- modes ------------------------------------------------------------------------------
    def set_snap_to_grid(self, on: bool) -> None:
        self.snap_to_grid = on
        for item in self._layers.values():
            item.snap_to_grid = on

    def set_locked(self, locked: bool) -> None:
        """While training runs the structure may not change; layers can still be moved."""
        self.locked = locked
        if locked:  # a run starts: its colour scale is set from the weights now (see apply_weights)
            largest = max((float(np.abs(w).max()) for w in self._weights().values() if w.size), default=0.0)
            if colormap.nice_scale(largest) != self.weight_scale:
                self.weight_scale = colormap.nice_scale(largest)
                self.apply_weights()
        self._cancel_silently()
        self.update()
        self.overlayChanged.emit()

    # -- the connect gesture ---------------------------------------------------------------------
    def start_connect(self, source: LayerItem) -> None:
        self._interaction = ConnectInteraction(self, source)

    def end_interaction(self) -> None:
        self._interaction = None

    @property
    def interaction(self) -> ConnectInteraction | None:
        return self._interaction

    def cancel_interaction(self) -> None:
        if self._interaction is not None:
            self._interaction.cancel()

    def _cancel_silently(self) -> None:
        if self._interaction is not None:
            self._interaction.finish()

    # -- mouse ------------------------------------------------------------------------------------
    def _tolerance(self, event) -> float:
        view = event.widget().parent() if event.widget() is not None else None
        scale = view.transform().m11() if isinstance(view, QGraphicsView) else 1.0
        return 5.0 / max(scale, 1e-6)

    def nearest_synapse(self, scene_pos: QPointF, tolerance: float) -> tuple[str, int, int] | None:
        """(connection id, source neuron, target neuron) of the synapse under ``scene_pos``, if any."""
        best = None
        for cid, item in self._conns.items():
            hit = item.nearest_synapse(scene_pos, tolerance)
            if hit and (best is None or hit[2] < best[3]):
                best = (cid, hit[0], hit[1], hit[2])
        return best[:3] if best else None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._interaction is None:
            pos = event.scenePos()
            layers = self.layer_items_at(pos)
            if layers:
                item = layers[0]
                if item.port_at(pos) == "out" and item.layer.role != "output":
                    if self.locked:
                        self.statusMessage.emit(LOCKED_MESSAGE)
                    else:
                        self.start_connect(item)
                    event.accept()
                    return
                index = item.neuron_at(pos)
                if index is not None:
                    self.neuronClicked.emit(item.layer_id, index)
            else:
                hit = self.nearest_synapse(pos, self._tolerance(event))
                if hit is not None:
                    self.select(conn_ids=[hit[0]])
                    self.synapseClicked.emit(*hit)
                    event.accept()
                    return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """A double-click on a synapse (away from layers) opens its weight; a single click only selected it."""
        if event.button() == Qt.MouseButton.LeftButton and self._interaction is None:
            pos = event.scenePos()
            hit = None if self.layer_items_at(pos) else self.nearest_synapse(pos, self._tolerance(event))
            if hit is not None:
                self.select(conn_ids=[hit[0]])
                self.synapseDoubleClicked.emit(*hit)
                event.accept()
                return
        super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._interaction is not None:
            self._interaction.move(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._interaction is not None:
            self._interaction.release(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        moved = {}
        for lid, item in self._layers.items():
            pos = (item.pos().x(), item.pos().y())
            if pos != self.graph.layers[lid].position:
                moved[lid] = pos
        if moved:
            self.layersMoved.emit(moved)
            self._update_scene_rect()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self._interaction is not None:
            self.cancel_interaction()
            event.accept()
            return
        super().keyPressEvent(event)

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:
        text = self.describe_at(event.scenePos(), 5.0)
        if text:
            QToolTip.showText(event.screenPos(), text, event.widget())
            event.accept()
        else:
            super().helpEvent(event)

    def describe_at(self, scene_pos: QPointF, tolerance: float) -> str | None:
        """Tooltip text for the neuron or synapse at ``scene_pos``: its name and current value."""
        net = self.document.network
        layers = self.layer_items_at(scene_pos)
        if layers:
            item = layers[0]
            index = item.neuron_at(scene_pos)
            if index is None:
                return None
            layer = item.layer
            lines = [f"{layer.name} neuron {index + 1} of {layer.size}"]
            value = item.neuron_value(index)
            if value is not None:
                lines.append(f"value: {value:.4g}")
            if net is not None and layer.id in net.biases:
                lines.append(f"bias: {net.biases[layer.id][index]:.4g}")
            return "\n".join(lines)
        hit = self.nearest_synapse(scene_pos, tolerance)
        if hit is None:
            return None
        cid, i, j = hit
        conn = self.graph.connections[cid]
        src, tgt = self.graph.layers[conn.source], self.graph.layers[conn.target]
        text = f"{src.name} {i + 1} → {tgt.name} {j + 1}"
        if net is not None and cid in net.weights:
            text += f"\nweight: {net.weights[cid][i, j]:.4g}"
            if "W:" + cid in self.document.fresh_keys:
                text += " (fresh)"
        return text + "\nclick to select, double-click to type its weight"
