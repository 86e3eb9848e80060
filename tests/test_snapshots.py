"""Time-travel snapshots: exact scrubbing, bounded memory, dense start, branching, saving."""

import json
import math

import numpy as np
import pytest

from nnstudio.core import Layer, Network, TrainingRun, TrainSettings, datasets
from nnstudio.core.snapshots import SnapshotStore


def xor_graph():
    a, b, c = Layer(2), Layer(3), Layer(1)
    a.project(b)
    b.project(c)
    return Network(input=a, hidden=[b], output=c, seed=0).graph


def params_for(epoch: int, n: int = 5) -> np.ndarray:
    return np.arange(n) + epoch * 0.001


def test_scrubbing_returns_exactly_the_recorded_params():
    net = Network.from_graph(xor_graph(), seed=1)
    run = TrainingRun(net, datasets.xor(), TrainSettings(epochs=300, target_error=0.0))
    store = SnapshotStore(net.n_params, max_bytes=60 * (8 * net.n_params + 16))
    recorded = {}
    for _ in range(300):
        err = run.epoch()
        store.add(run.epochs_done, net.params, err)
        recorded[run.epochs_done] = net.params.copy()
    assert len(store) < 300  # thinned
    for epoch in store.epochs:
        got_epoch, params = store.nearest(epoch)
        assert got_epoch == epoch
        assert np.array_equal(params, recorded[epoch])
    # any epoch maps to a recorded one nearby, and the newest is always there
    assert store.nearest(10**9)[0] == 300
    assert np.array_equal(store.nearest(10**9)[1], net.params)
    epoch, params = store.nearest(151.4)
    assert np.array_equal(params, recorded[epoch])
    assert abs(epoch - 151.4) <= np.diff(store.epochs).max()


def test_memory_bound_holds_over_ten_million_epochs():
    n_params, budget = 9, 64 * 1024
    store = SnapshotStore(n_params, max_bytes=budget)
    params = np.zeros(n_params)
    peak = 0
    for epoch in range(1, 10_000_001, 8):  # every 8th epoch: 1.25 million adds
        params[0] = epoch
        store.add(epoch, params, 1.0 / epoch)
        if epoch % 1_000_001 == 0:
            peak = max(peak, store.nbytes)
    peak = max(peak, store.nbytes)
    assert peak <= budget
    epochs = store.epochs
    assert epochs[-1] == 9_999_993 and len(epochs) > store.capacity // 2
    # every snapshot holds its own epoch's parameters
    for e in epochs[:: max(1, len(epochs) // 50)]:
        assert store.nearest(e)[1][0] == e


def test_thinning_keeps_the_start_dense_and_the_spacing_grows():
    store = SnapshotStore(4, max_bytes=200 * (8 * 4 + 16))
    for epoch in range(1, 100_001):
        store.add(epoch, params_for(epoch, 4))
    epochs = store.epochs
    dense = epochs[: store.dense]
    assert np.array_equal(dense, np.arange(1, store.dense + 1))  # every epoch at the start
    gaps = np.diff(epochs[store.dense : -1])
    assert gaps.min() >= store.stride // 2 and gaps.max() > 100  # thin later
    assert store.stride > 1 and len(store) <= store.capacity + 1


def test_truncate_after_branches_and_returns_the_abandoned_tail():
    store = SnapshotStore(3, max_bytes=1 << 16)
    for epoch in range(1, 51):
        store.add(epoch, params_for(epoch, 3), error=1.0 / epoch)
    tail_epochs, tail_errors = store.truncate_after(20)
    assert tail_epochs.tolist() == list(range(21, 51))
    np.testing.assert_array_equal(tail_errors, 1.0 / np.arange(21, 51))
    assert store.last_epoch == 20
    # training continues from epoch 20 on another branch
    store.add(21, params_for(1000, 3), error=0.5)
    assert np.array_equal(store.nearest(21)[1], params_for(1000, 3))
    with pytest.raises(ValueError):
        store.add(21, params_for(0, 3))


def test_save_and_load_round_trip_within_the_bound():
    store = SnapshotStore(6, max_bytes=40_000)
    for epoch in range(1, 5000, 3):
        store.add(epoch, params_for(epoch, 6) * math.pi, error=1.0 / epoch)
    assert len(json.dumps(store.to_dict())) <= 40_000  # the saved form respects the store's bound too
    data = json.loads(json.dumps(store.to_dict(max_bytes=10**6)))
    again = SnapshotStore.from_dict(data)
    assert np.array_equal(again.epochs, store.epochs)
    for epoch in store.epochs:
        assert np.array_equal(again.nearest(epoch)[1], store.nearest(epoch)[1])
    # a tighter budget thins the saved copy but keeps the first and the newest snapshot
    small = store.to_dict(max_bytes=5_000)
    assert len(json.dumps(small)) <= 5_000
    loaded = SnapshotStore.from_dict(small)
    assert loaded.epochs[0] == store.epochs[0] and loaded.epochs[-1] == store.epochs[-1]
    assert np.array_equal(loaded.nearest(store.epochs[-1])[1], store.nearest(store.epochs[-1])[1])


def test_bad_saved_snapshots_name_the_field():
    good = SnapshotStore(2, max_bytes=4096)
    good.add(1, [1.0, 2.0])
    data = good.to_dict()
    with pytest.raises(ValueError, match="snapshots.params"):
        SnapshotStore.from_dict({**data, "params": "!!"})
    with pytest.raises(ValueError, match="snapshots.params"):
        SnapshotStore.from_dict({**data, "epochs": [1, 2], "errors": [0.1, 0.2]})
    with pytest.raises(ValueError, match="snapshots.format"):
        SnapshotStore.from_dict({**data, "format": "other"})


def test_a_worker_thread_adds_while_another_scrubs():
    import threading

    store = SnapshotStore(3, max_bytes=8 * 1024)
    done = threading.Event()

    def train():
        for epoch in range(1, 100_001):
            store.add(epoch, [epoch, -epoch, 0.5])
        done.set()

    worker = threading.Thread(target=train)
    worker.start()
    checked = 0
    while not done.is_set() or checked == 0:
        if len(store):
            epoch, params = store.nearest(np.random.default_rng(checked).integers(1, 100_000))
            assert params[0] == epoch and params[1] == -epoch  # never a row of another epoch
            checked += 1
    worker.join()
    assert checked > 0 and store.last_epoch == 100_000
