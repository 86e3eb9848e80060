"""The math inspector's numbers equal the core's forward and backward pass for that row."""

import numpy as np
import pytest

from nnstudio.core import Graph, Layer, Network, TrainingRun, TrainSettings, datasets
from nnstudio.core.inspector import inspect_neuron
from nnstudio.core.training import resolve_cost


def patterned_network() -> Network:
    """Skip connection, fan-in, one_to_one and all_to_else patterns, and a layer without bias."""
    g = Graph()
    g.add_layer(Layer(2, role="input", id="in"))
    g.add_layer(Layer(3, "tanh", id="h1"))
    g.add_layer(Layer(3, "relu", id="h2", bias=False))
    g.add_layer(Layer(3, "leaky_relu", id="h3"))
    g.add_layer(Layer(2, "logistic", role="output", id="out"))
    g.connect("in", "h1", "all_to_all")
    g.connect("h1", "h2", "one_to_one")
    g.connect("h2", "h3", "all_to_else")
    g.connect("h1", "h3", "all_to_all")
    g.connect("h3", "out", "all_to_all")
    g.connect("in", "out", "all_to_all")  # skip connection
    net = Network.from_graph(g, seed=4, init="uniform")
    net.set_params(np.random.default_rng(2).normal(size=net.n_params))
    return net


def two_output_data() -> datasets.Dataset:
    X = [[0, 0], [0, 1], [1, 0], [1, 1]]
    Y = [[0, 1], [1, 0], [1, 0], [0, 1]]
    return datasets.Dataset(X, Y)


def core_gradients(net: Network, data, row: int, cost: str) -> dict:
    twin = net.copy()
    out = twin.forward(data.X[row : row + 1])
    twin.backward(out, data.Y[row : row + 1], cost)
    return {key: twin.grads[spec.slice].reshape(spec.shape).copy() for key, spec in twin.specs.items()}


@pytest.mark.parametrize("cost", ["auto", "mse", "bce"])
@pytest.mark.parametrize("row", [0, 1, 3])
def test_numbers_equal_the_cores_backward(cost, row):
    net, data = patterned_network(), two_output_data()
    settings = TrainSettings(cost=cost, rate=0.25)
    grads = core_gradients(net, data, row, resolve_cost(cost, net, data))
    acts = net.layer_activations(data.X[row : row + 1])
    for layer in net.layers:
        if layer.role == "input":
            continue
        for j in range(layer.size):
            info = inspect_neuron(net, data, row, layer.id, j, settings)
            assert info.a == acts[layer.id][0, j]
            if layer.bias:
                assert info.delta == grads["b:" + layer.id][j]  # exactly the core's delta
                assert info.bias_gradient == info.delta and info.bias_change == -0.25 * info.delta
            else:
                assert info.bias is None and info.bias_gradient is None
            for term in info.terms:
                assert term.gradient == grads[term.key][term.source_index, j]
                assert term.gradient == term.input * info.delta
                assert term.weight == net.weights[term.connection][term.source_index, j]
                assert term.change == -0.25 * term.gradient
            # every synapse of the pattern, and only those
            masks = [net.masks[c.id] for c in net.graph.incoming(layer.id)]
            sizes = [net.graph.layers[c.source].size for c in net.graph.incoming(layer.id)]
            pairs = zip(masks, sizes, strict=True)
            expected = sum(size if m is None else int((m[:, j] != 0).sum()) for m, size in pairs)
            assert len(info.terms) == expected


def test_z_and_derivative_match_the_activation():
    net, data = patterned_network(), two_output_data()
    X = data.X[2:3]
    # z of h1 from the core's own weights: x @ W + b
    z_core = X @ net.weights["in->h1"] + net.biases["h1"]
    for j in range(3):
        info = inspect_neuron(net, data, 2, "h1", j)
        assert info.z == pytest.approx(z_core[0, j], rel=1e-14)
        assert info.a == pytest.approx(np.tanh(info.z), rel=1e-14)
        assert info.derivative == pytest.approx(1 - info.a**2, rel=1e-14)


def test_softmax_output_delta_is_output_minus_target_over_ce():
    g = Graph()
    g.add_layer(Layer(2, role="input", id="in"))
    g.add_layer(Layer(3, "softmax", role="output", id="out"))
    g.connect("in", "out", "all_to_all")
    net = Network.from_graph(g, seed=1)
    data = datasets.Dataset([[0.5, -1.0]], [[0, 0, 1]])
    for j in range(3):
        info = inspect_neuron(net, data, 0, "out", j)
        assert info.loss == "ce"
        assert info.delta == pytest.approx(info.a - data.Y[0, j], abs=1e-15)
        assert info.derivative == pytest.approx(info.a * (1 - info.a))


def test_online_step_moves_each_weight_by_rate_times_gradient():
    net, data = patterned_network(), two_output_data()
    settings = TrainSettings(rate=0.3, optimizer="sgd", batch_size=1, shuffle=False, cost="mse")
    before = {layer.id: [inspect_neuron(net, data, 0, layer.id, j, settings) for j in range(layer.size)]
              for layer in net.layers if layer.role != "input"}
    run = TrainingRun(net, data, settings)
    first, _ = run.sample_step()
    assert first == 0
    for layer_id, infos in before.items():
        for j, info in enumerate(infos):
            for term in info.terms:
                assert net.weights[term.connection][term.source_index, j] == term.weight + term.change
            if info.bias is not None:
                assert net.biases[layer_id][j] == info.bias + info.bias_change


def test_input_neurons_show_their_value_and_bad_requests_are_refused():
    net, data = patterned_network(), two_output_data()
    info = inspect_neuron(net, data, 1, "in", 1)
    assert info.a == 1.0 and info.terms == [] and info.delta is None
    with pytest.raises(ValueError, match="no layer"):
        inspect_neuron(net, data, 0, "nope", 0)
    with pytest.raises(ValueError, match="no neuron 5"):
        inspect_neuron(net, data, 0, "h1", 5)
    with pytest.raises(ValueError, match="no row 9"):
        inspect_neuron(net, data, 9, "h1", 0)
