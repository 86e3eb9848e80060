"""An image-sized input layer (784 pixels) keeps the window usable: nothing grows to its size."""

import numpy as np
from PySide6.QtWidgets import QHeaderView, QWidget

from nnstudio.core import Dataset, Graph, Layer
from nnstudio.io.project import Project, save_project
from nnstudio.ui import MainWindow


def test_784_inputs_fit_the_window(qtbot, tmp_path) -> None:
    graph = Graph()
    graph.add_layer(Layer(784, role="input", name="Pixels", id="L1"))
    graph.add_layer(Layer(32, "relu", name="Hidden", id="L2", position=(300, 0)))
    graph.add_layer(Layer(10, "softmax", role="output", name="Digits", id="L3", position=(600, 0)))
    graph.connect("L1", "L2")
    graph.connect("L2", "L3")
    rng = np.random.default_rng(0)
    path = tmp_path / "mnist-like.nnstudio"
    digits = Dataset(rng.random((12, 784)), np.eye(10)[rng.integers(0, 10, 12)])
    save_project(Project(graph=graph, dataset=digits), path)
    window = MainWindow(str(path))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    for name in ("errorPlot", "dataTable", "tryIt", "heatmap"):
        assert window.findChild(QWidget, name).height() < 800, name  # 784 try-it boxes scroll instead
    header = window.training.data_table.view.horizontalHeader()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Interactive  # no measuring 784 columns per frame
