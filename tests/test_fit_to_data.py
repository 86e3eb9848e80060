"""Fit network to data in the window: offered whenever the data do not fit, one undo step, Undo brings all back."""

from __future__ import annotations

import numpy as np
import pytest

from nnstudio.core import datasets
from nnstudio.io.project import load_project
from nnstudio.paths import sample_path
from nnstudio.ui.model.commands import SetConnectionKindCommand, SetLayerCommand


def _trained(window) -> np.ndarray:
    """Give the open XOR network weights of its own (as a run would) and return them."""
    doc = window.document
    params = np.linspace(-1.0, 1.0, doc.network.n_params)
    doc.set_params(params)
    return params


def _set_data(window, data) -> None:
    window.training.training_dock._set_dataset(data, "Data test")


def test_the_bar_is_hidden_while_the_data_fit(window):
    window.show()
    assert window.document.network_problems() == []
    assert not window.fit_bar.isVisible()


def test_fitting_iris_is_one_undo_step_and_undo_brings_back_the_trained_network(window):
    window.show()
    doc, bar = window.document, window.fit_bar
    params = _trained(window)
    graph_before, settings_before = doc.graph.to_dict(), doc.settings
    _set_data(window, load_project(sample_path("iris")).dataset)
    assert bar.isVisible() and bar.button.isVisible()
    assert "4 inputs and 3 targets" in bar.message.text()
    assert doc.network is None  # the XOR network cannot run on four inputs
    steps = doc.undo_stack.count()
    assert bar.apply()
    assert doc.undo_stack.count() == steps + 1 and doc.undo_stack.undoText() == "Fit network to data"
    assert doc.network is not None and doc.network_problems() == []
    assert (doc.network.n_inputs, doc.network.n_outputs) == (4, 3)
    assert doc.graph.layers_with_role("output")[0].activation == "softmax" and doc.settings.cost == "ce"
    assert not bar.isVisible()
    doc.undo_stack.undo()  # the fit
    assert doc.graph.to_dict() == graph_before and doc.settings == settings_before
    assert bar.isVisible()
    doc.undo_stack.undo()  # the data
    assert doc.network is not None and np.array_equal(doc.network.get_params(), params) and doc.trained
    doc.undo_stack.redo()
    doc.undo_stack.redo()
    assert (doc.network.n_inputs, doc.network.n_outputs) == (4, 3)


def test_targets_the_output_cannot_reach_are_offered_a_fit_that_keeps_the_weights(window):
    window.show()
    doc, bar = window.document, window.fit_bar
    _set_data(window, datasets.generate("regression_plane", n=60, seed=1))  # targets below 0, a logistic output
    params = _trained(window)
    assert doc.network is not None and bar.isVisible()
    assert "outside what the output activation can produce" in bar.message.text()
    assert bar.apply()
    assert doc.graph.layers_with_role("output")[0].activation == "identity"
    assert np.array_equal(doc.network.get_params(), params)  # no layer changed size: the weights stay
    doc.undo_stack.undo()
    assert doc.graph.layers_with_role("output")[0].activation == "logistic"
    assert np.array_equal(doc.network.get_params(), params) and doc.trained


def test_a_network_that_cannot_be_fitted_says_why_without_a_button(window):
    window.show()
    doc, bar = window.document, window.fit_bar
    graph = doc.graph
    first = graph.layers_with_role("input")[0]
    hidden = next(layer for layer in graph.layers.values() if layer.role == "hidden")
    conn = next(c for c in graph.outgoing(first.id) if c.target == hidden.id)
    doc.undo_stack.push(SetLayerCommand(graph, hidden.id, {"size": 2}))
    doc.undo_stack.push(SetConnectionKindCommand(graph, conn.id, "one_to_one"))
    _set_data(window, datasets.Dataset(np.zeros((4, 3)), np.zeros((4, 1))))  # three inputs
    assert bar.isVisible() and not bar.button.isVisible()
    assert "one to one connection" in bar.message.text()
    steps = doc.undo_stack.count()
    assert not bar.apply() and doc.undo_stack.count() == steps


def test_a_feature_project_fits_its_network_and_shows_a_surface(window, tmp_path):
    from nnstudio.io.from_data import project_from_data

    csv = tmp_path / "circle.csv"
    datasets.write_csv(datasets.generate("circle", n=80, seed=1), csv)
    project = project_from_data(csv, features=("x1", "x2", "x1^2", "x2^2"), scale="none")
    window.show()
    assert window.files._load(project, None) is None
    doc = window.document
    assert doc.network_problems() == [] and doc.network.n_inputs == 4  # four features of two raw inputs
    assert not window.fit_bar.isVisible()
    surface = window.training.heatmap
    expected = doc.network.predict(doc.dataset.network_inputs(np.array([surface.extent[::2]])))[0, 0]
    assert surface.surface is not None and surface.surface[0, 0] == pytest.approx(expected)  # bottom-left corner
