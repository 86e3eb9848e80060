"""Throughput of the population core ("Train restarts"): network-epochs per second for 1,000 XOR 2-3-1 networks.

Full batch with the default settings (plain gradient descent at rate 4, cost
"auto": binary cross-entropy on the logistic output), target error 0 so that
no network stops and every epoch trains all of them.  Compared in one run with
a hand-written batched NumPy loop with the network axis last
(naive_numpy.population_full_batch, which skips the error and the stop rules)
and with the single-network core.

    python benchmarks/population_speed.py [--networks 1000] [--epochs 300]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import naive_numpy  # noqa: E402

from nnstudio.core import Layer, Network, TrainingRun, TrainSettings, datasets, kernels  # noqa: E402
from nnstudio.core.population import Population, PopulationRun  # noqa: E402


def xor_graph():
    a, b, c = Layer(2), Layer(3), Layer(1)
    a.project(b)
    b.project(c)
    return Network(input=a, hidden=[b], output=c, seed=0).graph


def best_seconds(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=300)
    args = parser.parse_args()
    graph, data, n, epochs = xor_graph(), datasets.xor(), args.networks, args.epochs
    settings = TrainSettings(epochs=epochs, target_error=0.0)
    print(kernels.status())

    PopulationRun(Population(graph, range(4)), data, TrainSettings(epochs=2)).run()  # load the kernels
    ours = best_seconds(lambda: PopulationRun(Population(graph, range(n)), data, settings).run())
    hand = best_seconds(lambda: naive_numpy.population_full_batch(n, epochs))
    single = best_seconds(lambda: TrainingRun(Network.from_graph(graph, seed=0), data, settings).run())
    print(f"population of {n} XOR 2-3-1 networks, full batch: {n * epochs / ours / 1e6:.2f} M network-epochs/s")
    print(f"hand-written batched NumPy, network axis last:  {n * epochs / hand / 1e6:.2f} M network-epochs/s"
          f"   ratio {hand / ours:.2f}x (target >= 1)")
    print(f"single-network core (TrainingRun.run):           {epochs / single / 1e6:.2f} M epochs/s")


if __name__ == "__main__":
    main()
