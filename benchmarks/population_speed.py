"""Throughput of the population core: network-epochs per second for 1,000 XOR 2-3-1 networks.

Full batch, the default optimizer and cost (momentum, binary cross-entropy),
target error 0 so that no network stops and every epoch trains all of them.
Compared with the single-network core (a ``TrainingRun.epoch`` loop).

    python benchmarks/population_speed.py [--networks 1000] [--seconds 3]
"""

from __future__ import annotations

import argparse
import time

from nnstudio.core import Layer, Network, TrainingRun, TrainSettings, datasets
from nnstudio.core.population import Population, PopulationRun


def xor_graph():
    a, b, c = Layer(2), Layer(3), Layer(1)
    a.project(b)
    b.project(c)
    return Network(input=a, hidden=[b], output=c, seed=0).graph


def epochs_per_second(step, seconds: float) -> float:
    """Call ``step`` for about ``seconds`` (after a warm-up) and return calls per second."""
    for _ in range(20):
        step()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(50):
            step()
        count += 50
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    graph, data = xor_graph(), datasets.xor()
    settings = TrainSettings(epochs=10**9, target_error=0.0)

    population = PopulationRun(Population(graph, range(args.networks)), data, settings)
    population_rate = epochs_per_second(population.epoch, args.seconds) * args.networks
    single = TrainingRun(Network.from_graph(graph, seed=0), data, TrainSettings(epochs=10**9, target_error=0.0))
    single_rate = epochs_per_second(single.epoch, args.seconds)

    print(f"population of {args.networks} XOR 2-3-1 networks, full batch: "
          f"{population_rate / 1e6:.2f} million network-epochs/s")
    print(f"single-network core (TrainingRun.epoch loop):        {single_rate / 1e3:.1f} thousand epochs/s")
    print(f"ratio: {population_rate / single_rate:.0f}x")


if __name__ == "__main__":
    main()
