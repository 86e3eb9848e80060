"""Compile an exported C header (``net.h``) into a small program and run it on input rows (for the export tests)."""

import shutil
import subprocess
from pathlib import Path

import pytest

C_MAIN = r"""
#include <stdio.h>
#include <stdlib.h>
#include "net.h"

int main(int argc, char **argv)
{
    double input[NNSTUDIO_N_INPUTS], output[NNSTUDIO_N_OUTPUTS];
    int i;
    if (argc != NNSTUDIO_N_INPUTS + 1) return 2;
    for (i = 0; i < NNSTUDIO_N_INPUTS; ++i) input[i] = strtod(argv[i + 1], NULL);
    nnstudio_predict(input, output);
    for (i = 0; i < NNSTUDIO_N_OUTPUTS; ++i) printf("%.17g\n", output[i]);
    return 0;
}
"""


def build_predictor(folder: Path) -> Path:
    """Compile ``folder/net.h`` with a strict C99 compiler into ``folder/predict`` (the test skips with no compiler)."""
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        pytest.skip("no C compiler (cc, gcc or clang) on PATH to compile the exported header")
    (folder / "main.c").write_text(C_MAIN)
    exe = folder / "predict"
    build = subprocess.run(
        [compiler, "-std=c99", "-pedantic", "-Wall", "-Werror", "-O2", "-o", str(exe), "main.c", "-lm"],
        capture_output=True, text=True, cwd=folder,
    )
    assert build.returncode == 0, build.stderr
    return exe


def run_predictor(exe: Path, row) -> list[float]:
    """The compiled network's outputs for one input row (numbers passed exactly, as Python's repr)."""
    done = subprocess.run([str(exe), *(repr(float(v)) for v in row)], capture_output=True, text=True, check=True)
    return [float(v) for v in done.stdout.split()]
