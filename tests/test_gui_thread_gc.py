"""Garbage is collected on the GUI thread only, once a training controller exists (Qt objects must be deleted
by their own thread; the training worker collecting them crashed)."""

from __future__ import annotations

import gc
import threading

from nnstudio.ui.training.controller import TrainingController
from nnstudio.ui.training.gui_thread_gc import collect_on_gui_thread

#: well past the young generation's threshold (700), with room: objects of earlier tests freed meanwhile by
#: reference counting lower the young count too (in a random order that once kept 2,000 under the threshold)
CYCLES = 20_000


class _Cycle:
    """A reference cycle whose collection records the thread that collected it."""

    freed_on: list[str] = []

    def __init__(self):
        self.me = self

    def __del__(self):
        _Cycle.freed_on.append(threading.current_thread().name)


def test_a_thread_that_allocates_never_collects_and_the_gui_thread_does(qtbot):
    from nnstudio.ui.model.document import Document

    TrainingController(Document())
    assert not gc.isenabled()  # the controller switched automatic collection off
    assert collect_on_gui_thread() is not None
    qtbot.wait(50)  # the earlier tests' deferred deletions happen now, not while the cycles wait
    gc.collect()
    _Cycle.freed_on.clear()

    def allocate():
        for _ in range(CYCLES):  # garbage only the collector can free, well past the young generation's threshold
            _Cycle()

    worker = threading.Thread(target=allocate, name="allocating worker")
    worker.start()
    worker.join()
    assert _Cycle.freed_on == []  # the worker crossed the thresholds and collected nothing
    qtbot.waitUntil(lambda: len(_Cycle.freed_on) == CYCLES)
    assert set(_Cycle.freed_on) == {threading.main_thread().name}
