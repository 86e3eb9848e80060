"""Loading a 60,000 × 784 dataset (MNIST-sized): seconds and peak memory over the float array's size.

    python benchmarks/data_loading.py [--rows 60000] [--csv]

Writes MNIST-style IDX files (plain and gzip-compressed, as distributed), a ``.npz`` and with ``--csv`` a CSV
into a temporary folder, then loads each in a fresh interpreter and prints one JSON line per format: ``seconds``,
``extra_peak_mb`` (peak resident memory minus what the interpreter held before loading), ``memory_ratio`` (that
over the size of the float64 input array) and ``within_target`` (≤ 3 s and a ratio ≤ 2, issue 11).
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

CHILD = r"""
import json, sys, time
from nnstudio.core.data_files import load_data

def status_kb(key):  # VmHWM is this process's own peak (ru_maxrss would include the parent's, kept over exec)
    line = next(line for line in open("/proc/self/status") if line.startswith(key + ":"))
    return int(line.split()[1]) * 1024

before = status_kb("VmRSS")
start = time.perf_counter()
ds = load_data(sys.argv[1], sys.argv[2:] or None)
seconds = time.perf_counter() - start
peak = status_kb("VmHWM")
print(json.dumps({"seconds": round(seconds, 3), "extra_peak_mb": round((peak - before) / 2**20, 1),
                  "float_array_mb": round(ds.X.nbytes / 2**20, 1),
                  "memory_ratio": round((peak - before) / ds.X.nbytes, 2), "shape": list(ds.X.shape)}))
"""


def idx_bytes(array: np.ndarray) -> bytes:
    return b"\0\0\x08" + bytes([array.ndim]) + np.array(array.shape, dtype=">u4").tobytes() + array.tobytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--csv", action="store_true", help="also time a CSV of the same data (slow to write)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    images = (rng.random((args.rows, 28, 28)) ** 4 * 255).astype(np.uint8)  # mostly dark, like digits
    labels = rng.integers(0, 10, args.rows).astype(np.uint8)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        cases = {}
        (root / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(images), compresslevel=1))
        (root / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels), compresslevel=1))
        cases["idx.gz"] = [str(root / "train-images-idx3-ubyte.gz")]
        (root / "plain").mkdir()
        (root / "plain" / "train-images.idx3-ubyte").write_bytes(idx_bytes(images))
        (root / "plain" / "train-labels.idx1-ubyte").write_bytes(idx_bytes(labels))
        cases["idx"] = [str(root / "plain" / "train-images.idx3-ubyte")]
        np.savez(root / "mnist.npz", X=images.reshape(args.rows, -1).astype(np.float64), y=labels)
        cases["npz (float64)"] = [str(root / "mnist.npz")]
        if args.csv:
            table = np.column_stack([images.reshape(args.rows, -1), labels])
            header = ",".join([*(f"p{i}" for i in range(784)), "label"])
            np.savetxt(root / "mnist.csv", table, fmt="%d", delimiter=",", header=header, comments="")
            cases["csv"] = [str(root / "mnist.csv"), "label"]
        for name, argv in cases.items():
            out = subprocess.run([sys.executable, "-c", CHILD, *argv], capture_output=True, text=True, check=True)
            result = json.loads(out.stdout)
            within = result["seconds"] <= 3 and result["memory_ratio"] <= 2
            print(json.dumps({"format": name, **result, "within_target": within}))


if __name__ == "__main__":
    main()
