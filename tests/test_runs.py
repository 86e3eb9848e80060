"""The run list: recorded by ``nnstudio train --out``, kept in the project file (bounded), and compared."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nnstudio.cli import main
from nnstudio.core.history import ErrorHistory
from nnstudio.core.runs import (
    MAX_CURVE_POINTS,
    MAX_RUN_PARAMETERS,
    MAX_RUNS,
    add_run,
    downsample,
    record_run,
    run_differences,
    topology_summary,
    weights_problem,
)
from nnstudio.io.project import ProjectError, load_project, project_from_dict, save_project

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def a_record(project, rate=0.1, epochs=1000, init_seed=0):
    net = project.build_network()
    curve = ErrorHistory()
    curve.extend(1, np.linspace(0.5, 0.1, epochs))
    curve.add_test(epochs, 0.2)
    return record_run(net, project.dataset, replace(project.settings, rate=rate), curve, init=project.init,
                      init_seed=init_seed, data_seed=project.data_seed, reason="max_epochs", seconds=1.5)


def test_a_record_holds_the_downsampled_curve_and_the_final_figures() -> None:
    project = load_project(SAMPLES / "circle.nnstudio")
    run = a_record(project, epochs=5000)
    assert len(run.epochs) == len(run.train) <= MAX_CURVE_POINTS
    assert run.epochs[0] == 1 and run.epochs[-1] == 5000 and run.train[-1] == pytest.approx(0.1)
    assert run.train_error == pytest.approx(0.1) and run.test_error == 0.2 and run.epochs_trained == 5000
    assert 0.0 <= run.accuracy <= 1.0 and 0.0 <= run.test_accuracy <= 1.0
    assert run.topology == "2-4-1 (tanh, logistic)" and run.ended.endswith("+00:00")


def test_downsample_keeps_the_ends_and_turns_nan_into_null() -> None:
    epochs, values = downsample(list(range(1, 1001)), [float("nan")] + [1.0] * 999, limit=10)
    assert len(epochs) == 10 and epochs[0] == 1 and epochs[-1] == 1000 and values[0] is None


def test_the_run_list_survives_save_and_load_and_stays_bounded(tmp_path) -> None:
    project = load_project(SAMPLES / "circle.nnstudio")
    for k in range(MAX_RUNS + 5):
        add_run(project.runs, a_record(project, rate=0.01 * (k + 1), epochs=50))
    assert len(project.runs) == MAX_RUNS and project.runs[0].settings.rate == pytest.approx(0.06)
    save_project(project, tmp_path / "p.nnstudio")
    back = load_project(tmp_path / "p.nnstudio")
    assert [r.to_dict() for r in back.runs] == [r.to_dict() for r in project.runs]
    data = json.loads((tmp_path / "p.nnstudio").read_text())
    data["runs"].append(data["runs"][0])
    with pytest.raises(ProjectError, match=f"the limit is {MAX_RUNS}") as info:
        project_from_dict(data)
    assert info.value.field == "runs"


def test_files_without_runs_are_saved_as_before() -> None:
    project = load_project(SAMPLES / "xor.nnstudio")
    assert project.runs == [] and "runs" not in project.to_dict()


@pytest.mark.parametrize("change, field, message", [
    (lambda r: r["settings"].update(rate=-1), "runs[0].settings", "must be a number above 0"),
    (lambda r: r["seeds"].update(init=-3), "runs[0].seeds", "whole numbers"),
    (lambda r: r.update(reason="bored"), "runs[0].reason", "unknown stop reason"),
    (lambda r: r.update(features=["x1", "x1"]), "runs[0].features", "listed twice"),
    (lambda r: r["curve"].update(epochs=list(range(1, 302)), train=[0.1] * 301), "runs[0].curve.epochs",
     f"the limit is {MAX_CURVE_POINTS}"),
    (lambda r: r["curve"].update(train=[0.1]), "runs[0].curve.train", "of one length"),
    (lambda r: r["final"].update(accuracy="high"), "runs[0].final", "numbers or null"),
    (lambda r: r.pop("topology"), "runs[0].topology", "missing"),
    (lambda r: r.update(colour="red"), "runs[0].colour", "not a field"),
    (lambda r: r.update(weights=[]), "runs[0].weights", "expected an object"),
    (lambda r: r["weights"]["biases"].update(L2=["x", 1, 2, 3]), "runs[0].weights.biases['L2']", "finite numbers"),
    (lambda r: r["weights"]["connections"].update(big=[[0.0] * 100] * 101), "runs[0].weights", "MAX_RUN_PARAMETERS"),
])
def test_the_loader_names_what_is_wrong_with_a_run(change, field, message) -> None:
    project = load_project(SAMPLES / "circle.nnstudio")
    add_run(project.runs, a_record(project, epochs=20))
    data = project.to_dict()
    change(data["runs"][0])
    with pytest.raises(ProjectError, match=message) as info:
        project_from_dict(data)
    assert info.value.field == field


def test_the_diff_names_what_differs() -> None:
    project = load_project(SAMPLES / "circle.nnstudio")
    a, b = a_record(project, rate=0.1), a_record(project, rate=0.3, init_seed=7)
    b.settings = replace(b.settings, optimizer="sgd")
    assert run_differences([a, b]) == {"rate": [0.1, 0.3], "optimizer": ["adam", "sgd"], "init seed": [0, 7]}
    assert run_differences([a, a_record(project, rate=0.1)]) == {}
    project.graph.set_layer(project.graph.topological_order()[1], size=8)
    c = a_record(project, rate=0.1)
    assert run_differences([a, c]) == {"topology": ["2-4-1 (tanh, logistic)", "2-8-1 (tanh, logistic)"]}


def test_topology_summary_counts_connections_beyond_a_chain() -> None:
    graph = load_project(SAMPLES / "xor-skip-2-1-1.nnstudio").graph
    assert topology_summary(graph).endswith(f", {len(graph.connections)} connections")


def test_train_out_appends_its_run(tmp_path, capsys) -> None:
    first, second = tmp_path / "a.nnstudio", tmp_path / "b.nnstudio"
    assert main(["train", str(SAMPLES / "xor.nnstudio"), "--epochs", "300", "--out", str(first)]) == 0
    assert main(["train", str(first), "--epochs", "200", "--rate", "0.7", "--out", str(second)]) == 0
    capsys.readouterr()
    runs = load_project(second).runs
    assert [r.epochs_trained for r in runs] == [300, 200] and runs[1].settings.rate == 0.7
    assert runs[1].reason == "max_epochs" and runs[1].train_error is not None and runs[1].accuracy is not None
    assert "rate" in run_differences(runs) and "max epochs" in run_differences(runs)
    assert load_project(SAMPLES / "xor.nnstudio").runs == []  # the input file is not touched


def test_a_run_keeps_its_final_weights_to_restore_them(tmp_path) -> None:
    project = load_project(SAMPLES / "circle.nnstudio")
    run = a_record(project)
    assert set(run.weights) == set(project.build_network().param_dict()) and weights_problem(run, project.graph) is None
    add_run(project.runs, run)
    save_project(project, tmp_path / "p.nnstudio")
    back = load_project(tmp_path / "p.nnstudio").runs[0]
    for key, block in run.weights.items():
        np.testing.assert_array_equal(back.weights[key], block)
    project.weights = back.weights  # what restoring does: the network then has the run's final weights
    restored = project.build_network().param_dict()
    assert all(np.array_equal(restored[key], block) for key, block in run.weights.items())
    project.graph.set_layer(project.graph.topological_order()[1], size=5)
    assert "trained on another network" in weights_problem(back, project.graph)


def test_large_networks_keep_no_weights_in_the_run_list() -> None:
    project = load_project(SAMPLES / "circle.nnstudio")
    project.graph.set_layer(project.graph.topological_order()[1], size=5000)
    assert project.build_network().n_params > MAX_RUN_PARAMETERS
    run = a_record(project, epochs=5)
    assert run.weights is None and "not kept" in weights_problem(run, project.graph)
