"""Train/test split (seeded, stratified), input scaling, fitting a network to data, and their storage."""

import numpy as np
import pytest

from nnstudio.core import Network, datasets
from nnstudio.core.data_prep import prepare, split_rows
from nnstudio.core.datasets import Dataset, DatasetError
from nnstudio.core.fitting import network_for_data, output_choice, plan_fit
from nnstudio.core.graph import TopologyError
from nnstudio.core.scaling import InputScaling, fit_scaling
from nnstudio.core.training import TrainSettings
from nnstudio.io.project import ProjectError, default_project, load_project, project_from_dict, save_project


def three_classes(n_per_class=(50, 30, 20)) -> Dataset:
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), n_per_class)
    X = rng.normal(size=(len(labels), 2)) * [10, 0.1] + [100, -5]
    return Dataset(X, np.eye(3)[labels], class_names=["a", "b", "c"])


def test_split_is_seeded_and_stratified() -> None:
    ds = three_classes()
    a, b, c = prepare(ds, 0.2, seed=1), prepare(ds, 0.2, seed=1), prepare(ds, 0.2, seed=2)
    assert np.array_equal(a.X, b.X) and not np.array_equal(a.X, c.X)
    assert a.Y_test.sum(axis=0).tolist() == [10, 6, 4] and a.Y.sum(axis=0).tolist() == [40, 24, 16]
    assert a.class_names == ["a", "b", "c"]


def test_regression_split_is_plain_random() -> None:
    train, test = split_rows(np.linspace(0, 1, 50)[:, None], 0.3, seed=0)
    assert len(test) == 15 and len(np.intersect1d(train, test)) == 0 and len(train) + len(test) == 50


def test_bad_fraction_and_scaling() -> None:
    with pytest.raises(DatasetError, match="test fraction"):
        prepare(three_classes(), 1.0)
    with pytest.raises(DatasetError, match="unknown scaling 'zscore'"):
        prepare(three_classes(), 0.2, scale="zscore")


@pytest.mark.parametrize("method", ["standard", "minmax"])
def test_scaling_is_fitted_on_training_rows_and_inverts(method) -> None:
    ds = prepare(three_classes(), 0.25, seed=3, scale=method)
    assert ds.scaling.method == method
    if method == "standard":
        assert np.allclose(ds.X.mean(axis=0), 0) and np.allclose(ds.X.std(axis=0), 1)
    else:
        assert np.allclose(ds.X.min(axis=0), 0) and np.allclose(ds.X.max(axis=0), 1)
    raw = np.vstack([three_classes().X])
    assert np.allclose(np.sort(np.vstack([ds.raw_inputs(), ds.raw_inputs(ds.X_test)]), axis=0), np.sort(raw, axis=0))
    assert np.allclose(ds.scale(ds.raw_inputs()[:2]), ds.X[:2])


def test_rescaling_again_starts_from_raw_values() -> None:
    once = prepare(three_classes(), 0.2, seed=0, scale="standard")
    twice = prepare(once, 0.2, seed=0, scale="minmax")
    assert twice.scaling.method == "minmax" and np.isclose(twice.raw_inputs().max(), three_classes().X.max())
    unscaled = prepare(once, 0.0, scale="none")
    assert unscaled.scaling is None and not unscaled.has_test


def test_constant_column_keeps_factor_one() -> None:
    scaling = fit_scaling("standard", np.array([[1.0, 5.0], [3.0, 5.0]]))
    assert scaling.factor.tolist() == [1.0, 1.0] and scaling.offset.tolist() == [2.0, 5.0]


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"method": "standard", "offset": [0.0], "factor": [0.0]}, "factor is 0"),
        ({"method": "log", "offset": [0.0], "factor": [1.0]}, "unknown scaling"),
        ({"method": "minmax", "offset": ["a"], "factor": [1.0]}, "list of numbers"),
        ({"method": "minmax", "offset": [0.0, 1.0], "factor": [1.0]}, "different lengths"),
        ({"method": "minmax"}, "must be an object"),
    ],
)
def test_bad_scaling_records(bad, match) -> None:
    with pytest.raises(DatasetError, match=match):
        InputScaling.from_dict(bad)


def test_project_keeps_class_names_and_scaling(tmp_path) -> None:
    project = default_project()
    project.dataset = prepare(datasets.read_csv(b"a,b,k\n1,9,x\n2,8,y\n3,7,x\n4,6,y\n", targets=["k"]), 0.5,
                              scale="minmax")
    save_project(project, tmp_path / "p.nnstudio")
    back = load_project(tmp_path / "p.nnstudio").dataset
    assert back.class_names == ["x", "y"] and back.scaling.method == "minmax"
    assert np.array_equal(back.scaling.offset, project.dataset.scaling.offset)
    assert np.array_equal(back.X_test, project.dataset.X_test)


def test_project_with_wrong_scaling_width_is_refused() -> None:
    d = default_project().to_dict()
    d["dataset"]["scaling"] = {"method": "standard", "offset": [0.0], "factor": [1.0]}
    with pytest.raises(ProjectError, match="dataset: the scaling has 1 columns, the inputs 2"):
        project_from_dict(d)
    d["dataset"].pop("scaling")
    d["dataset"]["class_names"] = ["a", "b"]
    with pytest.raises(ProjectError, match="dataset: 2 class names for 1 output columns"):
        project_from_dict(d)


def test_output_choice_follows_the_targets() -> None:
    assert output_choice(three_classes()) == ("softmax", "ce")
    assert output_choice(datasets.xor()) == ("logistic", "bce")
    assert output_choice(Dataset([[0], [1]], [[-1], [1]])) == ("tanh", "mse")
    assert output_choice(datasets.sine(), "tanh") == ("tanh", "mse")
    assert output_choice(Dataset([[0], [1]], [[-3], [2.5]]), "tanh") == ("identity", "mse")


def test_fit_resizes_and_reverts_as_one_step() -> None:
    project = default_project()  # 2-3-1 logistic
    data = three_classes()
    fit = plan_fit(project.graph, data, project.settings)
    before = project.graph.to_dict()
    settings = fit.apply(project.graph, project.settings)
    assert [layer.size for layer in project.graph.layers.values()] == [2, 3, 3]
    assert project.graph.layers["L3"].activation == "softmax" and settings.cost == "ce"
    assert plan_fit(project.graph, data, settings).empty
    Network.from_graph(project.graph).predict(data.X)  # the fitted graph runs on the data
    assert fit.revert(project.graph, settings).cost == project.settings.cost
    assert project.graph.to_dict() == before
    assert any("Output: 1 → 3 neurons" in r for r in fit.reasons)


def test_fit_refuses_what_it_cannot_resize() -> None:
    project = default_project()
    conn = next(iter(project.graph.connections))
    project.graph.set_layer("L2", size=2)
    project.graph.set_connection_kind(conn, "one_to_one")
    with pytest.raises(TopologyError, match="one to one connection"):
        plan_fit(project.graph, Dataset(np.zeros((2, 5)), [[0], [1]]), TrainSettings())


def test_network_for_data() -> None:
    graph, cost = network_for_data(three_classes(), hidden=(8, 4), activation="relu")
    sizes = [graph.layers[i].size for i in graph.topological_order()]
    assert sizes == [2, 8, 4, 3] and cost == "ce"
    assert [graph.layers[i].activation for i in graph.topological_order()][1:] == ["relu", "relu", "softmax"]
