"""Every sample trains through the CLI to the result its description documents."""

import json
from pathlib import Path

import numpy as np
import pytest

from nnstudio.cli import main
from nnstudio.core.metrics import accuracy
from nnstudio.io.project import load_project

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _accuracy(outputs, targets) -> float:
    return float(np.mean((np.asarray(outputs) > 0.5) == (np.asarray(targets) > 0.5)))


def _rounds_to_targets(report, project) -> None:
    assert np.array_equal(np.round(report["outputs"]), report["targets"])


def _stops_below(bound):
    def check(report, project) -> None:
        assert report["reason"] == "target_error" and report["error"] < bound
        _rounds_to_targets(report, project)
    return check


def _single_neuron(report, project) -> None:
    assert report["outputs"][0][0] < 0.01


def _test_accuracy(train_min, test_min):
    def check(report, project) -> None:
        ds = project.dataset
        assert _accuracy(report["outputs"], report["targets"]) >= train_min
        assert _accuracy(project.build_network().predict(ds.X_test), ds.Y_test) >= test_min
    return check


def _classes(test_min):
    def check(report, project) -> None:
        ds = project.dataset
        assert ds.class_names and report["test_accuracy"] >= test_min
        assert accuracy(project.build_network().predict(ds.X_test), ds.Y_test) == report["test_accuracy"]
    return check


def _sine(report, project) -> None:
    assert report["cost"] == "mse" and report["error"] < 1e-3


CHECKS = {
    "xor": _rounds_to_targets,
    "xor-2-2-1": _stops_below(0.01),
    "xor-no-bias-2-4-1": _rounds_to_targets,
    "xor-skip-2-1-1": _stops_below(0.01),
    "deep-6-4-3-1": _stops_below(0.01),
    "single-neuron": _single_neuron,
    "logic-gates": _stops_below(0.01),
    "circle": _test_accuracy(0.9, 0.9),
    "spiral": _test_accuracy(0.98, 0.9),
    "sine-regression": _sine,
    "iris": _classes(0.96),
    "digits": _classes(0.95),
}


def test_every_sample_file_is_checked() -> None:
    assert {p.stem for p in SAMPLES.glob("*.nnstudio")} == set(CHECKS)


@pytest.mark.parametrize("name", CHECKS)
def test_sample_reaches_documented_result(name, tmp_path, capsys) -> None:
    source = load_project(SAMPLES / f"{name}.nnstudio")
    assert source.weights is None and source.description  # ships untrained, with its documented result
    out = tmp_path / f"{name}.nnstudio"
    assert main(["train", str(SAMPLES / f"{name}.nnstudio"), "--json", "--out", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["epochs"] <= source.settings.epochs
    CHECKS[name](report, load_project(out))


@pytest.mark.parametrize("name", CHECKS)
def test_every_sample_opens_at_a_pace_you_can_watch(name) -> None:
    """Pressing Train on any sample shows the error fall for a while, not a finished run after a blink."""
    settings = load_project(SAMPLES / f"{name}.nnstudio").settings
    assert settings.speed > 0, f"{name} opens as fast as possible"
    assert settings.epochs / settings.speed >= 3  # at most this many epochs, paced: seconds to watch


def test_no_bias_sample_has_no_bias() -> None:
    project = load_project(SAMPLES / "xor-no-bias-2-4-1.nnstudio")
    assert not any(layer.bias for layer in project.graph.layers.values())
    s = project.settings
    assert (s.rate, s.epochs, s.batch_size, s.optimizer) == (0.5, 50000, None, "sgd")


def test_skip_sample_has_one_hidden_neuron_and_a_skip() -> None:
    graph = load_project(SAMPLES / "xor-skip-2-1-1.nnstudio").graph
    sizes = {layer.role: layer.size for layer in graph.layers.values()}
    assert sizes == {"input": 2, "hidden": 1, "output": 1}
    roles = {(graph.layers[c.source].role, graph.layers[c.target].role) for c in graph.connections.values()}
    assert ("input", "output") in roles
