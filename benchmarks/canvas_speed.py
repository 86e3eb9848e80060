"""How fast the canvas handles a 784-128-10 network (101,632 synapses).

Prints three figures, each measured offscreen with frames rendered into an
image (``view.grab()``):

* open: the main window built on the project file, until its first frame;
* recolour: new weights for every synapse, then a frame (frames per second);
* drag: the hidden layer moved a step, then a frame (frames per second).

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/canvas_speed.py``
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QPointF, QSettings, QStandardPaths  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nnstudio.core import Dataset, Graph, Layer  # noqa: E402
from nnstudio.io.project import Project, save_project  # noqa: E402

FRAMES = 20


def mnist_shaped_project() -> Project:
    graph = Graph()
    graph.add_layer(Layer(784, name="Pixels", role="input", position=(0, 0), id="L1"))
    graph.add_layer(Layer(128, "relu", name="Hidden", position=(400, 0), id="L2"))
    graph.add_layer(Layer(10, name="Digits", role="output", position=(800, 0), id="L3"))
    graph.connect("L1", "L2")
    graph.connect("L2", "L3")
    rng = np.random.default_rng(0)
    data = Dataset(rng.random((16, 784)), np.eye(10)[rng.integers(0, 10, 16)], name="random digits")
    return Project(graph=graph, dataset=data, name="784-128-10")


def frames_per_second(step, render) -> float:
    start = time.perf_counter()
    for k in range(FRAMES):
        step(k)
        render()
    return FRAMES / (time.perf_counter() - start)


def measure_canvas(project: Project) -> None:
    """The canvas on its own (document, scene, 1280×800 view): the issue's three targets."""
    from nnstudio.ui.canvas import CanvasScene, CanvasView
    from nnstudio.ui.model.document import Document

    start = time.perf_counter()
    doc = Document(project)
    scene = CanvasScene(doc)
    view = CanvasView(scene)
    view.resize(1280, 800)
    view.show()
    view.fit()
    view.grab()
    opened = time.perf_counter() - start

    rng = np.random.default_rng(1)
    params = [rng.normal(0, 0.3, doc.network.n_params) for _ in range(4)]
    recolour = frames_per_second(lambda k: doc.set_params(params[k % 4]), view.grab)
    item = scene.layer_item("L2")
    origin = item.pos()
    drag = frames_per_second(lambda k: item.setPos(origin + QPointF(3 * k, 2 * k)), view.grab)

    connections = scene.connection_items()
    total = sum(c.n_synapses for c in connections)
    drawn = sum(c.n_drawn for c in connections)
    size = view.viewport().size()
    print(f"784-128-10: {total} synapses, {drawn} lines drawn, viewport {size.width()}x{size.height()}")
    print(f"canvas  open (document + scene + first frame): {opened:.3f} s   (target < 1 s)")
    print(f"canvas  recolour from new weights:             {recolour:.1f} fps (target >= 10)")
    print(f"canvas  drag a layer:                          {drag:.1f} fps (target >= 20)")


def measure_window(path: Path) -> None:
    """The whole main window, with every dock (training views included), for context."""
    from nnstudio.ui import MainWindow

    start = time.perf_counter()
    window = MainWindow(str(path))
    window.resize(1280, 800)
    window.show()
    window.view.grab()
    opened = time.perf_counter() - start
    doc = window.document
    rng = np.random.default_rng(2)
    params = [rng.normal(0, 0.3, doc.network.n_params) for _ in range(4)]
    recolour = frames_per_second(lambda k: doc.set_params(params[k % 4]), window.view.grab)
    print(f"window  open (all docks + first frame):        {opened:.3f} s")
    print(f"window  new weights + canvas frame:            {recolour:.1f} fps (every dock reacts to the weights)")
    doc.undo_stack.setClean()
    window.close()


def main() -> int:
    QStandardPaths.setTestModeEnabled(True)  # keep the benchmark's settings and autosaves out of the user's
    app = QApplication.instance() or QApplication(sys.argv[:1])
    import nnstudio.ui  # noqa: F401  (imports are not part of the timings)

    with tempfile.TemporaryDirectory() as folder:
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
        path = Path(folder) / "mnist.nnstudio"
        save_project(mnist_shaped_project(), path)
        measure_canvas(mnist_shaped_project())
        measure_window(path)
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
