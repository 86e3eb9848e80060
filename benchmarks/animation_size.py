"""How large and how slow a 10 s, 800 px training animation is (issue 16: under 10 MB).

For each sample (circle, spiral, deep-6-4-3-1) the run is trained in the window (offscreen) for 2000 epochs,
then File → Export Training Animation records its time-travel range: 10 s at 10 frames per second, 800 px
wide, with the error curve, in 256 colours and in full colour.  Prints the frame size, the file size and the
seconds the recording took (frames drawn on the GUI thread, encoded on a worker thread).

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/animation_size.py``
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from nnstudio.io.apng import png_frames  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    folder = Path(tempfile.mkdtemp(prefix="nnstudio-animation-"))
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(folder / "config"))
    from nnstudio.ui import MainWindow
    from nnstudio.ui.learning.animation import AnimationRecorder, AnimationSpec

    print(f"{'sample':<24}{'colours':>10}{'frame':>12}{'frames':>8}{'MB':>8}{'seconds':>9}")
    for sample in ("circle.nnstudio", "spiral.nnstudio", "deep-6-4-3-1.nnstudio"):
        window = MainWindow()
        window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
        window.open_sample(SAMPLES / sample)
        doc, controller = window.document, window.training.controller
        doc.set_settings(dataclasses.replace(doc.settings, epochs=2000, target_error=0.0))
        controller.train()
        while controller.state != "idle" or controller.thread is not None:
            app.processEvents()
        store = window.learning_tools.time_travel.store
        for full in (False, True):
            spec = AnimationSpec(int(store.epochs[0]), store.last_epoch, 800, 10.0, 10, True, full)
            path = folder / f"{sample}-{full}.png"
            start = time.perf_counter()
            recorder = AnimationRecorder(doc, store, spec, str(path))
            recorder.run_to_end()
            seconds = time.perf_counter() - start
            frames = len(png_frames(path.read_bytes()))
            size = "x".join(map(str, recorder.frame_size))
            print(f"{sample:<24}{'full' if full else '256':>10}{size:>12}{frames:>8}"
                  f"{path.stat().st_size / 1e6:>8.2f}{seconds:>9.1f}")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
