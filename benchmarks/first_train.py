"""The first Train press after start, and the GUI's latency while the kernels get ready (compile or cache load).

Each case runs in a fresh process, as an app start: the main window opens on
the default XOR network, the kernel warm-up starts 300 ms later (as
nnstudio.app does), Train is pressed at 0.5 s, and a 10 ms timer pings until
the warm-up has finished (or ``--seconds``).  Printed per case: when the
first trained epoch reached the document after the press (goal < 0.5 s), the
ping's lateness (p99, max) while the kernels got ready, and how long that took.
"cold" starts with an empty numba cache (a temporary NUMBA_CACHE_DIR), so the
kernels compile; "warm" uses the usual cache.  "child" compiles in a child
process and loads from the cache; "in-process" compiles in the GUI's process.

    QT_QPA_PLATFORM=offscreen python benchmarks/first_train.py [--seconds 20] [--cold]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile

CASE = r"""
import json, sys, time
start = time.perf_counter()
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication
from nnstudio.core import kernels
from nnstudio.ui import MainWindow
app = QApplication([])
window = MainWindow()
window.show()
in_child, limit = sys.argv[1] == "child", float(sys.argv[2])
state = {"thread": None, "pressed": None, "first_epoch": None, "last": time.perf_counter(), "late": []}
def warm():
    state["thread"] = kernels.warm_up_in_background(in_child=in_child)
def press():
    state["pressed"] = time.perf_counter()
    window.findChild(QAction, "actionTrain").trigger()
def ping():
    now = time.perf_counter()
    state["late"].append(max(0.0, now - state["last"] - 0.010))
    state["last"] = now
    if state["pressed"] and state["first_epoch"] is None and window.document.history.last_epoch > 0:
        state["first_epoch"] = now - state["pressed"]
    thread = state["thread"]
    ready = thread is not None and not thread.is_alive() and state["first_epoch"] is not None
    if ready or now - start > limit:
        loop.quit()
loop = QEventLoop()
QTimer.singleShot(300, warm)
QTimer.singleShot(500, press)
timer = QTimer()
timer.setInterval(10)
timer.timeout.connect(ping)
timer.start()
loop.exec()
window.training.controller.stop()  # the XOR run goes on at its pace: end it before the process does
late = sorted(state["late"])
print(json.dumps({
    "first_epoch": state["first_epoch"], "p99": late[int(0.99 * (len(late) - 1))], "max": late[-1],
    "ready": state["thread"] is not None and not state["thread"].is_alive(), "seconds": time.perf_counter() - start,
    "status": kernels.status(),
}))
"""


def run_case(mode: str, cache_dir: str | None, seconds: float) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    # a session of its own: a warm-up child still compiling when the case ends goes with it
    case = subprocess.Popen([sys.executable, "-c", CASE, mode, str(seconds)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    out, err = case.communicate()
    try:
        os.killpg(case.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    if case.returncode:
        raise RuntimeError(f"the {mode} case failed: {err[-500:]}")
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="longest a case waits for the warm-up")
    parser.add_argument("--cold", action="store_true", help="also the cases with an empty cache (slow: compiles)")
    args = parser.parse_args()
    caches = [("warm", None)] + ([("cold", "")] if args.cold else [])
    for cache, directory in caches:
        for mode in ("child", "in-process"):
            with tempfile.TemporaryDirectory(prefix="nnstudio-numba-") as empty:
                r = run_case(mode, empty if directory == "" else directory, args.seconds)
            first = "never" if r["first_epoch"] is None else f"{r['first_epoch']:.2f} s"
            ready = f"ready after {r['seconds']:.1f} s" if r["ready"] else f"not ready after {r['seconds']:.1f} s"
            print(f"{cache:4} cache, warm-up {mode:10}: first epoch {first} after Train (goal < 0.5 s); "
                  f"GUI ping late p99 {1000 * r['p99']:.0f} ms, max {1000 * r['max']:.0f} ms; kernels {ready}")


if __name__ == "__main__":
    main()
