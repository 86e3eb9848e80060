"""Resource limits of a network and its data, checked from sizes alone, before anything is allocated.

Each limit admits real work with room to spare — a 784-512-512-10 network has
669,706 parameters, a 60,000 × 784 dataset with 10 targets 47.6 million cells —
and stops a small file from asking for gigabytes.  ``docs/project-format.md``
lists them with the reason for each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .graph import Graph

MAX_LAYER_SIZE = 100_000  # neurons in one layer: the canvas and the property editor stay usable
MAX_LAYERS = 256  # layers in one network: far beyond hand-built networks; keeps graph checks instant
MAX_CONNECTIONS = 1024  # connections in one network
MAX_PARAMETERS = 10_000_000  # weights + biases: 80 MB per copy; training keeps about five copies
MAX_DATASET_CELLS = 64_000_000  # numbers in a dataset (inputs and targets, training and test parts): 512 MB


def parameter_count(graph: Graph) -> int:
    """Weights and biases a network of ``graph`` would hold (connections whose ends exist)."""
    layers = graph.layers
    weights = sum(
        layers[c.source].size * layers[c.target].size
        for c in graph.connections.values()
        if c.source in layers and c.target in layers
    )
    return weights + sum(layer.size for layer in layers.values() if layer.role != "input" and layer.bias)


def graph_size_problem(graph: Graph) -> str | None:
    """Why ``graph`` is too large to build (layers, connections or parameters over the limits), or None."""
    if len(graph.layers) > MAX_LAYERS:
        return f"the network has {len(graph.layers):,} layers; the limit is {MAX_LAYERS:,} (MAX_LAYERS)"
    if len(graph.connections) > MAX_CONNECTIONS:
        return (f"the network has {len(graph.connections):,} connections; the limit is {MAX_CONNECTIONS:,} "
                "(MAX_CONNECTIONS)")
    count = parameter_count(graph)
    if count > MAX_PARAMETERS:
        return (f"the network would have {count:,} parameters; the limit is {MAX_PARAMETERS:,} (MAX_PARAMETERS): "
                "make its layers smaller")
    return None


def dataset_cells_problem(cells: int) -> str | None:
    """Why a dataset of ``cells`` numbers (inputs and targets, both parts) is too large, or None."""
    if cells > MAX_DATASET_CELLS:
        return f"the dataset holds {cells:,} numbers; the limit is {MAX_DATASET_CELLS:,} (MAX_DATASET_CELLS)"
    return None
