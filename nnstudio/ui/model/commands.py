"""Undo commands for every graph edit, and the editor that checks and pushes them.

Each command changes only the model: ``redo`` calls one graph method and
``undo`` its inverse; the canvas follows through graph events (the Orange
canvas way).  Gestures that touch several things (a drag of many layers, a
delete of a selection, a preset) become one :class:`MacroCommand` that runs
its commands in order (and undoes them in reverse).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand

from ...core import Connection, Graph, Layer, TopologyError
from ...core.presets import build_preset
from .document import Document
from .state_commands import NETWORK_CHANGED, push_with_state

#: QUndoCommand.id() of layer edits that merge while a field is being typed in
MERGE_LAYER_EDIT = 1


class MacroCommand(QUndoCommand):
    """Several commands as one undo step (Python keeps the parts, so no Qt ownership games)."""

    def __init__(self, text: str, commands: list[QUndoCommand]):
        super().__init__(text)
        self.commands = list(commands)

    def redo(self) -> None:
        for command in self.commands:
            command.redo()

    def undo(self) -> None:
        for command in reversed(self.commands):
            command.undo()


class AddLayerCommand(QUndoCommand):
    def __init__(self, graph: Graph, layer: Layer):
        super().__init__(f"Add {layer.name}")
        self.graph, self.layer = graph, layer

    def redo(self) -> None:
        self.graph.add_layer(self.layer)

    def undo(self) -> None:
        self.graph.remove_layer(self.layer.id)


def _restore_order(items: dict, order: list[str]) -> None:
    """Put a dict's keys back in ``order`` (graph dicts keep insertion order; undo must give the exact graph)."""
    ordered = {key: items[key] for key in order if key in items}
    ordered.update(items)
    items.clear()
    items.update(ordered)


class RemoveLayerCommand(QUndoCommand):
    """Remove a layer with its connections; undo puts both back where they were."""

    def __init__(self, graph: Graph, layer_id: str):
        super().__init__(f"Delete {graph.layers[layer_id].name}")
        self.graph, self.layer_id = graph, layer_id
        self.removed: tuple[Layer, list[Connection]] | None = None
        self.order: tuple[list[str], list[str]] = ([], [])

    def redo(self) -> None:
        self.order = (list(self.graph.layers), list(self.graph.connections))
        self.removed = self.graph.remove_layer(self.layer_id)

    def undo(self) -> None:
        layer, connections = self.removed
        self.graph.add_layer(layer)
        for conn in connections:
            self.graph.add_connection(conn)
        _restore_order(self.graph.layers, self.order[0])
        _restore_order(self.graph.connections, self.order[1])


class AddConnectionCommand(QUndoCommand):
    def __init__(self, graph: Graph, conn: Connection):
        names = [graph.layers[i].name if i in graph.layers else i for i in (conn.source, conn.target)]
        super().__init__(f"Connect {names[0]} → {names[1]}")
        self.graph, self.conn = graph, conn

    def redo(self) -> None:
        self.graph.add_connection(self.conn)

    def undo(self) -> None:
        self.graph.remove_connection(self.conn.id)


class RemoveConnectionCommand(QUndoCommand):
    def __init__(self, graph: Graph, conn_id: str):
        super().__init__(f"Disconnect {conn_id}")
        self.graph, self.conn = graph, graph.connections[conn_id]
        self.order: list[str] = []

    def redo(self) -> None:
        self.order = list(self.graph.connections)
        self.graph.remove_connection(self.conn.id)

    def undo(self) -> None:
        self.graph.add_connection(self.conn)
        _restore_order(self.graph.connections, self.order)


class SetLayerCommand(QUndoCommand):
    """Change layer attributes; with a ``merge_key`` consecutive edits of one field become one step."""

    def __init__(self, graph: Graph, layer_id: str, changes: dict[str, Any], text: str = "",
                 merge_key: Any = None):
        super().__init__(text or f"Edit {graph.layers[layer_id].name}")
        self.graph, self.layer_id = graph, layer_id
        self.changes = dict(changes)
        self.old = {key: getattr(graph.layers[layer_id], key) for key in changes}
        self.merge_key = merge_key

    def redo(self) -> None:
        self.graph.set_layer(self.layer_id, **self.changes)

    def undo(self) -> None:
        self.graph.set_layer(self.layer_id, **self.old)

    def id(self) -> int:
        return MERGE_LAYER_EDIT if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetLayerCommand) or other.merge_key != self.merge_key:
            return False
        if other.layer_id != self.layer_id or set(other.changes) != set(self.changes):
            return False
        self.changes = dict(other.changes)
        return True


class SetConnectionKindCommand(QUndoCommand):
    def __init__(self, graph: Graph, conn_id: str, kind: str):
        super().__init__(f"Make {conn_id} {kind}")
        self.graph, self.conn_id, self.kind = graph, conn_id, kind
        self.old = graph.connections[conn_id].kind

    def redo(self) -> None:
        self.graph.set_connection_kind(self.conn_id, self.kind)

    def undo(self) -> None:
        self.graph.set_connection_kind(self.conn_id, self.old)


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
                copy = Connection(ids[conn.source], ids[conn.target], conn.kind)
                parts.append(AddConnectionCommand(self.graph, copy))
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

    def remove(self, layer_ids: list[str] = (), conn_ids: list[str] = ()) -> str | None:
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
        self._push(MacroCommand("Delete", parts))
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
        parts = [SetLayerCommand(self.graph, lid, {"position": (float(x), float(y))})
                 for lid, (x, y) in positions.items()]
        self._push_layout(MacroCommand(text, parts))

    def auto_layout(self, heights: dict[str, float], spacing: float = 260.0, gap: float = 40.0) -> str | None:
        """Place layers by topological depth, left to right, each column centred on y = 0."""
        try:
            depths = self.graph.depths()
        except TopologyError as error:
            return f"Auto-layout needs a graph without cycles ({error})"
        columns: dict[int, list[str]] = {}
        for lid in self.graph.topological_order():
            columns.setdefault(depths[lid], []).append(lid)
        positions = {}
        for depth, ids in columns.items():
            total = sum(heights.get(lid, 100.0) for lid in ids) + gap * (len(ids) - 1)
            y = -total / 2
            for lid in ids:
                positions[lid] = (depth * spacing, round(y))
                y += heights.get(lid, 100.0) + gap
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
