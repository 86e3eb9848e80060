"""Training loop behaviour: modes, stop reasons, divergence, schedules, snapshots."""

import math

import numpy as np
import pytest

from nnstudio.core import Layer, Network, Trainer, TrainingRun, TrainSettings, datasets


def xor_net(seed=0, **layer_kw) -> Network:
    i, h, o = Layer(2), Layer(3, **layer_kw), Layer(1)
    i.project(h)
    h.project(o)
    return Network(input=i, hidden=[h], output=o, seed=seed)


def test_default_trainer_solves_xor() -> None:
    net = xor_net(seed=4)
    result = Trainer(net).train(datasets.xor(), error=0.005, iterations=5000)
    assert result["reason"] == "target_error"
    assert net.loss(datasets.xor().X, datasets.xor().Y, "mse") < 0.005
    assert set(result) >= {"error", "iterations", "time"}
    assert len(result["errors"]) == result["iterations"]


def test_synaptic_record_format_is_accepted() -> None:
    data = [
        {"input": [0, 0], "output": [0]},
        {"input": [0, 1], "output": [1]},
        {"input": [1, 0], "output": [1]},
        {"input": [1, 1], "output": [0]},
    ]
    result = Trainer(xor_net(1)).train(data, iterations=10)
    assert result["iterations"] == 10 and result["reason"] == "max_epochs"


@pytest.mark.parametrize("batch_size", [1, 2, None])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_every_mode_and_optimizer_lowers_the_error(batch_size, optimizer) -> None:
    rate = {"sgd": 2.0, "momentum": 0.3, "adam": 0.05}[optimizer]
    net = xor_net(seed=2)
    data = datasets.xor()
    before = net.loss(data.X, data.Y, "bce")
    Trainer(net).train(data, rate=rate, iterations=300, batch_size=batch_size, optimizer=optimizer, error=0)
    assert net.loss(data.X, data.Y, "bce") < before * 0.7


def test_online_epoch_equals_activate_propagate_loop() -> None:
    """Trainer(batch_size=1, cost="bce", sgd, no shuffle) is Synaptic's activate/propagate loop."""
    a, b = xor_net(seed=9), xor_net(seed=9)
    data = datasets.xor()
    Trainer(a).train(data, rate=0.3, iterations=50, batch_size=1, optimizer="sgd", cost="bce", shuffle=False, error=0)
    for _ in range(50):
        for x, y in zip(data.X, data.Y, strict=True):
            b.activate(x)
            b.propagate(0.3, y)
    np.testing.assert_allclose(a.params, b.params, rtol=0, atol=1e-12)


def test_divergence_stops_and_keeps_last_finite_weights() -> None:
    i, h, o = Layer(2), Layer(3, "identity"), Layer(1, "identity")
    i.project(h)
    h.project(o)
    net = Network(input=i, hidden=[h], output=o, seed=0)
    run = TrainingRun(net, datasets.xor(), TrainSettings(rate=1000.0, optimizer="sgd", cost="mse", epochs=10_000))
    final = run.run()
    assert final.reason == "diverged"
    assert np.isfinite(net.params).all()
    assert final.epoch < 10_000


def test_plateau_and_time_limit_and_external_stop() -> None:
    data = datasets.xor()
    run = TrainingRun(xor_net(0), data, TrainSettings(rate=1e-9, optimizer="sgd", patience=20, epochs=10_000))
    assert run.run().reason == "plateau"
    run = TrainingRun(xor_net(0), data, TrainSettings(rate=1e-9, epochs=10**9, max_seconds=0.05))
    assert run.run().reason == "time_limit"
    calls = []
    run = TrainingRun(xor_net(0), data, TrainSettings(epochs=10**9, target_error=0))
    run.kernel = None  # the NumPy path checks the stop flag before every epoch
    final = run.run(stop=lambda: calls.append(1) or len(calls) > 5)
    assert final.reason == "stopped" and final.epoch == 5
    calls.clear()
    run = TrainingRun(xor_net(0), data, TrainSettings(epochs=10**9, target_error=0))
    final = run.run(stop=lambda: calls.append(1) or len(calls) > 5)  # a kernel checks it between its chunks
    assert final.reason == "stopped" and final.epoch == len(final.errors) >= 5


def test_snapshots_are_rate_limited_and_lose_no_epoch() -> None:
    run = TrainingRun(xor_net(3), datasets.xor(), TrainSettings(epochs=3000, target_error=0))
    snaps = list(run.snapshots(max_rate=30))
    assert snaps[-1].reason == "max_epochs"
    assert sum(len(s.errors) for s in snaps) == 3000
    assert len(snaps) < 3000 / 10  # far fewer snapshots than epochs
    assert snaps[-1].params is not run.net.params


def test_split_epochs_snapshot_between_mini_batches_and_train_the_same(monkeypatch) -> None:
    """A live view of a long mini-batch epoch moves: snapshots come between batches, nothing else changes."""
    monkeypatch.setenv("NNSTUDIO_JIT", "0")  # the NumPy path: the compiled kernel runs whole epochs
    data = datasets.circle(400, noise=0.1, seed=2, test_fraction=0.0)
    settings = dict(epochs=3, target_error=0, batch_size=4, rate=0.3)
    whole = TrainingRun(xor_net(5), data, TrainSettings(**settings))
    split = TrainingRun(xor_net(5), data, TrainSettings(**settings))
    whole_snaps = list(whole.snapshots(max_rate=0))
    split_snaps = list(split.snapshots(max_rate=1e9, split_epochs=True))  # a deadline after every batch
    assert [len(s.errors) for s in whole_snaps] == [1, 1, 1, 0]  # the last one carries the reason
    middle = [s for s in split_snaps[:-1] if not len(s.errors)]
    assert len(middle) > 3 * 50  # 100 batches an epoch
    assert {s.epoch for s in middle} == {0, 1, 2} and all(s.reason is None for s in middle)
    assert not np.array_equal(middle[0].params, middle[-1].params)  # the parameters move within an epoch
    assert split_snaps[-1].reason == "max_epochs" and split_snaps[-1].epoch == 3
    np.testing.assert_array_equal(np.concatenate([s.errors for s in split_snaps]),
                                  np.concatenate([s.errors for s in whole_snaps]))
    np.testing.assert_array_equal(split.net.params, whole.net.params)


def test_step_decay_schedule_and_rate_function() -> None:
    run = TrainingRun(
        xor_net(), datasets.xor(), TrainSettings(rate=1.0, schedule={"kind": "step", "every": 10, "factor": 0.5})
    )
    assert run.current_rate() == 1.0
    for _ in range(20):
        run.epoch()
    assert run.current_rate() == 0.25
    seen = []
    Trainer(xor_net()).train(datasets.xor(), rate=lambda it, err: seen.append(it) or 0.1, iterations=5)
    assert seen[:5] == [0, 1, 2, 3, 4]


def test_sample_step_advances_one_sample_then_finishes_the_epoch() -> None:
    run = TrainingRun(xor_net(), datasets.xor(), TrainSettings(batch_size=1, shuffle=False))
    run.sample_step()
    assert run.epochs_done == 0 and run._cursor == 1
    run.epoch()  # finishes the started epoch
    assert run.epochs_done == 1 and run._cursor == 0


def test_mismatched_dataset_is_refused() -> None:
    with pytest.raises(ValueError, match="3 inputs"):
        TrainingRun(xor_net(), datasets.Dataset([[0, 0, 0]], [[1]]))


def test_settings_validation_messages() -> None:
    with pytest.raises(ValueError, match="learning rate"):
        TrainSettings(rate=-1).validate()
    with pytest.raises(ValueError, match="unknown optimizer"):
        TrainSettings(optimizer="rmsprop").validate()
    with pytest.raises(ValueError, match="unknown loss"):
        TrainSettings(cost="hinge").validate()


def test_l2_shrinks_weights_but_not_biases() -> None:
    net = xor_net(1)
    net.params[:] = 1.0
    run = TrainingRun(net, datasets.xor(), TrainSettings(rate=0.1, optimizer="sgd", l2=1.0, cost="mse"))
    grads_only = xor_net(1)
    grads_only.params[:] = 1.0
    TrainingRun(grads_only, datasets.xor(), TrainSettings(rate=0.1, optimizer="sgd", cost="mse")).epoch()
    run.epoch()
    diff = grads_only.params - net.params
    assert np.allclose(diff[net.weight_mask == 1], 0.1)
    assert np.allclose(diff[net.weight_mask == 0], 0.0)


def test_test_split_reports_test_error() -> None:
    data = datasets.circle(n=60, seed=1, test_fraction=0.25)
    i, h, o = Layer(2), Layer(4, "tanh"), Layer(1)
    i.project(h)
    h.project(o)
    run = TrainingRun(Network(input=i, hidden=[h], output=o, seed=0), data, TrainSettings(epochs=5))
    final = run.run()
    assert final.test_error is not None and math.isfinite(final.test_error)


def test_patience_counts_only_epochs_without_improvement() -> None:
    """A falling error never triggers the plateau stop, however small the patience."""
    settings = TrainSettings(rate=0.5, optimizer="momentum", patience=50, epochs=400, target_error=0)
    run = TrainingRun(xor_net(4), datasets.xor(), settings)
    final = run.run()
    assert final.reason == "max_epochs" and final.epoch == 400
    assert final.errors[-1] < 0.5 * final.errors[0]  # it kept learning past the patience window
