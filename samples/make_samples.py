"""Regenerate the sample projects in this folder: ``python samples/make_samples.py``.

Each sample is built from the core API so that its topology, settings and
dataset are written down in one readable place.  Samples ship untrained
(``weights`` null): opening one shows the initial weights of its init seed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from nnstudio.core import Graph, Layer, TrainSettings, datasets
from nnstudio.core.data_files import load_data
from nnstudio.core.data_prep import prepare
from nnstudio.core.fitting import network_for_data
from nnstudio.io.project import Project, save_project

HERE = Path(__file__).resolve().parent
X_STEP = 260.0


def chain(sizes: list[int], activations: list[str] | None = None, bias: bool = True) -> Graph:
    """A layered graph input → hidden… → output, laid out left to right."""
    graph = Graph()
    activations = activations or ["logistic"] * len(sizes)
    layers = []
    for i, (size, act) in enumerate(zip(sizes, activations, strict=True)):
        role = "input" if i == 0 else "output" if i == len(sizes) - 1 else "hidden"
        name = {"input": "Input", "output": "Output"}.get(role, "Hidden" if len(sizes) == 3 else f"Hidden {i}")
        layer = Layer(size, act, bias, name, role=role, position=(i * X_STEP, 0.0), id=f"L{i + 1}")
        layers.append(graph.add_layer(layer))
    for a, b in zip(layers[:-1], layers[1:], strict=True):
        graph.connect(a.id, b.id)
    return graph


def xor() -> Project:
    settings = TrainSettings(rate=0.3, epochs=20000, target_error=0.01, cost="bce", optimizer="sgd",
                             batch_size=1, shuffle=False, speed=300.0)
    return Project(
        graph=chain([2, 3, 1]), dataset=datasets.xor(), settings=settings, init="synaptic", init_seed=1,
        name="XOR 2-3-1 (Synaptic tutorial)",
        description="The Synaptic.js tutorial: logistic neurons, online learning at rate 0.3 (at most 20,000 "
        "iterations), 300 epochs a second so you can watch it; stops at a cross-entropy of 0.01, when all four "
        "outputs round to the XOR targets.",
    )


def _layer(graph: Graph, lid: str, size: int, act: str, role: str, name: str, x: float, y: float = 0.0,
           bias: bool = True) -> str:
    return graph.add_layer(Layer(size, act, bias, name, role=role, position=(x, y), id=lid)).id


def xor_2_2_1() -> Project:
    settings = TrainSettings(rate=0.5, epochs=3000, target_error=0.01, cost="bce", optimizer="momentum",
                             momentum=0.9, batch_size=None, shuffle=False, speed=30.0)
    return Project(
        graph=chain([2, 2, 1]), dataset=datasets.xor(), settings=settings, init="glorot", init_seed=2,
        name="XOR 2-2-1",
        description="The smallest layered network that solves XOR: two logistic hidden neurons, full batch with "
        "momentum, 30 epochs a second. Stops below a cross-entropy of 0.01 (well within 3,000 epochs); all four "
        "outputs round to the XOR targets. (Some other init seeds stall in XOR's well-known local minimum: press "
        "Reset and train again.)",
    )


def xor_no_bias() -> Project:
    settings = TrainSettings(rate=0.5, epochs=50000, target_error=0.01, cost="mse", optimizer="sgd",
                             batch_size=None, shuffle=False, speed=1000.0)
    return Project(
        graph=chain([2, 4, 1], bias=False), dataset=datasets.xor(), settings=settings, init="glorot", init_seed=1,
        name="XOR 2-4-1 without bias",
        description="The from-scratch NumPy tutorial: logistic neurons without any bias, plain gradient descent on "
        "the mean squared error, full batch, rate 0.5, at most 50,000 epochs (1,000 a second). Stops at a mean "
        "squared error of 0.01, when all four outputs round to the XOR targets (the hidden neurons make up for the "
        "missing bias).",
    )


def xor_skip() -> Project:
    graph = Graph()
    a = _layer(graph, "L1", 2, "logistic", "input", "Input", 0.0)
    h = _layer(graph, "L2", 1, "logistic", "hidden", "Hidden", X_STEP, -120.0)
    o = _layer(graph, "L3", 1, "logistic", "output", "Output", 2 * X_STEP)
    graph.connect(a, h)
    graph.connect(h, o)
    graph.connect(a, o)
    settings = TrainSettings(rate=0.5, epochs=3000, target_error=0.01, cost="bce", optimizer="momentum",
                             momentum=0.9, batch_size=None, shuffle=False, speed=100.0)
    return Project(
        graph=graph, dataset=datasets.xor(), settings=settings, init="glorot", init_seed=1,
        name="XOR 2-1-1 with a skip connection",
        description="One hidden neuron plus a direct input→output connection solves XOR: the hidden neuron "
        "learns AND and the output computes OR minus it (100 epochs a second). Stops below a cross-entropy of 0.01; "
        "all four outputs round to the XOR targets.",
    )


def majority6() -> datasets.Dataset:
    """All 64 rows of 6 bits; the target is 1 when more than three bits are on."""
    rows = [[(i >> b) & 1 for b in range(6)] for i in range(64)]
    return datasets.Dataset(rows, [[float(sum(r) > 3)] for r in rows], name="majority of 6",
                            input_names=[f"b{i + 1}" for i in range(6)], output_names=["majority"])


def deep() -> Project:
    settings = TrainSettings(rate=0.01, epochs=2000, target_error=0.01, cost="bce", optimizer="adam",
                             batch_size=None, shuffle=False, speed=20.0)
    return Project(
        graph=chain([6, 4, 3, 1], ["logistic", "tanh", "tanh", "logistic"]), dataset=majority6(), settings=settings,
        init="glorot", init_seed=1, name="Deep 6-4-3-1: majority of 6 bits",
        description="Two tanh hidden layers learn whether more than three of six bits are on, from all 64 rows "
        "(full batch, Adam, 20 epochs a second). Stops below a cross-entropy of 0.01; every output rounds to its "
        "target.",
    )


def single_neuron() -> Project:
    settings = TrainSettings(rate=0.3, epochs=20000, target_error=0.005, cost="bce", optimizer="sgd",
                             batch_size=1, shuffle=False, speed=30.0)
    return Project(
        graph=chain([1, 1]), dataset=datasets.one_to_zero(), settings=settings, init="synaptic", init_seed=1,
        name="Single neuron: 1 → 0",
        description="Synaptic's first example: one neuron learns to output 0 for the input 1 (online, rate 0.3, "
        "at most 20,000 iterations, 30 a second). Stops at a cross-entropy of 0.005: the output is below 0.01.",
    )


def logic_gates() -> Project:
    settings = TrainSettings(rate=0.5, epochs=5000, target_error=0.01, cost="bce", optimizer="momentum",
                             momentum=0.9, batch_size=None, shuffle=False, speed=10.0)
    return Project(
        graph=chain([2, 4, 3]), dataset=datasets.logic_gates(), settings=settings, init="glorot", init_seed=1,
        name="Logic gates: AND, OR and XOR at once",
        description="Two inputs, three logistic outputs trained together on AND, OR and XOR (full batch, "
        "momentum, 10 epochs a second). Stops below a cross-entropy of 0.01; all twelve outputs round to their "
        "targets.",
    )


def circle() -> Project:
    settings = TrainSettings(rate=0.03, epochs=300, target_error=0.01, cost="bce", optimizer="adam",
                             batch_size=10, shuffle=True, seed=1, speed=20.0)
    return Project(
        graph=chain([2, 4, 1], ["logistic", "tanh", "logistic"]), dataset=datasets.circle(200, noise=0.0, seed=0),
        settings=settings, init="glorot", init_seed=1, data_seed=0, name="Circle",
        description="TensorFlow Playground's circle: 200 points, half held out for testing; four tanh neurons "
        "draw the boundary (Adam, mini-batches of 10, at most 300 epochs, 20 a second). Stops at a cross-entropy of "
        "0.01; test accuracy at least 90%.",
    )


def spiral() -> Project:
    settings = TrainSettings(rate=0.02, epochs=3000, target_error=0.005, cost="bce", optimizer="adam",
                             batch_size=None, shuffle=False, speed=100.0)
    return Project(
        graph=chain([2, 16, 16, 1], ["logistic", "tanh", "tanh", "logistic"]),
        dataset=datasets.spiral(300, noise=0.0, seed=1, test_fraction=0.3), settings=settings, init="glorot",
        init_seed=1, data_seed=1, name="Spiral",
        description="Two interleaved spirals, 300 points with 30% held out: two tanh layers of 16 (full batch "
        "Adam at rate 0.02, at most 3,000 epochs, 100 a second). Stops at a cross-entropy of 0.005; training accuracy "
        "at least 98%, test accuracy at least 90%.",
    )


def sine() -> Project:
    settings = TrainSettings(rate=0.01, epochs=3000, target_error=0.0005, cost="mse", optimizer="adam",
                             batch_size=None, shuffle=False, speed=100.0)
    return Project(
        graph=chain([1, 10, 1], ["identity", "tanh", "identity"]), dataset=datasets.sine(), settings=settings,
        init="glorot", init_seed=1, name="Sine regression",
        description="y = sin(πx) on [−1, 1] from 64 points: ten tanh neurons and a linear output, mean squared "
        "error, full batch Adam for at most 3,000 epochs (100 a second). Stops at an MSE of 0.0005, below 0.001.",
    )


def _from_table(path: Path, target: str, hidden: tuple[int, ...], scale: str, settings: TrainSettings,
                split_seed: int, classes: bool = False) -> tuple[Graph, datasets.Dataset, TrainSettings]:
    """A dataset from samples/data (written by extract_datasets.py), split 80/20 and scaled, and a network for it."""
    data = prepare(load_data(path, [target], classes=classes), test_fraction=0.2, seed=split_seed, scale=scale)
    graph, cost = network_for_data(data, hidden, "tanh")
    return graph, data, replace(settings, cost=cost)


def iris() -> Project:
    settings = TrainSettings(rate=0.02, epochs=300, target_error=0.0, optimizer="adam", batch_size=None,
                             shuffle=False, speed=60.0)
    graph, data, settings = _from_table(HERE / "data" / "iris.csv", "species", (8,), "standard", settings, 1)
    return Project(
        graph=graph, dataset=replace(data, name="iris"), settings=settings, init="glorot", init_seed=0,
        data_seed=1, name="Iris 4-8-3",
        description="Fisher's iris flowers: 4 measurements (cm, standard-scaled) → 8 tanh → 3 species (softmax, "
        "cross-entropy), 120 rows to train, 30 held out (stratified, seed 1); full batch Adam at rate 0.02 for "
        "300 epochs (60 a second). Test accuracy at least 96% (29 of 30). Data: R. A. Fisher (1936), Iris, UCI Machine "
        "Learning Repository, https://doi.org/10.24432/C56C76, licensed CC BY 4.0.",
    )


def digits() -> Project:
    settings = TrainSettings(rate=0.005, epochs=40, target_error=0.0, optimizer="adam", batch_size=64,
                             shuffle=True, seed=0, speed=10.0)
    graph, data, settings = _from_table(HERE / "data" / "digits.csv", "digit", (32,), "minmax", settings, 0,
                                        classes=True)
    return Project(
        graph=graph, dataset=replace(data, name="digits 8x8", image_shape=(8, 8)), settings=settings, init="glorot",
        init_seed=0,
        name="Handwritten digits 64-32-10",
        description="8×8 images of handwritten digits (pixel counts 0–16, min-max scaled) → 32 tanh → 10 digits "
        "(softmax, cross-entropy), 1,438 rows to train and 359 held out (stratified); Adam at rate 0.005 in "
        "batches of 64 for 40 epochs (10 a second). Test accuracy at least 95%. Data: E. Alpaydin and "
        "C. Kaynak (1998), "
        "Optical Recognition of Handwritten Digits, UCI Machine Learning Repository, "
        "https://doi.org/10.24432/C50P49, licensed CC BY 4.0 (the 1,797 images scikit-learn ships).",
    )


SAMPLES = {
    "xor": xor,
    "xor-2-2-1": xor_2_2_1,
    "xor-no-bias-2-4-1": xor_no_bias,
    "xor-skip-2-1-1": xor_skip,
    "deep-6-4-3-1": deep,
    "single-neuron": single_neuron,
    "logic-gates": logic_gates,
    "circle": circle,
    "spiral": spiral,
    "sine-regression": sine,
    "iris": iris,
    "digits": digits,
}


def main() -> None:
    for name, make in SAMPLES.items():
        save_project(make(), HERE / f"{name}.nnstudio")
        print(f"wrote {name}.nnstudio")


if __name__ == "__main__":
    main()
