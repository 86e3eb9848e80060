"""ONNX export of a project fitted to data: float32 or float64, raw inputs (scaling included), class names in the
metadata, the full checker, and every activation in both types."""

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from c_harness import build_predictor, run_predictor

from nnstudio.cli import main
from nnstudio.core import Graph, Layer, Network
from nnstudio.core.activations import ACTIVATIONS
from nnstudio.core.data_prep import prepare
from nnstudio.core.datasets import Dataset
from nnstudio.io.export import export_project
from nnstudio.io.export_onnx import build_model
from nnstudio.io.import_onnx import import_onnx
from nnstudio.io.project import Project, save_project


def three_class_project() -> Project:
    rng = np.random.default_rng(3)
    labels = np.arange(60) % 3
    raw = rng.normal(size=(60, 4)) * [1, 10, 100, 0.1] + [0, 50, -300, 2] + labels[:, None]
    data = prepare(Dataset(raw, np.eye(3)[labels], class_names=["ant", "bee", "cat"]), 0.25, seed=0,
                   scale="standard")
    layers = [Layer(4, name="Measurements", role="input"), Layer(6, "tanh"), Layer(3, "softmax", name="Species")]
    layers[0].project(layers[1])
    layers[1].project(layers[2])
    graph = Graph.from_layers(layers[0], [layers[1]], layers[2])
    net = Network.from_graph(graph, seed=4)
    return Project(graph=graph, dataset=data, weights=net.param_dict())


def run(path, X):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X})[0]


@pytest.mark.parametrize("dtype, np_type, tol", [("float32", np.float32, 1e-5), ("float64", np.float64, 1e-12)])
def test_model_takes_raw_inputs_and_names_the_classes(tmp_path, dtype, np_type, tol) -> None:
    project = three_class_project()
    path = tmp_path / "m.onnx"
    export_project(project, path, dtype=dtype)
    raw = project.dataset.raw_inputs(project.dataset.X_test)
    expected = project.build_network().predict(project.dataset.X_test)
    np.testing.assert_allclose(run(path, raw.astype(np_type)), expected, atol=tol, rtol=tol)
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    meta = {p.key: p.value for p in model.metadata_props}
    assert json.loads(meta["class_names"]) == ["ant", "bee", "cat"]
    assert json.loads(meta["input_scaling"])["method"] == "standard"


def test_round_trip_through_onnx_import_keeps_outputs_and_classes(tmp_path) -> None:
    project = three_class_project()
    export_project(project, tmp_path / "m.onnx", dtype="float64")
    back = import_onnx(tmp_path / "m.onnx")
    assert back.dataset.class_names == ["ant", "bee", "cat"]
    raw = project.dataset.raw_inputs(project.dataset.X_test)
    expected = project.build_network().predict(project.dataset.X_test)
    np.testing.assert_allclose(run(tmp_path / "m.onnx", raw), expected, atol=1e-12)
    # the scaling's Sub/Mul nodes are folded into the imported first layer: it takes the raw values
    np.testing.assert_allclose(back.build_network().predict(raw), expected, atol=1e-10)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_activation_passes_the_full_checker_and_runs(activation, dtype) -> None:
    layers = [Layer(3, role="input", name="In"), Layer(4, activation, name="Hidden"), Layer(2, "identity", name="Out")]
    layers[0].project(layers[1])
    layers[1].project(layers[2])
    net = Network.from_graph(Graph.from_layers(layers[0], [layers[1]], layers[2]), seed=1)
    model = build_model(net, dtype)
    X = np.random.default_rng(0).normal(size=(9, 3))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    got = session.run(None, {"In": X.astype(np.float32 if dtype == "float32" else np.float64)})[0]
    np.testing.assert_allclose(got, net.predict(X), atol=1e-5 if dtype == "float32" else 1e-12)


def test_cli_dtype(tmp_path, capsys) -> None:
    project = three_class_project()
    save_project(project, tmp_path / "p.nnstudio")
    assert main(["export", str(tmp_path / "p.nnstudio"), str(tmp_path / "d.onnx"), "--dtype", "float64"]) == 0
    assert ort.InferenceSession(str(tmp_path / "d.onnx")).get_inputs()[0].type == "tensor(double)"
    assert main(["export", str(tmp_path / "p.nnstudio"), str(tmp_path / "f.onnx")]) == 0
    assert ort.InferenceSession(str(tmp_path / "f.onnx")).get_inputs()[0].type == "tensor(float)"
    capsys.readouterr()
    assert main(["export", str(tmp_path / "p.nnstudio"), str(tmp_path / "w.py"), "--dtype", "float64"]) == 2
    assert "--dtype is for ONNX models" in capsys.readouterr().err


def test_python_and_c_exports_take_raw_inputs_weights_files_keep_the_project_weights(tmp_path) -> None:


    from nnstudio.io.weights_json import load_weights

    project = three_class_project()
    project.graph.set_layer(project.graph.topological_order()[1], bias=False)  # the fold adds the bias it needs
    project.weights = Network.from_graph(project.graph, seed=5).param_dict()
    raw = project.dataset.raw_inputs(project.dataset.X_test)
    expected = project.build_network().predict(project.dataset.X_test)
    export_project(project, tmp_path / "m.py")
    namespace: dict = {}
    exec((tmp_path / "m.py").read_text(), namespace)
    np.testing.assert_allclose([namespace["predict"](list(row)) for row in raw], expected, atol=1e-12)
    export_project(project, tmp_path / "net.h")
    exe = build_predictor(tmp_path)
    for row, want in zip(raw, expected, strict=True):
        np.testing.assert_allclose(run_predictor(exe, row), want, atol=1e-12)
    export_project(project, tmp_path / "w.npz")
    net = Network.from_graph(project.graph, seed=9)
    load_weights(net, tmp_path / "w.npz")
    np.testing.assert_allclose(net.predict(project.dataset.X_test), expected, atol=1e-15)  # the project's weights
