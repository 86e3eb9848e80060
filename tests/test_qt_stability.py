"""PySide6 stability under many signals and plot updates (the training GUI's traffic pattern).

Some PySide6 builds (6.12.0) abort the interpreter under this load with
"bool_dealloc"/"none_dealloc" reference-count errors.  The body therefore
runs in a subprocess: a crash fails this test instead of killing pytest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

N_SIGNALS = 10_000
N_PLOT_UPDATES = 3_000

BODY = r"""
import json, sys, time
import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QApplication
import pyqtgraph as pg

N, PLOTS = int(sys.argv[1]), int(sys.argv[2])
app = QApplication([])


class Emitter(QObject):
    boolSig = Signal(bool)
    objectSig = Signal(object)
    done = Signal()

    @Slot()
    def emit_all(self):
        for i in range(N):
            self.boolSig.emit(i % 2 == 0)
            self.objectSig.emit(None)
            self.objectSig.emit({"i": i, "a": np.arange(3)})
        self.done.emit()


class Receiver(QObject):
    def __init__(self):
        super().__init__()
        self.bools = self.nones = self.objects = 0
        self.trues = 0

    @Slot(bool)
    def on_bool(self, value):
        self.bools += 1
        self.trues += value is True

    @Slot(object)
    def on_object(self, value):
        if value is None:
            self.nones += 1
        else:
            self.objects += int(value["a"].sum() == 3)


def wire(emitter, receiver):
    emitter.boolSig.connect(receiver.on_bool)
    emitter.objectSig.connect(receiver.on_object)


# 1. direct connections, same thread
direct = Receiver()
local = Emitter()
wire(local, direct)
local.emit_all()

# 2. queued connections: the emitter lives on a QThread
queued = Receiver()
remote = Emitter()
thread = QThread()
remote.moveToThread(thread)
wire(remote, queued)
finished = []
remote.done.connect(lambda: finished.append(True))
thread.started.connect(remote.emit_all)
thread.start()
deadline = time.time() + 60
while (queued.bools < N or queued.nones < N or queued.objects < N) and time.time() < deadline:
    app.processEvents()
thread.quit()
thread.wait(5000)

# 3. a pyqtgraph curve updated with setData, events processed each time
plot = pg.PlotWidget()
plot.resize(400, 300)
plot.show()
curve = plot.plot()
curve.setDownsampling(auto=True, method="peak")
curve.setClipToView(True)
x = np.arange(2000, dtype=float)
updates = 0
for k in range(PLOTS):
    curve.setData(x[: 100 + k % 1900], np.sin(x[: 100 + k % 1900] / 50 + k))
    app.processEvents()
    updates += 1
shown = len(curve.getData()[0])

print(json.dumps({
    "direct": [direct.bools, direct.trues, direct.nones, direct.objects],
    "queued": [queued.bools, queued.trues, queued.nones, queued.objects],
    "thread_done": bool(finished), "plot_updates": updates, "last_points": shown,
}))
"""


def test_many_signals_and_plot_updates_do_not_crash():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", BODY, str(N_SIGNALS), str(N_PLOT_UPDATES)],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert proc.returncode == 0, f"the Qt process died (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    counts = json.loads(proc.stdout.strip().splitlines()[-1])
    expected = [N_SIGNALS, N_SIGNALS // 2, N_SIGNALS, N_SIGNALS]
    assert counts["direct"] == expected
    assert counts["queued"] == expected
    assert counts["thread_done"]
    assert counts["plot_updates"] == N_PLOT_UPDATES
    assert counts["last_points"] == 100 + (N_PLOT_UPDATES - 1) % 1900
