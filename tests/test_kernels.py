"""The compiled kernels train exactly as the NumPy reference path does, and step aside cleanly when they can't."""

import logging
import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from nnstudio.core import ACTIVATIONS, Graph, Layer, Network, Trainer, TrainingRun, TrainSettings, datasets, kernels
from nnstudio.core.activations import get_activation
from nnstudio.core.kernels.layout import ACTIVATION_CODES, MAX_KERNEL_PARAMS, NUMPY_BATCH_ROWS, NUMPY_BATCH_WORK

pytestmark = pytest.mark.skipif(not kernels.enabled(), reason="numba is not installed or NNSTUDIO_JIT=0")

def dag(hidden: str, out: str, out_size: int, kind: str) -> Graph:
    """in → h1 → h2 → out with in → h2 and h1 → out: fan-in, skip connections and a chosen connection kind."""
    g = Graph()
    g.add_layer(Layer(3, role="input", id="in"))
    g.add_layer(Layer(3, hidden, id="h1"))
    g.add_layer(Layer(3, "tanh", id="h2"))
    g.add_layer(Layer(out_size, out, role="output", id="out"))
    for src, tgt, k in (("in", "h1", "all_to_all"), ("h1", "h2", kind), ("in", "h2", "all_to_all"),
                        ("h2", "out", "all_to_all"), ("h1", "out", "all_to_all")):
        g.connect(src, tgt, k)
    return g


def two_outputs() -> Graph:
    """Two input layers and two output layers (one also feeding the other)."""
    g = Graph()
    g.add_layer(Layer(2, role="input", id="a"))
    g.add_layer(Layer(1, role="input", id="b"))
    g.add_layer(Layer(4, "relu", id="h"))
    g.add_layer(Layer(1, "logistic", role="output", id="o1"))
    g.add_layer(Layer(2, "identity", role="output", id="o2"))
    for src, tgt in (("a", "h"), ("b", "h"), ("h", "o1"), ("h", "o2"), ("b", "o2")):
        g.connect(src, tgt)
    return g


def data_for(net: Network, rows: int = 7, kind: str = "unit") -> datasets.Dataset:
    """Random rows for ``net``, the same for the same arguments whatever order the tests run in."""
    rng = np.random.default_rng([3, rows, net.n_inputs, net.n_outputs, ("unit", "binary", "onehot").index(kind)])
    X = rng.normal(0, 1, (rows, net.n_inputs))
    if kind == "onehot":
        Y = np.eye(net.n_outputs)[rng.integers(0, net.n_outputs, rows)]
    elif kind == "binary":
        Y = rng.integers(0, 2, (rows, net.n_outputs)).astype(float)
    else:
        Y = rng.uniform(0.1, 0.9, (rows, net.n_outputs))
    return datasets.Dataset(X, Y)


def both_ways(net: Network, data, settings: TrainSettings, rtol=1e-10, atol=1e-12, **kw):
    """Train twin networks through the kernel and through NumPy; assert they end in the same place."""
    fast = TrainingRun(net.copy(), data, TrainSettings(**settings.to_dict()), **kw)
    slow = TrainingRun(net.copy(), data, TrainSettings(**settings.to_dict()), **kw)
    assert fast.kernel is not None, fast.engine
    slow.kernel = None
    a, b = fast.run(), slow.run()
    assert (a.reason, a.epoch) == (b.reason, b.epoch)
    finite = np.isfinite(b.errors)  # a diverging epoch may overflow to inf one way and NaN the other
    assert np.array_equal(np.isfinite(a.errors), finite)
    np.testing.assert_allclose(a.errors[finite], b.errors[finite], rtol=rtol, atol=atol)
    np.testing.assert_allclose(fast.net.params, slow.net.params, rtol=rtol, atol=atol)
    assert fast.best_error == pytest.approx(slow.best_error, rel=rtol, abs=atol)
    assert fast._since_best == slow._since_best
    assert np.array_equal(fast._order, slow._order)
    return fast, slow


ACTS = [name for name in ACTIVATIONS if name != "softmax"]
# (hidden activation, output activation, loss, optimizer, batch size, connection kind, targets)
CASES = [
    (ACTS[i % len(ACTS)], out, loss, opt, batch, kind, targets)
    for i, (out, loss, targets) in enumerate([
        ("logistic", "bce", "binary"), ("logistic", "bce", "unit"), ("logistic", "mse", "unit"),
        ("softmax", "ce", "onehot"), ("softmax", "mse", "onehot"), ("tanh", "mse", "unit"),
        ("identity", "mse", "unit"), ("softplus", "mse", "unit"), ("relu", "mse", "unit"),
        ("leaky_relu", "mse", "unit"), ("step", "mse", "unit"), ("logistic", "ce", "onehot"),
        ("tanh", "bce", "unit"), ("softmax", "bce", "binary"),
    ])
    for opt, batch, kind in [("sgd", None, "all_to_all"), ("momentum", 1, "one_to_one"), ("adam", 3, "all_to_else")]
]


@pytest.mark.parametrize("hidden, out, loss, optimizer, batch, kind, targets", CASES)
def test_kernel_equals_numpy(hidden, out, loss, optimizer, batch, kind, targets):
    net = Network.from_graph(dag(hidden, out, 1 if out not in ("softmax",) else 3, kind), seed=2)
    if targets == "onehot" and net.n_outputs == 1:
        targets = "binary"
    rate = {"sgd": 0.3, "momentum": 0.05, "adam": 0.01}[optimizer]
    settings = TrainSettings(rate=rate, epochs=40, target_error=0.0, cost=loss, optimizer=optimizer,
                             batch_size=batch, shuffle=True, seed=9)
    both_ways(net, data_for(net, kind=targets), settings)


@pytest.mark.parametrize("extra", [
    {"l1": 1e-3, "l2": 1e-2, "optimizer": "momentum"},
    {"schedule": {"kind": "step", "every": 7, "factor": 0.5}, "batch_size": 2},
    {"patience": 3, "rate": 1e-4},
    {"target_error": 0.2, "rate": 2.0},
    {"shuffle": False, "batch_size": 1, "optimizer": "adam", "l2": 1e-3},
    {"batch_size": 100},
])
def test_settings_and_stop_rules_match(extra):
    net = Network.from_graph(two_outputs(), seed=4)
    settings = TrainSettings(**{"rate": 0.2, "epochs": 60, "target_error": 0.0, "cost": "mse", **extra})
    both_ways(net, data_for(net, rows=9), settings)


def chain_net(sizes: list[int], hidden: str, out: str, seed: int = 1, bias: bool = True) -> Network:
    """A dense chain in → hidden… → out, the shape the online kernel specialises in."""
    g = Graph()
    roles = ["input"] + ["hidden"] * (len(sizes) - 2) + ["output"]
    for k, (size, role) in enumerate(zip(sizes, roles, strict=True)):
        g.add_layer(Layer(size, out if role == "output" else hidden, role=role, id=f"l{k}", bias=bias))
    for k in range(len(sizes) - 1):
        g.connect(f"l{k}", f"l{k + 1}")
    return Network.from_graph(g, seed=seed)


@pytest.mark.parametrize("hidden, out, loss, targets, extra", [
    ("tanh", "logistic", "mse", "unit", {}),
    ("logistic", "logistic", "bce", "binary", {"shuffle": False}),
    ("relu", "logistic", "bce", "unit", {"schedule": {"kind": "step", "every": 7, "factor": 0.5}}),
    ("leaky_relu", "tanh", "mse", "unit", {"patience": 3, "rate": 1e-4}),
    ("softplus", "identity", "mse", "unit", {"target_error": 0.05}),
    ("step", "softplus", "mse", "unit", {}),
    ("identity", "logistic", "bce", "unit", {"seed": 4}),
])
@pytest.mark.parametrize("sizes", [[3, 2], [3, 4, 2], [3, 4, 3, 2]])
def test_the_online_chain_kernel_equals_numpy(hidden, out, loss, targets, extra, sizes):
    net = chain_net(sizes, hidden, out)
    settings = TrainSettings(**{"rate": 0.1, "epochs": 30, "target_error": 0.0, "cost": loss, "optimizer": "sgd",
                                "batch_size": 1, "shuffle": True, "seed": 9, **extra})
    fast, _ = both_ways(net, data_for(net, kind=targets), settings)
    assert fast.kernel is not None and fast.kernel.online is not None


def test_the_online_chain_kernel_serves_only_what_it_computes():
    def online(net: Network, **settings) -> bool:
        run = TrainingRun(net, data_for(net), TrainSettings(**{"batch_size": 1, "optimizer": "sgd", **settings}))
        return run.kernel is not None and run.kernel.online is not None

    chain = chain_net([3, 4, 2], "tanh", "logistic")
    assert online(chain) and online(chain_net([3, 4, 2], "tanh", "logistic", bias=False))
    assert not online(chain, batch_size=2) and not online(chain, optimizer="momentum") and not online(chain, l2=1e-3)
    assert not online(chain_net([3, 4, 3], "tanh", "softmax"), cost="ce")
    assert not online(Network.from_graph(dag("tanh", "logistic", 1, "all_to_all"), seed=2))  # skips and fan-in
    one_to_one = Graph()
    one_to_one.add_layer(Layer(3, role="input", id="i"))
    one_to_one.add_layer(Layer(3, "logistic", role="output", id="o"))
    one_to_one.connect("i", "o", "one_to_one")
    assert not online(Network.from_graph(one_to_one, seed=0))


def test_divergence_restores_the_last_finite_parameters_either_way():
    net = Network.from_graph(dag("relu", "identity", 1, "all_to_all"), seed=1)
    settings = TrainSettings(rate=50.0, epochs=500, target_error=0.0, cost="mse", optimizer="momentum")
    fast, _ = both_ways(net, data_for(net), settings)
    assert fast.stop_reason() == "diverged" and np.isfinite(fast.net.params).all()


def test_a_rate_function_and_resuming_after_a_stop_match():
    net = Network.from_graph(dag("tanh", "logistic", 1, "all_to_all"), seed=5)
    data = data_for(net, rows=10, kind="binary")
    settings = TrainSettings(rate=0.5, epochs=30, target_error=0.0, batch_size=3, seed=2)
    fast, slow = both_ways(net, data, settings, rate_function=lambda epoch, err: 0.5 / (1 + epoch))
    for run in (fast, slow):  # raise the epoch limit and go on: shuffling continues identically
        run.update_settings(TrainSettings(**{**settings.to_dict(), "epochs": 55}))
    slow.kernel = None
    a, b = fast.run(), slow.run()
    np.testing.assert_allclose(a.errors, b.errors, rtol=1e-10)
    np.testing.assert_allclose(fast.net.params, slow.net.params, rtol=1e-10, atol=1e-12)


def test_snapshots_carry_every_epoch_from_kernel_chunks():
    net = Network.from_graph(dag("tanh", "logistic", 1, "all_to_all"), seed=5)
    run = TrainingRun(net, data_for(net, kind="binary"), TrainSettings(epochs=3000, target_error=0.0, batch_size=2))
    snaps = list(run.snapshots(max_rate=200))
    assert sum(len(s.errors) for s in snaps) == 3000 and snaps[-1].reason == "max_epochs"


def test_float32_runs_in_float32_and_stays_close_to_numpy():
    """Plain gradient descent: the float32 kernel and float32 NumPy differ only by summation order.

    (Adam is not compared here: dividing by the root of tiny second moments turns float32 round-off into
    visible steps, so its float32 runs part ways by chance; its float64 runs are equal to 1e-10 above.)
    """
    net = Network.from_graph(dag("tanh", "logistic", 1, "all_to_all"), seed=5)
    settings = TrainSettings(rate=0.3, epochs=30, target_error=0.0, optimizer="sgd", batch_size=2, dtype="float32")
    fast, slow = both_ways(net, data_for(net, kind="binary"), settings, rtol=2e-4, atol=1e-5)
    adam = TrainingRun(net.copy(), data_for(net, kind="binary"), replace(settings, optimizer="adam"))
    adam.run()
    for run in (fast, slow, adam):
        assert run.net.params.dtype == np.float32 and run.net.grads.dtype == np.float32 and run._X.dtype == np.float32
    assert adam.optimizer.m.dtype == np.float32 and adam.kernel is not None
    i, h, o = Layer(2), Layer(3), Layer(1)
    i.project(h)
    h.project(o)
    xor_net = Network(input=i, hidden=[h], output=o, seed=0)
    result = Trainer(xor_net).train(datasets.xor(), dtype="float32")
    assert result["reason"] == "target_error" and xor_net.params.dtype == np.float32


def test_every_registered_activation_has_a_kernel_form():
    from numba import njit

    from nnstudio.core.kernels import forms

    @njit
    def apply(code, z, a_out, d_out):
        for i in range(z.size):
            a_out[i] = forms.activate(code, z[i])
            d_out[i] = forms.derivative(code, z[i], a_out[i])

    z = np.linspace(-3, 3, 13)
    for name, act in ACTIVATIONS.items():
        assert name in ACTIVATION_CODES, f"activation {name!r} has no compiled form"
        if act.rowwise:
            Z, A = z[None, :5].copy(), np.empty((1, 5))
            forms.softmax_row(Z, A, 0, 0, 5)
            np.testing.assert_allclose(A, act.forward(Z), rtol=1e-14)
            continue
        a, d = np.empty_like(z), np.empty_like(z)
        apply(ACTIVATION_CODES[name], z, a, d)
        np.testing.assert_allclose(a, get_activation(name).forward(z), rtol=1e-14, atol=1e-300)
        np.testing.assert_allclose(d, get_activation(name).derivative(z, a), rtol=1e-14)


def test_the_arithmetic_tanh_and_log1p_are_within_a_few_ulp_of_numpy():
    """The vectorisable forms (no libm call) over their whole range: tiny, ordinary, saturated, signed."""
    from numba import njit

    from nnstudio.core.kernels import forms

    @njit
    def apply(x, tanh_out, log1p_out):
        for i in range(x.size):
            tanh_out[i] = forms.tanh(x[i])
            log1p_out[i] = forms.log1p(-min(abs(x[i]), 1.0 - 1e-12))

    rng = np.random.default_rng(0)
    tiny = np.geomspace(1e-300, 1.0, 500)
    x = np.concatenate([rng.normal(0, 4, 20_000), np.linspace(-30, 30, 5_001), tiny, -tiny, [1 - 1e-12, 19.5, 20.0]])
    t, lg = np.empty_like(x), np.empty_like(x)
    apply(x, t, lg)
    np.testing.assert_allclose(t, np.tanh(x), rtol=1e-15, atol=0)
    np.testing.assert_allclose(lg, np.log1p(-np.minimum(np.abs(x), 1 - 1e-12)), rtol=1e-15, atol=0)
    assert forms.tanh(np.inf) == 1.0 and forms.tanh(-np.inf) == -1.0 and np.isnan(forms.tanh(np.nan))


def test_wide_networks_train_on_numpy_with_a_reason():
    g = Graph()
    g.add_layer(Layer(200, role="input", id="i"))
    g.add_layer(Layer(200, role="output", id="o"))
    g.connect("i", "o")
    net = Network.from_graph(g, seed=0)
    assert net.n_params > MAX_KERNEL_PARAMS
    run = TrainingRun(net, data_for(net, rows=3), TrainSettings(epochs=2, cost="mse"))
    assert run.kernel is None and "NumPy" in run.engine and "parameters" in run.engine
    assert run.run().epoch == 2


def test_large_batches_train_on_numpy_where_its_vectorised_calls_win():
    net = chain_net([2, 16, 1], "tanh", "logistic")
    data = data_for(net, rows=NUMPY_BATCH_WORK // net.n_params + 1, kind="binary")
    assert len(data) >= NUMPY_BATCH_ROWS
    full = TrainingRun(net.copy(), data, TrainSettings(epochs=2, target_error=0.0))
    assert full.kernel is None and "NumPy" in full.engine and "rows" in full.engine and full.run().epoch == 2
    small = TrainingRun(net.copy(), data, TrainSettings(epochs=2, target_error=0.0, batch_size=NUMPY_BATCH_ROWS - 1))
    assert small.kernel is not None


def test_a_failing_kernel_is_logged_once_and_training_continues_on_numpy(monkeypatch, caplog):
    net = Network.from_graph(dag("tanh", "logistic", 1, "all_to_all"), seed=5)
    data = data_for(net, kind="binary")
    reference = TrainingRun(net.copy(), data, TrainSettings(epochs=20, target_error=0.0))
    reference.kernel = None
    reference.run()
    module = kernels.compiled("network_kernel")

    def broken(*args):
        raise RuntimeError("simulated compile failure")

    monkeypatch.setattr(module, "train_epochs", broken)
    monkeypatch.setattr(kernels, "_disabled", [])
    with caplog.at_level(logging.WARNING):
        run = TrainingRun(net.copy(), data, TrainSettings(epochs=20, target_error=0.0))
        run.run()
        TrainingRun(net.copy(), data, TrainSettings(epochs=2)).run()
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
    assert "simulated compile failure" in caplog.records[0].message
    assert not kernels.enabled() and "NumPy" in kernels.status()
    np.testing.assert_allclose(run.net.params, reference.net.params, rtol=1e-12)


def test_jit_switched_off_trains_on_numpy():
    code = (
        "from nnstudio.core import kernels, Trainer, Network, Layer, datasets\n"
        "i, h, o = Layer(2), Layer(3), Layer(1); i.project(h); h.project(o)\n"
        "r = Trainer(Network(input=i, hidden=[h], output=o, seed=0)).train(datasets.xor())\n"
        "import sys; print(kernels.status(), r['reason'], 'numba' in sys.modules)\n"
    )
    env = {**os.environ, "NNSTUDIO_JIT": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "training core: NumPy (NNSTUDIO_JIT=0) target_error False"


def test_a_run_started_while_the_kernels_compile_trains_on_numpy_at_once(monkeypatch):
    """The first Train press never waits for the background compile: it trains on NumPy meanwhile."""
    import threading

    from nnstudio.core.kernels import warm_up as warm_up_module

    release, steps = threading.Event(), []
    monkeypatch.setattr(warm_up_module, "warm_cache_in_child", lambda: steps.append("child") or release.wait(60))
    monkeypatch.setattr(warm_up_module, "warm_up", lambda: steps.append("load"))
    monkeypatch.setattr(kernels, "_warm_up_thread", [])
    thread = kernels.warm_up_in_background()
    try:
        assert kernels.compiled("network_kernel") is None and "until the compiled kernels are ready" in kernels.status()
        net = Network.from_graph(dag("tanh", "logistic", 1, "all_to_all"), seed=5)
        run = TrainingRun(net, data_for(net, kind="binary"), TrainSettings(epochs=3, target_error=0.0))
        assert run.kernel is None and "NumPy" in run.engine
        assert run.run().epoch == 3
    finally:
        release.set()
        thread.join(10)
    assert steps == ["child", "load"]  # compiled in the child, then loaded from the cache here
    assert kernels.compiled("network_kernel") is not None and "compiled kernels" in kernels.status()


def test_the_cache_is_warmed_in_a_child_process_and_a_failed_child_is_no_error(monkeypatch, caplog):
    from nnstudio.core.kernels import warm_up as warm_up_module

    assert warm_up_module.warm_cache_in_child()  # a real child: it loads (or compiles) the kernels and exits 0
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    with caplog.at_level(logging.INFO):
        assert not warm_up_module.warm_cache_in_child()
    assert "child process failed" in caplog.text
