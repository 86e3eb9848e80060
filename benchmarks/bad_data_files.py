"""Hostile or broken data files given to ``nnstudio new``: the one-line message each gets and how long it takes.

    python benchmarks/bad_data_files.py

Prints one JSON line per file: ``seconds`` (the whole command, interpreter start included), ``status`` (2 is
"refused with a message") and the ``message``.  The target is a clear message within seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def cases() -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    wide_row = ",".join("1" for _ in range(100_000))
    return {
        "ragged.csv": b"a,b,y\n" + b"1,2,3\n" * 5000 + b"4,5\n",
        "100000-columns.csv": ("\n".join([wide_row] * 50) + "\n").encode(),
        "duplicate-headers.csv": b"a,b,a,y\n" + b"1,2,3,4\n" * 100,
        "utf16.csv": ("a,b,y\n" + "1,2,3\n" * 1000).encode("utf-16"),
        "binary-junk.csv": rng.integers(0, 256, 20 * 2**20, dtype=np.uint8).tobytes(),
        "50MB-field.csv": b"a,b\n1,2\n3," + b"7" * (50 * 2**20) + b"\n",
        "missing-cell.csv": b"a,b,y\n" + b"1,2,3\n" * 30000 + b"1,,3\n",
        "text-in-numbers.csv": b"a,b,y\n" + b"1,2,3\n" * 30000 + b"1,n/a,3\n",
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, data in cases().items():
            path = root / name
            path.write_bytes(data)
            start = time.perf_counter()
            result = subprocess.run([sys.executable, "-m", "nnstudio", "new", str(root / "out.nnstudio"), "--data",
                                     str(path)], capture_output=True, text=True)
            seconds = time.perf_counter() - start
            print(json.dumps({"file": name, "mb": round(len(data) / 2**20, 1), "seconds": round(seconds, 2),
                              "status": result.returncode, "message": result.stderr.strip()}))


if __name__ == "__main__":
    main()
