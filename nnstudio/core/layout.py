"""Auto-layout: place a graph's layers by topological depth, left to right, each column centred on y = 0."""

from __future__ import annotations

from .graph import Graph

#: a layer's height when the caller does not know it (the canvas passes the drawn heights)
DEFAULT_HEIGHT = 100.0


def layered_positions(graph: Graph, heights: dict[str, float], spacing: float = 260.0,
                      gap: float = 40.0) -> dict[str, tuple[float, float]]:
    """Position of every layer: column = depth × ``spacing``, stacked with ``gap`` between layers.

    Raises :class:`~nnstudio.core.graph.TopologyError` when the graph has a cycle.
    """
    depths = graph.depths()
    columns: dict[int, list[str]] = {}
    for layer_id in graph.topological_order():
        columns.setdefault(depths[layer_id], []).append(layer_id)
    positions: dict[str, tuple[float, float]] = {}
    for depth, ids in columns.items():
        total = sum(heights.get(lid, DEFAULT_HEIGHT) for lid in ids) + gap * (len(ids) - 1)
        y = -total / 2
        for lid in ids:
            positions[lid] = (depth * spacing, round(y))
            y += heights.get(lid, DEFAULT_HEIGHT) + gap
    return positions
