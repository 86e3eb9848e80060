"""The GUI's longest stall while a project is saved, autosaved after Stop, and opened: on the GUI thread vs. off it.

    QT_QPA_PLATFORM=offscreen python benchmarks/save_stall.py [--sizes 5000 60000]

For each dataset size (rows × 784 inputs, 10 one-hot targets, a 784-512-512-10 network; the 60,000-row one with
10,000 test rows too, MNIST-sized) a window holds the project and a 1 ms timer ticks on the GUI thread; the longest
gap between two ticks is how long the window could not paint or take a key.  ``before`` does the work on the GUI
thread as nnstudio did before (``save_project`` of the document, ``load_project``); ``after`` uses the window's own
paths (File → Save, the autosave a stopped run asks for, File → Open's reader thread).  Taking an opened project in
(the document's load, the canvas and docks rebuilt) stays on the GUI thread and is measured on its own.  One JSON line
per step: ``stall_ms`` (the longest gap), ``seconds`` (start to finish).  Compare within one run: the machine is
shared.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from nnstudio.core import Dataset, Graph, Layer
from nnstudio.io.project import Project, load_project, save_project


def mnist_like(rows: int, test_rows: int) -> Project:
    rng = np.random.default_rng(0)
    graph = Graph()
    sizes = (784, 512, 512, 10)
    roles = ("input", "hidden", "hidden", "output")
    ids = [f"L{k + 1}" for k in range(len(sizes))]
    for k, (n, role) in enumerate(zip(sizes, roles, strict=True)):
        graph.add_layer(Layer(n, role=role, position=(260.0 * k, 0.0), id=ids[k]))
    for a, b in zip(ids, ids[1:], strict=False):
        graph.connect(a, b)

    def pixels(n: int) -> np.ndarray:
        return np.floor((rng.random((n, 784)) ** 4) * 256) / 255

    def labels(n: int) -> np.ndarray:
        return np.eye(10)[rng.integers(0, 10, n)]

    dataset = Dataset(pixels(rows), labels(rows), name=f"mnist-like {rows}",
                      X_test=pixels(test_rows) if test_rows else None, Y_test=labels(test_rows) if test_rows else None)
    return Project(graph=graph, dataset=dataset, name=f"stall {rows}")


def longest_stall(app: QApplication, start: Callable[[Callable[[], None]], None]) -> tuple[float, float]:
    """Run ``start(done)`` from the event loop; the longest gap between 1 ms ticks until ``done`` was called."""
    ticks: list[float] = []
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    finished: list[float] = []

    def done() -> None:
        finished.append(time.perf_counter())
        QTimer.singleShot(50, loop.quit)

    began: list[float] = []

    def begin() -> None:
        began.append(time.perf_counter())
        start(done)

    timer.start()
    QTimer.singleShot(50, begin)
    loop.exec()
    timer.stop()
    during = [t for t in ticks if t >= began[0] - 0.01]
    gaps = np.diff([began[0], *during, max(finished[0], during[-1] if during else 0.0)])
    return float(gaps.max()) * 1000, finished[0] - began[0]


def report(step: str, rows: int, stall_ms: float, seconds: float) -> None:
    print(json.dumps({"step": step, "rows": rows, "stall_ms": round(stall_ms, 1), "seconds": round(seconds, 2)}),
          flush=True)


def measure(app: QApplication, rows: int, folder: Path) -> None:
    from nnstudio.ui import MainWindow
    from nnstudio.ui.training.background import run_in_background

    window = MainWindow()
    window.show()
    doc, files = window.document, window.files
    for timer in (window.autosaver.timer, window.autosaver.idle_timer, window.autosaver.deadline_timer):
        timer.setInterval(10**8)  # only the writes measured here
    doc.load(mnist_like(rows, 10_000 if rows >= 60_000 else 0), None)
    path = folder / f"stall-{rows}.nnstudio"

    def save_on_gui_thread(done: Callable[[], None]) -> None:
        save_project(doc.project(), path)
        done()

    report("save before (GUI thread)", rows, *longest_stall(app, save_on_gui_thread))

    def save_off_gui_thread(done: Callable[[], None]) -> None:
        files.writer.idle.connect(done)
        files.save_to(str(path), wait=False)

    report("save after (writer thread)", rows, *longest_stall(app, save_off_gui_thread))
    files.writer.idle.disconnect()

    def autosave_after_stop(done: Callable[[], None]) -> None:
        window.autosaver.saved.connect(done)
        doc.set_training(True)
        doc.mark_modified()
        doc.set_training(False)  # what Stop does: the run's results are autosaved

    report("autosave after Stop (writer thread)", rows, *longest_stall(app, autosave_after_stop))
    window.autosaver.saved.disconnect()

    read: list[Project] = []

    def read_on_gui_thread(done: Callable[[], None]) -> None:
        read.append(load_project(path))
        done()

    report("open: read and parse before (GUI thread)", rows, *longest_stall(app, read_on_gui_thread))

    def read_off_gui_thread(done: Callable[[], None]) -> None:
        read.append(run_in_background(lambda: load_project(path), "Opening…", "Open project", "projectOpening",
                                      window))
        done()

    report("open: read and parse after (reader thread)", rows, *longest_stall(app, read_off_gui_thread))

    def take_in(done: Callable[[], None]) -> None:
        doc.load(read[-1], str(path))
        done()

    report("open: the window takes the project in (GUI thread, both)", rows, *longest_stall(app, take_in))
    window.ask_save_changes = lambda: None
    doc.mark_saved(str(path))
    window.close()
    window.deleteLater()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 60_000])
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        for rows in args.sizes:
            measure(app, rows, Path(folder))


if __name__ == "__main__":
    main()
