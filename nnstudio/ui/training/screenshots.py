"""README screenshots of live training, rendered offscreen (called by ``scripts/screenshots.py``).

Runs are driven with Step(N) rather than wall-clock time, so the pictures
are the same on every machine.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QMessageBox

from ...core import datasets
from ...core.training import TrainSettings
from .controller import PAUSED

SIZE = (1500, 950)


def _train_epochs(window, epochs: int, timeout_s: float = 60.0) -> None:
    """Run exactly ``epochs`` epochs in the window's worker and wait for the pause."""
    controller = window.training.controller
    loop = QEventLoop()
    controller.stateChanged.connect(lambda state: loop.quit() if state == PAUSED else None)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    controller.step(epochs)
    loop.exec()
    for _ in range(30):  # let the throttled views and the repaints catch up
        QCoreApplication.processEvents()
        QTimer.singleShot(10, loop.quit)
        loop.exec()


def _window():
    from ..main_window import MainWindow

    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    QCoreApplication.processEvents()
    return window


def _fit_and_grab(window, path: Path) -> None:
    if hasattr(window, "view"):
        window.view.fit()
    QCoreApplication.processEvents()
    window.grab().save(str(path))


def _close(window) -> None:
    window.training.controller.stop()
    window.document.undo_stack.clear()
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard  # a picture, not a project
    window.close()
    window.deleteLater()


def xor_mid_training(path: Path) -> Path:
    """The XOR 2-3-1 network part-way through learning: coloured synapses, error curve, outputs table."""
    window = _window()
    doc = window.document
    doc.set_settings(TrainSettings(epochs=100_000, target_error=0.0))  # the default rate and optimizer
    _train_epochs(window, 125)  # the steep part of the curve
    window.training.data_table.select_row(1)
    _train_epochs(window, 1)
    _fit_and_grab(window, path)
    _close(window)
    return path


def two_d_heatmaps(path: Path) -> Path:
    """A circle dataset with a 2-6-1 tanh network: decision surface and per-neuron maps."""
    window = _window()
    doc = window.document
    doc.graph.set_layer("L2", size=6, activation="tanh")
    doc.set_dataset(datasets.generate("circle", n=300, noise=0.1, seed=3, test_fraction=0.3))
    doc.data_seed = 3
    doc.set_settings(TrainSettings(rate=0.03, optimizer="adam", epochs=100_000, target_error=0.0))
    window.training.training_dock.show_dataset()
    for _ in range(8):  # in chunks, so the test curve gets several points
        _train_epochs(window, 50)
    _fit_and_grab(window, path)
    _close(window)
    return path


def render_training_screenshots(folder: str | Path) -> list[Path]:
    """Render the training screenshots into ``folder``; returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [
        xor_mid_training(folder / "training-xor.png"),
        two_d_heatmaps(folder / "training-heatmaps.png"),
    ]
