"""Fuzz the file readers (issue 12): mutated projects and imports through every path, counting tracebacks.

    QT_QPA_PLATFORM=offscreen python benchmarks/fuzz_files.py [--projects 2000] [--imports 500] [--seed 0]
        [--timeout 300] [--max-gib 6] [--keep DIR]

Each mutated project goes through the loader, the GUI document's open path
(``Document.load``, as ``MainWindow.open_path`` calls it, then the snapshots
section as the time-travel wiring reads it), a save and reopen, the CLI's
``predict``, ``train --epochs 2`` and ``export`` to every format.  Each mutated
import (Synaptic.js, brain.js, weights JSON and ``.npz``) goes through its
reader, then the same document, predict and export paths.  Cases run one at a
time in a worker process; one that takes longer than ``--timeout`` seconds is
a hang (the worker is killed and restarted).  The worker's peak resident
memory is reset before each case and read after it; its address space is
capped (``--max-gib``), so a case asking for more fails as a traceback
(MemoryError) instead of taking the machine's memory.

Prints the number of cases, of tracebacks (must be 0), of hangs (0) and the
largest peak RSS with the number of cases above 1 GiB (0).  ``--keep`` saves
the files that failed, for a test.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
import traceback
from pathlib import Path

import fuzz_mutations as mutations

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
JS = ROOT / "tests" / "fixtures" / "js"
EXPORTS = (".json", ".npz", ".onnx", ".py", ".h", ".csv")
GIB = 2**30


# -- the worker: runs one case at a time -------------------------------------------------------
def _peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _cli(args: list[str]) -> int:
    from nnstudio.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(args)


class _Runner:
    """The paths one case goes through; an exception escaping any of them is a traceback."""

    def __init__(self, work: Path):
        from PySide6.QtWidgets import QApplication

        self.app = QApplication.instance() or QApplication([])
        self.work = work
        self.document = None

    def open_in_document(self, project, path: str) -> None:
        from nnstudio.core.snapshots import SnapshotStore
        from nnstudio.ui.model.document import Document

        if self.document is None:
            self.document = Document()
        self.document.load(project, path)  # what MainWindow.open_path does once the loader accepted the file
        saved, net = self.document.extra.get("snapshots"), self.document.network
        if saved is not None and net is not None:  # as TimeTravelWiring._load_saved reads it
            try:
                SnapshotStore.from_dict(saved)
            except ValueError:
                pass
        self.document.project()

    def project_paths(self, path: Path) -> str:
        from nnstudio.io.project import ProjectError, load_project, save_project

        try:
            project = load_project(path)
        except ProjectError:
            return "refused"
        self.open_in_document(project, str(path))
        again = self.work / "again.nnstudio"
        save_project(self.document.project(), again)  # a file that opened saves, and the save reopens
        load_project(again)
        self.headless(path, project)
        return "loaded"

    def headless(self, path: Path, project) -> None:
        n_inputs = sum(layer.size for layer in project.graph.layers_with_role("input")) or 2
        _cli(["predict", str(path), *(["0.5"] * min(n_inputs, 1000))])
        _cli(["train", str(path), "--epochs", "2"])
        for ext in EXPORTS:
            _cli(["export", str(path), str(self.work / f"out{ext}")])

    def import_paths(self, path: Path) -> str:
        from nnstudio.io.project import load_project

        out = self.work / "imported.nnstudio"
        out.unlink(missing_ok=True)
        if _cli(["import", str(path), str(out)]) != 0:
            return "refused"
        project = load_project(out)  # an import writes a project that opens
        self.open_in_document(project, str(out))
        self.headless(out, project)
        return "loaded"

    def weights_paths(self, path: Path) -> str:
        from nnstudio.io.export import export_project
        from nnstudio.io.project import load_project
        from nnstudio.ui.model.import_weights import load_weights_into

        self.open_in_document(load_project(SAMPLES / "xor.nnstudio"), "")
        try:
            load_weights_into(self.document, str(path))  # the window's weights import, as import_weights_file
        except (ValueError, OSError):  # what import_weights_file shows in a dialog
            return "refused"
        for ext in EXPORTS:
            with contextlib.suppress(ValueError, RuntimeError, OSError):  # what export_to shows in a dialog
                export_project(self.document.project(), self.work / f"w{ext}")
        return "loaded"


def worker(conn, work: str, max_gib: float) -> None:
    # a case that asks for more than this gets a MemoryError (a traceback) instead of the machine's memory
    limit = int(max_gib * GIB)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    runner = _Runner(Path(work))
    from nnstudio.io.project import load_project

    runner.open_in_document(load_project(SAMPLES / "xor.nnstudio"), "")
    conn.send("ready")
    while (job := conn.recv()) is not None:
        kind, path = job
        _reset_peak()
        try:
            if kind == "project":
                outcome = runner.project_paths(Path(path))
            elif kind in ("synaptic", "brain"):
                outcome = runner.import_paths(Path(path))
            else:
                outcome = runner.weights_paths(Path(path))
            conn.send((outcome, None, _peak_rss()))
        except BaseException:  # noqa: BLE001  (every escape is what we count)
            runner.document = None
            conn.send(("traceback", traceback.format_exc(limit=6), _peak_rss()))


# -- the driver ------------------------------------------------------------------------------------
def _seeds() -> dict[str, list]:
    from nnstudio.core.snapshots import SnapshotStore
    from nnstudio.io.export import export_project
    from nnstudio.io.project import load_project

    projects = [json.loads(p.read_text()) for p in sorted(SAMPLES.glob("*.nnstudio"))]
    trained = load_project(SAMPLES / "xor.nnstudio")
    net = trained.build_network()
    trained.weights = net.param_dict()
    trained.history.extend(1, [0.3, 0.2, 0.1])
    store = SnapshotStore(net.n_params)
    store.add(1, net.params, 0.3)
    store.add(2, net.params, 0.2)
    trained.extra["snapshots"] = store.to_dict()
    projects.append(json.loads(json.dumps(trained.to_dict())))
    with tempfile.TemporaryDirectory() as folder:
        export_project(trained, Path(folder) / "w.json")
        export_project(trained, Path(folder) / "w.npz")
        weights_json = json.loads((Path(folder) / "w.json").read_text())
        npz = (Path(folder) / "w.npz").read_bytes()
    return {
        "project": projects,
        "synaptic": [json.loads(p.read_text()) for p in sorted(JS.glob("synaptic_*.json"))
                     if not p.name.endswith(".outputs.json")],
        "brain": [json.loads(p.read_text()) for p in sorted(JS.glob("brain_*.json"))
                  if not p.name.endswith(".outputs.json")],
        "weights-json": [weights_json],
        "weights-npz": [npz],
    }


def _case(kind: str, seeds: dict, rng: random.Random) -> tuple[bytes, str]:
    seed = rng.choice(seeds[kind])
    if kind == "project":
        return mutations.mutate_project(seed, rng), ".nnstudio"
    if kind == "weights-npz":
        return mutations.mutate_npz(seed, rng), ".npz"
    return mutations.mutate_json_import(seed, rng), ".json"


class _Worker:
    def __init__(self, work: Path, max_gib: float):
        self.work, self.max_gib = work, max_gib
        self.start()

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=worker, args=(child, str(self.work), self.max_gib),
                                       daemon=True)
        self.process.start()
        self.conn.recv()  # "ready": imports and the first document are not timed

    def run(self, kind: str, path: Path, timeout: float) -> tuple[str, str | None, int]:
        self.conn.send((kind, str(path)))
        if self.conn.poll(timeout):
            try:
                return self.conn.recv()
            except EOFError:
                pass
            self.process.join()
            self.start()
            return "traceback", f"the worker died (exit code {self.process.exitcode})", 0
        self.process.kill()
        self.process.join()
        self.start()
        return "hang", None, 0

    def stop(self) -> None:
        self.conn.send(None)
        self.process.join(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--imports", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds per case before it counts as a hang (the largest networks take ~1 minute on a "
                             "busy machine: six exports and a save of 9 million parameters)")
    parser.add_argument("--keep", help="copy failing cases into this folder")
    parser.add_argument("--max-gib", type=float, default=6.0,
                        help="the worker's address-space limit (Qt and NumPy alone reserve ~1.5 GiB of it)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    seeds = _seeds()
    import_kinds = ["synaptic", "brain", "weights-json", "weights-npz"]
    jobs = ["project"] * args.projects + [import_kinds[i % 4] for i in range(args.imports)]
    counts: dict[tuple[str, str], int] = {}
    failures: list[tuple[str, str, str]] = []
    peak, over = 0, 0
    slowest = (0.0, "")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nnstudio-fuzz-") as folder:
        work = Path(folder)
        pool = _Worker(work, args.max_gib)
        for number, kind in enumerate(jobs):
            raw, ext = _case(kind, seeds, rng)
            path = work / f"case{ext}"
            path.write_bytes(raw)
            case_started = time.perf_counter()
            outcome, detail, rss = pool.run(kind, path, args.timeout)
            slowest = max(slowest, (time.perf_counter() - case_started, f"{kind} case {number}"))
            counts[kind, outcome] = counts.get((kind, outcome), 0) + 1
            peak, over = max(peak, rss), over + (rss > GIB)
            if outcome in ("traceback", "hang") or rss > GIB:
                failures.append((kind, outcome if rss <= GIB else f"{outcome}, {rss / 2**20:.0f} MiB", detail or ""))
                if args.keep:
                    Path(args.keep).mkdir(parents=True, exist_ok=True)
                    (Path(args.keep) / f"{number}-{kind}{ext}").write_bytes(raw)
            if (number + 1) % 250 == 0:
                print(f"  {number + 1} cases, {time.perf_counter() - started:.0f} s", file=sys.stderr)
        pool.stop()
    total = lambda outcome: sum(n for (_, o), n in counts.items() if o == outcome)  # noqa: E731
    print(f"fuzz_files: seed {args.seed}, {len(jobs)} cases in {time.perf_counter() - started:.0f} s")
    for kind in ["project", *import_kinds]:
        row = {o: counts.get((kind, o), 0) for o in ("loaded", "refused", "traceback", "hang")}
        print(f"  {kind:13s} {sum(row.values()):5d} cases: {row['loaded']} loaded, {row['refused']} refused, "
              f"{row['traceback']} tracebacks, {row['hang']} hangs")
    print(f"mutated projects: {args.projects}, mutated imports: {args.imports}")
    print(f"tracebacks: {total('traceback')}")
    print(f"hangs (> {args.timeout:g} s): {total('hang')}; slowest case: {slowest[0]:.1f} s ({slowest[1]})")
    print(f"peak RSS of one case: {peak / 2**20:.0f} MiB; cases over 1 GiB: {over}")
    for kind, outcome, detail in failures[:10]:
        print(f"--- {kind}: {outcome}\n{detail}")
    return 1 if failures or over else 0


if __name__ == "__main__":
    sys.exit(main())
