"""Every undo command: each changes only the model, ``redo`` one model method and ``undo`` its inverse.

The canvas and the docks follow through the document's signals (the Orange
canvas way).  Gestures that touch several things (a drag of many layers, a
delete of a selection, a preset) become one :class:`MacroCommand` that runs
its commands in order (and undoes them in reverse).  The checks before an edit
live in :mod:`nnstudio.ui.model.editor`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtGui import QUndoCommand

from ...core import Connection, Graph, Layer
from .document import Document

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


class RemoveLayerCommand(QUndoCommand):
    """Remove a layer with its connections; undo puts each back at its place in the graph's order."""

    def __init__(self, graph: Graph, layer_id: str):
        super().__init__(f"Delete {graph.layers[layer_id].name}")
        self.graph, self.layer_id = graph, layer_id
        self.removed: tuple[int, Layer, list[tuple[int, Connection]]] | None = None

    def redo(self) -> None:
        index = list(self.graph.layers).index(self.layer_id)
        order = list(self.graph.connections)
        layer, connections = self.graph.remove_layer(self.layer_id)
        self.removed = index, layer, sorted((order.index(conn.id), conn) for conn in connections)

    def undo(self) -> None:
        index, layer, connections = self.removed
        self.graph.add_layer(layer, index)
        for position, conn in connections:  # in ascending order, so each lands where it was
            self.graph.add_connection(conn, position)


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
        self.index = 0

    def redo(self) -> None:
        self.index = list(self.graph.connections).index(self.conn.id)
        self.graph.remove_connection(self.conn.id)

    def undo(self) -> None:
        self.graph.add_connection(self.conn, self.index)


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


# -- parameter edits (the network's weights) ------------------------------------------------
class SetWeightCommand(QUndoCommand):
    """Set one synapse weight ``W[i, j]`` of a connection."""

    def __init__(self, document: Document, conn_id: str, i: int, j: int, value: float):
        super().__init__(f"Set weight {conn_id} [{i}, {j}] to {value:g}")
        self.document, self.conn_id, self.i, self.j = document, conn_id, i, j
        self.new = float(value)
        self.old = float(document.network.weights[conn_id][i, j])

    def redo(self) -> None:
        self.document.set_weight(self.conn_id, self.i, self.j, self.new)

    def undo(self) -> None:
        self.document.set_weight(self.conn_id, self.i, self.j, self.old)


class LoadWeightsCommand(QUndoCommand):
    """Replace every parameter of the open network with those read from a file."""

    def __init__(self, document: Document, old: np.ndarray, new: np.ndarray, name: str):
        super().__init__(f"Load weights from {name}")
        self.document, self.old, self.new = document, old, new
        self.was_trained = document.trained

    def redo(self) -> None:
        self.document.set_params(self.new)

    def undo(self) -> None:
        self.document.set_params(self.old, trained=False)
        self.document.trained = self.was_trained
