"""The population core trains N networks exactly as N single TrainingRuns would."""

import numpy as np
import pytest

from nnstudio.core import Graph, Layer, Network, TrainingRun, TrainSettings, datasets
from nnstudio.core.initializers import DEFAULT_INIT, INITIALIZERS
from nnstudio.core.kernels.population_runner import PopulationKernel
from nnstudio.core.population import Population, PopulationRun, median_curve, pcg64_seed_words

SEEDS = range(6)


def skip_dag() -> Graph:
    """in → h1 → h2 → out, plus in → h2, h1 → out and in → out: fan-in and skip connections."""
    g = Graph()
    g.add_layer(Layer(2, role="input", id="in"))
    g.add_layer(Layer(3, "tanh", id="h1"))
    g.add_layer(Layer(2, "logistic", id="h2"))
    g.add_layer(Layer(1, "logistic", role="output", id="out"))
    for src, tgt in (("in", "h1"), ("in", "h2"), ("h1", "h2"), ("h2", "out"), ("h1", "out"), ("in", "out")):
        g.connect(src, tgt, "all_to_all")
    return g


def single_runs(graph, data, settings, seeds):
    results = []
    for seed in seeds:
        net = Network.from_graph(graph, seed=seed)
        snap = TrainingRun(net, data, TrainSettings(**settings.to_dict())).run()
        results.append((net.params.copy(), snap))
    return results


def assert_same_as_single_runs(graph, data, settings, seeds=SEEDS, init=DEFAULT_INIT):
    run = PopulationRun(Population(graph, seeds, init=init), data, settings)
    result = run.run()
    for k, (params, snap) in enumerate(single_runs(graph, data, settings, seeds)):
        assert result.reasons[k] == snap.reason
        assert result.stopped_at[k] == snap.epoch
        np.testing.assert_allclose(run.params_of(k), params, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(result.errors[: snap.epoch, k], snap.errors, rtol=1e-12, atol=1e-9)
        assert np.isnan(result.errors[snap.epoch :, k]).all()
    return run, result


def test_initial_params_are_the_single_networks():
    pop = Population(skip_dag(), [3, 7, 11])
    for k, seed in enumerate([3, 7, 11]):
        assert np.array_equal(pop.params_of(k), Network.from_graph(skip_dag(), seed=seed).params)
    assert pop.params.shape == (Network.from_graph(skip_dag(), seed=0).n_params, 3)


@pytest.mark.parametrize("init", INITIALIZERS)
def test_initial_params_are_the_single_networks_for_every_initializer_and_seed(init):
    """The set-up draws all seeds at once; each network still starts exactly where Network.from_graph does."""
    g = skip_dag()
    g.add_layer(Layer(2, "tanh", id="side"))
    g.connect("h2", "side", "one_to_one")  # a masked block
    g.connect("side", "out")
    seeds = [0, 1, 2, 99, 2**31 - 1, 2**32 + 5, 123456789]
    pop = Population(g, seeds, init=init)
    for k, seed in enumerate(seeds):
        assert np.array_equal(pop.params_of(k), Network.from_graph(g, seed=seed, init=init).params)


def test_the_seed_words_are_numpys_seed_sequence():
    firsts = np.array([0, 1, 7, 2**16, 2**31 - 1, 2**32 - 1], dtype=np.uint32)
    for second in (0, 12345, 2**32 - 1):
        words = pcg64_seed_words(firsts, second)
        for k, first in enumerate(firsts):
            expected = np.random.SeedSequence([int(first), second]).generate_state(4, np.uint64)
            assert np.array_equal(words[k], expected)


@pytest.mark.parametrize("optimizer, rate", [("sgd", 0.5), ("momentum", 0.1), ("adam", 0.05)])
@pytest.mark.parametrize("batch_size", [None, 1, 3])
def test_population_equals_single_runs(optimizer, rate, batch_size):
    settings = TrainSettings(
        rate=rate, epochs=250, optimizer=optimizer, batch_size=batch_size, shuffle=True, seed=5,
        target_error=0.05, l2=1e-3 if optimizer != "adam" else 0.0, l1=1e-4 if optimizer == "adam" else 0.0,
    )
    _, result = assert_same_as_single_runs(skip_dag(), datasets.xor(), settings)
    # a meaningful comparison: some networks stop early at the target, and not at the same epoch
    stopped = result.stopped_at[np.array(result.reasons) == "target_error"]
    assert len(set(stopped.tolist())) >= 2


def test_a_frozen_network_stops_changing():
    settings = TrainSettings(rate=0.5, epochs=3000, optimizer="momentum", target_error=0.01)
    run, result = assert_same_as_single_runs(skip_dag(), datasets.xor(), settings, seeds=range(4))
    assert result.reached.all() and len(set(result.stopped_at.tolist())) > 1
    assert run.n_training == 0


def test_plateau_and_schedule_match():
    schedule = {"kind": "step", "every": 40, "factor": 0.1}  # the rate collapses: a plateau follows
    settings = TrainSettings(rate=0.4, epochs=400, optimizer="sgd", patience=30, schedule=schedule)
    _, result = assert_same_as_single_runs(skip_dag(), datasets.xor(), settings, seeds=range(3))
    assert "plateau" in result.reasons and result.stopped_at.min() > 30  # improving runs are not cut short


def test_divergence_keeps_last_finite_params_like_a_single_run():
    a, h, b = Layer(1, "identity"), Layer(2, "identity"), Layer(1, "identity")
    a.project(h)
    h.project(b)
    graph = Network(input=a, hidden=[h], output=b, seed=0).graph
    # one sample: the error's overflow to inf does not depend on summation order
    data = datasets.Dataset([[1.5]], [[10.0]], kind="regression")
    settings = TrainSettings(rate=3.0, epochs=2000, optimizer="sgd", cost="mse")
    run, result = assert_same_as_single_runs(graph, data, settings, seeds=range(3))
    assert result.reasons == ["diverged"] * 3
    assert all(np.isfinite(run.params_of(k)).all() for k in range(3))


def masked_graph(hidden_act: str, out_act: str, out_size: int) -> Graph:
    g = Graph()
    g.add_layer(Layer(3, role="input", id="in"))
    g.add_layer(Layer(3, hidden_act, id="a"))
    g.add_layer(Layer(3, hidden_act, id="b", bias=False))
    g.add_layer(Layer(out_size, out_act, role="output", id="out"))
    g.connect("in", "a", "one_to_one")
    g.connect("a", "b", "all_to_else")
    g.connect("in", "b", "all_to_all")
    g.connect("b", "out", "all_to_all")
    g.connect("a", "out", "all_to_all")
    return g


@pytest.mark.parametrize("hidden_act", ["logistic", "tanh", "relu", "leaky_relu", "identity", "step", "softplus"])
@pytest.mark.parametrize(
    "out_act, loss", [("softmax", "ce"), ("logistic", "bce"), ("tanh", "mse"), ("softmax", "mse"), ("identity", "bce")],
)
def test_masked_populations_train_like_single_runs(hidden_act, out_act, loss):
    graph = masked_graph(hidden_act, out_act, 3)
    rng = np.random.default_rng(1)
    data = datasets.Dataset(rng.normal(size=(5, 3)), np.eye(3)[[0, 1, 2, 1, 0]])
    settings = TrainSettings(rate=0.1, epochs=15, cost=loss, batch_size=2, target_error=0.0)
    run, _ = assert_same_as_single_runs(graph, data, settings, seeds=[0, 1])
    for k, seed in enumerate([0, 1]):
        net = Network.from_graph(graph, seed=seed)
        net.set_params(run.params_of(k))
        np.testing.assert_allclose(run.population.predict(data.X)[k], net.predict(data.X), rtol=0, atol=1e-12)
    # masked entries stay exactly zero
    w = run.population.network(0).weights["in->a"]
    assert (w[~np.eye(3, dtype=bool)] == 0).all()


def test_the_numpy_engine_trains_like_the_kernel(monkeypatch):
    settings = TrainSettings(rate=0.3, epochs=120, optimizer="momentum", batch_size=2, target_error=0.05, seed=3)
    fast = PopulationRun(Population(skip_dag(), SEEDS), datasets.xor(), settings)
    monkeypatch.setattr(PopulationKernel, "for_run", classmethod(lambda cls, run: None))
    slow = PopulationRun(Population(skip_dag(), SEEDS), datasets.xor(), settings)
    assert slow.kernel is None
    a, b = fast.run(), slow.run()
    assert a.reasons == b.reasons and np.array_equal(a.stopped_at, b.stopped_at)
    np.testing.assert_allclose(a.errors, b.errors, rtol=1e-10)
    np.testing.assert_allclose(fast.population.params, slow.population.params, rtol=1e-10, atol=1e-12)


def test_softmax_population_trains_like_single_runs():
    graph = masked_graph("tanh", "softmax", 3)
    data = datasets.Dataset(np.random.default_rng(0).normal(size=(6, 3)), np.eye(3)[[0, 1, 2, 0, 1, 2]])
    settings = TrainSettings(rate=0.2, epochs=100, optimizer="adam", batch_size=2, target_error=0.05)
    assert_same_as_single_runs(graph, data, settings, seeds=range(3))


def test_snapshots_carry_every_epoch_and_end_done():
    settings = TrainSettings(rate=0.5, epochs=300, target_error=0.02)
    whole = PopulationRun(Population(skip_dag(), SEEDS), datasets.xor(), settings).run()
    snaps = list(PopulationRun(Population(skip_dag(), SEEDS), datasets.xor(), settings).snapshots(max_rate=0))
    assert snaps[-1].done and not any(s.done for s in snaps[:-1])
    errors = np.concatenate([s.errors for s in snaps])
    np.testing.assert_array_equal(errors, whole.errors)
    assert np.array_equal(snaps[-1].reached, whole.reached)
    assert snaps[-1].n_training == 0


def test_external_stop_freezes_everyone():
    run = PopulationRun(Population(skip_dag(), SEEDS), datasets.xor(), TrainSettings(epochs=10**9, target_error=0))
    calls = iter(range(10**6))
    result = run.run(stop=lambda: next(calls) >= 7)  # checked between chunks of epochs
    assert result.reasons == ["stopped"] * len(SEEDS)
    assert (result.stopped_at == run.epochs_done).all() and result.errors.shape == (run.epochs_done, len(SEEDS))
    assert run.epochs_done >= 7


def test_median_curve_holds_final_errors_and_counts_divergence_as_worst():
    nan = np.nan
    errors = np.array([
        [4.0, 5.0, 6.0],
        [3.0, nan, 5.0],  # network 1 diverged at epoch 2
        [2.0, nan, 1.0],  # network 2 reached its target at epoch 3
        [1.0, nan, nan],
    ])
    stopped_at = np.array([0, 2, 3])
    np.testing.assert_array_equal(median_curve(errors, stopped_at), [5.0, 5.0, 2.0, 1.0])


def test_several_input_and_output_layers():
    g = Graph()
    g.add_layer(Layer(2, role="input", id="a"))
    g.add_layer(Layer(1, role="input", id="b"))
    g.add_layer(Layer(4, "tanh", id="h"))
    g.add_layer(Layer(2, "softmax", role="output", id="p"))
    g.add_layer(Layer(1, "identity", role="output", id="q"))
    for src, tgt in (("a", "h"), ("b", "h"), ("h", "p"), ("h", "q"), ("b", "q")):
        g.connect(src, tgt, "all_to_all")
    rng = np.random.default_rng(3)
    X = rng.normal(size=(8, 3))
    Y = np.column_stack([np.eye(2)[rng.integers(0, 2, 8)], rng.normal(size=8)])
    data = datasets.Dataset(X, Y, kind="regression")
    settings = TrainSettings(rate=0.05, epochs=60, optimizer="momentum", batch_size=3, cost="mse", target_error=0.0)
    assert_same_as_single_runs(g, data, settings, seeds=range(3))
