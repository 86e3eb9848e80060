"""The fast training paths compute what the reference backward pass computes."""

import zlib

import numpy as np
import pytest

from nnstudio.core import Graph, Layer, Network, TrainingRun, TrainSettings, datasets
from nnstudio.core.losses import get_loss
from nnstudio.core.scalar_kernel import ScalarStepper, compile_step, supports

RNG = np.random.default_rng(11)


@pytest.fixture(autouse=True)
def same_numbers_in_any_order(request):
    """Each test draws from its own generator, seeded by its name: the order the tests run in changes nothing."""
    global RNG
    RNG = np.random.default_rng(zlib.crc32(request.node.name.encode()))


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


@pytest.mark.parametrize("hidden, out, cost, k, binary", [c for c in CASES if c[2] != "ce"])
@pytest.mark.parametrize("kind", ["all_to_all", "one_to_one", "all_to_else"])
def test_scalar_kernel_matches_reference(hidden, out, cost, k, binary, kind) -> None:
    net = dag(hidden, out, k, kind)
    assert supports(net, cost)
    step = compile_step(net, cost)
    loss = get_loss(cost)
    for _ in range(3):
        x = RNG.normal(0, 1, 3)
        t = RNG.integers(0, 2, k).astype(float) if binary else RNG.uniform(0.1, 0.9, k)
        err, grads = step(net.params.tolist(), x.tolist(), t.tolist())
        expected = net.backward(net.forward(x[None]), t[None], loss)
        np.testing.assert_allclose(grads, expected, rtol=1e-10, atol=1e-13)
        assert err == pytest.approx(loss.error(net.forward(x[None]), t[None]), rel=1e-10)


def test_online_training_takes_the_same_path_either_way() -> None:
    """An online run through the scalar kernel ends where the NumPy path ends."""
    data = datasets.xor()
    settings = TrainSettings(rate=0.3, optimizer="adam", batch_size=1, shuffle=True, epochs=200, target_error=0, seed=5)
    fast = TrainingRun(dag("tanh", "logistic").copy(), data_of(data), settings)
    slow = TrainingRun(fast.net.copy(), data_of(data), settings)
    fast.kernel = slow.kernel = None  # the NumPy fallback path: scalar kernel or per-sample NumPy
    fast._scalar = ScalarStepper(fast.net, fast.loss.name)
    fast._scalar.bind(fast._X, fast._Y)
    slow._scalar = None
    fast.run()
    slow.run()
    np.testing.assert_allclose(fast.net.params, slow.net.params, rtol=1e-9, atol=1e-12)


def data_of(xor):
    """XOR with a third constant input, to fit the 3-input test network."""
    return datasets.Dataset(np.column_stack([xor.X, np.ones(4)]), xor.Y)


def test_large_networks_use_numpy() -> None:
    graph = Graph()
    graph.add_layer(Layer(30, role="input", id="a"))
    graph.add_layer(Layer(30, role="output", id="b"))
    graph.connect("a", "b")
    assert not supports(Network.from_graph(graph, seed=0), "mse")
