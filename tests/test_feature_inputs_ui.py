"""Feature inputs in the window: the toggles, the one undo step, the input neurons' maps, "Discretize output"."""

from pathlib import Path

import numpy as np

from nnstudio.core.features import compute_features
from nnstudio.core.metrics import discretized
from nnstudio.ui.training.controller import IDLE
from nnstudio.ui.training.heatmaps import neuron_grid, neuron_images

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def circle_window(window):
    assert window.open_sample(SAMPLES / "circle.nnstudio")
    return window.training.training_dock.feature_inputs


def input_layer(doc):
    (layer,) = doc.graph.layers_with_role("input")
    return layer


def train_until_it_stops(qtbot, window) -> None:
    controller = window.training.controller
    with qtbot.waitSignal(controller.runFinished, timeout=60_000):
        assert controller.train()
    assert controller.state == IDLE


def test_toggles_show_for_two_inputs_and_start_as_the_raw_inputs(window):
    boxes = window.training.training_dock.feature_inputs
    assert not boxes.isHidden() and boxes.chosen() == ("x1", "x2")
    assert window.findChild(type(boxes.toggles["x1"]), "feature_x1_sq") is boxes.toggles["x1^2"]
    assert window.open_sample(SAMPLES / "iris.nnstudio")  # four inputs: features do not apply
    assert boxes.isHidden()


def test_a_toggle_changes_the_features_and_the_input_layer_as_one_undo_step(qtbot, window):
    doc = window.document
    boxes = circle_window(window)
    train_until_it_stops(qtbot, window)
    trained = doc.network.get_params().copy()
    history = doc.history.train.copy()
    steps = doc.undo_stack.count()
    boxes.toggles["x1^2"].setChecked(True)
    assert doc.dataset.features == ("x1", "x2", "x1^2") and input_layer(doc).size == 3
    assert doc.network is not None and doc.network.n_inputs == 3 and not doc.network_problems()
    assert doc.undo_stack.count() == steps + 1
    window.actions["undo"].trigger()
    assert doc.dataset.features is None and input_layer(doc).size == 2 and boxes.chosen() == ("x1", "x2")
    assert np.array_equal(doc.network.get_params(), trained)  # the trained weights, not fresh ones
    assert np.array_equal(doc.history.train, history)
    window.actions["redo"].trigger()
    assert doc.dataset.features == ("x1", "x2", "x1^2") and input_layer(doc).size == 3


def test_squares_alone_train_the_circle_in_the_window(qtbot, window):
    doc = window.document
    boxes = circle_window(window)
    for name, on in (("x1^2", True), ("x2^2", True), ("x1", False), ("x2", False)):
        boxes.toggles[name].setChecked(on)
    assert doc.dataset.features == ("x1^2", "x2^2") and input_layer(doc).size == 2
    boxes.toggles["x2^2"].setChecked(False)
    boxes.toggles["x1^2"].setChecked(False)  # the last one stays: a network needs an input
    assert doc.dataset.features == ("x1^2",) and boxes.toggles["x1^2"].isChecked()


def test_input_neurons_show_their_features_over_the_plane(window):
    doc = window.document
    boxes = circle_window(window)
    boxes.toggles["x1*x2"].setChecked(True)
    request = neuron_grid(doc)
    assert request is not None  # three network inputs, but a plane of x1, x2
    images = neuron_images(doc)
    layer = input_layer(doc)
    assert len(images[layer.id]) == 3
    n = request.resolution

    def negative(image, x, y) -> bool:  # the diverging map: orange below zero, blue above
        color = image.pixelColor(x, y)
        return color.red() > color.blue()

    # the x1*x2 neuron's map is the product over the plane: negative top left and bottom right only
    product = images[layer.id][2]
    assert [negative(product, x, y) for x, y in ((0, 0), (n - 1, n - 1), (0, n - 1), (n - 1, 0))] == [
        True, True, False, False]
    x1_map = images[layer.id][0]
    assert x1_map.pixelColor(0, 0) == x1_map.pixelColor(0, n - 1) != x1_map.pixelColor(n - 1, 0)  # x1 only
    item = window.scene.layer_item(layer.id)
    assert item.neuron_labels == ["x1", "x2", "x1*x2"]  # each neuron names its feature
    window.actions["undo"].trigger()
    assert window.scene.layer_item(layer.id).neuron_labels is None  # raw inputs: no names needed


def test_discretize_output_snaps_the_surface_to_the_answers(window):
    circle_window(window)
    surface = window.training.heatmap
    surface.refresh()
    raw = surface.surface.copy()
    assert len(np.unique(raw)) > 2
    surface.discretize.setChecked(True)
    assert set(np.unique(surface.surface)) <= {0.0, 1.0}
    np.testing.assert_array_equal(surface.surface, (raw > 0.5).astype(float))
    surface.discretize.setChecked(False)
    np.testing.assert_array_equal(surface.surface, raw)


def test_discretized_reads_answers_as_the_accuracy_does():
    outputs = np.array([[0.2, 0.7], [0.9, 0.1]])
    np.testing.assert_array_equal(discretized(outputs, np.array([[0, 1], [1, 0]])), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(discretized(np.array([[0.3], [-0.2]]), np.array([[-1.0], [1.0]])), [[1], [-1]])
    assert discretized(np.array([[0.3], [0.1], [2.0]]), np.array([[0.5], [1.5], [3.0]])) is None  # a regression


def test_try_it_and_the_canvas_feed_the_features_of_the_typed_inputs(window):
    doc = window.document
    boxes = circle_window(window)
    boxes.toggles["sin(x1)"].setChecked(True)
    seen = []
    doc.activationsChanged.connect(seen.append)
    window.training.try_it.set_values(np.array([0.5, -0.25]))
    window.training.show_activations()
    shown = seen[-1][input_layer(doc).id]
    np.testing.assert_allclose(shown, compute_features(doc.dataset.features, np.array([0.5, -0.25])))


def test_new_points_keep_the_features_and_training_locks_the_toggles(qtbot, window):
    doc = window.document
    boxes = circle_window(window)
    boxes.toggles["x2^2"].setChecked(True)
    window.training.training_dock.noise.setValue(0.2)  # regenerates the circle's points
    assert doc.generator_noise == 0.2 and doc.dataset.features == ("x1", "x2", "x2^2")
    assert doc.network is not None and doc.network.n_inputs == 3
    controller = window.training.controller
    assert controller.train()
    assert not boxes.isEnabled()
    with qtbot.waitSignal(controller.runFinished, timeout=60_000):
        controller.stop()
    assert boxes.isEnabled()


def test_the_views_catch_up_with_the_final_weights_when_a_run_ends(window):
    """The last frame of a short run may predate its final weights; leaving live mode redraws from the document."""
    doc, panel = window.document, window.training
    circle_window(window)
    surface = panel.heatmap
    surface.refresh()
    before = surface.surface.copy()
    panel.set_live(True)
    doc.set_params(doc.network.get_params() * 3.0)  # ignored while live: frames would bring the new picture
    assert np.array_equal(surface.surface, before)
    panel.set_live(False)
    assert not np.array_equal(surface.surface, before)
    shown = surface.surface.copy()
    surface.refresh()
    np.testing.assert_array_equal(shown, surface.surface)
