"""Garbage collection on the GUI thread only: a Qt object must be deleted by the thread it belongs to.

Python's cycle collector runs in whichever thread happens to allocate when a generation's threshold is crossed:
the training worker, the project writer, the idle-frames thread.  When the cycle it frees holds a Qt object of
the window, that object is then deleted from the wrong thread and Qt crashes (seen as segfaults while
"Garbage-collecting" in the training worker during 100 rapid train/stop cycles).  So, as pyqtgraph's
``GarbageCollector`` does, automatic collection is switched off once the first training controller exists, and
the GUI thread collects on a timer by the same generation thresholds.  Reference counting frees everything
else at once, as before.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

CHECK_MS = 100  # how often the GUI thread looks at the collector's counts


class GuiThreadCollector(QObject):
    """Collects the generations whose counts passed their thresholds, on the thread that made it."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(CHECK_MS)
        gc.disable()

    def check(self) -> None:
        """What automatic collection would do now: the young generation, and the older ones when due."""
        young, middle, old = gc.get_count()
        if young > self.thresholds[0]:
            gc.collect(0)
            if middle > self.thresholds[1]:
                gc.collect(1)
                if old > self.thresholds[2]:
                    gc.collect(2)


_collector: GuiThreadCollector | None = None


def collect_on_gui_thread() -> GuiThreadCollector | None:
    """Switch the process to GUI-thread collection (once; None without a Qt application)."""
    global _collector
    app = QCoreApplication.instance()
    if _collector is None and app is not None:
        _collector = GuiThreadCollector(app)
    return _collector


def collect_due() -> None:
    """Collect now what is due, if GUI-thread collection is on (for code that runs no event loop for a while)."""
    if _collector is not None:
        _collector.check()
