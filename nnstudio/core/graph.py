"""The network's topology: layers and the connections between them.

A :class:`Graph` is a directed acyclic graph of :class:`Layer` objects joined by
:class:`Connection` objects.  It is the single source of truth that the canvas
edits and that :class:`~nnstudio.core.network.Network` is built from.  Every
change goes through a graph method, which notifies subscribers with a small
event so that views can mirror the graph without keeping a copy.

The parts, :class:`Layer` and :class:`Connection` (and the Synaptic way of
building with ``a.project(b)``), live in :mod:`nnstudio.core.layers`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

from .activations import get_activation
from .layers import (
    KIND_LABELS,
    KINDS,
    MAX_LAYER_SIZE,
    ROLES,
    Connection,
    Layer,
    TopologyError,
    check_size,
    connection_problem,
    kind_label,
    normalize_kind,
)
from .limits import graph_size_problem

# the parts a graph is made of are importable from here too
__all__ = ["KIND_LABELS", "KINDS", "MAX_LAYER_SIZE", "ROLES", "Connection", "Graph", "Layer", "TopologyError",
           "kind_label", "normalize_kind"]

Listener = Callable[[str, dict], None]


class Graph:
    """Layers and connections forming a DAG, with change notification."""

    def __init__(self) -> None:
        self.layers: dict[str, Layer] = {}
        self.connections: dict[str, Connection] = {}
        self._listeners: list[Listener] = []

    # -- notification ---------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(event, info)`` after every change."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def _emit(self, event: str, **info: Any) -> None:
        for listener in list(self._listeners):
            listener(event, info)

    # -- queries ----------------------------------------------------------
    def layer(self, layer_id: str) -> Layer:
        try:
            return self.layers[layer_id]
        except KeyError:
            raise KeyError(f"no layer with id {layer_id!r}") from None

    def layers_with_role(self, role: str) -> list[Layer]:
        return [layer for layer in self.layers.values() if layer.role == role]

    def incoming(self, layer_id: str) -> list[Connection]:
        return [c for c in self.connections.values() if c.target == layer_id]

    def outgoing(self, layer_id: str) -> list[Connection]:
        return [c for c in self.connections.values() if c.source == layer_id]

    def find_connection(self, source: str, target: str) -> Connection | None:
        return next((c for c in self.connections.values() if c.source == source and c.target == target), None)

    def connection_name(self, conn_id: str) -> str:
        """"Hidden → Output": a connection as a person reads it (its id only if a layer is missing)."""
        conn = self.connections.get(conn_id)
        if conn is None or conn.source not in self.layers or conn.target not in self.layers:
            return conn_id
        return f"{self.layers[conn.source].name} → {self.layers[conn.target].name}"

    def synapse_name(self, conn_id: str, i: int, j: int) -> str:
        """"Hidden 2 → Output 1": synapse ``i → j`` of a connection, neurons counted from 1."""
        conn = self.connections.get(conn_id)
        if conn is None or conn.source not in self.layers or conn.target not in self.layers:
            return f"{conn_id} [{i + 1}, {j + 1}]"
        return f"{self.layers[conn.source].name} {i + 1} → {self.layers[conn.target].name} {j + 1}"

    def unique_name(self, stem: str) -> str:
        """``stem`` itself if free, else ``stem 2``, ``stem 3``…"""
        names = {layer.name for layer in self.layers.values()}
        if stem not in names:
            return stem
        return next(f"{stem} {i}" for i in itertools.count(2) if f"{stem} {i}" not in names)

    def new_layer_id(self) -> str:
        return next(f"L{i}" for i in itertools.count(1) if f"L{i}" not in self.layers)

    def connect_problem(self, source: str, target: str, kind: str = "all_to_all") -> str | None:
        """Why ``source → target`` cannot be added (self, input target, duplicate, cycle, sizes), or None."""
        if source not in self.layers or target not in self.layers:
            return "both ends of a connection must be layers of this network"
        src, tgt = self.layers[source], self.layers[target]
        problem = connection_problem(src, tgt, normalize_kind(kind))
        if problem:
            return problem
        if self.find_connection(source, target):
            return f"{src.name} is already connected to {tgt.name}"
        path = self._path(target, source)
        if path:
            names = " → ".join(self.layers[i].name for i in [source, *path])
            return f"that would make a cycle: {names}"
        return None

    def _path(self, start: str, goal: str) -> list[str] | None:
        """Layer ids of a path start → … → goal along connections, or None."""
        stack = [(start, [start])]
        seen = set()
        while stack:
            node, path = stack.pop()
            if node == goal:
                return path
            if node in seen:
                continue
            seen.add(node)
            stack.extend((c.target, [*path, c.target]) for c in self.outgoing(node))
        return None

    # -- edits --------------------------------------------------------------
    def add_layer(self, layer: Layer, index: int | None = None) -> Layer:
        """Add ``layer`` at the end, or at position ``index`` of the layer order (undo puts layers back there)."""
        if layer.id in self.layers:
            raise ValueError(f"a layer with id {layer.id!r} is already in the graph")
        _insert(self.layers, layer.id, layer, index)
        self._emit("layer_added", layer=layer)
        return layer

    def remove_layer(self, layer_id: str) -> tuple[Layer, list[Connection]]:
        """Remove a layer and its connections; returns both so an undo can restore them."""
        layer = self.layer(layer_id)
        removed = [c for c in self.connections.values() if layer_id in (c.source, c.target)]
        for conn in removed:
            self.remove_connection(conn.id)
        del self.layers[layer_id]
        self._emit("layer_removed", layer=layer)
        return layer, removed

    def add_connection(self, conn: Connection, index: int | None = None) -> Connection:
        """Add ``conn`` at the end, or at position ``index`` of the connection order."""
        problem = self.connect_problem(conn.source, conn.target, conn.kind)
        if problem:
            raise TopologyError(problem)
        if conn.id in self.connections:
            raise ValueError(f"a connection with id {conn.id!r} is already in the graph")
        _insert(self.connections, conn.id, conn, index)
        self._emit("connection_added", connection=conn)
        return conn

    def connect(self, source: str, target: str, kind: str = "all_to_all") -> Connection:
        return self.add_connection(Connection(source, target, kind))

    def remove_connection(self, conn_id: str) -> Connection:
        conn = self.connections.pop(conn_id)
        self._emit("connection_removed", connection=conn)
        return conn

    def set_layer(self, layer_id: str, **changes: Any) -> dict[str, Any]:
        """Change layer attributes (name, size, activation, bias, role, position).

        Returns the previous values, ready for an undo.  A size change that
        would break a one_to_one or all_to_else connection is refused.
        """
        layer = self.layer(layer_id)
        if "size" in changes:
            check_size(changes["size"])
            for conn in self.incoming(layer_id) + self.outgoing(layer_id):
                if conn.kind != "all_to_all" and changes["size"] != layer.size:
                    other = self.layers[conn.source if conn.target == layer_id else conn.target]
                    raise TopologyError(
                        f"{layer.name} has {kind_label(conn.kind, sentence=True)} connection with {other.name}: "
                        "change that connection's kind before resizing"
                    )
        if "activation" in changes:
            get_activation(changes["activation"])
        if changes.get("role") == "input" and self.incoming(layer_id):
            raise TopologyError(f"{layer.name} has incoming connections and cannot become an input layer")
        if changes.get("role") == "output" and self.outgoing(layer_id):
            raise TopologyError(f"{layer.name} feeds other layers and cannot become an output layer")
        if "role" in changes and changes["role"] not in ROLES:
            raise ValueError(f"layer role must be one of {', '.join(ROLES)}")
        old = {}
        for key, value in changes.items():
            if not hasattr(layer, key) or key in ("id", "projections"):
                raise AttributeError(f"layers have no editable attribute {key!r}")
            old[key] = getattr(layer, key)
            if key == "position":
                value = (float(value[0]), float(value[1]))
            setattr(layer, key, value)
        self._emit("layer_changed", layer=layer, changes=old)
        return old

    def set_connection_kind(self, conn_id: str, kind: str) -> str:
        """Change a connection's kind; returns the previous kind."""
        conn = self.connections[conn_id]
        kind = normalize_kind(kind)
        problem = connection_problem(self.layers[conn.source], self.layers[conn.target], kind)
        if problem:
            raise TopologyError(problem)
        old, conn.kind = conn.kind, kind
        self._emit("connection_changed", connection=conn, old_kind=old)
        return old

    def clear(self) -> None:
        for layer_id in list(self.layers):
            self.remove_layer(layer_id)

    # -- structure ------------------------------------------------------------
    def problems(self) -> list[str]:
        """Everything that keeps this graph from being a trainable network, in plain words."""
        too_large = graph_size_problem(self)
        if too_large:
            return [too_large]  # the checks below are not needed, and may be slow, for such a graph
        found: list[str] = []
        inputs, outputs = self.layers_with_role("input"), self.layers_with_role("output")
        if not inputs:
            found.append("no input layer")
        if not outputs:
            found.append("no output layer")
        cycle = self.find_cycle()
        if cycle:
            found.append("cycle: " + " → ".join(self.layers[i].name for i in cycle))
        for layer in self.layers.values():
            has_in, has_out = bool(self.incoming(layer.id)), bool(self.outgoing(layer.id))
            if layer.role != "input" and not has_in:
                found.append(f"{layer.name} has no incoming connection")
            if layer.role != "output" and not has_out:
                found.append(f"{layer.name} has no outgoing connection")
            if layer.role == "input" and has_in:
                found.append(f"input layer {layer.name} has incoming connections")
            if layer.role == "output" and has_out:
                found.append(f"output layer {layer.name} feeds other layers")
        for conn in self.connections.values():
            problem = connection_problem(self.layers[conn.source], self.layers[conn.target], conn.kind)
            if problem:
                found.append(problem)
        names = [layer.name for layer in self.layers.values()]
        for name in sorted({n for n in names if names.count(n) > 1}):
            found.append(f"{names.count(name)} layers are called {name!r}: give each layer its own name")
        for layer in self.layers.values():
            if layer.activation == "softmax" and layer.size == 1 and layer.role != "input":
                found.append(f"{layer.name} applies softmax to a single neuron: its output is always 1")
        if not cycle and inputs and outputs:
            found.extend(self._reachability_problems(inputs, outputs))
        return found

    def _reachability_problems(self, inputs: list[Layer], outputs: list[Layer]) -> list[str]:
        found = []
        reached = self._closure([layer.id for layer in inputs], forward=True)
        feeds = self._closure([layer.id for layer in outputs], forward=False)
        for layer in self.layers.values():
            if layer.role != "input" and layer.id not in reached and self.incoming(layer.id):
                found.append(f"{layer.name} is not reached from any input layer")
            if layer.role != "output" and layer.id not in feeds and self.outgoing(layer.id):
                found.append(f"{layer.name} does not lead to any output layer")
        return found

    def _closure(self, start: Iterable[str], forward: bool) -> set[str]:
        seen, stack = set(), list(start)
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            nxt = self.outgoing(node) if forward else self.incoming(node)
            stack.extend(c.target if forward else c.source for c in nxt)
        return seen

    def validate(self) -> None:
        """Raise :class:`TopologyError` listing every problem, if there are any."""
        found = self.problems()
        if found:
            raise TopologyError(found)

    def find_cycle(self) -> list[str] | None:
        """Layer ids around one cycle (first id repeated at the end), or None."""
        color = {lid: 0 for lid in self.layers}
        stack_path: list[str] = []

        def visit(node: str) -> list[str] | None:
            color[node] = 1
            stack_path.append(node)
            for conn in self.outgoing(node):
                nxt = conn.target
                if color.get(nxt) == 1:
                    return stack_path[stack_path.index(nxt):] + [nxt]
                if color.get(nxt) == 0:
                    found = visit(nxt)
                    if found:
                        return found
            stack_path.pop()
            color[node] = 2
            return None

        for lid in self.layers:
            if color[lid] == 0:
                found = visit(lid)
                if found:
                    return found
        return None

    def topological_order(self) -> list[str]:
        """Layer ids so that every connection goes from an earlier to a later one."""
        indegree = {lid: 0 for lid in self.layers}
        for conn in self.connections.values():
            indegree[conn.target] += 1
        ready = [lid for lid in self.layers if indegree[lid] == 0]
        order = []
        while ready:
            node = ready.pop(0)
            order.append(node)
            for conn in self.outgoing(node):
                indegree[conn.target] -= 1
                if indegree[conn.target] == 0:
                    ready.append(conn.target)
        if len(order) != len(self.layers):
            raise TopologyError("cycle: " + " → ".join(self.layers[i].name for i in self.find_cycle() or []))
        return order

    def depths(self) -> dict[str, int]:
        """Longest distance of each layer from a layer without inputs (for auto-layout)."""
        depth: dict[str, int] = {}
        for lid in self.topological_order():
            depth[lid] = max((depth[c.source] + 1 for c in self.incoming(lid)), default=0)
        return depth

    # -- serialisation ----------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "layers": [layer.to_dict() for layer in self.layers.values()],
            "connections": [conn.to_dict() for conn in self.connections.values()],
        }

    @classmethod
    def from_dict(cls, d: dict) -> Graph:
        graph = cls()
        for ld in d["layers"]:
            graph.add_layer(Layer.from_dict(ld))
        pairs = set()
        for cd in d["connections"]:
            conn = Connection.from_dict(cd)
            if conn.source not in graph.layers or conn.target not in graph.layers:
                raise TopologyError(f"connection {conn.id} names a layer that does not exist")
            if conn.id in graph.connections:
                raise TopologyError(f"two connections have the id {conn.id!r}")
            if (conn.source, conn.target) in pairs:
                src, tgt = graph.layers[conn.source].name, graph.layers[conn.target].name
                raise TopologyError(f"{src} is connected to {tgt} twice: a network has one connection per pair")
            pairs.add((conn.source, conn.target))
            problem = connection_problem(graph.layers[conn.source], graph.layers[conn.target], conn.kind)
            if problem:
                raise TopologyError(problem)
            graph.connections[conn.id] = conn  # cycles are reported by validate(), not refused here
        return graph

    def copy(self) -> Graph:
        return Graph.from_dict(self.to_dict())

    @classmethod
    def from_layers(cls, input: Layer, hidden: Iterable[Layer], output: Layer) -> Graph:
        """Gather Synaptic-style layers and their ``project`` calls into a graph."""
        hidden = list(hidden)
        members = [input, *hidden, output]
        if len({id(layer) for layer in members}) != len(members):
            raise TopologyError("a layer appears twice among input, hidden and output")
        input.role, output.role = "input", "output"
        for layer in hidden:
            layer.role = "hidden"
        # ids follow the position in the network, so the same seed gives the same weights every time
        graph = cls()
        for k, layer in enumerate(members):
            if layer.name == layer.id:
                layer.name = f"L{k + 1}"
            layer.id = f"L{k + 1}"
            graph.add_layer(layer)
        inside = {id(layer) for layer in members}
        for layer in members:
            for target, kind in layer.projection_targets():
                if id(target) not in inside:
                    raise TopologyError(f"{layer.name} projects to a layer that is not part of the network")
                graph.add_connection(Connection(layer.id, target.id, kind))
        graph.validate()
        return graph


def _insert(items: dict, key: str, value: Any, index: int | None) -> None:
    """Put ``key: value`` into an insertion-ordered dict at position ``index`` (None: at the end)."""
    if index is None or index >= len(items):
        items[key] = value
        return
    entries = list(items.items())
    entries.insert(max(0, index), (key, value))
    items.clear()
    items.update(entries)
