"""Image inputs at MNIST size: what the thumbnails and the drawing pad cost with 60,000 × 784 rows.

    QT_QPA_PLATFORM=offscreen python benchmarks/image_inputs.py [--rows 60000]

Prints one JSON line: ``raw_range_ms`` (once per dataset: the pictures' black and white), ``thumbnail_ms``
(one row's picture, made when it first scrolls into view), ``table_paint_ms`` (painting the table with the
pictures of the ``rows_in_view``, cache warm), ``pad_update_ms`` (one live step
of the drawing pad: drawing → 784 inputs → Try It's boxes → the outputs of a 784-512-512-10 network) next to
``pad_interval_ms``, how often a stroke sends one.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace

import numpy as np
from PySide6.QtWidgets import QApplication

from nnstudio.core import Graph, Layer
from nnstudio.core.data_prep import prepare
from nnstudio.core.datasets import Dataset
from nnstudio.core.images import raw_range
from nnstudio.io.project import Project
from nnstudio.ui.model.document import Document
from nnstudio.ui.training.data_table import DataTable
from nnstudio.ui.training.drawing_pad import LIVE_MS
from nnstudio.ui.training.try_it import TryIt


def best_ms(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(1000 * min(times), 2)


def mnist_sized(rows: int) -> Project:
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (rows, 784), dtype=np.uint8).astype(np.float64)
    labels = rng.integers(0, 10, rows)
    data = prepare(Dataset(X, np.eye(10)[labels], class_names=[str(k) for k in range(10)]), 0.0, scale="standard")
    data = replace(data, image_shape=(28, 28))
    graph = Graph()
    sizes, roles = (784, 512, 512, 10), ("input", "hidden", "hidden", "output")
    for k, (size, role) in enumerate(zip(sizes, roles, strict=True)):
        act = "identity" if role == "input" else "softmax" if role == "output" else "relu"
        graph.add_layer(Layer(size, act, role != "input", f"L{k}", role=role, position=(k * 260.0, 0.0), id=f"L{k}"))
    for k in range(3):
        graph.connect(f"L{k}", f"L{k + 1}")
    return Project(graph=graph, dataset=data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=60000)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    project = mnist_sized(args.rows)
    doc = Document(project)
    result = {"rows": args.rows, "raw_range_ms": best_ms(lambda: raw_range(doc.dataset))}

    table = DataTable(doc)
    table.resize(700, 500)
    table.show()
    app.processEvents()
    cache = table.row_header.cache
    row = [1000]

    def one_thumbnail() -> None:
        row[0] += 1
        cache.pixmap(row[0])

    cache.pixmap(0)  # the value range, once
    result["thumbnail_ms"] = best_ms(one_thumbnail, 20)
    table.grab()
    result["rows_in_view"] = table.model.visible[1] - table.model.visible[0]
    result["table_paint_ms"] = best_ms(table.grab)

    try_it = TryIt(doc)
    pad = try_it.image_pad
    drawing = np.zeros(pad.pad.drawing().shape)
    drawing[60:100, 40:130] = 1.0
    pad.pad.set_drawing(drawing[::6, ::6])  # ink on the pad, as a stroke leaves it
    result["pad_update_ms"] = best_ms(pad._send)
    result["pad_interval_ms"] = LIVE_MS
    result["pad_update_share_of_interval"] = round(result["pad_update_ms"] / LIVE_MS, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
