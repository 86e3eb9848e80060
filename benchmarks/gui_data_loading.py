"""Data files loaded in the window (the Data box, File → Load Data): the message each bad file gets, how long it
takes, and the cost of the live confusion matrix in a frame.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_data_loading.py [--rows 10000]

Prints one JSON line per bad file (the cases of ``bad_data_files.py``: ``seconds`` in the window, the
``message`` shown, whether the project stayed ``untouched``), one for a ``rows`` × 784 CSV of numbers with a
class column loaded, split and scaled, and one comparing frames of that dataset for a 784-32-10 network:
``accuracy_ms`` (a frame with the accuracy) and ``with_confusion_ms`` (the same frame with both confusion
matrices); their ``ratio`` is the confusion matrix's cost.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QApplication


def bad_cases() -> dict[str, bytes]:
    spec = importlib.util.spec_from_file_location("bad_data_files", Path(__file__).with_name("bad_data_files.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cases()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    from nnstudio.core.frames import FrameBuilder, FrameRequest
    from nnstudio.core.network import Network
    from nnstudio.ui import MainWindow
    from nnstudio.ui.training.data_import import DataChoice

    window = MainWindow()
    dock, doc = window.training.training_dock, window.document
    dock.ask_data_choice = lambda file: DataChoice(file.columns[-1:], False, 0.2, "standard")
    shown: list[str] = []
    window.show_error = lambda title, text: shown.append(text)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, data in bad_cases().items():
            path = root / name
            path.write_bytes(data)
            before, shown[:] = doc.dataset, []
            start = time.perf_counter()
            dock.import_csv(str(path))
            seconds = time.perf_counter() - start
            print(json.dumps({"file": name, "mb": round(len(data) / 2**20, 1), "seconds": round(seconds, 2),
                              "untouched": doc.dataset is before, "message": shown[-1] if shown else None}))
        rng = np.random.default_rng(0)
        pixels = rng.integers(0, 256, (args.rows, 784))
        labels = rng.integers(0, 10, args.rows)
        big = root / "wide.csv"
        with open(big, "w") as fh:
            fh.write(",".join(f"p{k}" for k in range(784)) + ",label\n")
            for row, label in zip(pixels, labels, strict=True):
                fh.write(",".join(map(str, row)) + f",d{label}\n")
        start = time.perf_counter()
        loaded = dock.import_csv(str(big))
        seconds = time.perf_counter() - start
        print(json.dumps({"file": f"{args.rows}x784+label.csv", "mb": round(big.stat().st_size / 2**20, 1),
                          "seconds": round(seconds, 2), "loaded": loaded, "classes": len(doc.dataset.class_names)}))
    window.fit_bar.apply()
    from nnstudio.core.fitting import network_for_data

    graph, cost = network_for_data(doc.dataset, (32,))
    builder = FrameBuilder(Network.from_graph(graph, seed=0), doc.dataset, cost)
    timings = {}
    for label, request in (("accuracy_ms", FrameRequest(accuracy=True)),
                           ("with_confusion_ms", FrameRequest(accuracy=True, confusion=True))):
        builder.build(request)
        start = time.perf_counter()
        for _ in range(5):
            builder.build(request)
        timings[label] = round((time.perf_counter() - start) / 5 * 1000, 1)
    timings["ratio"] = round(timings["with_confusion_ms"] / timings["accuracy_ms"], 3)
    print(json.dumps({"frame": f"{args.rows} rows, 784-32-10", **timings}))
    window.training.controller.shutdown(1000)
    app.processEvents()


if __name__ == "__main__":
    main()
