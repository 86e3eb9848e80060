"""Coalesce refreshes: run a function at most every so many milliseconds, the last call never lost."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

#: how often the heavier views (heatmaps, table, try-it, accuracy) redraw during training
SLOW_VIEW_MS = 125


class Throttle(QObject):
    """Calling it runs ``fn`` at most once per interval; the last call of a burst is never lost.

    Heavy views (heatmaps, the table) use it so that during training they
    redraw a few times a second, always inside one of the controller's frames
    (the moments the worker stands aside), while the plot and the synapses
    keep the full frame rate.  A call that comes too soon is dropped but arms
    a trailing timer, which fires only once the calls stop (the end of a run,
    a single edit), so the view always ends up showing the latest state.
    """

    def __init__(self, fn: Callable[[], None], interval_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self.fn = fn
        self.interval = interval_ms / 1000.0
        self._last = -1e9
        self._trailing = QTimer(self)
        self._trailing.setSingleShot(True)
        self._trailing.setInterval(2 * interval_ms)
        self._trailing.timeout.connect(self._fire)

    def __call__(self, *_args) -> None:
        if time.perf_counter() - self._last >= self.interval:
            self._fire()
        else:
            self._trailing.start()  # restarted by every call: fires only when they stop

    def _fire(self) -> None:
        self._trailing.stop()
        self._last = time.perf_counter()
        self.fn()
