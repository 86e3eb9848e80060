"""Compile the kernels (or load them from numba's on-disk cache) ahead of the first Train press.

:func:`warm_up` trains a tiny network once per kernel and precision; every
network later takes the same compiled code, because the kernels read the
topology from layout arrays.  The GUI runs it in a background thread at start.
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)


def warm_up() -> float:
    """Run every kernel once in float64 and float32; returns the seconds it took."""
    from ..datasets import xor
    from ..graph import Layer
    from ..network import Network
    from ..population import Population, PopulationRun
    from ..training import TrainingRun, TrainSettings

    start = time.perf_counter()
    i, h, o = Layer(2), Layer(2), Layer(1)
    i.project(h)
    h.project(o)
    net = Network(input=i, hidden=[h], output=o, seed=0)
    for dtype in ("float64", "float32"):
        settings = TrainSettings(epochs=2, target_error=0.0, batch_size=2, dtype=dtype)
        TrainingRun(net.copy(), xor(), settings).run()
        PopulationRun(Population(net.graph, [0, 1]), xor(), settings).run()
    seconds = time.perf_counter() - start
    log.info("training kernels ready in %.2f s", seconds)
    return seconds
