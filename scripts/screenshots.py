"""Render the README screenshots offscreen into docs/screenshots/.

Run: ``python scripts/screenshots.py`` (no display needed).  The pictures are
deterministic: fixed seeds, fixed window size, training driven by epochs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, QStandardPaths, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from nnstudio.core import Graph, Layer, datasets  # noqa: E402
from nnstudio.core.training import TrainSettings  # noqa: E402
from nnstudio.io.project import Project, load_project  # noqa: E402
from nnstudio.paths import samples_dir  # noqa: E402
from nnstudio.ui.training.controller import IDLE, PAUSED  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SIZE = (1500, 950)
SIMPLE_SIZE = (1280, 800)  # the window the Simple layout is made for
PRESENTATION_SIZE = (1600, 900)  # a projector's 16:9


def _window(project: Project | None = None, dark: bool = False, layout: str = "simple", size=SIZE):
    """A main window in ``layout``, light or dark whatever the desktop says, on screen (offscreen)."""
    from nnstudio.ui import MainWindow

    window = MainWindow()
    if project is not None:
        window.document.load(project)
    window.theme.choose("dark" if dark else "light")
    window.resize(*size)
    window.show()
    QCoreApplication.processEvents()
    window.layouts.switch(layout)
    for _ in range(3):
        QCoreApplication.processEvents()
    window.view.fit()
    QCoreApplication.processEvents()
    return window


def _close(window) -> None:
    window.actions["darkTheme"].setChecked(False)
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard  # a picture, not a project
    window.close()
    window.settings.remove("layouts")  # the next picture starts from the layout as it comes
    window.deleteLater()
    QCoreApplication.processEvents()


def canvas_xor(path: Path, dark: bool = False) -> Path:
    """The first screen: the Synaptic tutorial's XOR 2-3-1 network, the hidden layer selected."""
    window = _window(dark=dark, size=SIMPLE_SIZE)
    window.scene.select(layer_ids=["L2"])
    QCoreApplication.processEvents()
    window.grab().save(str(path))
    _close(window)
    return path


def spiral_project() -> Project:
    """A larger network for the spiral: two wide tanh layers (elided), a skip connection, trained a little."""
    graph = Graph()
    graph.add_layer(Layer(2, name="Input", role="input", position=(0, 120), id="L1"))
    graph.add_layer(Layer(32, "tanh", name="Wide 1", position=(240, 0), id="L2"))
    graph.add_layer(Layer(24, "tanh", name="Wide 2", position=(480, 0), id="L3"))
    graph.add_layer(Layer(8, "tanh", name="Narrow", position=(720, 60), id="L4"))
    graph.add_layer(Layer(1, name="Output", role="output", position=(960, 140), id="L5"))
    for source, target in (("L1", "L2"), ("L2", "L3"), ("L3", "L4"), ("L4", "L5"), ("L1", "L3")):
        graph.connect(source, target)
    data = datasets.generate("spiral", n=300, noise=0.05, seed=2, test_fraction=0.2)
    project = Project(graph=graph, dataset=data, name="Spiral 2-32-24-8-1", init_seed=5)
    net = project.build_network()
    rng = np.random.default_rng(5)
    net.set_params(net.get_params() * rng.uniform(0.5, 3.0, net.n_params))  # weights spread as after training
    project.weights = net.param_dict()
    return project


def canvas_large(path: Path) -> Path:
    """A larger network: elided layers, a skip connection, hundreds of weight-coloured synapses."""
    window = _window(spiral_project())
    window.scene.select(conn_ids=["L1->L3"])
    QCoreApplication.processEvents()
    window.grab().save(str(path))
    _close(window)
    return path


# -- live training and the learning tools (runs driven by Step(N), so the same on every machine) --
def _train_epochs(window, epochs: int, timeout_s: float = 300.0) -> None:
    """Run exactly ``epochs`` epochs in the window's worker and wait for the pause."""
    controller = window.training.controller
    loop = QEventLoop()
    # paused after the epochs, or stopped sooner by the project's own stop criteria (the digits sample's 40 epochs)
    controller.stateChanged.connect(lambda state: loop.quit() if state in (PAUSED, IDLE) else None)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    controller.step(epochs)
    loop.exec()
    for _ in range(30):  # let the throttled views and the repaints catch up
        QCoreApplication.processEvents()
        QTimer.singleShot(10, loop.quit)
        loop.exec()


def _fit_and_grab(window, path: Path) -> None:
    window.view.fit()
    QCoreApplication.processEvents()
    window.grab().save(str(path))


def _close_training(window) -> None:
    window.training.controller.stop()
    window.document.undo_stack.clear()
    _close(window)


def xor_mid_training(path: Path, layout: str = "full", size=SIZE) -> Path:
    """The XOR 2-3-1 network part-way through learning: coloured synapses, error curve, outputs table."""
    window = _window(layout=layout, size=size)
    doc = window.document
    doc.set_settings(TrainSettings(epochs=100_000, target_error=0.0))  # the default rate and optimizer
    _train_epochs(window, 125)  # the steep part of the curve
    window.training.data_table.select_row(1)
    _train_epochs(window, 1)
    _fit_and_grab(window, path)
    _close_training(window)
    return path


def two_d_heatmaps(path: Path) -> Path:
    """A circle dataset with a 2-6-1 tanh network: decision surface and per-neuron maps."""
    window = _window(layout="full")
    doc = window.document
    doc.graph.set_layer("L2", size=6, activation="tanh")
    doc.set_dataset(datasets.generate("circle", n=300, noise=0.1, seed=3, test_fraction=0.3))
    doc.data_seed = 3
    doc.set_settings(TrainSettings(rate=0.03, optimizer="adam", epochs=100_000, target_error=0.0))
    window.training.training_dock.show_dataset()
    for _ in range(8):  # in chunks, so the test curve gets several points
        _train_epochs(window, 50)
    _fit_and_grab(window, path)
    _close_training(window)
    return path


def _chain(sizes: list[int], activations: list[str]) -> Graph:
    graph = Graph()
    for k, (size, act) in enumerate(zip(sizes, activations, strict=True)):
        role = "input" if k == 0 else "output" if k == len(sizes) - 1 else "hidden"
        name = {"input": "Input", "output": "Output"}.get(role, f"Hidden {k}")
        graph.add_layer(Layer(size, act, name=name, role=role, position=(300.0 * k, 0.0), id=f"L{k + 1}"))
    for k in range(1, len(sizes)):
        graph.connect(f"L{k}", f"L{k + 1}")
    return graph


def _load_and_step(project: Project, path: Path, epochs: int, layout: str = "full", size=SIZE) -> Path:
    window = _window(layout=layout, size=size)
    window.document.load(project)
    QCoreApplication.processEvents()
    _train_epochs(window, epochs)
    _fit_and_grab(window, path)
    _close_training(window)
    return path


def spiral_2000(path: Path) -> Path:
    """2-64-64-1 tanh on 2,000 two-spiral points (full-batch Adam), part-way through learning."""
    data = datasets.spiral(2000, noise=0.05, seed=1, test_fraction=0.0)
    settings = TrainSettings(rate=0.03, optimizer="adam", epochs=100_000, target_error=0.0)
    project = Project(graph=_chain([2, 64, 64, 1], ["identity", "tanh", "tanh", "logistic"]), dataset=data,
                      settings=settings, init="glorot", init_seed=1, name="Spiral 2,000 points")
    return _load_and_step(project, path, 190)  # the error has begun to fall: about 80 % right


def images_784(path: Path) -> Path:
    """784-128-10 (relu, softmax) on 5,000 image-like rows in mini-batches of 32, a few epochs in."""
    rng = np.random.default_rng(0)
    # ten faint prototypes under noise: a few epochs in, about a third of the rows are right
    prototypes, labels = 0.5 + 0.02 * rng.standard_normal((10, 784)), rng.integers(0, 10, 5000)
    X = np.clip(prototypes[labels] + 0.3 * rng.standard_normal((5000, 784)), 0.0, 1.0)
    data = datasets.Dataset(X, np.eye(10)[labels], name="images", input_names=[f"p{k}" for k in range(784)],
                            output_names=[str(k) for k in range(10)])
    settings = TrainSettings(rate=0.001, optimizer="adam", batch_size=32, epochs=100_000, target_error=0.0)
    project = Project(graph=_chain([784, 128, 10], ["identity", "relu", "softmax"]), dataset=data,
                      settings=settings, init="glorot", init_seed=1, name="784-128-10 on 5,000 rows")
    return _load_and_step(project, path, 3)


def xor_sample_after_train(path: Path, seconds: float = 3.0) -> Path:
    """The XOR sample as it opens, ``seconds`` after Train at its own pace (epochs counted, not timed)."""
    project = load_project(samples_dir() / "xor.nnstudio")
    return _load_and_step(project, path, round(seconds * project.settings.speed))


def _draw(pad, strokes: list[list[tuple[float, float]]]) -> None:
    """Mouse strokes on the drawing pad through points given as fractions of its width and height."""
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    for stroke in strokes:
        points = [QPoint(round(x * pad.width()), round(y * pad.height())) for x, y in stroke]
        QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
        for a, b in zip(points, points[1:], strict=False):
            for k in range(1, 9):
                QTest.mouseMove(pad, a + (b - a) * (k / 8))
        QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])


def digits_drawing_pad(path: Path) -> Path:
    """The digits sample trained for its 40 epochs, a 4 drawn on Try It's pad, the network's guess beside it."""
    window = _window(layout="full")
    window.document.load(load_project(samples_dir() / "digits.nnstudio"))
    QCoreApplication.processEvents()
    _train_epochs(window, 40)
    window.docks["tryIt"].raise_()
    try_it = window.training.try_it
    try_it.image_pad.clear_button.click()
    _draw(try_it.image_pad.pad, [[(0.35, 0.15), (0.28, 0.55), (0.72, 0.55)], [(0.62, 0.3), (0.62, 0.88)]])
    loop = QEventLoop()
    for _ in range(30):  # the pad's last stroke reaches the network after a short pause
        QTimer.singleShot(10, loop.quit)
        loop.exec()
    _fit_and_grab(window, path)
    _close_training(window)
    return path


def hero_simple(path: Path) -> Path:
    """The README's first picture: the Simple layout at 1280 x 800, a 2-32-24-8-1 network learning the spiral."""
    project = spiral_project()
    project.settings = TrainSettings(rate=0.01, optimizer="adam", epochs=100_000, target_error=0.0)
    return _load_and_step(project, path, 300, layout="simple", size=SIMPLE_SIZE)


def render_layout_screenshots(folder: str | Path) -> list[Path]:
    """The three layouts, each part-way through a run: Simple (the hero), Full and Presentation."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [
        hero_simple(folder / "layout-simple.png"),
        xor_mid_training(folder / "layout-full.png"),
        xor_mid_training(folder / "layout-presentation.png", layout="presentation", size=PRESENTATION_SIZE),
    ]


def render_training_screenshots(folder: str | Path) -> list[Path]:
    """Render the training screenshots into ``folder``; returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [
        two_d_heatmaps(folder / "training-heatmaps.png"),
        spiral_2000(folder / "training-spiral-2000.png"),
        images_784(folder / "training-784-128-10.png"),
        xor_sample_after_train(folder / "training-xor-sample.png"),
        digits_drawing_pad(folder / "digits-drawing-pad.png"),
    ]


def render_learning_tools_screenshot(folder: str | Path) -> Path:
    """Render ``learning-tools.png`` into ``folder``: a branched XOR run scrubbed back in time, a neuron inspected.

    Epoch counts are fixed (Step N, a run to its max epochs), so the picture is the same on every machine.
    """
    path = Path(folder) / "learning-tools.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    window = _window(layout="full", size=(1600, 1000))
    doc, tools = window.document, window.learning_tools
    # a wider right-hand column, as a learner would drag it, so the inspector's columns all show
    window.resizeDocks([window.docks["training"]], [560], Qt.Orientation.Horizontal)
    doc.set_settings(TrainSettings(rate=1.0, epochs=100_000, target_error=0.0))
    _train_epochs(window, 400)
    window.training.controller.stop()
    # branch at epoch 120 with a faster rate; the slower first run stays faint after it
    tools.time_travel.slider.show_epoch(120)
    doc.set_settings(TrainSettings(rate=4.0, epochs=280, target_error=0.0))
    loop = QEventLoop()
    window.training.controller.stateChanged.connect(lambda state: loop.quit() if state == IDLE else None)
    QTimer.singleShot(60_000, loop.quit)
    tools.time_travel.continue_from(tools.time_travel.slider.epoch)
    loop.exec()
    tools.time_travel.slider.show_epoch(200)  # scrubbed back: the canvas and the views show epoch 200
    window.training.data_table.select_row(1)
    tools.inspect("L2", 0)
    for _ in range(30):  # let the throttled views and the repaints catch up
        QTimer.singleShot(10, loop.quit)
        loop.exec()
    _fit_and_grab(window, path)
    _close_training(window)
    return path


def main() -> int:
    QStandardPaths.setTestModeEnabled(True)  # the user's settings and autosaves stay out of it
    app = QApplication.instance() or QApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
        written = [
            canvas_xor(OUT / "canvas-xor.png"),
            canvas_xor(OUT / "canvas-dark.png", dark=True),
            canvas_large(OUT / "canvas-large.png"),
        ]
        written += render_layout_screenshots(OUT)
        written += render_training_screenshots(OUT)
        written.append(render_learning_tools_screenshot(OUT))
    for path in written:
        print(path.relative_to(OUT.parent.parent))
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
