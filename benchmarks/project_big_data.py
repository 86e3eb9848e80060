"""Saving and opening a project with MNIST-sized data: a 784-512-512-10 net and 60,000 + 10,000 rows × 784.

    python benchmarks/project_big_data.py [--rows 60000] [--test-rows 10000]

Builds the project in a fresh interpreter, saves it (``save_project``), then opens it in another fresh one
(``load_project``) and prints one JSON line per step: ``seconds``, ``file_mb``, ``extra_peak_mb`` (peak resident
memory minus what the interpreter held before the step, the project itself included when saving) and
``memory_ratio`` (that over the float64 size of the dataset's numbers).  The inputs are standard-scaled MNIST-like
pixels (mostly dark, as digits are), so they are not all the same number.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

COMMON = r"""
import json, sys, time
import numpy as np

def status_bytes(key):  # VmHWM is this process's own peak
    line = next(line for line in open("/proc/self/status") if line.startswith(key + ":"))
    return int(line.split()[1]) * 1024
"""

SAVE = COMMON + r"""
from nnstudio.core import Dataset, Graph, Layer, Network
from nnstudio.core.scaling import fit_scaling
from nnstudio.io.project import project_from_network, save_project

path, rows, test_rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(0)
def pixels(n):
    return np.floor((rng.random((n, 784)) ** 4) * 256)
def labels(n):
    return np.eye(10)[rng.integers(0, 10, n)]
raw, raw_test = pixels(rows), pixels(test_rows)
scaling = fit_scaling("standard", raw)
data = Dataset(scaling.apply(raw), labels(rows), X_test=scaling.apply(raw_test), Y_test=labels(test_rows),
               scaling=scaling, class_names=[str(i) for i in range(10)])
del raw, raw_test
graph = Graph()
for i, size in enumerate((784, 512, 512, 10)):
    role = "input" if i == 0 else "output" if i == 3 else "hidden"
    graph.add_layer(Layer(size, "softmax" if role == "output" else "relu", role=role, id=f"L{i}",
                          position=(i * 200, 0)))
for i in range(3):
    graph.connect(f"L{i}", f"L{i + 1}")
project = project_from_network(Network.from_graph(graph, seed=1), data, "mnist-sized")
numbers = data.X.nbytes + data.Y.nbytes + data.X_test.nbytes + data.Y_test.nbytes
before = status_bytes("VmRSS")
start = time.perf_counter()
save_project(project, path)
seconds = time.perf_counter() - start
peak = status_bytes("VmHWM") - before
print(json.dumps({"seconds": round(seconds, 2), "extra_peak_mb": round(peak / 2**20),
                  "numbers_mb": round(numbers / 2**20), "memory_ratio": round(peak / numbers, 2)}))
"""

LOAD = COMMON + r"""
from nnstudio.io.project import load_project

before = status_bytes("VmRSS")
start = time.perf_counter()
project = load_project(sys.argv[1])
seconds = time.perf_counter() - start
data = project.dataset
numbers = data.X.nbytes + data.Y.nbytes + data.X_test.nbytes + data.Y_test.nbytes
peak = status_bytes("VmHWM") - before
print(json.dumps({"seconds": round(seconds, 2), "extra_peak_mb": round(peak / 2**20),
                  "numbers_mb": round(numbers / 2**20), "memory_ratio": round(peak / numbers, 2),
                  "shape": list(data.X.shape),
                  "params": project.build_network().n_params}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--test-rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mnist-sized.nnstudio"
        for step, code, argv in (("save", SAVE, [str(args.rows), str(args.test_rows)]), ("open", LOAD, [])):
            out = subprocess.run([sys.executable, "-c", code, str(path), *argv], capture_output=True, text=True)
            if out.returncode:
                print(json.dumps({"step": step, "failed": out.stderr.strip().splitlines()[-1:]}))
                return
            result = json.loads(out.stdout)
            print(json.dumps({"step": step, **result, "file_mb": round(path.stat().st_size / 2**20)}))


if __name__ == "__main__":
    main()
