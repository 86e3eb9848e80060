"""Importers: Synaptic.js and brain.js networks reproduce the outputs recorded with the real libraries."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnstudio.cli import main
from nnstudio.io.importers import IMPORT_FORMATS, WEIGHTS_FORMATS, ForeignNetworkError, import_file
from nnstudio.io.project import load_project

JS = Path(__file__).resolve().parent / "fixtures" / "js"
SYNAPTIC = ["xor-2-3-1", "perceptron-2-4-3-2", "tanh-3-5-2", "relu-hlim-3-4-3-2"]
BRAIN = ["xor-2-3-1", "tanh-2-4-3-2", "relu-2-4-2", "leaky-relu-2-4-2", "named-3-3-2"]


def recorded(stem: str) -> tuple[np.ndarray, np.ndarray]:
    """Input and output rows the JavaScript library produced; object rows become columns by name."""
    rec = json.loads((JS / f"{stem}.outputs.json").read_text())
    ins, outs = rec.get("input_names"), rec.get("output_names")
    X = [[r.get(k, 0.0) for k in ins] if isinstance(r, dict) else r for r in rec["inputs"]]
    Y = [[r[k] for k in outs] if isinstance(r, dict) else r for r in rec["outputs"]]
    return np.array(X, dtype=float), np.array(Y, dtype=float)


def test_format_tables() -> None:
    assert ".json" in IMPORT_FORMATS and set(WEIGHTS_FORMATS) == {".json", ".npz"}


@pytest.mark.parametrize("name", SYNAPTIC)
def test_synaptic_outputs_match_to_1e12(name) -> None:
    project = import_file(JS / f"synaptic_{name}.json")
    X, Y = recorded(f"synaptic_{name}")
    np.testing.assert_allclose(project.build_network().predict(X), Y, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", BRAIN)
def test_brain_outputs_match_to_1e6(name) -> None:
    project = import_file(JS / f"brain_{name}.json")
    X, Y = recorded(f"brain_{name}")
    np.testing.assert_allclose(project.build_network().predict(X), Y, rtol=0, atol=1e-6)


def test_synaptic_structure_layout_and_settings() -> None:
    project = import_file(JS / "synaptic_tanh-3-5-2.json")
    g = project.graph
    layers = {layer.name: layer for layer in g.layers.values()}
    assert {n: (la.size, la.activation, la.role) for n, la in layers.items() if la.role != "input"} == {
        "Hidden": (5, "tanh", "hidden"), "Output": (2, "identity", "output")}
    assert not layers["Input"].bias
    pairs = {(g.layers[c.source].name, g.layers[c.target].name) for c in g.connections.values()}
    assert pairs == {("Input", "Hidden"), ("Hidden", "Output"), ("Input", "Output")}  # the skip connection
    xs = [layers[n].position[0] for n in ("Input", "Hidden", "Output")]
    assert xs == sorted(xs) and len(set(xs)) == 3  # laid out left to right
    assert project.settings.batch_size == 1 and project.settings.cost == "mse"
    assert project.dataset.name == "placeholder" and project.dataset.X.shape == (1, 3)
    np.testing.assert_allclose(project.build_network().predict(project.dataset.X), project.dataset.Y)


def test_xor_sized_import_gets_the_xor_dataset_and_trains_on(tmp_path, capsys) -> None:
    out = tmp_path / "xor.nnstudio"
    assert main(["import", str(JS / "synaptic_xor-2-3-1.json"), str(out)]) == 0
    assert "Imported from Synaptic.js" in capsys.readouterr().out
    project = load_project(out)
    assert project.dataset.Y.ravel().tolist() == [0, 1, 1, 0]
    X, Y = recorded("synaptic_xor-2-3-1")
    np.testing.assert_allclose(project.build_network().predict(X), Y, rtol=1e-12, atol=1e-12)
    assert main(["train", str(out), "--epochs", "10", "--json"]) == 0
    assert [round(o[0]) for o in json.loads(capsys.readouterr().out)["outputs"]] == [0, 1, 1, 0]


def test_brain_lookup_names_become_column_names() -> None:
    project = import_file(JS / "brain_named-3-3-2.json")
    assert project.dataset.input_names == ["r", "g", "b"]
    assert project.dataset.output_names == ["black", "white"]


def test_brain_leaky_relu_is_imported_as_scaled_relu() -> None:
    project = import_file(JS / "brain_leaky-relu-2-4-2.json")
    assert {la.activation for la in project.graph.layers.values() if la.role != "input"} == {"relu"}
    assert "alpha" in project.description
    doc = json.loads((JS / "brain_leaky-relu-2-4-2.json").read_text())
    first_bias = doc["layers"][1]["0"]["bias"]
    hidden = next(la for la in project.graph.layers.values() if la.role == "hidden")
    assert project.weights["b:" + hidden.id][0] == pytest.approx(0.01 * first_bias, rel=1e-15)


def test_brain_settings_follow_train_opts() -> None:
    project = import_file(JS / "brain_xor-2-3-1.json")
    s = project.settings
    assert (s.rate, s.momentum, s.optimizer, s.batch_size, s.epochs) == (0.3, 0.1, "momentum", 1, 20000)


@pytest.mark.parametrize(
    "name, words",
    [("synaptic_lstm.json", ["gate", "LSTM", "cannot be represented"]),
     ("synaptic_selfconn-2-2-1.json", ["connected to itself", "self-connections", "cannot be represented"])],
)
def test_unrepresentable_networks_are_refused(name, words) -> None:
    with pytest.raises(ForeignNetworkError) as info:
        import_file(JS / name)
    for word in words:
        assert word in str(info.value)


def _synaptic(neurons, connections) -> dict:
    return {"neurons": [{"layer": layer, "bias": 0.5, "squash": squash} for layer, squash in neurons],
            "connections": [{"from": a, "to": b, "weight": w, "gater": None} for a, b, w in connections]}


def test_synaptic_kinds_from_synapse_patterns(tmp_path) -> None:
    neurons = [("input", "LOGISTIC")] * 2 + [(0, "TANH")] * 2 + [(1, "RELU")] * 2 + [("output", "IDENTITY")] * 2
    conns = [(0, 2, 1.0), (1, 3, 2.0),  # input → hidden 0: the diagonal only
             (2, 5, 3.0), (3, 4, 4.0),  # hidden 0 → hidden 1: everything but the diagonal
             (4, 6, 5.0), (5, 6, 6.0)]  # hidden 1 → output: a partial pattern, zeros elsewhere
    path = tmp_path / "kinds.json"
    path.write_text(json.dumps(_synaptic(neurons, conns)))
    project = import_file(path)
    g = project.graph
    kinds = {(g.layers[c.source].name, g.layers[c.target].name): c.kind for c in g.connections.values()}
    assert kinds == {("Input", "Hidden 1"): "one_to_one", ("Hidden 1", "Hidden 2"): "all_to_else",
                     ("Hidden 2", "Output"): "all_to_all"}
    partial = next(c for c in g.connections.values() if c.kind == "all_to_all")
    np.testing.assert_array_equal(project.weights["W:" + partial.id], [[5.0, 0.0], [6.0, 0.0]])
    x = np.array([0.3, -0.7])
    h1 = np.tanh(x * [1.0, 2.0] + 0.5)
    h2 = np.maximum(h1[::-1] * [4.0, 3.0] + 0.5, 0)
    expected = [h2 @ [5.0, 6.0] + 0.5, 0.5]
    np.testing.assert_allclose(project.build_network().predict(x), expected, rtol=1e-12)


@pytest.mark.parametrize(
    "doc, message",
    [
        ({"neurons": [], "connections": []}, "non-empty list"),
        (_synaptic([("input", None), ("output", "LOGISTIC")], [(1, 0, 1.0)]), "within a layer or backwards"),
        (_synaptic([("input", None), (0, "TANH"), (0, "RELU"), ("output", None)], [(0, 1, 1.0), (0, 2, 1.0),
                                                                                    (1, 3, 1.0), (2, 3, 1.0)]),
         "different squash functions"),
        (_synaptic([("input", None), ("output", None)], [(0, 7, 1.0)]), "not a neuron index"),
        ({"sizes": [2, 1], "layers": [{"0": {}, "1": {}}, {"0": {"bias": 0, "weights": {"0": 1}}}]},
         "has no weight from '1'"),
        ({"sizes": [2, 1], "layers": [{}, {}], "activation": "softsign"}, "unknown activation 'softsign'"),
        ({"hello": 1}, "neither a Synaptic.js"),
        ({"format": "nnstudio-weights"}, "weights file"),
    ],
)
def test_bad_foreign_files_name_the_problem(tmp_path, doc, message) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ForeignNetworkError, match=message):
        import_file(path)


def test_not_json_is_refused(tmp_path) -> None:
    path = tmp_path / "junk.json"
    path.write_bytes(b"\x00\xff junk")
    with pytest.raises(ForeignNetworkError, match="not a JSON file"):
        import_file(path)


@pytest.mark.parametrize(
    "args, message",
    [
        (["import", str(JS / "synaptic_lstm.json"), "out.nnstudio"], "cannot be represented"),
        (["import", str(JS / "synaptic_xor-2-3-1.json"), "out.json"], "must be a .nnstudio project"),
        (["import", "missing.json", "out.nnstudio"], "cannot read missing.json"),
    ],
)
def test_cli_import_errors_are_one_line(args, message, tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "nnstudio", *args], capture_output=True, text=True, timeout=60,
                            cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "out.nnstudio").exists()
