"""Training speed of nnstudio's core against naive NumPy, Synaptic.js and brain.js (issue 10's targets).

    python benchmarks/core_speed.py [--runs 30] [--seeds 200] [--rounds 3] [--no-js]

Prints, with the ratio each target of issue 10 asks for:

- the Synaptic tutorial through ``Trainer.train(rate=0.3, iterations=20000, batch_size=1,
  shuffle=False, optimizer="sgd", cost="mse")``: sample-updates/s against Synaptic.js;
- XOR 2-3-1 full batch, 2-8-8-1 tanh on 500 points in mini-batches of 10, and
  784-128-10 in mini-batches of 32 in float32, against the naive float64 NumPy loops
  of naive_numpy.py;
- 2-16-1 on 100,000 points full batch: ms per epoch of the compiled kernel, the NumPy path and the one
  TrainingRun picks (issue 9's live view wants >= 25 epochs/s here);
- XOR with the defaults timed as a user calls it, ``Trainer(net).train(xor,
  error=0.005, iterations=5000)``, median over seeds, against brain.js (and the
  share of seeds solved);
- the older replay figure (time to MSE < 0.005 replaying a known epoch count).

Node and npm install Synaptic and brain.js into a temporary folder; the Synaptic
comparison alternates nnstudio and node over ``--rounds`` rounds.  Times are
training time only, measured inside each process.  Compare the ratios, not
the absolute numbers: these machines are shared.

BLAS runs on one thread here (``OPENBLAS_NUM_THREADS=1`` unless set), for
nnstudio and the naive loops alike: on a busy machine OpenBLAS's threads wait
on each other, and a 32-row product took anywhere from 0.35 to 24 ms instead
of 0.13 ms, which made the 784-128-10 ratio a matter of chance.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads OpenBLAS; see the docstring

import naive_numpy  # noqa: E402
import numpy as np  # noqa: E402

from nnstudio.core import Layer, Network, Trainer, TrainingRun, TrainSettings, datasets, kernels  # noqa: E402
from nnstudio.core.kernels.runner import EpochKernel  # noqa: E402

HERE = Path(__file__).resolve().parent
EPOCHS_ONLINE = 5000
EPOCHS_BATCH = 20000


def xor_net(seed: int) -> Network:
    i, h, o = Layer(2), Layer(3), Layer(1)
    i.project(h)
    h.project(o)
    return Network(input=i, hidden=[h], output=o, seed=seed)


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def nnstudio_online() -> float:
    """Synaptic's tutorial loop: online, rate 0.3, output delta (output − target)."""
    run = TrainingRun(
        xor_net(0),
        datasets.xor(),
        TrainSettings(
            rate=0.3, optimizer="sgd", cost="bce", batch_size=1, shuffle=False, epochs=EPOCHS_ONLINE, target_error=0
        ),
    )
    return _timed(run)


def _timed(run: TrainingRun) -> float:
    start = time.perf_counter()
    run.run()
    return time.perf_counter() - start


def nnstudio_batch() -> float:
    run = TrainingRun(
        xor_net(0),
        datasets.xor(),
        TrainSettings(rate=0.5, optimizer="sgd", cost="mse", epochs=EPOCHS_BATCH, target_error=0),
    )
    return _timed(run)


def chain(sizes: list[int], hidden: str, output: str, seed: int = 0) -> Network:
    layers = [Layer(sizes[0])] + [Layer(n, hidden) for n in sizes[1:-1]] + [Layer(sizes[-1], output)]
    for a, b in zip(layers, layers[1:], strict=False):
        a.project(b)
    return Network(input=layers[0], hidden=layers[1:-1], output=layers[-1], seed=seed)


def synaptic_tutorial() -> float:
    """Sample-updates per second of the tutorial call, timed around the call (building the network is not timed,
    as in synaptic_xor.js)."""
    net = xor_net(0)
    start = time.perf_counter()
    result = Trainer(net).train(
        datasets.xor(), rate=0.3, iterations=20000, batch_size=1, shuffle=False, optimizer="sgd", cost="mse"
    )
    return result["iterations"] * 4 / (time.perf_counter() - start)


def points(n: int, inputs: int, outputs: int, seed: int = 0) -> datasets.Dataset:
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 1, (n, inputs))
    if outputs == 1:
        return datasets.Dataset(X, (X[:, :1] * X[:, 1:2] > 0).astype(float))
    return datasets.Dataset(X, np.eye(outputs)[rng.integers(0, outputs, n)])


def minibatch_pair(epochs: int) -> tuple[float, float]:
    """2-8-8-1 tanh on 500 points in mini-batches of 10: seconds for nnstudio and for the naive loop."""
    data = points(500, 2, 1)
    ours = best_of(lambda: TrainingRun(chain([2, 8, 8, 1], "tanh", "logistic"), data, TrainSettings(
        rate=0.1, epochs=epochs, batch_size=10, cost="mse", target_error=0)).run(), 2)
    naive = best_of(lambda: naive_numpy.mlp_minibatch(data.X, data.Y, [2, 8, 8, 1], epochs, 10), 2)
    return ours, naive


def wide_pair(rows: int, epochs: int) -> tuple[float, float]:
    """784-128-10 softmax in mini-batches of 32: nnstudio in float32 against the naive float64 loop."""
    data = points(rows, 784, 10)
    ours = best_of(lambda: TrainingRun(chain([784, 128, 10], "tanh", "softmax"), data, TrainSettings(
        rate=0.1, epochs=epochs, batch_size=32, cost="ce", target_error=0, dtype="float32")).run(), 3)
    naive = best_of(lambda: naive_numpy.softmax_minibatch(data.X, data.Y, 128, epochs, 32), 3)
    return ours, naive


def big_full_batch(rows: int = 100_000, epochs: int = 8) -> dict[str, float]:
    """2-16-1 on ``rows`` points, full batch: seconds per epoch of the compiled kernel, of the NumPy path and of
    what TrainingRun picks by itself (layout.numpy_is_faster)."""
    data = points(rows, 2, 1)
    settings = TrainSettings(rate=0.5, epochs=epochs, target_error=0)

    def per_epoch(path: str) -> float:
        run = TrainingRun(chain([2, 16, 1], "tanh", "logistic"), data, settings)
        if path == "kernel":
            run.kernel = EpochKernel(kernels.compiled("network_kernel"), run)
            run._epoch_seconds = 1e-9  # one call for every epoch
        elif path == "numpy":
            run.kernel = None
        return _timed(run) / epochs

    times = {path: min(per_epoch(path) for _ in range(2)) for path in ("kernel", "numpy", "picked")}
    times["picked_engine"] = TrainingRun(chain([2, 16, 1], "tanh", "logistic"), data, settings).engine
    return times


def user_defaults(seeds: int) -> dict:
    """``Trainer(net).train(xor, error=0.005, iterations=5000)`` timed around the call, over many seeds."""
    times, solved = [], 0
    for seed in range(seeds):
        net, data = xor_net(seed), datasets.xor()
        start = time.perf_counter()
        result = Trainer(net).train(data, error=0.005, iterations=5000)
        times.append(time.perf_counter() - start)
        solved += result["reason"] == "target_error" and [round(o[0]) for o in net.predict(data.X)] == [0, 1, 1, 0]
    return {"median_s": statistics.median(times), "solved": solved, "seeds": seeds}


def epochs_to_mse(seed: int, limit: int = 5000) -> int | None:
    """The first epoch after which the default training has MSE < 0.005 (None if it never does)."""
    data, net = datasets.xor(), xor_net(seed)
    run = TrainingRun(net, data, TrainSettings(epochs=limit, target_error=0))
    while run.epochs_done < limit:
        run.epoch()
        if net.loss(data.X, data.Y, "mse") < 0.005:
            return run.epochs_done
    return None


def nnstudio_defaults(runs: int) -> dict:
    """Median training time to MSE < 0.005 with the default settings.

    Checking the MSE after every epoch would time the check too, so each seed
    runs twice: once to find the epoch where the MSE first drops below 0.005,
    then, from the same start, a timed run of exactly that many epochs.
    """
    times, epochs = [], []
    for seed in range(runs):
        needed = epochs_to_mse(seed)
        if needed is None:
            continue
        run = TrainingRun(xor_net(seed), datasets.xor(), TrainSettings(epochs=needed, target_error=0))
        times.append(_timed(run))
        epochs.append(needed)
    return {
        "median_time_to_mse_s": statistics.median(times),
        "median_epochs": statistics.median(epochs),
        "converged": len(times),
        "runs": runs,
    }


@contextlib.contextmanager
def javascript() -> Iterator[Callable[[str, int], dict | None]]:
    """``run(script, runs)`` for the scripts in js/, with Synaptic and brain.js installed; None without node."""
    if not (shutil.which("node") and shutil.which("npm")):
        yield lambda script, runs: None
        return
    with tempfile.TemporaryDirectory() as tmp:
        install = subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "synaptic@1.1.4", "brain.js@1.6.1"],
            cwd=tmp,
            capture_output=True,
            text=True,
        )
        if install.returncode:
            print("npm install failed; skipping the JavaScript libraries:", install.stderr.strip()[:200])
            yield lambda script, runs: None
            return
        env = {"NODE_PATH": str(Path(tmp) / "node_modules"), "PATH": os.environ["PATH"]}

        def run(script: str, runs: int) -> dict | None:
            res = subprocess.run(["node", str(HERE / "js" / script), "--runs", str(runs)], env=env,
                                 capture_output=True, text=True, timeout=600)
            if res.returncode:
                print(f"{script} failed:", res.stderr.strip()[:200])
                return None
            return json.loads(res.stdout)

        yield run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=200, help="seeds for the user-call XOR timing")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of the Synaptic comparison")
    parser.add_argument("--no-js", action="store_true")
    args = parser.parse_args()
    print(kernels.status())
    js: dict[str, dict] = {}
    synaptic_tutorial()  # loads the kernels (from numba's cache, or compiles them once)
    ours_rounds, theirs_rounds = [], []
    with javascript() as run_js:
        for _ in range(args.rounds):  # nnstudio and node take turns, so that load changes hit both
            ours_rounds.append(max(synaptic_tutorial() for _ in range(5)))
            result = None if args.no_js else run_js("synaptic_xor.js", max(2, args.runs // args.rounds))
            if result is None:
                break
            theirs_rounds.append(result["updates_per_s"])
            js["synaptic"] = result
        brain = None if args.no_js else run_js("brain_xor.js", args.runs)
        if brain is not None:
            js["brain.js"] = brain
    tutorial = max(ours_rounds)
    line = f"Synaptic tutorial via Trainer.train   nnstudio {tutorial:12,.0f} sample-updates/s"
    if theirs_rounds:
        each = sorted(o / t for o, t in zip(ours_rounds, theirs_rounds, strict=False))
        line += (f"   Synaptic.js {max(theirs_rounds):12,.0f}   ratio {tutorial / max(theirs_rounds):.2f}x"
                 f" (rounds {each[0]:.2f}-{each[-1]:.2f}, target >= 1)")
    print(line)

    ours_online = min(nnstudio_online() for _ in range(3))
    naive_online = best_of(lambda: naive_numpy.online(EPOCHS_ONLINE))
    ours_batch = min(nnstudio_batch() for _ in range(3))
    naive_batch = best_of(lambda: naive_numpy.full_batch(EPOCHS_BATCH))
    updates = EPOCHS_ONLINE * 4
    print(
        f"online updates/s     nnstudio {updates / ours_online:12,.0f}   naive NumPy {updates / naive_online:12,.0f}"
        f"   ratio {naive_online / ours_online:.2f}x"
    )
    print(
        f"full-batch epochs/s  nnstudio {EPOCHS_BATCH / ours_batch:12,.0f}"
        f"   naive NumPy {EPOCHS_BATCH / naive_batch:12,.0f}"
        f"   ratio {naive_batch / ours_batch:.2f}x (target >= 10)"
    )
    ours_mini, naive_mini = minibatch_pair(40)
    print(f"2-8-8-1 tanh, 500 points, batch 10: nnstudio {40 / ours_mini:8,.1f} epochs/s   naive NumPy "
          f"{40 / naive_mini:8,.1f}   ratio {naive_mini / ours_mini:.2f}x (target >= 5)")
    ours_wide, naive_wide = wide_pair(2048, 4)
    print(f"784-128-10, batch 32, float32: nnstudio {4 * 2048 / ours_wide:10,.0f} samples/s   naive float64 NumPy "
          f"{4 * 2048 / naive_wide:10,.0f}   ratio {naive_wide / ours_wide:.2f}x (target >= 1.6)"
          f"   BLAS threads: {os.environ['OPENBLAS_NUM_THREADS']}")
    if kernels.enabled():
        big = big_full_batch()
        print(f"2-16-1, 100,000 rows, full batch: compiled kernel {big['kernel'] * 1e3:.1f} ms/epoch   NumPy path "
              f"{big['numpy'] * 1e3:.1f} ms/epoch (kernel/NumPy {big['kernel'] / big['numpy']:.2f}x)   picked "
              f"{big['picked'] * 1e3:.1f} ms/epoch = {1 / big['picked']:.0f} epochs/s ({big['picked_engine']})")
    user = user_defaults(args.seeds)
    line = (f"XOR defaults, Trainer(net).train(xor, error=0.005, iterations=5000): median "
            f"{user['median_s'] * 1e3:.2f} ms, solved {user['solved']}/{user['seeds']} seeds")
    if "brain.js" in js:
        line += (f"   brain.js {js['brain.js']['median_time_to_mse_s'] * 1e3:.2f} ms   ratio "
                 f"{user['median_s'] / js['brain.js']['median_time_to_mse_s']:.2f} (target <= 0.5)")
    print(line)
    ours = nnstudio_defaults(args.runs)
    print(
        f"time to MSE<0.005 with the defaults: median {ours['median_time_to_mse_s'] * 1e3:.2f} ms, "
        f"{ours['median_epochs']:.0f} epochs ({ours['converged']}/{ours['runs']} converged)"
    )
    for name, res in js.items():
        ratio = ours["median_time_to_mse_s"] / res["median_time_to_mse_s"]
        print(
            f"{name:9s} median time to MSE<0.005 {res['median_time_to_mse_s'] * 1e3:.2f} ms "
            f"({res['converged']}/{res['runs']}), updates/s {res['updates_per_s']:,.0f}, "
            f"epochs/s {res['epochs_per_s']:,.0f}"
            f"   nnstudio/{name} time ratio {ratio:.2f}"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
