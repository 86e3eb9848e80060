"""Bad project files: every load either succeeds (with a usable project) or raises ProjectError.

A hypothesis test mutates valid files (deleted keys, changed types, NaN,
wrong shapes, future versions, random bytes, truncation); explicit cases
cover issue 5's list, each with the field the message must name.
"""

import copy
import json
import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnstudio.cli import main
from nnstudio.core import TopologyError, TrainingRun
from nnstudio.io import project as project_module
from nnstudio.io.project import ProjectError, load_project, project_from_bytes, save_project

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _trained_document() -> dict:
    """The XOR sample with weights and a history, so that every section is present."""
    project = load_project(SAMPLES / "xor.nnstudio")
    net = project.build_network()
    project.weights = net.param_dict()
    project.history.extend(1, np.array([0.3, 0.2, 0.1]))
    project.history.add_test(2, 0.25)
    return json.loads(json.dumps(project.to_dict()))


VALID = [_trained_document(), json.loads((SAMPLES / "xor-skip-2-1-1.nnstudio").read_text()),
         json.loads((SAMPLES / "circle.nnstudio").read_text())]


def _paths(node, prefix=()) -> list[tuple]:
    """Every key/index path inside a JSON document (large number tables are sampled by their first rows)."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:3]):
            out += _paths(v, (*prefix, i))
    return out


def _parent(doc, path):
    for key in path[:-1]:
        doc = doc[key]
    return doc


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**20) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=10,
)


@st.composite
def mutated_documents(draw) -> bytes:
    doc = copy.deepcopy(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(doc, path), path[-1]
        action = draw(st.sampled_from(["delete", "replace", "replace", "replace", "nan", "future", "reshape"]))
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(json_values)
        elif action == "nan":
            parent[key] = draw(st.sampled_from([math.nan, math.inf, -math.inf]))
        elif action == "future":
            doc["version"] = draw(st.integers(2, 10**9))
        elif action == "reshape" and isinstance(parent[key], list):
            parent[key] = parent[key][:-1] if parent[key] and draw(st.booleans()) else [*parent[key], 0.5]
    raw = json.dumps(doc, allow_nan=True).encode()
    damage = draw(st.sampled_from(["none", "none", "none", "truncate", "bytes"]))
    if damage == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif damage == "bytes":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    return raw


def _load_or_project_error(path: Path) -> None:
    try:
        project = load_project(path)
    except ProjectError as exc:
        assert str(exc)  # a message, never empty
        return
    # a file that loads must be usable: its network builds, evaluates its dataset and trains on it,
    ds = project.dataset
    assert ds.kind in ("classification", "regression") and isinstance(ds.name, str)
    assert len(ds.input_names) == ds.n_inputs and all(isinstance(n, str) for n in ds.input_names)
    assert len(ds.output_names) == ds.n_outputs and all(isinstance(n, str) for n in ds.output_names)
    # unfinished work loads too: then building names the problem, as the app's validation list does
    problems = project.graph.problems()
    if problems:
        with pytest.raises(TopologyError, match=re.escape(problems[0])):
            project.build_network()
        return
    net = project.build_network()
    if (net.n_inputs, net.n_outputs) != (ds.n_inputs, ds.n_outputs):
        with pytest.raises(ValueError, match="the dataset has"):
            TrainingRun(net, ds)
        return
    assert net.predict(project.dataset.X).shape == project.dataset.Y.shape
    settings = replace(project.settings, epochs=2, max_seconds=0.0)
    with np.errstate(all="ignore"):
        TrainingRun(net, project.dataset, settings).run()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=mutated_documents())
def test_mutated_files_load_or_raise_project_error(raw, tmp_path_factory) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz.nnstudio"
    path.write_bytes(raw)
    _load_or_project_error(path)


@settings(max_examples=100, deadline=None)
@given(raw=st.binary(max_size=300))
def test_random_bytes_raise_project_error(raw) -> None:
    try:
        project_from_bytes(raw)
    except ProjectError:
        return
    pytest.fail(f"random bytes loaded as a project: {raw!r}")


# -- issue 5's list, one by one -----------------------------------------------------------
def _doc() -> dict:
    return copy.deepcopy(VALID[0])


def _with(change) -> bytes:
    doc = _doc()
    change(doc)
    return json.dumps(doc, allow_nan=True).encode()


def _cycle(doc) -> None:
    doc["graph"]["layers"][1]["role"] = "hidden"
    doc["graph"]["connections"].append({"id": "back", "source": "L2", "target": "L2", "kind": "all_to_all"})


def _layer_cycle(doc) -> None:
    layers = doc["graph"]["layers"]
    layers.append({**layers[1], "id": "L9", "name": "Loop"})
    doc["graph"]["connections"] += [{"id": "a", "source": "L2", "target": "L9", "kind": "all_to_all"},
                                    {"id": "b", "source": "L9", "target": "L2", "kind": "all_to_all"}]


CASES = {
    "empty": (b"", "empty"),
    "whitespace": (b"  \n ", "empty"),
    "truncated": (json.dumps(_doc()).encode()[:200], "not valid JSON"),
    "binary junk": (bytes(range(256)) * 4, "not text"),
    "not an object": (b"[1, 2, 3]", "expected a JSON object"),
    "other format": (_with(lambda d: d.update(format="synaptic")), "format"),
    "wrong type": (_with(lambda d: d["graph"]["layers"][0].update(size="2")), "graph.layers[0].size"),
    "bool for int": (_with(lambda d: d["graph"]["layers"][0].update(size=True)), "graph.layers[0].size"),
    "missing field": (_with(lambda d: d["graph"]["layers"][1].pop("activation")), "graph.layers[1].activation"),
    "missing graph": (_with(lambda d: d.pop("graph")), "graph: missing"),
    "unknown activation": (_with(lambda d: d["graph"]["layers"][1].update(activation="sigmod")),
                           "unknown activation 'sigmod'"),
    "self loop": (_with(_cycle), "graph"),
    "cycle": (_with(_layer_cycle), "cycle"),
    "wrong shape weights": (_with(lambda d: d["weights"]["connections"]["L1->L2"].pop()), "expected shape 2×3"),
    "NaN weights": (_with(lambda d: d["weights"]["connections"]["L1->L2"][0].__setitem__(0, math.nan)), "NaN"),
    "NaN string": (_with(lambda d: d["weights"]["biases"]["L2"].__setitem__(0, "NaN")), "weights.biases"),
    "future version": (_with(lambda d: d.update(version=2)), "newer nnstudio"),
    "dataset too narrow": (_with(lambda d: d["dataset"].update(inputs=[[0]] * 4)), "dataset"),
    "bad settings": (_with(lambda d: d["settings"].update(rate=-1)), "settings"),
    "settings type": (_with(lambda d: d["settings"].update(schedule=[1])), "settings.schedule"),
    "test part rows": (_with(lambda d: d["dataset"].update(test_inputs=[[0, 0]], test_targets=[[1], [0]])),
                       "test part"),
    "column names": (_with(lambda d: d["dataset"].update(input_names=["a"])), "dataset.input_names"),
    "dataset kind": (_with(lambda d: d["dataset"].update(kind=3)), "dataset.kind"),
    "deep nesting": (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
}


@pytest.mark.parametrize("name", CASES)
def test_issue_cases_name_the_problem(name, tmp_path) -> None:
    raw, words = CASES[name]
    path = tmp_path / f"{name}.nnstudio"
    path.write_bytes(raw)
    with pytest.raises(ProjectError, match=words.replace("(", r"\(").replace("[", r"\[")):
        load_project(path)


def test_huge_file_is_refused_before_reading(tmp_path) -> None:
    path = tmp_path / "huge.nnstudio"
    with open(path, "wb") as fh:  # sparse: no disk space used, nothing is read
        fh.truncate(project_module.MAX_FILE_BYTES + 1)
    with pytest.raises(ProjectError, match="MB are refused"):
        load_project(path)


def test_limit_is_a_module_setting(tmp_path, monkeypatch) -> None:
    path = tmp_path / "xor.nnstudio"
    save_project(load_project(SAMPLES / "xor.nnstudio"), path)
    monkeypatch.setattr(project_module, "MAX_FILE_BYTES", 100)
    with pytest.raises(ProjectError, match="refused"):
        load_project(path)


def test_valid_documents_load() -> None:
    for doc in VALID:
        project_from_bytes(json.dumps(doc).encode()).build_network()


def test_cli_bad_file_is_one_line_exit_2(tmp_path, capsys) -> None:
    path = tmp_path / "bad.nnstudio"
    path.write_bytes(CASES["unknown activation"][0])
    assert main(["train", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "graph.layers[1].activation: unknown activation 'sigmod'" in err
    assert "Traceback" not in err
