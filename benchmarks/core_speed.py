"""XOR training speed of nnstudio's core against naive NumPy, Synaptic.js and brain.js.

    python benchmarks/core_speed.py [--runs 30] [--no-js]

Prints online updates/s and full-batch epochs/s (nnstudio vs the naive NumPy
references in naive_numpy.py), the median time to MSE < 0.005 with nnstudio's
defaults, and, when node and npm are present, the same for Synaptic and
brain.js installed into a temporary folder.  Times are training time only,
measured inside each process.  Compare the ratios, not the absolute numbers:
these machines are shared.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import naive_numpy

from nnstudio.core import Layer, Network, TrainingRun, TrainSettings, datasets

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


def js_results(runs: int) -> dict:
    if not (shutil.which("node") and shutil.which("npm")):
        return {}
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        install = subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "synaptic@1.1.4", "brain.js@1.6.1"],
            cwd=tmp,
            capture_output=True,
            text=True,
        )
        if install.returncode:
            print("npm install failed; skipping the JavaScript libraries:", install.stderr.strip()[:200])
            return {}
        env = {"NODE_PATH": str(Path(tmp) / "node_modules"), "PATH": __import__("os").environ["PATH"]}
        for name, script in (("synaptic", "synaptic_xor.js"), ("brain.js", "brain_xor.js")):
            res = subprocess.run(
                ["node", str(HERE / "js" / script), "--runs", str(runs)],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if res.returncode == 0:
                out[name] = json.loads(res.stdout)
            else:
                print(f"{name} failed:", res.stderr.strip()[:200])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-js", action="store_true")
    args = parser.parse_args()

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
        f"   ratio {naive_batch / ours_batch:.2f}x"
    )
    ours = nnstudio_defaults(args.runs)
    print(
        f"time to MSE<0.005 with the defaults: median {ours['median_time_to_mse_s'] * 1e3:.2f} ms, "
        f"{ours['median_epochs']:.0f} epochs ({ours['converged']}/{ours['runs']} converged)"
    )
    if args.no_js:
        return
    for name, res in js_results(args.runs).items():
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
