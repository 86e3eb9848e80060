"""The .nnstudio project file: round trip, validation naming the field, atomic saves."""

import json
import os
import re

import numpy as np
import pytest

from nnstudio.core import Trainer, datasets
from nnstudio.io.project import ProjectError, default_project, load_project, save_project


def trained_project():
    project = default_project()
    net = project.build_network()
    result = Trainer(net).train(project.dataset, iterations=200, error=0)
    project.weights = net.param_dict()
    project.history.extend(1, result["errors"])
    return project, net


def test_round_trip_keeps_graph_settings_weights_outputs(tmp_path) -> None:
    project, net = trained_project()
    project.graph.layers["L2"].position = (111.5, 42.0)
    path = tmp_path / "p.nnstudio"
    save_project(project, path)
    back = load_project(path)
    assert back.graph.to_dict() == project.graph.to_dict()
    assert back.settings == project.settings
    assert (back.init, back.init_seed) == (project.init, project.init_seed)
    for key, value in project.weights.items():
        assert np.array_equal(back.weights[key], value)
    np.testing.assert_array_equal(back.build_network().predict(datasets.xor().X), net.predict(datasets.xor().X))
    np.testing.assert_array_equal(back.history.train, project.history.train)
    assert json.loads(path.read_text())["format"] == "nnstudio"


def test_untrained_project_builds_from_init_seed(tmp_path) -> None:
    project = default_project()
    path = tmp_path / "p.nnstudio"
    save_project(project, path)
    assert json.loads(path.read_text())["weights"] is None
    a, b = load_project(path).build_network(), project.build_network()
    assert np.array_equal(a.params, b.params)


def write(tmp_path, data) -> str:
    path = tmp_path / "bad.nnstudio"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def valid_dict():
    project, _ = trained_project()
    return project.to_dict()


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d.update(version=99), "version"),
        (lambda d: d.update(format="other"), "format"),
        (lambda d: d["graph"]["layers"][1].update(activation="sigmod"), "graph.layers[1].activation"),
        (lambda d: d["graph"]["layers"][0].update(size="two"), "graph.layers[0].size"),
        (lambda d: d["graph"]["layers"][2].pop("bias"), "graph.layers[2].bias"),
        (lambda d: d["graph"]["connections"][0].update(target="nowhere"), "graph.connections[0].target"),
        (lambda d: d["weights"]["connections"].update({"L1->L2": [[1, 2]]}), "weights.connections['L1->L2']"),
        (lambda d: d["settings"].update(rate=-1), "settings.rate"),
        (lambda d: d["dataset"].update(inputs=[[0, 0]] * 3), "dataset"),
        (lambda d: d.pop("graph"), "graph"),
    ],
)
def test_errors_name_the_field(tmp_path, mutate, field) -> None:
    data = valid_dict()
    mutate(data)
    with pytest.raises(ProjectError) as info:
        load_project(write(tmp_path, data))
    assert info.value.field == field
    assert str(info.value).startswith(field)


def test_cycle_in_file_is_refused(tmp_path) -> None:
    data = valid_dict()
    data["graph"]["layers"].append({"id": "L9", "name": "Loop", "role": "hidden", "size": 3, "activation": "tanh",
                                    "bias": True, "position": [0, 0]})
    data["graph"]["connections"] += [{"id": "a", "source": "L2", "target": "L9", "kind": "all_to_all"},
                                     {"id": "b", "source": "L9", "target": "L2", "kind": "all_to_all"}]
    with pytest.raises(ProjectError, match="cycle"):
        load_project(write(tmp_path, data))


@pytest.mark.parametrize("text, match", [("", "empty"), ('{"format": "nnst', "not valid JSON"), ("[1, 2]", "object")])
def test_broken_text(tmp_path, text, match) -> None:
    with pytest.raises(ProjectError, match=match):
        load_project(write(tmp_path, text))


def test_nan_and_binary(tmp_path) -> None:
    data = re.sub(r'"rate": [0-9.]+', '"rate": NaN', json.dumps(valid_dict()))
    with pytest.raises(ProjectError, match="NaN"):
        load_project(write(tmp_path, data))
    junk = tmp_path / "junk.nnstudio"
    junk.write_bytes(os.urandom(64) + b"\xff\xfe")
    with pytest.raises(ProjectError, match="not text"):
        load_project(junk)


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch) -> None:
    project, _ = trained_project()
    path = tmp_path / "p.nnstudio"
    save_project(project, path)
    before = path.read_bytes()

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError):
        save_project(project, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.nnstudio"]  # no temporary file left behind


def test_unfinished_work_reopens_as_it_was(tmp_path) -> None:
    """A graph that cannot train yet (dangling layer, resized input) still loads; building it says why."""
    from nnstudio.core import Layer
    from nnstudio.core.graph import TopologyError

    project = default_project()
    project.graph.add_layer(Layer(4, "tanh", name="Loose", id="L9"))
    project.graph.set_layer("L1", size=3)
    path = tmp_path / "draft.nnstudio"
    save_project(project, path)
    back = load_project(path)
    assert back.graph.to_dict() == project.graph.to_dict()
    with pytest.raises(TopologyError, match="Loose has no incoming connection"):
        back.build_network()


def test_byte_order_mark_is_accepted_and_json_errors_read_well(tmp_path) -> None:
    project, _ = trained_project()
    path = tmp_path / "bom.nnstudio"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(project.to_dict()).encode())
    assert load_project(path).graph.to_dict() == project.graph.to_dict()
    path.write_text('{"format": "nnstudio", "name": "unfinished')
    with pytest.raises(ProjectError, match=r"not valid JSON: unterminated string \(line 1, column 32\)"):
        load_project(path)


def test_precision_round_trips_and_old_files_load_as_float64(tmp_path) -> None:
    project = default_project()
    project.settings.dtype = "float32"
    path = tmp_path / "p.nnstudio"
    save_project(project, path)
    assert load_project(path).settings.dtype == "float32"
    data = json.loads(path.read_text())
    del data["settings"]["dtype"]
    path.write_text(json.dumps(data))
    assert load_project(path).settings.dtype == "float64"
    data["settings"]["dtype"] = "float16"
    path.write_text(json.dumps(data))
    with pytest.raises(ProjectError, match="dtype"):
        load_project(path)
