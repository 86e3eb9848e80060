"""Backpropagation against central finite differences (relative error < 1e-6)."""

import zlib

import numpy as np
import pytest

from nnstudio.core import Graph, Layer, Network
from nnstudio.core.activations import ACTIVATIONS
from nnstudio.core.losses import LOSSES, get_loss

RNG = np.random.default_rng(7)


@pytest.fixture(autouse=True)
def same_numbers_in_any_order(request):
    """Each test draws from its own generator, seeded by its name: the order the tests run in changes nothing."""
    global RNG
    RNG = np.random.default_rng(zlib.crc32(request.node.name.encode()))


def numeric_gradient(net: Network, X, Y, loss) -> np.ndarray:
    grad = np.zeros_like(net.params)
    h = 6e-6  # ≈ cube root of the machine epsilon: truncation and rounding errors balance (1e-6 let rounding win)
    for i in range(net.params.size):
        old = net.params[i]
        net.params[i] = old + h
        plus = loss.objective(net.forward(X), Y)
        net.params[i] = old - h
        minus = loss.objective(net.forward(X), Y)
        net.params[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def assert_gradients_match(net: Network, X, Y, cost: str, skip_masked: bool = True) -> None:
    loss = get_loss(cost)
    analytic = net.backward(net.forward(X), Y, loss).copy()
    numeric = numeric_gradient(net, X, Y, loss)
    if skip_masked:  # entries outside a one_to_one / all_to_else pattern are not parameters
        for conn_id, mask in net.masks.items():
            if mask is not None:
                numeric[net.specs["W:" + conn_id].slice] *= mask.ravel()
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-4)
    rel = np.abs(analytic - numeric) / scale
    assert rel.max() < 1e-6, (cost, rel.max(), analytic, numeric)


def targets_for(loss: str, activation: str, n: int, k: int) -> np.ndarray:
    if loss == "ce" or activation == "softmax":
        return np.eye(k)[RNG.integers(0, k, n)]
    return RNG.uniform(0.05, 0.95, (n, k))


def small_net(hidden_act: str, out_act: str, out_size: int = 3, seed: int = 0) -> Network:
    graph = Graph()
    i = graph.add_layer(Layer(3, role="input", id="in"))
    h = graph.add_layer(Layer(4, hidden_act, id="h"))
    o = graph.add_layer(Layer(out_size, out_act, role="output", id="out"))
    graph.connect(i.id, h.id)
    graph.connect(h.id, o.id)
    net = Network.from_graph(graph, seed=seed)
    net.params[:] = RNG.normal(0, 0.7, net.params.size)  # biases too, and away from zero
    return net


# step's true derivative is zero; we use 1 (straight-through), so finite differences cannot check it
SMOOTH = [name for name, act in ACTIVATIONS.items() if act.exact_derivative]


@pytest.mark.parametrize("cost", list(LOSSES))
@pytest.mark.parametrize("activation", SMOOTH)
def test_every_activation_with_every_loss(activation: str, cost: str) -> None:
    # the activation under test on the hidden layer and on the output layer
    net = small_net(activation, activation if activation != "relu" else "relu")
    X = RNG.normal(0, 1, (5, 3))
    if cost == "bce" and activation not in ("logistic", "softmax"):
        net = small_net(activation, "logistic")  # bce needs outputs inside (0, 1)
    if cost == "ce" and activation != "softmax":
        net = small_net(activation, "softmax")
    Y = targets_for(cost, net.output_layers[0].activation, 5, 3)
    assert_gradients_match(net, X, Y, cost)


def test_output_activation_softmax_with_mse_uses_full_jacobian() -> None:
    net = small_net("tanh", "softmax")
    X = RNG.normal(0, 1, (4, 3))
    assert_gradients_match(net, X, targets_for("mse", "softmax", 4, 3), "mse")


def test_dag_with_fan_in_and_skip_connection() -> None:
    graph = Graph()
    graph.add_layer(Layer(2, role="input", id="a"))
    graph.add_layer(Layer(3, "tanh", id="b"))
    graph.add_layer(Layer(4, "relu", id="c"))
    graph.add_layer(Layer(2, "logistic", role="output", id="d"))
    for s, t in [("a", "b"), ("a", "c"), ("b", "c"), ("c", "d"), ("a", "d"), ("b", "d")]:
        graph.connect(s, t)
    net = Network.from_graph(graph, seed=3)
    net.params[:] = RNG.normal(0, 0.8, net.params.size)
    X = RNG.normal(0, 1, (6, 2))
    for cost in ("mse", "bce"):
        assert_gradients_match(net, X, RNG.uniform(0.1, 0.9, (6, 2)), cost)


def test_one_to_one_and_all_to_else_connections() -> None:
    graph = Graph()
    graph.add_layer(Layer(3, role="input", id="a"))
    graph.add_layer(Layer(3, "tanh", id="b"))
    graph.add_layer(Layer(3, "softplus", id="c"))
    graph.add_layer(Layer(1, "identity", role="output", id="d"))
    graph.connect("a", "b", "one_to_one")
    graph.connect("b", "c", "all_to_else")
    graph.connect("c", "d")
    net = Network.from_graph(graph, seed=1)
    net.set_params(RNG.normal(0, 0.8, net.params.size))
    assert np.all(net.weights["a->b"][~np.eye(3, dtype=bool)] == 0)
    assert np.all(np.diag(net.weights["b->c"]) == 0)
    X = RNG.normal(0, 1, (5, 3))
    assert_gradients_match(net, X, RNG.normal(0, 1, (5, 1)), "mse")
    # masked gradients stay zero, so training never creates synapses outside the pattern
    net.backward(net.forward(X), RNG.normal(0, 1, (5, 1)), "mse")
    grads = net.grads[net.specs["W:a->b"].slice].reshape(3, 3)
    assert np.all(grads[~np.eye(3, dtype=bool)] == 0)


def test_multiple_input_and_output_layers_concatenate_in_order() -> None:
    graph = Graph()
    graph.add_layer(Layer(1, role="input", id="x1"))
    graph.add_layer(Layer(2, role="input", id="x2"))
    graph.add_layer(Layer(3, "tanh", id="h"))
    graph.add_layer(Layer(1, "logistic", role="output", id="y1"))
    graph.add_layer(Layer(2, "identity", role="output", id="y2"))
    for s, t in [("x1", "h"), ("x2", "h"), ("h", "y1"), ("h", "y2")]:
        graph.connect(s, t)
    net = Network.from_graph(graph, seed=2)
    assert (net.n_inputs, net.n_outputs) == (3, 3)
    X = RNG.normal(0, 1, (4, 3))
    assert_gradients_match(net, X, RNG.uniform(0.1, 0.9, (4, 3)), "mse")
