"""A real ``kill -9`` during saves of a ~20 MB project: the previous file always loads (issue 12).

    python benchmarks/kill_during_save.py [--tries 25] [--mb 20] [--disks]

Each try starts a subprocess that saves the project over and over (each save
with a new name inside), waits until a save has begun, sleeps a random part of
one save's duration and sends SIGKILL.  Then the file must load, holding a
complete earlier or later save; the leftover temporary file must be removed by
the next save.  ``--disks`` (root only) also saves onto a real full tmpfs and
a real read-only tmpfs: the save fails with a clear error and the file already
there stays as it was.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from nnstudio.core.datasets import Dataset
from nnstudio.io.atomic import remove_leftovers
from nnstudio.io.project import ProjectError, load_project, save_project

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import sys, time
from nnstudio.io import atomic
from nnstudio.io import project as project_module
from nnstudio.io.project import load_project, save_project

real_write_atomic = atomic.write_atomic

def announced(path, write):
    def write_announced(fh):
        print("writing", flush=True)  # the temporary file exists from here on
        write(fh)
    real_write_atomic(path, write_announced)

atomic.write_atomic = announced
project_module.write_atomic = announced  # where save_project looks it up
project = load_project(sys.argv[1])
for n in range(1, 10**6):
    project.name = f"save {n}"
    print("saving", flush=True)
    started = time.perf_counter()
    save_project(project, sys.argv[2])
    print(f"saved {time.perf_counter() - started}", flush=True)
"""


def big_project(mb: int):
    """The XOR sample with a dataset of about ``mb`` MB of JSON (random numbers, 2 inputs, 1 target)."""
    project = load_project(ROOT / "samples" / "xor.nnstudio")
    rows = mb * 2**20 // 50  # three numbers of ~20 characters per row, written one row per line
    rng = np.random.default_rng(0)
    X = rng.random((rows, 2))
    project.dataset = Dataset(X, (X.sum(axis=1, keepdims=True) > 1).astype(float), name="big")
    project.name = "save 0"
    return project


def kill_tries(tries: int, mb: int, folder: Path) -> int:
    source = folder / "source.nnstudio"
    target = folder / "work.nnstudio"
    project = big_project(mb)
    save_project(project, source)
    started = time.perf_counter()
    save_project(project, target)
    save_time = time.perf_counter() - started
    print(f"project: {target.stat().st_size / 2**20:.1f} MB; one save takes {save_time:.2f} s")
    rng = random.Random(0)
    loaded, names, leftovers, cleaned = 0, set(), 0, 0
    for attempt in range(1, tries + 1):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(source), str(target)], stdout=subprocess.PIPE,
                                 text=True)
        assert child.stdout is not None
        if attempt % 2:  # anywhere in a save: building the JSON, writing it, renaming it
            child.stdout.readline()
            time.sleep(rng.uniform(0.0, 1.3 * save_time))
        else:  # while the temporary file is being written and synced
            while child.stdout.readline().strip() != "writing":
                pass
            time.sleep(rng.uniform(0.0, 0.05))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        temps = [p for p in folder.iterdir() if p.name.startswith(".work.nnstudio.")]
        leftovers += len(temps)
        try:
            name = load_project(target).name
            loaded += 1
            names.add(name)
            verdict = f"loads ({name})"
        except ProjectError as exc:
            verdict = f"BROKEN: {exc}"
        cleaned += len(remove_leftovers(target))
        print(f"  try {attempt:2d}: killed {'with' if temps else 'without'} a temporary file; the file {verdict}")
    print(f"kill -9 during saves: {tries} tries, the previous file loaded {loaded} times, broken {tries - loaded}; "
          f"{leftovers} temporary files left by killed saves, {cleaned} removed by the next save; "
          f"versions seen: {len(names)}")
    return tries - loaded


def _mount(folder: Path, options: str) -> bool:
    folder.mkdir()
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


def disk_checks(folder: Path) -> int:
    """A real full disk and a real read-only folder (tmpfs mounts; root only)."""
    if os.geteuid() != 0:
        print("--disks needs root (tmpfs mounts); skipped")
        return 0
    failures = 0
    small = load_project(ROOT / "samples" / "xor.nnstudio")
    big = big_project(4)
    for label, options in (("full disk (1 MB tmpfs)", "size=1m"), ("read-only folder", "size=1m")):
        mount = folder / label.split()[0]
        if not _mount(mount, options):
            print(f"{label}: cannot mount a tmpfs here; skipped")
            continue
        try:
            path = mount / "work.nnstudio"
            save_project(small, path)
            before = path.read_bytes()
            if label.startswith("read-only"):
                subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
            try:
                save_project(big, path)
                message = "no error"
                failures += 1
            except OSError as exc:
                message = f"OSError: {exc.strerror}"
            intact = path.read_bytes() == before
            temps = [p.name for p in mount.iterdir() if p.name.endswith(".tmp")]
            failures += (not intact) + bool(temps)
            print(f"{label}: saving 4 MB fails with {message!r}; the old file is "
                  f"{'intact' if intact else 'DAMAGED'}; temporary files left: {len(temps)}")
        finally:
            subprocess.run(["umount", str(mount)], capture_output=True)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=25)
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--disks", action="store_true", help="also a real full and read-only tmpfs (root)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nnstudio-kill-") as folder:
        failures = kill_tries(args.tries, args.mb, Path(folder))
        if args.disks:
            failures += disk_checks(Path(folder))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
