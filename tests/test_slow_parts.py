"""The slow frame parts of big data are computed on a helper thread, equal the GUI's, and reach the views."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from nnstudio.core import datasets, slow_parts
from nnstudio.core.frames import FrameBuilder, FrameRequest, GridRequest
from nnstudio.core.slow_parts import SlowParts, worth_a_thread
from nnstudio.core.training import TrainSettings, resolve_cost
from nnstudio.ui.model.document import Document

ENDLESS = TrainSettings(target_error=0.0, epochs=10**9)


def _wait_for(helper: SlowParts, timeout: float = 10.0):
    """The helper's next result, polled as the training thread would."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = helper.take()
        if frame is not None:
            return frame
        time.sleep(0.005)
    raise AssertionError("the helper delivered nothing")


def test_the_helper_computes_what_the_frame_builder_does_one_job_at_a_time():
    net, data = Document().network, datasets.xor()
    request = FrameRequest(rows=(0, 4), probe=(0.0, 1.0), accuracy=True, confusion=True, marked_rows=(0, 4, 1),
                           surface=GridRequest((0.0, 1.0, 0.0, 1.0), 5))
    params = np.random.default_rng(0).normal(0, 1, net.n_params)
    helper = SlowParts(net, data, "bce")
    assert helper.submit(request, params, epoch=7)
    frame = _wait_for(helper)
    expected = FrameBuilder(net, data, "bce").build(request, params, 7)
    assert frame.epoch == 7 and frame.accuracy == expected.accuracy
    assert np.array_equal(frame.confusion[0], expected.confusion[0])
    assert np.array_equal(frame.wrong, expected.wrong) and np.allclose(frame.surface, expected.surface)
    assert frame.outputs.size == 0 and frame.probe_activations is None  # the fast parts stay with the worker
    assert helper.take() is None  # a result is taken once
    helper.close()
    helper.join(5)
    assert not helper.submit(request, params, 8)


def test_a_busy_helper_refuses_new_work_and_its_failures_reach_the_training_thread(monkeypatch):
    net, data = Document().network, datasets.xor()
    release = threading.Event()
    original = FrameBuilder.build

    def slow_build(self, request, params=None, epoch=0):
        release.wait(10)
        if epoch == 2:
            raise FloatingPointError("the outputs overflowed")
        return original(self, request, params, epoch)

    monkeypatch.setattr(FrameBuilder, "build", slow_build)
    helper = SlowParts(net, data, "bce")
    request = FrameRequest(accuracy=True)
    assert helper.submit(request, net.params, 1)
    assert not helper.submit(request, net.params, 2), "one job at a time"
    release.set()
    assert _wait_for(helper).epoch == 1
    assert helper.submit(request, net.params, 2)
    with pytest.raises(FloatingPointError, match="overflowed"):
        _wait_for(helper)
    helper.close()


def test_big_data_goes_to_the_helper_and_small_data_stays_in_the_worker():
    doc = Document()
    assert not worth_a_thread(doc.network, datasets.xor())
    assert worth_a_thread(doc.network, datasets.generate("circle", n=200_000, noise=0.1, seed=1))


def test_training_on_big_data_shows_accuracy_computed_by_the_helper_for_a_snapshot(qtbot, window, monkeypatch):
    monkeypatch.setattr(slow_parts, "HELPER_WORK", 0)  # XOR counts as big here: the helper serves it
    jobs: dict[int, np.ndarray] = {}
    threads: set[int] = set()
    submit, build = SlowParts.submit, FrameBuilder.build

    def record_submit(self, request, params, epoch):
        accepted = submit(self, request, params, epoch)
        if accepted:
            jobs[epoch] = params.copy()
        return accepted

    def record_thread(self, request, params=None, epoch=0):
        if request.accuracy:
            threads.add(threading.get_ident())
        return build(self, request, params, epoch)

    monkeypatch.setattr(SlowParts, "submit", record_submit)
    monkeypatch.setattr(FrameBuilder, "build", record_thread)
    window.show()
    doc, controller = window.document, window.training.controller
    frames = []
    controller.frameReady.connect(frames.append)
    doc.set_settings(ENDLESS)
    controller.train()
    threads.clear()  # the views computed the idle window's numbers before the run began
    qtbot.waitUntil(lambda: sum(f.accuracy is not None for f in frames) >= 3, timeout=20000)
    during_training = set(threads)
    controller.stop()
    assert threading.get_ident() not in during_training and len(during_training) == 1, "one helper thread"
    assert all(not f.request.accuracy for f in frames), "the worker's own frames leave the slow parts out"
    net = doc.network.copy()
    builder = FrameBuilder(net, doc.dataset, resolve_cost(doc.settings.cost, net, doc.dataset))
    shown = [f.accuracy for f in frames if f.accuracy is not None]
    computed = {builder.build(FrameRequest(accuracy=True), params).accuracy for params in jobs.values()}
    assert set(shown) <= computed  # every accuracy shown is that of a snapshot's parameters
    qtbot.waitUntil(lambda: not any(t.name == "nnstudio slow frame parts" for t in threading.enumerate()),
                    timeout=5000)
