"""Compiled chunks record time-travel snapshots themselves: the store ends as recording after every epoch leaves it."""

import math

import numpy as np
import pytest

from nnstudio.core import Layer, Network, TrainingRun, TrainSettings, datasets, kernels
from nnstudio.core.snapshots import ChunkRecorder, SnapshotStore

pytestmark = pytest.mark.skipif(not kernels.enabled(), reason="numba is not installed or NNSTUDIO_JIT=0")


def xor_net(output: str = "logistic") -> Network:
    i, h, o = Layer(2), Layer(3, "tanh"), Layer(1, output)
    i.project(h)
    h.project(o)
    return Network(input=i, hidden=[h], output=o, seed=4)


def small_store(net: Network) -> SnapshotStore:
    """A store that fills and thins (stride 1, 2, 4, ...) within a few hundred epochs."""
    return SnapshotStore(net.n_params, max_bytes=41 * (8 * net.n_params + 16), dense=10)


def recorded_per_epoch(net: Network, settings: TrainSettings, offset: int) -> SnapshotStore:
    """The reference: compiled chunks of one epoch, each finite one offered to the store (which decides what
    it keeps), as the worker recorded before chunks could."""
    run = TrainingRun(net.copy(), datasets.xor(), TrainSettings(**settings.to_dict()))
    assert run.kernel is not None, run.engine
    run._check_every = lambda: 1
    store = small_store(net)
    while run.stop_reason() is None:
        with np.errstate(over="ignore", invalid="ignore"):
            assert len(run._run_chunk(math.inf)) == 1
        if math.isfinite(run.last_error):
            store.add(offset + run.epochs_done, run.net.params, run.last_error)
    return store


def recorded_in_chunks(net: Network, settings: TrainSettings, offset: int, rows: int | None) -> SnapshotStore:
    """Compiled chunks recording through a ChunkRecorder; the newest epoch added at the end, as the worker does."""
    run = TrainingRun(net.copy(), datasets.xor(), TrainSettings(**settings.to_dict()))
    assert run.kernel is not None, run.engine
    store = small_store(net)
    run.recorder = ChunkRecorder(store, offset)
    if rows is not None:
        run.recorder.rows = rows
    sizes = []
    run_chunk = run.kernel.run
    run.kernel.run = lambda *args: sizes.append(len(errors := run_chunk(*args))) or errors
    for _ in run.snapshots(max_rate=0.5, check_every=lambda: 10**9):
        pass
    assert max(sizes) > (rows or 3)  # chunks of many epochs (more than the rows: they record only kept ones)
    if math.isfinite(run.last_error) and offset + run.epochs_done > store.last_epoch:
        store.add(offset + run.epochs_done, run.net.params, run.last_error)
    return store


@pytest.mark.parametrize("settings", [
    TrainSettings(epochs=700, target_error=0.0),  # full batch, thinned three times
    TrainSettings(epochs=700, target_error=0.0, optimizer="adam", rate=0.05, batch_size=2, seed=3),  # shuffled
    TrainSettings(epochs=5000, target_error=0.02),  # the target ends a chunk between recorded epochs
    TrainSettings(epochs=700, rate=2.0, target_error=0.0, cost="mse"),  # diverges (identity output) at 187
], ids=["full-batch", "shuffled-mini-batch", "target-error", "diverged"])
@pytest.mark.parametrize("rows", [None, 3], ids=["rows-default", "rows-3"])
def test_compiled_chunks_keep_what_recording_every_epoch_keeps(settings, rows):
    net = xor_net("identity" if settings.cost == "mse" else "logistic")
    expected = recorded_per_epoch(net, settings, offset=5)
    got = recorded_in_chunks(net, settings, offset=5, rows=rows)
    if settings.epochs == 700:
        assert expected.stride >= 4  # thinned while recording
    if settings.cost == "mse":  # diverged: the newest finite epoch is only there when a chunk ended on it
        assert got.last_epoch >= expected.last_epoch - 8  # within a stride of it
        expected.truncate_after(got.last_epoch)
    assert np.array_equal(got.epochs, expected.epochs)
    np.testing.assert_array_equal(got.errors, expected.errors)
    assert got.stride == expected.stride
    for epoch in expected.epochs:
        e1, p1 = expected.nearest(epoch)
        e2, p2 = got.nearest(epoch)
        assert e1 == e2 == epoch
        np.testing.assert_array_equal(p2, p1)
        assert np.isfinite(p2).all()


def test_a_chunk_runs_no_more_epochs_than_its_rows_can_record():
    net = xor_net()
    store = small_store(net)
    recorder = ChunkRecorder(store, 0)
    recorder.rows = 4
    epochs, after, records = recorder.plan(0, 1000, np.dtype(np.float64))
    assert (epochs, list(after)) == (4, [1, 2, 3, 4]) and records.shape == (4, net.n_params)
    for epoch in range(1, 46):  # past the dense start and one thinning: stride 2
        store.add(epoch, np.full(net.n_params, float(epoch)))
    assert store.stride == 2
    epochs, after, _ = recorder.plan(45, 1000, np.dtype(np.float32))
    first = store.next_kept_epoch - 45
    assert list(after) == [first, first + 2, first + 4, first + 6] and epochs == first + 6
    epochs, after, records = recorder.plan(45, 1, np.dtype(np.float32))
    assert epochs == 1 and all(a <= 1 for a in after) and records.dtype == np.float32
