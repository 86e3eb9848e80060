"""Import networks made elsewhere: Synaptic.js and brain.js JSON files become nnstudio projects.

``import_file(path)`` recognises the library from the file's keys and returns
a :class:`~nnstudio.io.project.Project` with the graph (laid out left to
right), the imported weights and training settings like the original
library's.  The file holds no training data, so the project gets:

- the XOR truth table when the network has 2 inputs and 1 output;
- otherwise one placeholder row: all inputs 0, and as targets the imported
  network's own outputs for it (the error is 0, so training changes nothing
  until real data is loaded).  Column names come from brain.js lookup tables.

``load_weights(network, path)`` (nnstudio weights JSON or ``.npz`` into an
open network) lives in :mod:`nnstudio.io.weights_json` and is re-exported here.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..core import datasets
from ..core.datasets import Dataset
from ..core.graph import Graph
from ..core.network import Network
from ..core.training import SETTING_RANGES, TrainSettings
from .import_brain import brain_graph
from .import_onnx import import_onnx
from .import_synaptic import ForeignNetworkError, synaptic_graph
from .limits import MAX_IMPORT_BYTES, JsonLimitError, read_json
from .project import Project, ProjectError, project_from_dict
from .weights_json import WeightsError, load_weights, read_weights

__all__ = ["IMPORT_FORMATS", "WEIGHTS_FORMATS", "ForeignNetworkError", "WeightsError", "import_file",
           "load_weights", "read_weights"]

#: What :func:`import_file` reads, by extension (for the file dialog filter).
IMPORT_FORMATS: dict[str, str] = {".json": "Synaptic.js or brain.js network (toJSON)",
                                  ".onnx": "ONNX multilayer perceptron (torch, skl2onnx, tf2onnx)"}
#: What :func:`load_weights` reads into an open network.
WEIGHTS_FORMATS: dict[str, str] = {".json": "nnstudio weights JSON", ".npz": "nnstudio weights (NumPy .npz)"}

def import_file(path: str | os.PathLike) -> Project:
    """A project from a Synaptic.js ``network.toJSON()`` or brain.js ``net.toJSON()`` file, or an ONNX model
    (:mod:`nnstudio.io.import_onnx`).

    Raises :class:`ForeignNetworkError` (a ValueError) naming what is wrong or
    what cannot be represented, OSError when the file cannot be read.
    """
    path = Path(path)
    if path.suffix.lower() == ".onnx":
        return import_onnx(path)
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise ForeignNetworkError(f"{path.name} is larger than {MAX_IMPORT_BYTES // 2**20} MB")
    try:
        doc = read_json(path.read_bytes())
    except JsonLimitError as exc:
        raise ForeignNetworkError(f"{path.name} is not a JSON file nnstudio can read: {exc}") from None
    if isinstance(doc, dict) and "neurons" in doc and "connections" in doc:
        return _reopens(_synaptic_project(doc, path.stem))
    if isinstance(doc, dict) and "sizes" in doc and "layers" in doc:
        return _reopens(_brain_project(doc, path.stem))
    if isinstance(doc, dict) and doc.get("format") == "nnstudio-weights":
        raise ForeignNetworkError(f"{path.name} is an nnstudio weights file: load it into an open network instead")
    raise ForeignNetworkError(f"{path.name} is neither a Synaptic.js network.toJSON() nor a brain.js "
                              "net.toJSON() file (brain.js 2.x files are not supported)")


def _reopens(project: Project) -> Project:
    """``project`` once the loader accepts it: an import never writes a project file that will not open."""
    try:
        project_from_dict(project.to_dict())
    except ProjectError as exc:
        raise ForeignNetworkError(f"the imported network does not fit an nnstudio project: {exc}") from None
    return project


def _dataset(graph: Graph, blocks: dict[str, np.ndarray], input_names: list[str], output_names: list[str]) -> Dataset:
    net = Network.from_graph(graph, seed=0)
    net.load_param_dict(blocks)
    if net.n_inputs == 2 and net.n_outputs == 1:
        xor = datasets.xor()
        return Dataset(xor.X, xor.Y, name="xor", input_names=input_names or xor.input_names,
                       output_names=output_names or xor.output_names)
    zeros = np.zeros((1, net.n_inputs))
    return Dataset(zeros, net.predict(zeros), name="placeholder", input_names=input_names,
                   output_names=output_names)


def _dataset_note(dataset: Dataset) -> str:
    if dataset.name == "xor":
        return "The dataset is the XOR truth table (the file holds no training data)."
    return ("The file holds no training data: the dataset is one placeholder row (inputs 0, targets the imported "
            "outputs); load your own data before training.")


def _synaptic_project(doc: dict, stem: str) -> Project:
    graph, blocks = synaptic_graph(doc)
    dataset = _dataset(graph, blocks, [], [])
    outputs = {layer.activation for layer in graph.layers_with_role("output")}
    # Synaptic's propagate uses (output − target) without the derivative: BCE for logistic outputs, MSE otherwise
    settings = TrainSettings(rate=0.3, epochs=20000, target_error=0.0, cost="bce" if outputs == {"logistic"} else "mse",
                             optimizer="sgd", batch_size=1, shuffle=False)
    sizes = "-".join(str(graph.layers[i].size) for i in graph.topological_order())
    return Project(
        graph=graph, dataset=dataset, settings=settings, init="synaptic", weights=blocks, name=stem,
        description=f"Imported from Synaptic.js ({sizes}, {stem}.json). Training settings follow Synaptic's "
        f"activate/propagate loop (online, rate 0.3). {_dataset_note(dataset)}",
    )


def _brain_project(doc: dict, stem: str) -> Project:
    graph, blocks, input_names, output_names = brain_graph(doc)
    dataset = _dataset(graph, blocks, input_names, output_names)
    opts = doc.get("trainOpts")
    if not isinstance(opts, dict):
        opts = {}
    settings = TrainSettings(
        rate=_setting(opts, "learningRate", "rate", 0.3), epochs=int(_setting(opts, "iterations", "epochs", 20000)),
        target_error=_setting(opts, "errorThresh", "target_error", 0.005), cost="mse", optimizer="momentum",
        momentum=_setting(opts, "momentum", "momentum", 0.1), batch_size=1, shuffle=False,
    )
    sizes = "-".join(str(s) for s in doc["sizes"])
    note = ""
    if doc.get("activation") == "leaky-relu":
        note = (" brain.js 1.6.1's 'leaky-relu' computes 0 for negative sums and alpha·sum otherwise; it is imported "
                "exactly as ReLU layers with weights and biases scaled by alpha.")
    return Project(
        graph=graph, dataset=dataset, settings=settings, weights=blocks, name=stem,
        description=f"Imported from brain.js ({sizes}, activation {doc.get('activation', 'sigmoid')}, {stem}.json). "
        f"Training settings follow its trainOpts (online, momentum).{note} {_dataset_note(dataset)}",
    )


def _setting(opts: dict, key: str, setting: str, default: float) -> float:
    """brain.js's ``trainOpts[key]`` when it is a positive number nnstudio's setting admits, else ``default``."""
    value = opts.get(key)
    low, high = SETTING_RANGES[setting]
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not (0 < value <= high and value >= low):
        return default
    if setting == "epochs":
        return int(value) if int(value) >= 1 else default
    return float(value)
