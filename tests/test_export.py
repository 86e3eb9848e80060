"""Exporters: every format reproduces nnstudio's own outputs; the CLI writes them by extension."""

import csv
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from c_harness import build_predictor, run_predictor

from nnstudio.cli import main
from nnstudio.core import Graph, Layer, Network, datasets
from nnstudio.core.history import ErrorHistory
from nnstudio.io import export_onnx
from nnstudio.io.export import EXPORT_FORMATS, export_project
from nnstudio.io.importers import WeightsError, load_weights
from nnstudio.io.project import Project, save_project

DOCS = Path(__file__).resolve().parents[1] / "docs"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def dag_project(seed: int = 3) -> Project:
    """A DAG with a skip connection, fan-in, one_to_one and all_to_else, and every activation."""
    g = Graph()
    add = lambda lid, size, act, role="hidden", bias=True: (
        g.add_layer(  # noqa: E731
            Layer(size, act, bias, lid.title(), role=role, id=lid)
        ).id
    )
    x = add("in", 3, "identity", "input")
    t = add("tanh", 4, "tanh")
    r = add("relu", 4, "relu")
    lk = add("leaky", 4, "leaky_relu", bias=False)
    sp = add("soft", 4, "softplus")
    st = add("step", 3, "step")
    lg = add("logi", 3, "logistic")
    out = add("out", 3, "softmax", "output")
    reg = add("reg", 2, "identity", "output")
    g.connect(x, t)
    g.connect(t, r)
    g.connect(r, lk, "one_to_one")
    g.connect(lk, sp, "all_to_else")
    g.connect(x, st)
    g.connect(st, lg)
    g.connect(sp, out)
    g.connect(x, out)  # skip connection: input → output
    g.connect(lg, out)  # fan-in of three layers
    g.connect(t, reg)
    net = Network.from_graph(g, seed=seed)
    rng = np.random.default_rng(seed)
    net.set_params(rng.normal(0, 1.2, net.n_params))  # biases and all: nothing left at zero
    X = rng.normal(0, 1, (6, 3))
    ds = datasets.Dataset(X, np.zeros((6, 5)))
    return Project(graph=g, dataset=ds, weights=net.param_dict(), name="dag")


@pytest.fixture
def project() -> Project:
    return dag_project()


def rows() -> np.ndarray:
    rng = np.random.default_rng(11)
    return np.vstack([rng.normal(0, 2, (12, 3)), np.zeros((1, 3)), [[40.0, -35.0, 12.0]]])


def test_formats_table() -> None:
    assert set(EXPORT_FORMATS) == {".json", ".npz", ".onnx", ".py", ".h", ".csv"}


def test_unknown_extension_names_the_supported_ones(project, tmp_path) -> None:
    with pytest.raises(ValueError, match=r"\.txt.*supported: \.json, \.npz, \.onnx, \.py, \.h, \.csv"):
        export_project(project, tmp_path / "net.txt")


# -- weights JSON / npz --------------------------------------------------------------
def test_weights_json_schema(project, tmp_path) -> None:
    path = tmp_path / "w.json"
    export_project(project, path)
    doc = json.loads(path.read_text())
    assert (doc["format"], doc["version"]) == ("nnstudio-weights", 1)
    net = project.build_network()
    assert doc["inputs"] == ["In"] and doc["outputs"] == [layer.name for layer in net.output_layers]
    assert sorted(doc["outputs"]) == ["Out", "Reg"]
    names = [layer["name"] for layer in doc["layers"]]
    for conn in doc["connections"]:  # evaluation order: every source comes before its target
        assert names.index(conn["from"]) < names.index(conn["to"])
        sizes = {layer["name"]: layer["size"] for layer in doc["layers"]}
        assert np.array(conn["weights"]).shape == (sizes[conn["from"]], sizes[conn["to"]])
    layers = {layer["name"]: layer for layer in doc["layers"]}
    assert layers["In"]["activation"] is None and layers["In"]["bias"] is None
    assert layers["Leaky"]["bias"] is None and len(layers["Out"]["bias"]) == 3
    one = next(c for c in doc["connections"] if c["kind"] == "one_to_one")
    assert np.array_equal(np.array(one["weights"]) != 0, np.eye(4, dtype=bool))


def _snippet(path: Path, after: str) -> str:
    block = path.read_text().split(after, 1)[1]
    return re.search(r"```python\n(.*?)```", block, re.S).group(1)


SNIPPETS = {
    "docs/weights-format.md": lambda: _snippet(
        DOCS / "weights-format.md", "## Evaluating a weights file with plain NumPy"
    ),
    "README.md": lambda: _snippet(DOCS.parent / "README.md", "Evaluating one needs nothing but NumPy"),
}


@pytest.mark.parametrize("where", list(SNIPPETS))
def test_documented_numpy_snippet_evaluates_the_export(project, tmp_path, where) -> None:
    path = tmp_path / "w.json"
    export_project(project, path)
    namespace: dict = {}
    exec(SNIPPETS[where](), namespace)  # the exact code shown to users
    X = rows()
    with np.errstate(over="ignore"):
        got = namespace["evaluate"](str(path), X)
    np.testing.assert_allclose(got, project.build_network().predict(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("ext", [".json", ".npz"])
def test_weights_round_trip_into_a_fresh_network(project, tmp_path, ext) -> None:
    path = tmp_path / f"w{ext}"
    export_project(project, path)
    fresh = Network.from_graph(project.graph, seed=99)
    assert not np.allclose(fresh.params, project.build_network().params)
    load_weights(fresh, path)
    np.testing.assert_array_equal(fresh.params, project.build_network().params)


def test_npz_holds_arrays_by_layer_name(project, tmp_path) -> None:
    path = tmp_path / "w.npz"
    export_project(project, path)
    with np.load(path, allow_pickle=False) as data:
        assert data["W:In->Tanh"].shape == (3, 4) and data["b:Out"].shape == (3,)
        assert "b:Leaky" not in data.files
        assert sorted(json.loads(str(data["meta"]))["outputs"]) == ["Out", "Reg"]


def _xor_net(hidden: int) -> Network:
    a, h, o = Layer(2, role="input", name="Input"), Layer(hidden, name="Hidden"), Layer(1, name="Output")
    a.project(h)
    h.project(o)
    return Network(input=a, hidden=[h], output=o, seed=1)


def test_weights_mismatch_names_the_layer_and_both_shapes(tmp_path) -> None:
    path = tmp_path / "w.json"
    export_project(Project(graph=_xor_net(4).graph), path)
    with pytest.raises(WeightsError, match=r"layer 'Hidden'.*4 in the file, 3 in the network"):
        load_weights(_xor_net(3), path)


def test_weights_file_problems_are_weights_errors(tmp_path) -> None:
    net = _xor_net(3)
    bad = tmp_path / "bad.json"
    for text, message in [
        ("{", "not a JSON file"),
        ('{"format": "other"}', "not an nnstudio weights file"),
        ('{"format": "nnstudio-weights", "version": 9}', "version 9"),
        ('{"format": "nnstudio-weights", "version": 1, "layers": 3}', "layers: missing or not a list"),
    ]:
        bad.write_text(text)
        with pytest.raises(WeightsError, match=message):
            load_weights(net, bad)


def test_npz_problems_are_weights_errors(project, tmp_path) -> None:
    net = project.build_network()
    good = tmp_path / "w.npz"
    export_project(project, good)
    for name, raw, message in [
        ("junk.npz", b"not a zip", "not a readable .npz"),
        ("cut.npz", good.read_bytes()[:300], "not a readable .npz"),
    ]:
        (tmp_path / name).write_bytes(raw)
        with pytest.raises(WeightsError, match=message):
            load_weights(net, tmp_path / name)
    with pytest.raises(WeightsError, match="cannot read"):
        load_weights(net, tmp_path / "missing.npz")
    np.savez(tmp_path / "plain.npz", a=np.zeros(2))
    with pytest.raises(WeightsError, match="no 'meta' entry"):
        load_weights(net, tmp_path / "plain.npz")


def test_duplicate_layer_names_are_refused(tmp_path) -> None:
    """Formats that name layers cannot hold two of the same name (the graph reports it as a problem too)."""
    graph = Graph()
    graph.add_layer(Layer(2, role="input", name="Same", id="a"))
    graph.add_layer(Layer(2, name="Same", id="h"))
    graph.add_layer(Layer(1, role="output", name="Out", id="o"))
    graph.connect("a", "h")
    graph.connect("h", "o")
    with pytest.raises(ValueError, match="layers are called 'Same'"):
        export_project(Project(graph=graph), tmp_path / "w.json")


# -- ONNX --------------------------------------------------------------------------------
def test_onnx_matches_nnstudio_in_onnxruntime(project, tmp_path) -> None:
    ort = pytest.importorskip("onnxruntime")
    import onnx

    path = tmp_path / "net.onnx"
    export_project(project, path)
    model = onnx.load(path)
    assert model.opset_import[0].version >= 13
    assert [i.name for i in model.graph.input] == ["In"]
    net = project.build_network()
    assert [o.name for o in model.graph.output] == [layer.name for layer in net.output_layers]
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].type == "tensor(float)"  # float32 by default
    X = rows()
    got = np.hstack(session.run(None, {"In": X.astype(np.float32)}))
    np.testing.assert_allclose(got, net.predict(X), rtol=1e-5, atol=1e-5)
    export_project(project, path, dtype="float64")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].type == "tensor(double)"
    np.testing.assert_allclose(np.hstack(session.run(None, {"In": X})), net.predict(X), rtol=1e-12, atol=1e-12)


def test_onnx_without_the_package_says_how_to_install(project, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # makes "import onnx" raise ImportError
    with pytest.raises(RuntimeError, match=re.escape("ONNX export needs the onnx package: pip install nnstudio[onnx]")):
        export_project(project, tmp_path / "net.onnx")
    assert export_onnx.MISSING_ONNX.startswith("ONNX export needs the onnx package")


# -- standalone Python -----------------------------------------------------------------
def test_standalone_python_matches(project, tmp_path) -> None:
    path = tmp_path / "standalone_net.py"
    export_project(project, path)
    source = path.read_text()
    imports = set(re.findall(r"^\s*(?:import|from)\s+(\w+)", source, re.M))
    assert imports == {"math"}
    spec = importlib.util.spec_from_file_location("standalone_net", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    net = project.build_network()
    assert source == net.standalone()
    for x in rows():
        got = module.predict(list(x))
        assert isinstance(got, list) and len(got) == 5
        np.testing.assert_allclose(got, net.predict(x), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="expected 3 inputs"):
        module.predict([1.0])


# -- C header ----------------------------------------------------------------------------
def test_c_header_compiles_and_matches(project, tmp_path) -> None:
    export_project(project, tmp_path / "net.h")
    assert "void nnstudio_predict(const double *input, double *output)" in (tmp_path / "net.h").read_text()
    exe = build_predictor(tmp_path)
    net = project.build_network()
    for x in rows():
        np.testing.assert_allclose(run_predictor(exe, x), net.predict(x), rtol=1e-12, atol=1e-12)


# -- CSV ---------------------------------------------------------------------------------
def test_history_csv(tmp_path) -> None:
    history = ErrorHistory()
    history.extend(1, np.array([0.5, 0.25, 0.125]))
    history.add_test(2, 0.3)
    project = Project(graph=_xor_net(2).graph, history=history)
    export_project(project, tmp_path / "h.csv")
    with open(tmp_path / "h.csv", newline="") as fh:
        table = list(csv.reader(fh))
    assert table == [["epoch", "train", "test"], ["1", "0.5", ""], ["2", "0.25", "0.3"], ["3", "0.125", ""]]
    export_project(Project(graph=_xor_net(2).graph, history=ErrorHistory()), tmp_path / "empty.csv")
    assert (tmp_path / "empty.csv").read_text().splitlines() == ["epoch,train"]


# -- CLI ---------------------------------------------------------------------------------
@pytest.mark.parametrize("ext", [".json", ".npz", ".onnx", ".py", ".h", ".csv"])
def test_cli_export_writes_each_format(project, tmp_path, capsys, ext) -> None:
    source = tmp_path / "dag.nnstudio"
    save_project(project, source)
    out = tmp_path / f"dag{ext}"
    assert main(["export", str(source), str(out)]) == 0
    assert out.stat().st_size > 0
    assert f"wrote {out}" in capsys.readouterr().out


def test_cli_export_of_a_sample_evaluates_like_predict(tmp_path, capsys) -> None:
    out = tmp_path / "xor.py"
    assert main(["export", str(SAMPLES / "xor.nnstudio"), str(out)]) == 0
    namespace: dict = {}
    exec(out.read_text(), namespace)
    capsys.readouterr()
    assert main(["predict", str(SAMPLES / "xor.nnstudio"), "1", "0", "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)["outputs"]
    np.testing.assert_allclose(namespace["predict"]([1, 0]), expected, rtol=1e-12)


@pytest.mark.parametrize(
    "args, message",
    [
        (["export", str(SAMPLES / "xor.nnstudio"), "out.txt"], "cannot export to '.txt'; supported: .json"),
        (["export", "missing.nnstudio", "out.json"], "missing.nnstudio: cannot read"),
        (["export", str(SAMPLES / "xor.nnstudio"), "/nonexistent-dir/out.json"], "cannot write /nonexistent-dir"),
    ],
)
def test_cli_export_errors_are_one_line(args, message) -> None:
    result = subprocess.run([sys.executable, "-m", "nnstudio", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


# -- Python API and layering ------------------------------------------------------------
def test_network_to_json_from_json_round_trip(project) -> None:
    net = project.build_network()
    twin = Network.from_json(json.loads(json.dumps(net.to_json())))
    X = rows()
    np.testing.assert_array_equal(twin.predict(X), net.predict(X))


def test_exporters_load_onnx_only_when_exporting_onnx() -> None:
    code = (
        "import sys, nnstudio.io.export, nnstudio.io.importers; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('onnx', 'onnxruntime', 'PySide6')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"
