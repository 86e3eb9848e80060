"""How the Synaptic tutorials' programs fare over many seeds, and what layer-by-layer stepping costs.

Prints, for seeds 0..N-1 (N = 20 unless given as the first argument):

* layer by layer: the 2-3-1 XOR of the tutorial driven one layer at a time (rate 0.3), how many seeds round all
  four rows right within 20,000 iterations, and after how many (checked every 500);
* Trainer.XOR: ``Architect.Perceptron(2, 3, 1, seed=s)`` then ``Trainer(net).XOR()``, how many reach the target
  and the median iterations and seconds;
* the time of one XOR iteration (four rows) layer by layer and with ``Network.activate``/``propagate``.

Run: ``python benchmarks/synaptic_tutorials.py [N]``
"""

from __future__ import annotations

import statistics
import sys
import time

from nnstudio.core import Architect, Layer, Network, Trainer

XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]


def xor_layers(seed: int) -> list[Layer]:
    layers = [Layer(2), Layer(3, seed=seed), Layer(1, seed=100 + seed)]
    layers[0].project(layers[1])
    layers[1].project(layers[2])
    return layers


def layer_iteration(layers: list[Layer], rate: float = 0.3) -> None:
    inp, hidden, out = layers
    for x, target in XOR:
        inp.activate(x)
        hidden.activate()
        out.activate()
        out.propagate(rate, target)
        hidden.propagate(rate)


def solved(layers: list[Layer]) -> bool:
    answers = []
    for x, target in XOR:
        layers[0].activate(x)
        layers[1].activate()
        answers.append(round(float(layers[2].activate()[0])) == target[0])
    return all(answers)


def main(n: int) -> None:
    at = []
    for seed in range(n):
        layers = xor_layers(seed)
        for iteration in range(1, 20001):
            layer_iteration(layers)
            if iteration % 500 == 0 and solved(layers):
                at.append(iteration)
                break
    print(f"layer by layer: {len(at)} of {n} seeds solve XOR within 20,000 iterations; "
          f"median {statistics.median(at) if at else float('nan'):.0f} iterations")

    reached, iterations, seconds = 0, [], []
    for seed in range(n):
        result = Trainer(Architect.Perceptron(2, 3, 1, seed=seed)).XOR()
        reached += result["reason"] == "target_error"
        iterations.append(result["iterations"])
        seconds.append(result["time"])
    print(f"Trainer.XOR: {reached} of {n} seeds reach MSE 0.005; median {statistics.median(iterations):.0f} "
          f"iterations, {statistics.median(seconds):.3f} s")

    layers = xor_layers(0)
    start = time.perf_counter()
    for _ in range(2000):
        layer_iteration(layers)
    per_layerwise = (time.perf_counter() - start) / 2000
    inp, hidden, out = Layer(2), Layer(3), Layer(1)
    inp.project(hidden)
    hidden.project(out)
    net = Network(input=inp, hidden=[hidden], output=out, seed=0)
    start = time.perf_counter()
    for _ in range(2000):
        for x, target in XOR:
            net.activate(x)
            net.propagate(0.3, target)
    per_network = (time.perf_counter() - start) / 2000
    print(f"one XOR iteration: layer by layer {per_layerwise * 1e6:.0f} µs, Network.propagate "
          f"{per_network * 1e6:.0f} µs (ratio {per_layerwise / per_network:.2f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
