"""The fast training paths compute what the reference backward pass computes."""

import numpy as np
import pytest

from nnstudio.core import Graph, Layer, Network
from nnstudio.core.losses import get_loss

RNG = np.random.default_rng(11)


def dag(hidden_act: str, out_act: str, out_size: int = 1, kind: str = "all_to_all") -> Network:
    graph = Graph()
    graph.add_layer(Layer(3, role="input", id="a"))
    graph.add_layer(Layer(3, hidden_act, id="b"))
    graph.add_layer(Layer(2, "tanh", id="c"))
    graph.add_layer(Layer(out_size, out_act, role="output", id="d"))
    for s, t, k in [
        ("a", "b", kind),
        ("b", "c", "all_to_all"),
        ("a", "c", "all_to_all"),
        ("c", "d", "all_to_all"),
        ("b", "d", "all_to_all"),
    ]:
        graph.connect(s, t, k)
    net = Network.from_graph(graph, seed=4)
    net.set_params(RNG.normal(0, 0.8, net.params.size))
    return net


CASES = [
    ("logistic", "logistic", "mse", 1, True),
    ("logistic", "logistic", "bce", 1, True),
    ("relu", "logistic", "bce", 2, False),  # bce with non-binary targets
    ("tanh", "identity", "mse", 2, False),
    ("leaky_relu", "softmax", "ce", 3, True),
    ("softplus", "tanh", "mse", 1, False),
    ("step", "logistic", "bce", 1, True),
]


@pytest.mark.parametrize("hidden, out, cost, k, binary", CASES)
def test_loss_and_gradient_matches_reference(hidden, out, cost, k, binary) -> None:
    net = dag(hidden, out, k)
    X = RNG.normal(0, 1, (6, 3))
    Y = (
        np.eye(k)[RNG.integers(0, k, 6)]
        if out == "softmax"
        else (RNG.integers(0, 2, (6, k)) if binary else RNG.uniform(0.1, 0.9, (6, k)))
    )
    Y = Y.astype(float)
    loss = get_loss(cost)
    expected_grads = net.backward(net.forward(X), Y, loss).copy()
    expected_err = loss.error(net.forward(X), Y)
    err = net.loss_and_gradient(X, Y, loss, binary_targets=binary)
    assert err == pytest.approx(expected_err, rel=1e-12)
    np.testing.assert_allclose(net.grads, expected_grads, rtol=1e-12, atol=1e-15)
