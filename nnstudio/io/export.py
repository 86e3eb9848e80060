"""Export a project's trained network (or its error history) to another format, chosen by extension.

``export_project(project, "net.onnx")``; :data:`EXPORT_FORMATS` maps each
extension to a description for file dialogs.  The weights formats are
documented in ``docs/weights-format.md``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from ..core.history import ErrorHistory
from ..core.network import Network
from ..core.raw_inputs import raw_input_network
from ..core.scaling import InputScaling
from ..core.standalone import standalone_lines
from .atomic import write_atomic, write_text_atomic
from .export_c import write_header
from .export_js import JS_FORMATS, write_js
from .export_onnx import write_onnx
from .project import Project
from .weights_json import write_weights_json, write_weights_npz

EXPORT_FORMATS: dict[str, str] = {
    ".json": "Weights JSON (nnstudio-weights)",
    ".npz": "NumPy weights archive",
    ".onnx": "ONNX model",
    ".py": "Standalone Python (math only)",
    ".h": "C99 header",
    ".csv": "Error history CSV",
}


def _write_python(net: Network, path: str | os.PathLike, features: Sequence[str] | None = None,
                  scaling: InputScaling | None = None) -> None:
    lines = standalone_lines(net, features, scaling)  # line by line: a large network is never one string
    write_atomic(path, lambda fh: fh.writelines(f"{line}\n".encode() for line in lines))


_NETWORK_WRITERS: dict[str, Callable[[Network, str | os.PathLike], None]] = {
    ".json": write_weights_json,
    ".npz": write_weights_npz,
    ".onnx": write_onnx,
    ".py": _write_python,
    ".h": write_header,
}


# code that evaluates the network takes raw inputs: the scaling is folded into its first weights.  Weights
# files keep the project's own weights, so that they load back into it.
_RAW_INPUT_WRITERS = (".py", ".h")


def export_format(path: str | os.PathLike) -> str:
    """The extension of ``path`` if it is one of :data:`EXPORT_FORMATS`; a ValueError names them otherwise."""
    ext = Path(path).suffix.lower()
    if ext not in EXPORT_FORMATS:
        supported = ", ".join(EXPORT_FORMATS)
        raise ValueError(f"cannot export to {ext or 'a file without extension'!r}; supported: {supported}")
    return ext


def export_project(project: Project, path: str | os.PathLike, fmt: str | None = None,
                   dtype: str = "float32") -> None:
    """Write the project's network (with its current weights) or error history to ``path``.

    ``fmt`` names a format that shares an extension with others: ``synaptic``
    or ``brain`` (:data:`JS_FORMATS`) for a ``.json`` the JavaScript library
    loads; they, and the ``.py`` and ``.h`` code, take raw inputs (the
    dataset's scaling is folded into the first weights; with feature inputs the code scales the raw x1, x2
    and computes the features, and weights files list them).  An
    ONNX model takes raw inputs too, in ``dtype`` (float32 or float64), and
    carries the class names in its metadata.  Every format is written
    atomically (see :mod:`nnstudio.io.atomic`): when anything fails, the file
    already at ``path`` is left as it was.  Raises
    ValueError for an unknown extension or a network that cannot be written in
    that format, RuntimeError when the optional onnx package is missing,
    OSError when the file cannot be written.
    """
    if fmt is not None:
        if fmt not in JS_FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(JS_FORMATS)}")
        write_js(project.build_network(), path, fmt, project.dataset.scaling, project.dataset.features)
        return
    ext = export_format(path)
    ds = project.dataset
    if ext == ".csv":
        write_history_csv(project.history, path)
        return
    if ext == ".onnx":
        write_onnx(project.build_network(), path, dtype, ds.scaling, ds.class_names, ds.features)
        return
    if ds.features is not None:  # code computes the features from raw x1, x2: the scaling cannot be folded
        if ext == ".py":
            _write_python(project.build_network(), path, ds.features, ds.scaling)
        elif ext == ".h":
            write_header(project.build_network(), path, ds.features, ds.scaling)
        else:
            (write_weights_json if ext == ".json" else write_weights_npz)(project.build_network(), path, ds.features)
        return
    if ext in _RAW_INPUT_WRITERS:
        _NETWORK_WRITERS[ext](raw_input_network(project.build_network(), project.dataset.scaling), path)
        return
    _NETWORK_WRITERS[ext](project.build_network(), path)


def write_history_csv(history: ErrorHistory, path: str | os.PathLike) -> None:
    """``epoch,train[,test]`` rows, one per recorded epoch; the test column appears when there are test errors.

    A cell is empty where that error was not recorded at that epoch (test
    errors are measured less often than training errors).
    """
    trains = dict(zip(history.epochs.tolist(), history.train.tolist(), strict=True))
    tests = dict(zip(history.test_epochs, history.test, strict=True))
    cell = lambda table, epoch: repr(float(table[epoch])) if epoch in table else ""  # noqa: E731
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(["epoch", "train", "test"] if tests else ["epoch", "train"])
    for epoch in sorted(set(trains) | set(tests)):
        row = [epoch, cell(trains, epoch)]
        if tests:
            row.append(cell(tests, epoch))
        writer.writerow(row)
    write_text_atomic(path, text.getvalue())
