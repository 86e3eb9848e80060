"""Hostile project files (issue 12): the loader refuses what the document cannot hold, naming the field.

Each case is a small file that used to load and then fail in the app, or ask
for gigabytes; the limits still admit real work (a 784-512-512-10 network, a
60,000 × 784 dataset).
"""

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest

from nnstudio.core import Graph, Layer, Network, TopologyError
from nnstudio.core.limits import MAX_DATASET_CELLS, MAX_PARAMETERS, dataset_cells_problem, parameter_count
from nnstudio.core.snapshots import SnapshotStore
from nnstudio.io.limits import MAX_JSON_DEPTH, MAX_NAME_CHARS, read_json
from nnstudio.io.project import ProjectError, load_project, project_from_bytes, project_from_dict

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
XOR = json.loads((SAMPLES / "xor.nnstudio").read_text())


def _xor(change) -> bytes:
    doc = copy.deepcopy(XOR)
    change(doc)
    return json.dumps(doc).encode()


def _raw_xor(old: str, new: str) -> bytes:
    """The XOR sample with one piece of its JSON text replaced (for what json.dumps cannot write)."""
    text = json.dumps(XOR)
    assert old in text
    return text.replace(old, new, 1).encode()


def _parallel(doc) -> None:
    doc["graph"]["connections"].append({"id": "again", "source": "L1", "target": "L2", "kind": "all_to_all"})


def _wide(doc, width: int) -> None:
    for layer in doc["graph"]["layers"][:2]:
        layer["size"] = width
    doc["weights"] = None


def _snapshots(count: int = 1, **fields) -> dict:
    store = SnapshotStore(13)
    for epoch in range(1, count + 1):
        store.add(epoch, np.zeros(13), 0.5)
    section = store.to_dict()
    section.update(fields)
    return section


HOSTILE = {
    "parallel connections": (_xor(_parallel), "graph.connections[2]", "one connection per pair"),
    "duplicate layer id": (_xor(lambda d: d["graph"]["layers"][2].update(id="L1")), "graph.layers[2].id",
                           "duplicate"),
    "duplicate connection id": (_xor(lambda d: d["graph"]["connections"][1].update(id="L1->L2")),
                                "graph.connections[1].id", "duplicate"),
    "two 20,000-wide layers (3 GiB)": (_xor(lambda d: _wide(d, 20_000)), "graph", "MAX_PARAMETERS"),
    "100,000-wide layers (74 GiB)": (_xor(lambda d: _wide(d, 100_000)), "graph", "parameters"),
    "integer of 400 digits": (_raw_xor('"rate": 0.3', '"rate": ' + "9" * 400), "",
                              "beyond the range of floating-point"),
    "integer of 5000 digits in a weight": (_raw_xor("[[", "[[" + "1" * 5000 + ", "), "",
                                           "beyond the range of floating-point"),
    "1e400 in the dataset": (_raw_xor('"inputs": [[0.0', '"inputs": [[1e400'), "dataset.inputs[0]",
                             "beyond the range"),
    "huge init seed": (_xor(lambda d: d["seeds"].update(init=10**30)), "seeds.init", "from 0 to"),
    "negative seed": (_xor(lambda d: d["seeds"].update(shuffle=-1)), "seeds.shuffle", "from 0 to"),
    "huge momentum": (_xor(lambda d: d["settings"].update(momentum=1e300)), "settings.momentum", "to 0.999"),
    "huge epochs": (_xor(lambda d: d["settings"].update(epochs=2**40)), "settings.epochs", "2.14748e+09"),
    "overflowing schedule": (_xor(lambda d: d["settings"].update(schedule={"kind": "step", "every": 1,
                                                                           "factor": 1e300})), "settings", "factor"),
    "huge history stride": (_xor(lambda d: d.update(history={"stride": 10**30, "epochs": [1], "train": [0.1]})),
                            "history.stride", "from 1 to"),
    "huge history epoch": (_xor(lambda d: d.update(history={"epochs": [2**70], "train": [0.1]})),
                           "history.epochs", "whole numbers"),
    "lone surrogate in a name": (_raw_xor('"name": "Hidden"', '"name": "Hid\\ud800den"'), "graph.layers[1].name",
                                 "lone surrogate"),
    "lone surrogate in a key": (_raw_xor('"format"', '"\\udfff": 1, "format"'), "", "lone surrogate"),
    "50 MB layer name": (_xor(lambda d: d["graph"]["layers"][1].update(name="x" * 50_000_000)),
                         "graph.layers[1].name", "the limit is 256"),
    "long column name": (_xor(lambda d: d["dataset"].update(output_names=["y" * 1000])),
                         "dataset.output_names[0]", "characters"),
    "deep nesting in a section": (_xor(lambda d: d.update(ui=json.loads("[" * 200 + "]" * 200))), "ui",
                                  "nested too deeply"),
    "huge position": (_xor(lambda d: d["graph"]["layers"][0].update(position=[1e300, 0])),
                      "graph.layers[0].position", "from -1e9"),
    "snapshots not an object": (_xor(lambda d: d.update(snapshots=[1, 2])), "snapshots", "expected an object"),
    "snapshots huge n_params": (_xor(lambda d: d.update(snapshots=_snapshots(n_params=10**12))),
                                "snapshots.n_params", "from 1 to"),
    "snapshots huge max_bytes": (_xor(lambda d: d.update(snapshots=_snapshots(max_bytes=10**15))),
                                 "snapshots.max_bytes", "from 1 to"),
    "snapshots errors as text": (_xor(lambda d: d.update(snapshots=_snapshots(errors=["x"]))),
                                 "snapshots.errors", "numbers"),
    "snapshots params truncated": (_xor(lambda d: d.update(snapshots=_snapshots(params="AAAA"))),
                                   "snapshots.params", "need 104 bytes"),
    "snapshots epochs backwards": (_xor(lambda d: d.update(snapshots=_snapshots(2, epochs=[2, 1]))),
                                   "snapshots", "must increase"),
    "too many layers": (_xor(lambda d: d["graph"]["layers"].extend(
        {**d["graph"]["layers"][1], "id": f"X{i}"} for i in range(300))), "graph.layers", "MAX_LAYERS"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_file_is_refused_naming_the_field(name) -> None:
    raw, field, words = HOSTILE[name]
    with pytest.raises(ProjectError) as info:
        project_from_bytes(raw)
    assert info.value.field == field, str(info.value)
    assert words in str(info.value)


def test_valid_snapshots_section_loads_and_is_kept() -> None:
    section = _snapshots()
    project = project_from_bytes(_xor(lambda d: d.update(snapshots=section)))
    assert project.extra["snapshots"] == section


def test_nesting_depth_limit_is_what_the_message_says() -> None:
    ok = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    read_json(ok.encode())
    with pytest.raises(ValueError, match=f"limit is {MAX_JSON_DEPTH} levels"):
        read_json(("[" + ok + "]").encode())


def test_name_of_the_limit_length_loads() -> None:
    project = project_from_bytes(_xor(lambda d: d["graph"]["layers"][1].update(name="n" * MAX_NAME_CHARS)))
    assert len(project.graph.layers["L2"].name) == MAX_NAME_CHARS


def test_large_real_network_784_512_512_10_loads_and_builds() -> None:
    graph = Graph()
    sizes = [784, 512, 512, 10]
    for i, size in enumerate(sizes):
        role = "input" if i == 0 else "output" if i == len(sizes) - 1 else "hidden"
        graph.add_layer(Layer(size, "softmax" if role == "output" else "relu", name=f"L{i}", role=role,
                              id=f"L{i}", position=(i * 200, 0)))
    for i in range(len(sizes) - 1):
        graph.connect(f"L{i}", f"L{i + 1}")
    assert parameter_count(graph) == 669_706 < MAX_PARAMETERS
    net = Network.from_graph(graph, seed=1)
    doc = {**copy.deepcopy(XOR), "graph": graph.to_dict(), "weights": None,
           "dataset": {"inputs": [[0.0] * 784], "targets": [[1.0] + [0.0] * 9]}}
    project = project_from_dict(doc)
    assert project.build_network().n_params == net.n_params == 669_706


def test_mnist_sized_dataset_is_within_the_limit() -> None:
    train, test = 60_000 * (784 + 10), 10_000 * (784 + 10)
    assert dataset_cells_problem(train + test) is None
    assert train + test <= MAX_DATASET_CELLS
    assert "MAX_DATASET_CELLS" in dataset_cells_problem(MAX_DATASET_CELLS + 1)


def test_mnist_sized_dataset_loads() -> None:
    # one row object repeated: the document costs 60,000 pointers, the dataset its real 376 MB
    row, target = [0.5] * 784, [1.0] + [0.0] * 9
    doc = {**copy.deepcopy(XOR), "weights": None, "history": None,
           "dataset": {"inputs": [row] * 60_000, "targets": [target] * 60_000}}
    doc["graph"]["layers"][0]["size"] = 784
    doc["graph"]["layers"][2]["size"] = 10
    project = project_from_dict(doc)
    assert project.dataset.X.shape == (60_000, 784)


def test_dataset_too_large_is_refused_before_numpy_builds_it() -> None:
    row = [0.0] * 8000  # 8001 × 8001 cells: over the limit by a little
    doc = {**copy.deepcopy(XOR), "dataset": {"inputs": [row] * 8001, "targets": [[0.0]] * 8001}}
    with pytest.raises(ProjectError, match="dataset: the dataset holds 64,016,001 numbers.*MAX_DATASET_CELLS"):
        project_from_dict(doc)


def test_graph_too_large_is_a_problem_not_an_allocation() -> None:
    graph = Graph()
    graph.add_layer(Layer(100_000, role="input", id="a"))
    graph.add_layer(Layer(100_000, role="output", id="b"))
    graph.connect("a", "b")
    assert "MAX_PARAMETERS" in graph.problems()[0]
    with pytest.raises(TopologyError, match="MAX_PARAMETERS"):
        Network.from_graph(graph)


def test_parallel_connections_refused_by_graph_from_dict() -> None:
    doc = json.loads(_xor(_parallel))["graph"]
    with pytest.raises(TopologyError, match="twice"):
        Graph.from_dict(doc)


def test_saved_numbers_round_trip_and_floats_near_the_limit_load(tmp_path) -> None:
    project = project_from_bytes(_raw_xor('"rate": 0.3', '"rate": 1e6'))
    assert project.settings.rate == 1e6
    big = project_from_bytes(_raw_xor('"inputs": [[0.0', '"inputs": [[1.7e308'))
    assert math.isclose(big.dataset.X[0, 0], 1.7e308)


def test_load_project_reads_hostile_file_without_traceback(tmp_path) -> None:
    path = tmp_path / "hostile.nnstudio"
    path.write_bytes(HOSTILE["parallel connections"][0])
    with pytest.raises(ProjectError, match="graph.connections"):
        load_project(path)
