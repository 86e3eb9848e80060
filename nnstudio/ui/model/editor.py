"""The editor: checks an edit against the graph, then pushes it as one undo command (or one macro)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QUndoCommand

from ...core import Connection, Graph, Layer, TopologyError
from ...core.layout import layered_positions
from ...core.presets import build_preset
from .commands import (
    NETWORK_CHANGED,
    AddConnectionCommand,
    AddLayerCommand,
    MacroCommand,
    RemoveConnectionCommand,
    RemoveLayerCommand,
    SetConnectionKindCommand,
    SetLayerCommand,
    push_with_state,
)
from .document import Document


def fresh_layer_ids(graph: Graph, n: int) -> list[str]:
    """``n`` layer ids not used in ``graph`` (nor among each other)."""
    ids: list[str] = []
    k = 1
    while len(ids) < n:
        if f"L{k}" not in graph.layers:
            ids.append(f"L{k}")
        k += 1
    return ids


def _unique_names(graph: Graph, stems: list[str]) -> list[str]:
    taken = {layer.name for layer in graph.layers.values()}
    names = []
    for stem in stems:
        name, k = stem, 2
        while name in taken:
            name, k = f"{stem} {k}", k + 1
        taken.add(name)
        names.append(name)
    return names


class Editor:
    """Checks an edit against the graph, then pushes it as an undo command.

    Methods return None on success or a sentence saying why the edit was refused.
    """

    def __init__(self, document: Document):
        self.document = document

    @property
    def graph(self) -> Graph:
        return self.document.graph

    def _push(self, command: QUndoCommand) -> None:
        """A structural edit: its undo also brings back the trained weights, history and status."""
        push_with_state(self.document, command, NETWORK_CHANGED)

    def _push_layout(self, command: QUndoCommand) -> None:
        """A name or position: the weights are not touched."""
        self.document.undo_stack.push(command)

    def _locked(self) -> str | None:
        return "Training is running: stop it to change the network" if self.document.training else None

    # -- layers ----------------------------------------------------------------------------------
    def add_layer(self, role: str, position: tuple[float, float], size: int | None = None) -> str | None:
        """Add a new input, hidden or output layer at ``position``; returns its id (or None when locked)."""
        if self._locked():
            return None
        defaults = {
            "input": (2, "Input", "identity"), "hidden": (3, "Hidden", "logistic"), "output": (1, "Output", "logistic"),
        }
        default_size, stem, activation = defaults[role]
        layer = Layer(
            size or default_size, activation, name=self.graph.unique_name(stem),
            role=role, position=position, id=self.graph.new_layer_id(),
        )
        self._push(AddLayerCommand(self.graph, layer))
        return layer.id

    def add_graph(self, other: Graph, origin: tuple[float, float], text: str) -> list[str]:
        """Copy every layer and connection of ``other`` in, shifted to ``origin``; one undo step."""
        if self._locked():
            return []
        layers = list(other.layers.values())
        if not layers:
            return []
        ids = dict(zip(other.layers, fresh_layer_ids(self.graph, len(layers)), strict=True))
        names = dict(zip(other.layers, _unique_names(self.graph, [layer.name for layer in layers]), strict=True))
        x0 = min(layer.position[0] for layer in layers)
        y0 = min(layer.position[1] for layer in layers)
        parts: list[QUndoCommand] = []
        for layer in layers:
            position = (origin[0] + layer.position[0] - x0, origin[1] + layer.position[1] - y0)
            copy = Layer(layer.size, layer.activation, layer.bias, names[layer.id], role=layer.role,
                         position=position, id=ids[layer.id])
            parts.append(AddLayerCommand(self.graph, copy))
        for conn in other.connections.values():
            if conn.source in ids and conn.target in ids:
                wire = Connection(ids[conn.source], ids[conn.target], conn.kind)
                parts.append(AddConnectionCommand(self.graph, wire))
        self._push(MacroCommand(text, parts))
        return list(ids.values())

    def add_preset(self, name: str, origin: tuple[float, float]) -> list[str]:
        return self.add_graph(build_preset(name), origin, f"Add {name}")

    def duplicate(self, layer_ids: list[str]) -> list[str]:
        """Copies of the layers (and the connections among them), shifted down and right."""
        if not layer_ids:
            return []
        sub = Graph()
        for lid in layer_ids:
            sub.add_layer(Layer.from_dict(self.graph.layers[lid].to_dict()))
        for conn in self.graph.connections.values():
            if conn.source in sub.layers and conn.target in sub.layers:
                sub.add_connection(Connection(conn.source, conn.target, conn.kind))
        x0 = min(layer.position[0] for layer in sub.layers.values())
        y0 = min(layer.position[1] for layer in sub.layers.values())
        return self.add_graph(sub, (x0 + 40, y0 + 40), "Duplicate")

    def remove(self, layer_ids: Sequence[str] = (), conn_ids: Sequence[str] = ()) -> str | None:
        """Delete connections and layers (a layer takes its connections with it); one undo step."""
        if not layer_ids and not conn_ids:
            return "Nothing selected to delete"
        if self._locked():
            return self._locked()
        parts: list[QUndoCommand] = []
        for cid in conn_ids:
            conn = self.graph.connections[cid]
            if conn.source not in layer_ids and conn.target not in layer_ids:
                parts.append(RemoveConnectionCommand(self.graph, cid))
        for lid in layer_ids:
            parts.append(RemoveLayerCommand(self.graph, lid))
        self._push(MacroCommand(parts[0].text() if len(parts) == 1 else "Delete", parts))  # "Delete Hidden"
        return None

    def set_layer(self, layer_id: str, merge_key: Any = None, **changes: Any) -> str | None:
        """Edit layer attributes after checking them on a copy of the graph."""
        structural = set(changes) - {"name", "position"}
        if structural and self._locked():
            return self._locked()
        layer = self.graph.layers[layer_id]
        changes = {k: v for k, v in changes.items() if getattr(layer, k) != v}
        if not changes:
            return None
        trial = self.graph.copy()
        try:
            trial.set_layer(layer_id, **changes)
        except (TopologyError, ValueError, AttributeError) as error:
            return str(error)
        command = SetLayerCommand(self.graph, layer_id, changes, merge_key=merge_key)
        (self._push if structural & set(changes) else self._push_layout)(command)
        return None

    def rename(self, layer_id: str, name: str) -> str | None:
        name = name.strip()
        if not name:
            return "A layer needs a name"
        return self.set_layer(layer_id, name=name)

    def move_layers(self, positions: dict[str, tuple[float, float]]) -> None:
        """One undo step for a drag of one or more layers (pushed when the mouse is released)."""
        if not positions:
            return
        text = "Move" if len(positions) > 1 else f"Move {self.graph.layers[next(iter(positions))].name}"
        parts: list[QUndoCommand] = [SetLayerCommand(self.graph, lid, {"position": (float(x), float(y))})
                                     for lid, (x, y) in positions.items()]
        self._push_layout(MacroCommand(text, parts))

    def auto_layout(self, heights: dict[str, float], spacing: float = 260.0, gap: float = 40.0) -> str | None:
        """Place layers by topological depth, left to right, each column centred on y = 0."""
        try:
            positions = layered_positions(self.graph, heights, spacing, gap)
        except TopologyError as error:
            return f"Auto-layout needs a graph without cycles ({error})"
        moved = {lid: p for lid, p in positions.items() if self.graph.layers[lid].position != p}
        if moved:
            self.move_layers(moved)
        return None

    # -- connections ---------------------------------------------------------------------------------
    def connect(self, source: str, target: str, kind: str = "all_to_all") -> str | None:
        if self._locked():
            return self._locked()
        problem = self.graph.connect_problem(source, target, kind)
        if problem:
            return problem
        self._push(AddConnectionCommand(self.graph, Connection(source, target, kind)))
        return None

    def set_connection_kind(self, conn_id: str, kind: str) -> str | None:
        if self._locked():
            return self._locked()
        conn = self.graph.connections[conn_id]
        if conn.kind == kind:
            return None
        trial = self.graph.copy()
        try:
            trial.set_connection_kind(conn_id, kind)
        except (TopologyError, ValueError) as error:
            return str(error)
        self._push(SetConnectionKindCommand(self.graph, conn_id, kind))
        return None
