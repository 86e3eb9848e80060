"""Issue 12, item 5: every hostile path ends in the one-line CLI error (exit 2); generated code always compiles."""

import copy
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from nnstudio.cli import main
from nnstudio.core import Dataset, Graph, Layer, Network, TrainingRun, TrainSettings
from nnstudio.core.standalone import printable_name
from nnstudio.io.export import export_project
from nnstudio.io.export_c import header_source
from nnstudio.io.importers import ForeignNetworkError, import_file
from nnstudio.io.project import Project, load_project, save_project

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
XOR = json.loads((SAMPLES / "xor.nnstudio").read_text())
HOSTILE_NAMES = ["nul\x00name", "*/ int evil; /*", "line\nbreak\r\u2028sep", "??/ trigraph ??=", "bidi \u202e txt",
                 "\"\"\" quote '''", "back\\slash\\", "x" * 100_000, "ünïcödé 名前", "tab\tform\x0cfeed\x0b"]


def _one_line_error(args, capsys) -> str:
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.err.startswith("nnstudio: ")
    assert "Traceback" not in captured.err
    return captured.err


def _write(tmp_path, doc_or_text, name="p.nnstudio") -> str:
    path = tmp_path / name
    path.write_text(doc_or_text if isinstance(doc_or_text, str) else json.dumps(doc_or_text), encoding="utf-8")
    return str(path)


def _xor_text(old: str, new: str) -> str:
    text = json.dumps(XOR)
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize("command", ["train", "predict", "export"])
@pytest.mark.parametrize("text, words", [
    (_xor_text('"rate": 0.3', '"rate": 1' + "0" * 400), "beyond the range"),
    (_xor_text('"epochs": 20000', '"epochs": 1' + "0" * 400), "beyond the range"),
    (_xor_text('"name": "Hidden"', '"name": "\\ud800"'), "lone surrogate"),
    (_xor_text('"stride": 1', '"stride": 1' + "0" * 30), "history.stride"),
    (_xor_text('"schedule": null', '"schedule": {"kind": "step", "every": 1, "factor": 1e300}'), "factor"),
])
def test_hostile_project_is_one_line_for_every_command(tmp_path, capsys, command, text, words) -> None:
    path = _write(tmp_path, text)
    args = {"train": ["train", path, "--epochs", "2"], "predict": ["predict", path, "0", "1"],
            "export": ["export", path, str(tmp_path / "out.py")]}[command]
    assert words in _one_line_error(args, capsys)


def test_predict_when_the_dataset_no_longer_fits_the_outputs(tmp_path, capsys) -> None:
    doc = copy.deepcopy(XOR)
    doc["graph"]["layers"][2]["size"] = 3  # the output layer was widened; the dataset still has one target
    err = _one_line_error(["predict", _write(tmp_path, doc), "0", "1"], capsys)
    assert "3 outputs" in err and "1 targets" in err


def test_seed_beyond_the_range_is_one_line(tmp_path, capsys) -> None:
    err = _one_line_error(["train", str(SAMPLES / "xor.nnstudio"), "--seed", "1" + "0" * 400], capsys)
    assert "--seed must be from 0" in err


def test_overflowing_rate_schedule_diverges_without_a_traceback() -> None:
    graph = load_project(SAMPLES / "xor.nnstudio").graph
    settings = TrainSettings(rate=1.0, epochs=3000, schedule={"kind": "step", "every": 1, "factor": 10.0})
    snap = TrainingRun(Network.from_graph(graph, seed=0), load_project(SAMPLES / "xor.nnstudio").dataset,
                       settings).run()
    assert snap.reason == "diverged"


def _named_net(names: list[str]) -> Network:
    graph = Graph()
    graph.add_layer(Layer(2, role="input", name=names[0], id="a"))
    graph.add_layer(Layer(3, "tanh", role="hidden", name=names[1], id="b"))
    graph.add_layer(Layer(1, role="output", name=names[2], id="c"))
    graph.connect("a", "b")
    graph.connect("b", "c")
    graph.connect("a", "c")
    return Network.from_graph(graph, seed=3)


@pytest.mark.parametrize("start", range(0, len(HOSTILE_NAMES), 3))
def test_python_export_compiles_and_runs_for_hostile_names(start) -> None:
    names = (HOSTILE_NAMES * 2)[start:start + 3]
    net = _named_net(names)
    source = net.standalone()
    namespace: dict = {}
    exec(compile(source, "net.py", "exec"), namespace)
    assert np.allclose(namespace["predict"]([0.3, -0.7]), net.predict(np.array([0.3, -0.7])))
    assert "\x00" not in source and "\u202e" not in source


def test_c_header_compiles_with_gcc_for_hostile_names(tmp_path) -> None:
    gcc = shutil.which("gcc") or shutil.which("cc")
    assert gcc, "a C compiler is needed for this test"
    for start in range(0, len(HOSTILE_NAMES), 3):
        net = _named_net((HOSTILE_NAMES * 2)[start:start + 3])
        header = tmp_path / "net.h"
        header.write_text(header_source(net), encoding="utf-8")
        main_c = tmp_path / "main.c"
        main_c.write_text('#include <stdio.h>\n#include "net.h"\nint main(void) { double in[2] = {0.3, -0.7}, '
                          'out[1]; nnstudio_predict(in, out); printf("%.17g\\n", out[0]); return 0; }\n')
        exe = tmp_path / "net"
        subprocess.run([gcc, "-std=c99", "-Wall", "-Werror", "-o", str(exe), str(main_c), "-lm"], check=True,
                       capture_output=True)
        value = float(subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout)
        assert np.isclose(value, net.predict(np.array([0.3, -0.7]))[0])


def test_printable_name_is_one_short_line() -> None:
    assert printable_name("a\x00b\nc") == "a?b c"
    assert len(printable_name("x" * 100_000)) == 80


def test_npz_and_json_export_of_a_100000_character_name_is_one_line(tmp_path, capsys) -> None:
    net = _named_net(["in", "y" * 100_000, "out"])
    project = Project(graph=net.graph, dataset=Dataset([[0, 0]], [[1]]), weights=net.param_dict())
    with pytest.raises(ValueError, match="rename it"):
        export_project(project, tmp_path / "w.npz")
    assert not list(tmp_path.iterdir())
    doc = project.to_dict()
    doc["graph"]["layers"][1]["name"] = "y" * 200  # within the project limit, so the CLI reaches the export
    src = _write(tmp_path, doc)
    assert main(["export", src, str(tmp_path / "w.npz")]) == 0


def test_onnx_export_of_parallel_connections_is_refused(tmp_path, capsys) -> None:
    doc = copy.deepcopy(XOR)
    doc["graph"]["connections"].append({"id": "twin", "source": "L1", "target": "L2", "kind": "all_to_all"})
    err = _one_line_error(["export", _write(tmp_path, doc), str(tmp_path / "net.onnx")], capsys)
    assert "one connection per pair" in err


def _brain(**changes) -> dict:
    doc = {"sizes": [2, 1], "layers": [{"0": {}, "1": {}}, {"0": {"bias": 0.1, "weights": {"0": 0.5, "1": -0.5}}}],
           "activation": "sigmoid", "trainOpts": {}}
    doc.update(changes)
    return doc


@pytest.mark.parametrize("doc, words", [
    (_brain(activation=["sigmoid"]), "unknown activation"),
    (_brain(activation={"a": 1}), "unknown activation"),
    (_brain(sizes=[100_000, 100_000]), "MAX_PARAMETERS"),
    (_brain(sizes=[2, 10**6]), "layer sizes from 1 to 100,000"),
    (_brain(activation="leaky-relu", leakyReluAlpha=1e300), "leakyReluAlpha"),
    ({"neurons": [{"layer": "input"}] * 20_000 + [{"layer": "output"}] * 20_000,
      "connections": [{"from": 0, "to": 20_000, "weight": 1.0}, {"from": 1, "to": 20_001, "weight": 1.0}]},
     "MAX_PARAMETERS"),
])
def test_hostile_imports_are_one_line(tmp_path, capsys, doc, words) -> None:
    src = tmp_path / "net.json"
    src.write_text(json.dumps(doc))
    err = _one_line_error(["import", str(src), str(tmp_path / "out.nnstudio")], capsys)
    assert words in err
    assert not (tmp_path / "out.nnstudio").exists()


def test_brain_import_with_huge_train_opts_reopens(tmp_path) -> None:
    src = tmp_path / "net.json"
    src.write_text(json.dumps(_brain(trainOpts={"learningRate": 1e300, "momentum": 5, "iterations": 10**15})))
    project = import_file(src)
    save_project(project, tmp_path / "out.nnstudio")
    reopened = load_project(tmp_path / "out.nnstudio")
    assert reopened.settings.rate == 0.3 and reopened.settings.momentum == 0.1


def test_huge_integer_in_an_import_is_refused(tmp_path) -> None:
    src = tmp_path / "net.json"
    src.write_text(json.dumps(_brain()).replace('"bias": 0.1', '"bias": ' + "9" * 400))
    with pytest.raises(ForeignNetworkError, match="beyond the range"):
        import_file(src)


def test_auto_loss_never_picks_cross_entropy_for_targets_that_are_not_one_hot() -> None:
    graph = Graph()
    graph.add_layer(Layer(2, role="input", id="a"))
    graph.add_layer(Layer(2, "softmax", role="output", id="b"))
    graph.connect("a", "b")
    net = Network.from_graph(graph, seed=0)
    one_hot = Dataset([[0, 0], [1, 1]], [[1, 0], [0, 1]])
    assert TrainingRun(net, one_hot).loss.name == "ce"
    for targets in ([[1, 1], [0, 0]], [[2, -1], [0.5, 0.5]]):
        with pytest.raises(ValueError, match="one-hot.*mse"):
            TrainingRun(net, Dataset([[0, 0], [1, 1]], targets))
        assert TrainingRun(net, Dataset([[0, 0], [1, 1]], targets), TrainSettings(cost="mse")).loss.name == "mse"


def test_cli_train_with_softmax_and_regression_targets_says_what_to_change(tmp_path, capsys) -> None:
    doc = copy.deepcopy(XOR)
    doc["graph"]["layers"][2].update(size=2, activation="softmax")
    doc["dataset"].update(targets=[[0.0, 2.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], output_names=["p", "q"])
    doc["settings"]["cost"] = "auto"
    err = _one_line_error(["train", _write(tmp_path, doc), "--epochs", "5"], capsys)
    assert "one-hot" in err and "mse" in err


def test_imports_with_odd_but_representable_values_load(tmp_path) -> None:
    # found by benchmarks/fuzz_files.py --seed 1: a whole number beyond int64 and a squash given as a list
    src = tmp_path / "brain.json"
    src.write_text(json.dumps(_brain()).replace('"bias": 0.1', '"bias": ' + str(2**64)))
    assert import_file(src).weights["b:L2"][0] == 2.0**64
    synaptic = {"neurons": [{"layer": "input"}, {"layer": "input"}, {"layer": "output", "squash": ["LOGISTIC"]}],
                "connections": [{"from": 0, "to": 2, "weight": 0.5}, {"from": 1, "to": 2, "weight": 2**70}]}
    src.write_text(json.dumps(synaptic))
    project = import_file(src)
    assert project.graph.layers["L2"].activation == "logistic" and project.weights["W:L1->L2"][1, 0] == 2.0**70
