"""The GUI's longest stall when the window takes a big project in and when a big run pauses: the idle views'
accuracy and confusion counts on the GUI thread (before) vs. on IdleFrames' worker thread (after).

    QT_QPA_PLATFORM=offscreen python benchmarks/idle_views_stall.py [--rows 60000]

An MNIST-sized project (rows × 784, 10,000 test rows, a 784-512-512-10 network; see save_stall.py) in a window
with the confusion dock on screen; a 1 ms timer ticks on the GUI thread and the longest gap between ticks is how
long the window could not paint.  ``before`` sets ``IdleFrames.sync_work`` so high that every request is answered
on the GUI thread, as nnstudio did before; ``after`` uses the default (big data on the worker thread) and lasts
until the numbers arrive.  One JSON line per step: ``stall_ms``, ``seconds``.  Compare within one run.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from PySide6.QtWidgets import QApplication
from save_stall import longest_stall, mnist_like, report

from nnstudio.ui.training.idle_frames import IdleFrames


def measure(app: QApplication, rows: int) -> None:
    from nnstudio.ui import MainWindow

    window = MainWindow()
    window.show()
    for timer in (window.autosaver.timer, window.autosaver.idle_timer, window.autosaver.deadline_timer):
        timer.setInterval(10**8)
    dock = window.docks["confusion"]
    if not dock.toggleViewAction().isChecked():
        dock.toggleViewAction().trigger()
    dock.raise_()
    training = window.training
    idle = (training.error_plot.idle_frames, training.confusion.idle_frames)
    default_work = IdleFrames.sync_work

    def when_idle(done: Callable[[], None]) -> None:
        """``done`` once no view awaits numbers."""
        if not any(frames.pending for frames in idle):
            done()
            return

        def check(_pending: bool) -> None:
            if not any(frames.pending for frames in idle) and not finished:
                finished.append(True)
                done()

        finished: list[bool] = []
        for frames in idle:
            frames.pendingChanged.connect(check)

    for label, work in (("before (GUI thread)", 10**30), ("after (worker thread)", default_work)):
        IdleFrames.sync_work = work

        project = mnist_like(rows, 10_000)  # made before the clock starts: making it is no part of opening

        def take_in(done: Callable[[], None], project=project) -> None:
            window.document.load(project, None)
            when_idle(done)

        report(f"open: the window takes the project in, {label}", rows, *longest_stall(app, take_in))

        def pause(done: Callable[[], None]) -> None:
            training.set_live(False)  # what Pause does to the views once the worker stood still
            when_idle(done)

        training.set_live(True)
        report(f"pause a run: the views catch up, {label}", rows, *longest_stall(app, pause))
    IdleFrames.sync_work = default_work
    window.ask_save_changes = lambda: None
    window.document.mark_saved(None)
    window.close()
    window.deleteLater()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60_000)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    measure(app, args.rows)


if __name__ == "__main__":
    main()
