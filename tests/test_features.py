"""Feature inputs (TF Playground's x1², sin x1 …): training, the project file, predict and exports on raw x1, x2."""

import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from c_harness import build_predictor, run_predictor

from nnstudio.cli import main
from nnstudio.core import TrainingRun
from nnstudio.core.data_prep import prepare
from nnstudio.core.datasets import DatasetError
from nnstudio.core.features import FEATURES, compute_features, input_width, parse_features
from nnstudio.core.fitting import network_for_data
from nnstudio.core.metrics import accuracy
from nnstudio.io.export import export_project
from nnstudio.io.export_js import JsExportError
from nnstudio.io.project import Project, ProjectError, load_project, project_from_dict, save_project

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
def circle_with(features, hidden=(), scale=None) -> Project:
    sample = load_project(SAMPLES / "circle.nnstudio")
    dataset = replace(sample.dataset, features=features)
    if scale:
        dataset = prepare(dataset, test_fraction=0.3, seed=1, scale=scale)
    graph, cost = network_for_data(dataset, hidden=hidden)
    return Project(graph=graph, dataset=dataset, settings=replace(sample.settings, cost=cost, epochs=300))


def train(project: Project) -> None:
    net = project.build_network()
    for _ in TrainingRun(net, project.dataset, project.settings).snapshots(max_rate=10):
        pass
    project.weights = net.param_dict()


def test_squares_separate_the_circle_without_a_hidden_layer() -> None:
    project = circle_with(("x1^2", "x2^2"))
    assert [layer.size for layer in project.build_network().layers] == [2, 1]
    train(project)
    net, ds = project.build_network(), project.dataset
    assert accuracy(net.predict(ds.network_inputs()), ds.Y) >= 0.95
    assert accuracy(net.predict(ds.network_inputs(ds.X_test)), ds.Y_test) >= 0.95


def test_the_raw_inputs_alone_do_not_separate_it() -> None:  # what makes the test above mean something
    project = circle_with(None)
    train(project)
    net, ds = project.build_network(), project.dataset
    assert accuracy(net.predict(ds.X), ds.Y) < 0.8


def test_each_feature_and_the_input_width() -> None:
    X = np.array([[0.5, -2.0], [1.5, 3.0]])
    got = compute_features(tuple(FEATURES), X)
    x1, x2 = X[:, 0], X[:, 1]
    np.testing.assert_allclose(got, np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)]))
    np.testing.assert_allclose(compute_features(("x1*x2",), X[0]), [-1.0])
    assert compute_features(None, X) is not None and input_width(None) == 2 and input_width(("x1", "sin(x2)")) == 2
    assert input_width(tuple(FEATURES)) == 7
    assert parse_features(" x1^2 , x2^2") == ("x1^2", "x2^2")
    with pytest.raises(DatasetError, match="unknown feature 'x3'"):
        parse_features("x1,x3")


@pytest.mark.parametrize("features, message", [
    (["x1", "x1^3"], "unknown feature 'x1^3'"),
    (["x1^2", "x1^2"], "'x1^2' is listed twice"),
    ([], "empty"),
    ("x1^2", "expected a list"),
    ([1, 2], "expected a list of feature names"),
])
def test_the_loader_refuses_bad_feature_lists_naming_the_field(features, message) -> None:
    data = circle_with(None).to_dict()
    data["dataset"]["features"] = features
    with pytest.raises(ProjectError, match=re.escape(message)) as info:
        project_from_dict(data)
    assert info.value.field == "dataset.features"


def test_features_need_two_raw_inputs() -> None:
    data = load_project(SAMPLES / "iris.nnstudio").to_dict()
    data["dataset"]["features"] = ["x1^2"]
    with pytest.raises(ProjectError, match="need a dataset with 2 inputs") as info:
        project_from_dict(data)
    assert info.value.field == "dataset.features"


def test_old_files_load_unchanged_and_features_survive_save_load(tmp_path) -> None:
    old = load_project(SAMPLES / "circle.nnstudio")
    assert old.dataset.features is None and "features" not in old.to_dict()["dataset"]
    save_project(circle_with(("sin(x1)", "x1*x2")), tmp_path / "f.nnstudio")
    assert load_project(tmp_path / "f.nnstudio").dataset.features == ("sin(x1)", "x1*x2")
    assert json.loads((tmp_path / "f.nnstudio").read_text())["dataset"]["features"] == ["sin(x1)", "x1*x2"]


def _trained_scaled_project(tmp_path) -> tuple[Project, Path]:
    project = circle_with(tuple(FEATURES), hidden=(3,), scale="standard")
    project.settings = replace(project.settings, epochs=20)
    train(project)
    path = tmp_path / "p.nnstudio"
    save_project(project, path)
    return project, path


def test_predict_and_every_export_agree_on_raw_inputs(tmp_path, capsys) -> None:
    project, path = _trained_scaled_project(tmp_path)
    ds = project.dataset
    assert ds.scaling is not None  # the exports must scale before computing the features
    raw = np.array([[0.3, -0.7], [-0.9, 0.05], [0.0, 0.0]])
    expected = project.build_network().predict(ds.network_inputs(ds.scale(raw)))
    for row, want in zip(raw, expected, strict=True):
        assert main(["predict", str(path), *map(repr, row.tolist()), "--json"]) == 0
        np.testing.assert_allclose(json.loads(capsys.readouterr().out)["outputs"], want, atol=1e-12)

    for dtype, np_type, tol in (("float64", np.float64, 1e-12), ("float32", np.float32, 1e-5)):
        assert main(["export", str(path), str(tmp_path / f"{dtype}.onnx"), "--dtype", dtype]) == 0
        session = ort.InferenceSession(str(tmp_path / f"{dtype}.onnx"), providers=["CPUExecutionProvider"])
        (onnx_input,) = session.get_inputs()
        assert onnx_input.shape == ["batch", 2]
        np.testing.assert_allclose(session.run(None, {onnx_input.name: raw.astype(np_type)})[0], expected, atol=tol)
        assert json.loads(session.get_modelmeta().custom_metadata_map["features"]) == list(FEATURES)

    export_project(project, tmp_path / "m.py")
    namespace: dict = {}
    exec((tmp_path / "m.py").read_text(), namespace)
    assert namespace["N_INPUTS"] == 2
    np.testing.assert_allclose([namespace["predict"](list(row)) for row in raw], expected, atol=1e-12)

    export_project(project, tmp_path / "net.h")
    exe = build_predictor(tmp_path)
    for row, want in zip(raw, expected, strict=True):
        np.testing.assert_allclose(run_predictor(exe, row), want, atol=1e-12)


def test_weights_files_list_the_features_and_js_exports_refuse_them(tmp_path) -> None:
    project, _ = _trained_scaled_project(tmp_path)
    export_project(project, tmp_path / "w.json")
    assert json.loads((tmp_path / "w.json").read_text())["features"] == list(FEATURES)
    for fmt, library in (("synaptic", "Synaptic"), ("brain", "brain.js")):
        with pytest.raises(JsExportError, match=f"{re.escape(library)} networks .* cannot compute features"):
            export_project(project, tmp_path / f"{fmt}.json", fmt)
        assert not (tmp_path / f"{fmt}.json").exists()


def test_predict_takes_the_two_raw_inputs(tmp_path, capsys) -> None:
    _, path = _trained_scaled_project(tmp_path)
    assert main(["predict", str(path), "1", "2", "3"]) == 2
    assert "features of 2 raw inputs, 3 values were given" in capsys.readouterr().err


def test_new_with_features(tmp_path, capsys) -> None:
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (60, 2))
    rows = ["a,b,label"] + [f"{a},{b},{int(a * a + b * b < 0.5)}" for a, b in X]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "n.nnstudio"
    assert main(["new", str(out), "--data", str(tmp_path / "d.csv"), "--features", "x1^2,x2^2,x1*x2"]) == 0
    project = load_project(out)
    assert project.dataset.features == ("x1^2", "x2^2", "x1*x2")
    assert project.build_network().layers[0].size == 3
    assert main(["new", str(tmp_path / "bad.nnstudio"), "--data", str(tmp_path / "d.csv"), "--features", "x9"]) == 2
    assert "unknown feature 'x9'" in capsys.readouterr().err
    (tmp_path / "three.csv").write_text("a,b,c,y\n1,2,3,0\n2,3,4,1\n3,4,5,0\n4,5,6,1\n5,6,7,0\n")
    assert main(["new", str(tmp_path / "t.nnstudio"), "--data", str(tmp_path / "three.csv"), "--features", "x1"]) == 2
    assert "need a dataset with 2 inputs" in capsys.readouterr().err


def test_choosing_features_is_one_fit_of_the_input_layer() -> None:  # what the GUI wraps in one undo command
    from nnstudio.core.fitting import plan_fit

    project = circle_with(None, hidden=(4,))
    graph = project.graph
    fit = plan_fit(graph, replace(project.dataset, features=("x1", "x2", "x1^2", "sin(x2)")), project.settings)
    (input_id, (old, new)), = fit.sizes.items()
    assert (graph.layers[input_id].role, old, new) == ("input", 2, 4)
    fit.apply(graph)
    assert graph.layers[input_id].size == input_width(("x1", "x2", "x1^2", "sin(x2)"))
    fit.revert(graph)
    assert graph.layers[input_id].size == 2


def test_frames_feed_the_views_the_features_of_the_raw_rows() -> None:
    """What the table, accuracy, decision surface and canvas show for a feature project is computed on features."""
    from nnstudio.core.frames import FrameBuilder, FrameRequest, GridRequest, grid_points

    project = circle_with(("x1^2", "x2^2"))
    train(project)
    net, ds = project.build_network(), project.dataset
    grid = GridRequest((-6.0, 6.0, -6.0, 6.0), 5)
    request = FrameRequest(rows=(0, 10), probe=tuple(ds.X[3]), accuracy=True, surface=grid, neuron_maps=grid)
    frame = FrameBuilder(net, ds, project.settings.cost).build(request)
    assert frame.accuracy is not None and frame.accuracy[0] >= 0.95
    np.testing.assert_allclose(frame.outputs, net.predict(ds.network_inputs(ds.X[:10])))
    np.testing.assert_allclose(frame.probe_outputs, net.predict(ds.network_inputs(ds.X[3:4]))[0])
    expected = net.predict(ds.network_inputs(grid_points(grid.extent, 5))).reshape(5, 5, 1)
    np.testing.assert_allclose(frame.surface, expected)
