"""The canvas's editing gestures: add from the palette, delete, duplicate, rename, connect, nudge, auto-layout.

Each works on the scene's selection and hands the edit to the
:class:`~nnstudio.ui.model.editor.Editor`; a refused edit says why through
``statusMessage``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPointF, Signal

from ..model.editor import Editor
from .layer_item import HEADER, WIDTH
from .scene import CanvasScene
from .view import CanvasView


class CanvasEditing(QObject):
    """Edits of the selection on ``scene``; ``ask_name(current)`` asks for a layer's new name (None: cancelled)."""

    statusMessage = Signal(str)

    def __init__(self, editor: Editor, scene: CanvasScene, view: CanvasView,
                 ask_name: Callable[[str], str | None], parent: QObject | None = None):
        super().__init__(parent)
        self.editor, self.scene, self.view = editor, scene, view
        self.document = editor.document
        self.ask_name = ask_name
        scene.connectRequested.connect(self.connect_layers)
        scene.layersMoved.connect(editor.move_layers)
        view.paletteDropped.connect(self.add_palette_entry)
        view.nudgeRequested.connect(self.nudge_selected)

    def add_palette_entry(self, entry: dict, scene_pos: QPointF | None = None) -> list[str]:
        """Add a palette entry (a layer or a preset) at ``scene_pos`` or the view centre; returns new ids."""
        if self.document.training:
            self.statusMessage.emit("Training is running: stop it to change the network")
            return []
        pos = scene_pos if scene_pos is not None else self.view.center_scene_pos()
        origin = (round(pos.x() - WIDTH / 2), round(pos.y() - HEADER / 2))
        if "preset" in entry:
            ids = self.editor.add_preset(entry["preset"], origin)
        else:
            new_id = self.editor.add_layer(entry["role"], origin)
            ids = [new_id] if new_id else []
        self.scene.select(layer_ids=ids)
        return ids

    def show_layer(self, layer_id: str) -> None:
        """Select a layer and scroll the canvas to it."""
        self.scene.select(layer_ids=[layer_id])
        self.view.centerOn(self.scene.layer_item(layer_id))

    def nudge_selected(self, dx: float, dy: float) -> None:
        """Move the selected layers with the keyboard (arrow keys; one undo step per press)."""
        graph = self.document.graph
        moves = {}
        for lid in self.scene.selected_layer_ids():
            x, y = graph.layers[lid].position
            moves[lid] = (x + dx, y + dy)
        self.editor.move_layers(moves)

    def delete_selected(self) -> None:
        problem = self.editor.remove(self.scene.selected_layer_ids(), self.scene.selected_connection_ids())
        if problem:
            self.statusMessage.emit(problem)

    def duplicate_selected(self) -> None:
        ids = self.editor.duplicate(self.scene.selected_layer_ids())
        self.scene.select(layer_ids=ids)

    def rename_selected(self, name: str | None = None) -> None:
        ids = self.scene.selected_layer_ids()
        if len(ids) != 1:
            return
        if name is None:
            name = self.ask_name(self.document.graph.layers[ids[0]].name)
            if name is None:
                return
        problem = self.editor.rename(ids[0], name)
        if problem:
            self.statusMessage.emit(problem)

    def select_all(self) -> None:
        for item in self.scene.items():
            if item.flags() & item.GraphicsItemFlag.ItemIsSelectable:
                item.setSelected(True)

    def connect_selected(self) -> None:
        """Connect the two selected layers, left one into right one (or the only way that works)."""
        ids = self.scene.selected_layer_ids()
        if len(ids) != 2:
            self.statusMessage.emit("Select exactly two layers to connect them")
            return
        graph = self.document.graph
        a, b = sorted(ids, key=lambda lid: graph.layers[lid].position[0])
        if graph.connect_problem(a, b) and not graph.connect_problem(b, a):
            a, b = b, a
        self.connect_layers(a, b)

    def connect_layers(self, source: str, target: str) -> None:
        problem = self.editor.connect(source, target)
        graph = self.document.graph
        if problem:
            self.statusMessage.emit(f"Cannot connect: {problem}")
        else:
            self.statusMessage.emit(f"Connected {graph.layers[source].name} → {graph.layers[target].name}")

    def auto_layout(self) -> None:
        heights = {item.layer_id: item.height() for item in self.scene.layer_items()}
        problem = self.editor.auto_layout(heights)
        if problem:
            self.statusMessage.emit(problem)
        else:
            self.view.fit()
