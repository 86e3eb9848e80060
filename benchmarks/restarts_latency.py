"""Event-loop latency while the restarts dialog trains (on its worker thread; the GUI thread only draws).

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/restarts_latency.py [--networks 500] [--seconds 1.5]``

A 10 ms QTimer pings while the dialog trains ``--networks`` XOR 2-3-1 networks with no end; printed are the
ping's lateness (p50, p99, max; the goal is p99 below 200 ms) and the network-epochs per second.  The compiled
kernels are loaded first, as the app does at start (a first load in the GUI thread would stall it once).
(The test suite checks only that other events get their turns: latency depends on the machine.)
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nnstudio.core import kernels  # noqa: E402
from nnstudio.core.kernels.warm_up import warm_up  # noqa: E402
from nnstudio.core.training import TrainSettings  # noqa: E402
from nnstudio.ui.learning.restarts_dialog import RestartsDialog  # noqa: E402
from nnstudio.ui.model.document import Document  # noqa: E402


def measure(networks: int, seconds: float) -> dict[str, float]:
    """Ping lateness (ms) and training throughput while the dialog trains for ``seconds``."""
    document = Document()  # XOR 2-3-1
    document.set_settings(TrainSettings(epochs=10**9, target_error=0.0))
    dialog = RestartsDialog(document)
    dialog.count.setValue(networks)
    intervals: list[float] = []
    last = [time.perf_counter()]

    def ping() -> None:
        now = time.perf_counter()
        intervals.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(ping)
    dialog.start()
    start = last[0] = time.perf_counter()
    timer.start()
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    timer.stop()
    epochs, elapsed = dialog.run.epochs_done, time.perf_counter() - start
    dialog.stop()
    lateness = np.maximum(np.array(intervals[1:]) - 0.010, 0.0) * 1000
    return {
        "p50": float(np.percentile(lateness, 50)),
        "p99": float(np.percentile(lateness, 99)),
        "max": float(lateness.max()),
        "network_epochs_per_second": networks * epochs / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=1.5)
    args = parser.parse_args()
    _app = QApplication.instance() or QApplication([])  # alive while measuring
    if kernels.enabled():  # as the app does at start: the kernels are loaded before the first Train press
        warm_up()
    result = measure(args.networks, args.seconds)
    print(f"restarts dialog, {args.networks} XOR 2-3-1 networks: "
          f"{result['network_epochs_per_second'] / 1e6:.2f} million network-epochs/s")
    print(f"event-loop latency (10 ms ping): p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms "
          f"(goal < 200), max {result['max']:.1f} ms")


if __name__ == "__main__":
    main()
