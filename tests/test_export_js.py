"""Synaptic.js and brain.js exports, loaded by the real npm packages in node, give nnstudio's outputs.

The packages are installed once per test session into a temporary folder (npm's own cache makes that quick).
Without node and npm these tests fail: they are part of what CI checks, so they must not quietly skip.
"""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from nnstudio.cli import main
from nnstudio.core import Graph, Layer, Network
from nnstudio.core.datasets import Dataset
from nnstudio.core.scaling import fit_scaling
from nnstudio.io.export_js import JsExportError, brain_json, synaptic_json
from nnstudio.io.project import Project, save_project

RUNNER = Path(__file__).resolve().parent / "fixtures" / "js" / "run_exported.js"
PACKAGES = ["synaptic@1.1.4", "brain.js@1.6.1"]


@pytest.fixture(scope="session")
def node_modules(tmp_path_factory) -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("node and npm are needed to check the JavaScript exports (install Node.js 18 or later)")
    folder = tmp_path_factory.mktemp("npm")
    (folder / "package.json").write_text('{"name": "nnstudio-js-check", "version": "1.0.0", "private": true}')
    result = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefer-offline", *PACKAGES], cwd=folder,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        pytest.fail(f"npm install {' '.join(PACKAGES)} failed:\n{result.stderr[-2000:]}")
    return folder / "node_modules"


def run_in_node(node_modules: Path, tmp_path: Path, cases: list[dict]) -> list[np.ndarray]:
    spec = tmp_path / "cases.json"
    spec.write_text(json.dumps(cases))
    result = subprocess.run(["node", str(RUNNER), str(spec)], capture_output=True, text=True, timeout=120,
                            env={"NODE_PATH": str(node_modules), "PATH": "/usr/bin:/bin:/usr/local/bin"})
    assert result.returncode == 0, result.stderr
    return [np.array(rows) for rows in json.loads(result.stdout)]


def layered(sizes, activations, seed=0, skip=False, kinds=None) -> Network:
    layers = [Layer(s, a) for s, a in zip(sizes, activations, strict=True)]
    for k, (a, b) in enumerate(zip(layers, layers[1:], strict=False)):
        a.project(b, (kinds or {}).get(k, "all_to_all"))
    if skip:
        layers[0].project(layers[-1])
    net = Network.from_graph(Graph.from_layers(layers[0], layers[1:-1], layers[-1]), seed=seed)
    rng = np.random.default_rng(seed)
    net.params[:] = rng.normal(0, 0.8, net.params.size)  # weights and biases away from their initial values
    for conn_id, mask in net.masks.items():  # one_to_one keeps its zeros outside the diagonal
        if mask is not None:
            net.weights[conn_id] *= mask
    return net


def raw_rows(n_inputs: int, seed: int = 5) -> np.ndarray:
    return np.random.default_rng(seed).normal([10.0] * n_inputs, 3.0, (12, n_inputs))


SYNAPTIC_CASES = {
    "tanh-identity with skip": dict(sizes=[3, 5, 2], activations=["logistic", "tanh", "identity"], skip=True),
    "logistic-relu-step": dict(sizes=[2, 4, 3, 2], activations=["logistic", "logistic", "relu", "logistic"]),
    "one_to_one hidden": dict(sizes=[3, 4, 4, 1], activations=["logistic", "tanh", "relu", "identity"],
                              kinds={1: "one_to_one"}),
}
BRAIN_CASES = {
    "sigmoid 4-6-3": dict(sizes=[4, 6, 3], activations=["logistic"] * 3),
    "tanh 2-4-3-2": dict(sizes=[2, 4, 3, 2], activations=["tanh"] * 4),
    "relu 3-5-2": dict(sizes=[3, 5, 2], activations=["relu"] * 3),
}


@pytest.mark.parametrize("scaled", [False, True], ids=["raw", "scaled"])
def test_exports_run_in_the_real_libraries(node_modules, tmp_path, scaled) -> None:
    cases, expected = [], []
    for library, table, to_json in (("synaptic", SYNAPTIC_CASES, synaptic_json), ("brain", BRAIN_CASES, brain_json)):
        for name, spec in table.items():
            net = layered(**spec)
            X = raw_rows(net.n_inputs)
            scaling = fit_scaling("standard", X) if scaled else None
            path = tmp_path / f"{library}-{name.replace(' ', '_')}.json"
            path.write_text(json.dumps(to_json(net, scaling)))
            cases.append({"library": library, "file": str(path), "inputs": X.tolist(), "name": name})
            expected.append(net.predict(X if scaling is None else scaling.apply(X)))
    outputs = run_in_node(node_modules, tmp_path, cases)
    for case, got, want in zip(cases, outputs, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6, err_msg=f"{case['library']} {case['name']}")
        if case["library"] == "synaptic":  # float64 throughout: far closer than the promise
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_cli_exports_a_project_with_its_scaling(node_modules, tmp_path, capsys) -> None:
    net = layered([2, 3, 1], ["logistic"] * 3, seed=2)
    X = raw_rows(2)
    scaling = fit_scaling("minmax", X)
    project = Project(graph=net.graph, dataset=Dataset(scaling.apply(X), np.zeros((12, 1)), scaling=scaling),
                      weights=net.param_dict())
    save_project(project, tmp_path / "p.nnstudio")
    for fmt in ("synaptic", "brain"):
        assert main(["export", str(tmp_path / "p.nnstudio"), str(tmp_path / f"{fmt}.json"), "--format", fmt]) == 0
        assert f"wrote {tmp_path / f'{fmt}.json'}" in capsys.readouterr().out
    got = run_in_node(node_modules, tmp_path, [
        {"library": fmt, "file": str(tmp_path / f"{fmt}.json"), "inputs": X.tolist()} for fmt in ("synaptic", "brain")])
    for rows in got:
        np.testing.assert_allclose(rows, net.predict(scaling.apply(X)), atol=1e-6)


@pytest.mark.parametrize(
    "spec, to_json, reason",
    [
        (dict(sizes=[4, 8, 3], activations=["logistic", "tanh", "softmax"]), synaptic_json,
         "Synaptic has no softmax activation \\(layer L3\\).*output layer logistic.*or export ONNX"),
        (dict(sizes=[2, 3, 1], activations=["logistic", "leaky_relu", "logistic"]), synaptic_json,
         "Synaptic has no leaky_relu"),
        (dict(sizes=[2, 3, 1], activations=["logistic"] * 3, skip=True), brain_json,
         "plain chain of layers; L3 is fed by L1, L2"),
        (dict(sizes=[2, 3, 1], activations=["logistic", "tanh", "logistic"]), brain_json,
         "one activation for every layer.*logistic, tanh"),
        (dict(sizes=[2, 3, 1], activations=["leaky_relu"] * 3), brain_json, "no leaky_relu activation"),
        (dict(sizes=[2, 3, 1], activations=["identity"] * 3), brain_json, "no identity activation"),
    ],
)
def test_what_a_library_cannot_express_is_refused_with_the_reason(spec, to_json, reason) -> None:
    with pytest.raises(JsExportError, match=reason):
        to_json(layered(**spec))


def test_cli_refusal_is_one_line(tmp_path, capsys) -> None:
    net = layered([4, 8, 3], ["logistic", "tanh", "softmax"])
    save_project(Project(graph=net.graph, dataset=Dataset(np.zeros((1, 4)), [[1, 0, 0]])), tmp_path / "p.nnstudio")
    assert main(["export", str(tmp_path / "p.nnstudio"), str(tmp_path / "o.json"), "--format", "brain"]) == 2
    assert "brain.js" in capsys.readouterr().err and not (tmp_path / "o.json").exists()
    assert main(["export", str(tmp_path / "p.nnstudio"), str(tmp_path / "o.onnx"), "--format", "brain"]) == 2
