"""The pace of a run (core.pacing): epochs per second by a fake clock, never by wall time."""

from __future__ import annotations

import pytest

from nnstudio.core import datasets
from nnstudio.core.graph import Graph, Layer
from nnstudio.core.network import Network
from nnstudio.core.pacing import EpochPacer
from nnstudio.core.training import TrainingRun, TrainSettings


class FakeClock:
    """Time that passes only when told: by an epoch's cost or by a sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps = 0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.now += seconds


def paced_epochs(speed: float, epoch_cost: float, seconds: float) -> tuple[int, FakeClock]:
    """Epochs a pacer lets run in ``seconds`` of fake time when each epoch takes ``epoch_cost``."""
    clock = FakeClock()
    pacer = EpochPacer(speed, clock=clock, sleep=clock.sleep)
    epochs = 0
    while clock.now < seconds:
        if pacer.allowance() < 1:
            pacer.wait()
            continue
        clock.now += epoch_cost
        pacer.spend(1)
        epochs += 1
    return epochs, clock


@pytest.mark.parametrize("speed", [1, 10, 30, 100, 1000])
def test_pace_is_kept_within_one_percent_when_the_machine_is_faster(speed):
    epochs, _clock = paced_epochs(speed, epoch_cost=2e-5, seconds=20.0)
    assert abs(epochs / 20.0 - speed) <= 0.01 * speed + 1 / 20.0


def test_high_speeds_wait_once_per_group_of_epochs_not_per_epoch():
    epochs, clock = paced_epochs(1000, epoch_cost=2e-5, seconds=5.0)
    assert epochs > 4900
    assert clock.sleeps <= epochs / 5  # a thousand epochs a second is not a thousand sleeps


def test_a_slower_machine_runs_as_fast_as_it_can_without_waiting():
    epochs, clock = paced_epochs(1000, epoch_cost=0.002, seconds=2.0)  # 500 epochs/s at most
    assert clock.sleeps == 0
    assert epochs == pytest.approx(1000, abs=2)


def test_no_burst_after_a_pause():
    clock = FakeClock()
    pacer = EpochPacer(100, clock=clock, sleep=clock.sleep)
    clock.now += 60.0  # paused for a minute
    pacer.restart()
    assert pacer.allowance() == 1
    clock.now += 10.0  # late by far more than the bucket holds
    assert pacer.allowance() <= 100 * 0.25  # a quarter of a second's worth at most


def test_unpaced_never_waits_and_bad_speeds_are_refused():
    pacer = EpochPacer(0)
    assert not pacer.paced and pacer.allowance() > 10**9 and pacer.wait_time() == 0.0
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            EpochPacer(bad)


def test_a_training_run_keeps_the_pace_of_its_pacer():
    """The run's own loop asks the pacer before every epoch; its clock is fake, so epochs cost no time."""
    graph = Graph()
    graph.add_layer(Layer(2, role="input", id="L1"))
    graph.add_layer(Layer(3, "logistic", id="L2"))
    graph.add_layer(Layer(1, "logistic", role="output", id="L3"))
    graph.connect("L1", "L2")
    graph.connect("L2", "L3")
    run = TrainingRun(Network.from_graph(graph, seed=1), datasets.xor(), TrainSettings(target_error=0.0, epochs=10**9))
    clock = FakeClock()
    pacer = EpochPacer(50, clock=clock, sleep=clock.sleep)
    last = None
    for snap in run.snapshots(lambda: clock.now >= 3.0, max_rate=0, pacer=pacer):
        last = snap
    assert last.reason == "stopped"
    assert abs(last.epoch - 50 * 3.0) <= 2


def test_speed_is_a_setting_checked_like_the_others():
    assert TrainSettings().speed == 0.0
    assert TrainSettings.from_dict({"speed": 25}).speed == 25
    with pytest.raises(ValueError, match="speed"):
        TrainSettings.from_dict({"speed": -3})
