"""Regenerate the sample projects in this folder: ``python samples/make_samples.py``.

Each sample is built from the core API so that its topology, settings and
dataset are written down in one readable place.  Samples ship untrained
(``weights`` null): opening one shows the initial weights of its init seed.
"""

from __future__ import annotations

from pathlib import Path

from nnstudio.core import Graph, Layer, TrainSettings, datasets
from nnstudio.io.project import Project, save_project

HERE = Path(__file__).resolve().parent
X_STEP = 260.0


def chain(sizes: list[int], activations: list[str] | None = None, bias: bool = True) -> Graph:
    """A layered graph input → hidden… → output, laid out left to right."""
    graph = Graph()
    activations = activations or ["logistic"] * len(sizes)
    layers = []
    for i, (size, act) in enumerate(zip(sizes, activations)):
        role = "input" if i == 0 else "output" if i == len(sizes) - 1 else "hidden"
        name = {"input": "Input", "output": "Output"}.get(role, "Hidden" if len(sizes) == 3 else f"Hidden {i}")
        layers.append(graph.add_layer(Layer(size, act, bias, name, role=role, position=(i * X_STEP, 0.0), id=f"L{i + 1}")))
    for a, b in zip(layers, layers[1:]):
        graph.connect(a.id, b.id)
    return graph


def xor() -> Project:
    settings = TrainSettings(rate=0.3, epochs=20000, target_error=0.0, cost="bce", optimizer="sgd",
                             batch_size=1, shuffle=False)
    return Project(
        graph=chain([2, 3, 1]), dataset=datasets.xor(), settings=settings, init="synaptic", init_seed=1,
        name="XOR 2-3-1 (Synaptic tutorial)",
        description="The Synaptic.js tutorial: logistic neurons, online learning at rate 0.3 for 20,000 "
        "iterations. All four outputs round to the XOR targets.",
    )


SAMPLES = {"xor": xor}


def main() -> None:
    for name, make in SAMPLES.items():
        save_project(make(), HERE / f"{name}.nnstudio")
        print(f"wrote {name}.nnstudio")


if __name__ == "__main__":
    main()
