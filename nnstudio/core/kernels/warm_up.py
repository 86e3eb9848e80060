"""Compile the kernels (or load them from numba's on-disk cache) ahead of the first Train press.

:func:`warm_up` trains a tiny network once per kernel and precision; every
network later takes the same compiled code, because the kernels read the
topology from layout arrays.  The GUI first runs :func:`warm_cache_in_child`:
a child process (``python -m nnstudio.core.kernels.warm_up``) compiles into
the cache, so a first compile — tens of seconds of LLVM work that holds the
interpreter lock — never runs in the GUI's process; the GUI then only loads
the kernels from the cache.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from dataclasses import replace

from . import compiled

log = logging.getLogger(__name__)


def warm_up() -> float:
    """Run every kernel once in float64 and float32; returns the seconds it took."""
    from ..datasets import xor
    from ..graph import Layer
    from ..network import Network
    from ..optimizers import OPTIMIZERS, make_optimizer
    from ..population import Population, PopulationRun
    from ..snapshots import ChunkRecorder, SnapshotStore
    from ..training import TrainingRun, TrainSettings

    start = time.perf_counter()
    i, h, o = Layer(2), Layer(2), Layer(1)
    i.project(h)
    h.project(o)
    net = Network(input=i, hidden=[h], output=o, seed=0)
    for dtype in ("float64", "float32"):
        settings = TrainSettings(epochs=2, target_error=0.0, batch_size=2, dtype=dtype)
        TrainingRun(net.copy(), xor(), settings).run()
        TrainingRun(net.copy(), xor(), replace(settings, batch_size=1, optimizer="sgd")).run()  # online_kernel
        recording = TrainingRun(net.copy(), xor(), settings)
        recording.recorder = ChunkRecorder(SnapshotStore(net.n_params, 2**16), 0)  # the time-travel variant
        recording.run()
        PopulationRun(Population(net.graph, [0, 1]), xor(), settings).run()
        for name in OPTIMIZERS:  # the NumPy path's compiled step (update_kernel), for networks past the kernels
            params = net.params.astype(dtype)
            make_optimizer(name, len(params), dtype=dtype, compiled=compiled("update_kernel")).step(
                params, params.copy(), 0.1)
    seconds = time.perf_counter() - start
    log.info("training kernels ready in %.2f s", seconds)
    return seconds


def warm_cache_in_child() -> bool:
    """Fill numba's on-disk cache from a child process and wait for it; False when that failed.

    On failure (no interpreter to start, the child crashed) the caller's own
    warm-up compiles in this process instead, as it would without the child.
    """
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", __name__], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, timeout=900, check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("warming the kernel cache in a child process failed: %s", exc)
        return False
    if done.returncode != 0:
        log.info("warming the kernel cache in a child process failed: %s", done.stderr.decode(errors="replace")[-500:])
        return False
    log.info("kernel cache warmed in a child process in %.2f s", time.perf_counter() - start)
    return True


if __name__ == "__main__":
    warm_up()
