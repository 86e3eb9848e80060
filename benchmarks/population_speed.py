"""Throughput of the population core ("Train restarts"): network-epochs per second for 1,000 XOR 2-3-1 networks.

Full batch with the default settings (plain gradient descent at rate 4, cost
"auto": binary cross-entropy on the logistic output), target error 0 so that
no network stops and every epoch trains all of them.  Compared in one run with
a hand-written batched NumPy loop with the network axis last
(naive_numpy.population_full_batch, which skips the error and the stop rules)
and with the single-network core.  The population is timed training alone
and with the set-up of its networks (each drawn from its own seed, as
Network.from_graph would); the contenders alternate over several rounds and
the ratios are printed as best against best and as the range over rounds.

    python benchmarks/population_speed.py [--networks 1000] [--epochs 300] [--rounds 7]
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


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7, help="alternating timing rounds (the machine is noisy)")
    args = parser.parse_args()
    graph, data, n, epochs = xor_graph(), datasets.xor(), args.networks, args.epochs
    settings = TrainSettings(epochs=epochs, target_error=0.0)
    print(kernels.status())

    PopulationRun(Population(graph, range(4)), data, TrainSettings(epochs=2)).run()  # load the kernels
    setup, train, hand, single = [], [], [], []
    for _ in range(args.rounds):  # alternate the contenders so that load changes hit them alike
        start = time.perf_counter()
        run = PopulationRun(Population(graph, range(n)), data, settings)
        setup.append(time.perf_counter() - start)
        train.append(seconds(run.run))
        hand.append(seconds(lambda: naive_numpy.population_full_batch(n, epochs)))
        single.append(seconds(lambda: TrainingRun(Network.from_graph(graph, seed=0), data, settings).run()))
    whole = [a + b for a, b in zip(setup, train, strict=True)]
    rate = n * epochs / 1e6

    def ratios(ours: list[float]) -> str:
        each = sorted(h / o for h, o in zip(hand, ours, strict=True))
        return f"ratio {min(hand) / min(ours):.2f}x (rounds {each[0]:.2f}-{each[-1]:.2f}, target >= 1)"

    print(f"population of {n} XOR 2-3-1 networks, full batch, training: {rate / min(train):.2f} M network-epochs/s"
          f"   {ratios(train)}")
    print(f"  the same with setting up {n} seeded networks:     {rate / min(whole):.2f} M network-epochs/s"
          f"   {ratios(whole)}")
    print(f"hand-written batched NumPy, network axis last:      {rate / min(hand):.2f} M network-epochs/s")
    print(f"single-network core (TrainingRun.run):              {epochs / min(single) / 1e6:.2f} M epochs/s")


if __name__ == "__main__":
    main()
