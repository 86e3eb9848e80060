"""Whole networks the palette can drop onto the canvas in one go."""

from __future__ import annotations

from collections.abc import Callable

from .graph import Graph, Layer

SPACING = 260.0


def _chain(sizes: list[int], names: list[str], activation: str = "logistic") -> Graph:
    """Layers of ``sizes`` left to right, each fully connected to the next."""
    graph = Graph()
    ids = []
    for k, (size, name) in enumerate(zip(sizes, names, strict=True)):
        role = "input" if k == 0 else "output" if k == len(sizes) - 1 else "hidden"
        layer = Layer(size, activation, name=name, role=role, position=(k * SPACING, 0.0), id=f"L{k + 1}")
        ids.append(graph.add_layer(layer).id)
    for a, b in zip(ids, ids[1:], strict=False):
        graph.connect(a, b)
    return graph


def xor_2_3_1() -> Graph:
    """The Synaptic tutorial's XOR network: 2 inputs, 3 logistic hidden neurons, 1 output."""
    return _chain([2, 3, 1], ["Input", "Hidden", "Output"])


def perceptron_2_1() -> Graph:
    """A single logistic neuron fed by two inputs."""
    return _chain([2, 1], ["Input", "Output"])


def deep_6_4_3_1() -> Graph:
    """Six inputs through two tanh layers (4, 3) to one logistic output, as the deep-6-4-3-1 sample."""
    graph = _chain([6, 4, 3, 1], ["Input", "Hidden 1", "Hidden 2", "Output"], activation="tanh")
    graph.set_layer("L4", activation="logistic")
    return graph


PRESETS: dict[str, Callable[[], Graph]] = {
    "XOR 2-3-1 (Synaptic tutorial)": xor_2_3_1,
    "Perceptron 2-1": perceptron_2_1,
    "Deep 6-4-3-1": deep_6_4_3_1,
}


def build_preset(name: str) -> Graph:
    """A fresh graph of the preset called ``name`` (a KeyError lists the known names otherwise)."""
    try:
        return PRESETS[name]()
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}") from None
