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
from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from nnstudio.core import Graph, Layer  # noqa: E402
from nnstudio.io.project import Project  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SIZE = (1500, 950)


def _window(project: Project | None = None, dark: bool = False):
    from nnstudio.ui import MainWindow

    window = MainWindow()
    if project is not None:
        window.document.load(project)
    window.actions["darkTheme"].setChecked(dark)
    window.resize(*SIZE)
    window.show()
    for _ in range(3):
        QCoreApplication.processEvents()
    window.view.fit()
    QCoreApplication.processEvents()
    return window


def _close(window) -> None:
    window.actions["darkTheme"].setChecked(False)
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard  # a picture, not a project
    window.close()
    window.deleteLater()
    QCoreApplication.processEvents()


def canvas_xor(path: Path, dark: bool = False) -> Path:
    """The first screen: the Synaptic tutorial's XOR 2-3-1 network, the hidden layer selected."""
    window = _window(dark=dark)
    window.scene.select(layer_ids=["L2"])
    QCoreApplication.processEvents()
    window.grab().save(str(path))
    _close(window)
    return path


def spiral_project() -> Project:
    """A larger network for the spiral: two wide tanh layers (elided), a skip connection, trained a little."""
    from nnstudio.core import datasets

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
        from nnstudio.ui.training.screenshots import render_training_screenshots

        written += render_training_screenshots(OUT)
        from nnstudio.ui.learning_tools import render_learning_tools_screenshot

        written.append(render_learning_tools_screenshot(OUT))
    for path in written:
        print(path.relative_to(OUT.parent.parent))
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
