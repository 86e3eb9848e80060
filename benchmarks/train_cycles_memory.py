"""Train / Stop / Reset cycles through the window's actions: memory growth (tracemalloc and RSS) and hangs.

    QT_QPA_PLATFORM=offscreen python benchmarks/train_cycles_memory.py [cycles] [undo budget in MB]

Each cycle presses Train, waits until the run has applied a frame to the
document, presses Stop, then Reset Weights (an undo step that keeps the run,
within the undo memory budget).  Growth is measured from the end of a warm-up
(imports, first-use caches, the budget filling) to the end; a cycle that does
not finish within HANG_SECONDS is reported as a hang.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HANG_SECONDS = 20.0


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main(cycles: int = 1000, budget_mb: float | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = tempfile.mkdtemp(prefix="nnstudio-cycles-")
    os.environ["XDG_DATA_HOME"] = scratch  # autosaves of this run stay out of the user's folder
    from PySide6.QtCore import QEventLoop, QSettings
    from PySide6.QtWidgets import QApplication, QMessageBox

    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, scratch)
    app = QApplication.instance() or QApplication(sys.argv)
    from nnstudio.core import TrainSettings
    from nnstudio.ui import MainWindow
    from nnstudio.ui.training.controller import IDLE, RUNNING

    window = MainWindow()
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    window.show()
    doc, controller, actions = window.document, window.training.controller, window.actions
    doc.set_settings(TrainSettings(target_error=0.0, epochs=10**9))  # runs until Stop
    if budget_mb is not None:
        doc.states.budget = int(budget_mb * 2**20)

    def wait_for(condition) -> bool:
        deadline = time.perf_counter() + HANG_SECONDS
        while not condition():
            if time.perf_counter() > deadline:
                return False
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return True

    def cycle() -> bool:
        frames = controller.frames
        actions["train"].trigger()
        if not wait_for(lambda: controller.state == RUNNING and controller.frames > frames):
            return False
        actions["stop"].trigger()
        if not wait_for(lambda: controller.state == IDLE):
            return False
        actions["reset"].trigger()
        return True

    warmup = min(100, max(1, cycles // 10))
    hangs, slowest = 0, 0.0
    tracemalloc.start()
    for k in range(cycles):
        if k == warmup:
            app.processEvents()
            traced_start, rss_start = tracemalloc.get_traced_memory()[0], rss_mb()
        start = time.perf_counter()
        if not cycle():
            hangs += 1
        slowest = max(slowest, time.perf_counter() - start)
        if (k + 1) % max(1, cycles // 10) == 0:
            print(f"  after {k + 1} cycles: traced {tracemalloc.get_traced_memory()[0] / 2**20:.1f} MB, "
                  f"RSS {rss_mb():.1f} MB", flush=True)
    app.processEvents()
    traced_end, rss_end = tracemalloc.get_traced_memory()[0], rss_mb()
    tracemalloc.stop()
    print(f"cycles: {cycles} (growth measured over the last {cycles - warmup})")
    print(f"tracemalloc growth: {(traced_end - traced_start) / 2**20:.2f} MB")
    print(f"RSS growth: {rss_end - rss_start:.2f} MB (RSS at the end {rss_end:.1f} MB)")
    print(f"undo steps: {doc.undo_stack.count()}, kept trained states: {doc.states.nbytes / 2**20:.2f} MB "
          f"(budget {doc.states.budget / 2**20:.0f} MB)")
    print(f"hangs: {hangs}, slowest cycle: {slowest:.2f} s")
    controller.shutdown(2000)
    window.close()
    return 1 if hangs else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(int(args[0]) if args else 1000, float(args[1]) if len(args) > 1 else None))
