"""Live-training speed of the GUI: throughput, event-loop latency, refresh rate, bounded memory.

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/training_gui_speed.py [--seconds 4]``

1. Headless: the core's snapshot generator on XOR 2-3-1, epochs per second.
2. GUI: the main window shown with every live view on (canvas synapses and neuron heatmaps, error plot,
   data table, try-it, decision surface), the same network trained by the worker thread for the same time.
   Throughput relative to headless; a 10 ms QTimer ping measures event-loop latency; frames applied and
   actual repaints of the canvas and the error plot per second.
3. Memory: ten million epochs of errors pushed through the controller's frame path (snapshot slot →
   history → plot), memory measured with tracemalloc.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from nnstudio.core.training import Snapshot, TrainingRun, TrainSettings  # noqa: E402
from nnstudio.ui.model.document import Document  # noqa: E402

ENDLESS = TrainSettings(target_error=0.0, epochs=10**12)


def headless_rate(seconds: float) -> float:
    doc = Document()
    run = TrainingRun(doc.network.copy(), doc.dataset, TrainSettings.from_dict(ENDLESS.to_dict()))
    start = time.perf_counter()
    for snap in run.snapshots(lambda: time.perf_counter() - start >= seconds):
        last = snap
    return last.epoch / (time.perf_counter() - start)


class PaintCounter(QObject):
    def __init__(self, *widgets):
        super().__init__()
        self.count = 0
        for w in widgets:
            w.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def gui_run(app: QApplication, seconds: float) -> dict:
    from nnstudio.ui import MainWindow

    window = MainWindow()
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    window.resize(1500, 950)
    window.show()
    panel, doc = window.training, window.document
    doc.set_settings(TrainSettings.from_dict(ENDLESS.to_dict()))
    for _ in range(20):
        app.processEvents()
    canvas_paints = PaintCounter(window.view.viewport())
    plot_paints = PaintCounter(panel.error_plot.plot.viewport())
    intervals: list[float] = []
    last = [time.perf_counter()]

    def ping() -> None:
        now = time.perf_counter()
        intervals.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(ping)
    frames0 = panel.controller.frames
    start = time.perf_counter()
    panel.controller.train()
    timer.start()
    last[0] = time.perf_counter()
    loop = QEventLoop()  # a real event loop, idle-waiting between events as the app's own does
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    timer.stop()
    epochs_run = panel.controller.run.epochs_done
    elapsed = time.perf_counter() - start
    frames = panel.controller.frames - frames0
    panel.controller.stop()
    window.close()
    latency = np.maximum(np.array(intervals) - 0.010, 0.0) * 1000
    return {
        "epochs_per_second": epochs_run / elapsed,
        "latency_p50_ms": float(np.percentile(latency, 50)),
        "latency_p99_ms": float(np.percentile(latency, 99)),
        "latency_max_ms": float(latency.max()),
        "frames_per_second": frames / elapsed,
        "canvas_paints_per_second": canvas_paints.count / elapsed,
        "plot_paints_per_second": plot_paints.count / elapsed,
    }


def memory_over(epochs: int, per_snapshot: int = 20_000) -> dict:
    """Push ``epochs`` epochs of errors through the GUI's snapshot → history → plot path."""
    from nnstudio.ui.training.controller import TrainingController
    from nnstudio.ui.training.error_plot import ErrorPlot

    doc = Document()
    controller = TrainingController(doc)
    plot = ErrorPlot(doc)
    params = doc.network.get_params()
    rng = np.random.default_rng(0)
    tracemalloc.start()
    sizes = []
    done = 0
    while done < epochs:
        n = min(per_snapshot, epochs - done)
        errors = 0.5 * np.exp(-np.arange(done, done + n) / 1e6) + 0.01 * rng.random(n)
        done += n
        controller._on_snapshot(controller._generation, Snapshot(done, errors, params, 0.1, 0.5, 1.0))
        controller.apply_frame()
        if done % (epochs // 10) == 0:
            sizes.append((done, tracemalloc.get_traced_memory()[0], doc.history.nbytes(), len(doc.history)))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    plot.deleteLater()
    return {"checkpoints": sizes, "peak_bytes": peak, "last_epoch": doc.history.last_epoch,
            "plot_points": len(plot.train_curve.getData()[0])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each timed phase")
    parser.add_argument("--epochs", type=int, default=10_000_000, help="epochs for the memory phase")
    args = parser.parse_args()
    import tempfile

    settings_dir = tempfile.mkdtemp(prefix="nnstudio-bench-")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, settings_dir)
    app = QApplication(sys.argv[:1])

    headless = headless_rate(args.seconds)
    gui = gui_run(app, args.seconds)
    headless_after = headless_rate(args.seconds)
    reference = (headless + headless_after) / 2  # the machine is shared: bracket the GUI run
    ratio = gui["epochs_per_second"] / reference
    print(f"headless XOR 2-3-1:          {headless:,.0f} / {headless_after:,.0f} epochs/s (before / after)")
    print(f"GUI, all live views on:      {gui['epochs_per_second']:,.0f} epochs/s = {ratio:.1%} of headless "
          f"(goal ≥ 90 %)")
    print(f"event-loop latency (10 ms ping): p50 {gui['latency_p50_ms']:.1f} ms, p99 {gui['latency_p99_ms']:.1f} ms "
          f"(goal ≤ 50), max {gui['latency_max_ms']:.1f} ms")
    print(f"frames applied:              {gui['frames_per_second']:.1f} /s (goal ≥ 25)")
    print(f"repaints: canvas {gui['canvas_paints_per_second']:.1f} /s, "
          f"error plot {gui['plot_paints_per_second']:.1f} /s")

    mem = memory_over(args.epochs)
    print(f"memory over {mem['last_epoch']:,} epochs through the frame path (tracemalloc):")
    for epoch, current, history_bytes, points in mem["checkpoints"]:
        print(f"  epoch {epoch:>12,}: traced {current / 1e6:7.2f} MB, history {history_bytes / 1e3:6.1f} kB "
              f"({points:,} points)")
    print(f"  peak traced {mem['peak_bytes'] / 1e6:.2f} MB; plot holds {mem['plot_points']:,} points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
