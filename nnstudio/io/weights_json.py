"""Trained weights as a documented JSON file or a NumPy ``.npz``, and back into a network.

The schema is in ``docs/weights-format.md``.  Layers and connections are named
by layer name, so a file can be evaluated without nnstudio (see the NumPy
snippet in that document) and loaded into any nnstudio network whose layers
have the same names and sizes.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..core.limits import MAX_CONNECTIONS, MAX_LAYERS, MAX_PARAMETERS
from ..core.network import Network
from ..core.standalone import evaluation_plan, input_steps, output_steps
from .atomic import write_atomic
from .json_text import write_readable
from .limits import MAX_NAME_CHARS, MAX_WEIGHTS_BYTES, JsonLimitError, read_json

FORMAT = "nnstudio-weights"
VERSION = 1


class WeightsError(ValueError):
    """A weights file that cannot be read or does not fit the network."""


def _check_unique_names(net: Network) -> None:
    seen = set()
    for layer in net.layers:
        if len(layer.name) > MAX_NAME_CHARS:
            raise WeightsError(f"a layer name has {len(layer.name):,} characters; weights files name layers and "
                               f"allow {MAX_NAME_CHARS}: rename it first")
        if layer.name in seen:
            raise WeightsError(f"two layers are called {layer.name!r}; weights files name layers, so rename one first")
        seen.add(layer.name)


def weights_document(net: Network, features: Sequence[str] | None = None, arrays: bool = False) -> dict:
    """The weights JSON document (a plain dict) for ``net``'s current parameters.

    ``features`` (the dataset's feature inputs) are listed in the document: the input layer takes them.
    With ``arrays`` the biases and weights stay NumPy arrays (for the writers:
    a table of millions of numbers is never a list of Python floats).
    """
    values = (lambda a: a) if arrays else (lambda a: a.tolist())  # noqa: E731
    _check_unique_names(net)
    plan = evaluation_plan(net)
    layers, connections = [], []
    for step in plan:
        layers.append({
            "name": step.name,
            "size": step.size,
            "activation": step.activation,
            "bias": None if step.bias is None else values(step.bias),
        })
        for src, w in step.sources:
            conn = net.graph.find_connection(net.layers[src].id, net.layers[step.index].id)
            assert conn is not None, "the plan's sources are the graph's connections"
            connections.append({"from": plan[src].name, "to": step.name, "kind": conn.kind, "weights": values(w)})
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "layers": layers,
        "connections": connections,
        "inputs": [s.name for s in input_steps(plan)],
        "outputs": [s.name for s in output_steps(plan)],
    }
    if features is not None:
        doc["features"] = list(features)
    return doc


def write_weights_json(net: Network, path: str | os.PathLike, features: Sequence[str] | None = None) -> None:
    doc = weights_document(net, features, arrays=True)
    write_atomic(path, lambda fh: write_readable(doc, fh, end="\n"))


def write_weights_npz(net: Network, path: str | os.PathLike, features: Sequence[str] | None = None) -> None:
    """Arrays ``W:<from>-><to>`` and ``b:<layer>``, plus ``meta``: the JSON document without the numbers."""
    doc = weights_document(net, features, arrays=True)
    arrays: dict[str, Any] = {}  # (np.savez's stub would take a dict of arrays for its allow_pickle flag)
    for layer in doc["layers"]:
        if layer["bias"] is not None:
            arrays[f"b:{layer['name']}"] = np.array(layer["bias"], dtype=float)
        layer["bias"] = layer["bias"] is not None
    for conn in doc["connections"]:
        arrays[f"W:{conn['from']}->{conn['to']}"] = np.array(conn.pop("weights"), dtype=float)
    arrays["meta"] = np.array(json.dumps(doc))
    write_atomic(path, lambda fh: np.savez(fh, **arrays))  # to a file object: savez would append ".npz" to a path


# -- reading --------------------------------------------------------------------------
def read_weights(path: str | os.PathLike, net: Network) -> dict[str, np.ndarray]:
    """Parameter blocks ("W:<conn id>", "b:<layer id>") for ``net`` from a weights ``.json`` or ``.npz`` file.

    Every layer and connection of the network must be in the file with the
    same shape; a mismatch names the layer and both shapes.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_WEIGHTS_BYTES:
            raise WeightsError(f"{path.name} is {size / 2**20:.0f} MB; weights files above "
                               f"{MAX_WEIGHTS_BYTES // 2**20} MB are refused")
        if path.suffix.lower() == ".npz":
            biases, weights = _read_npz(path)
        else:
            biases, weights = _read_json(path)
    except OSError as exc:
        raise WeightsError(f"cannot read {path}: {exc.strerror or exc}") from None
    return _match(net, biases, weights)


def load_weights(net: Network, path: str | os.PathLike) -> None:
    """Set ``net``'s parameters from a weights file (see :func:`read_weights`)."""
    blocks = read_weights(path, net)
    net.load_param_dict(blocks, partial=True)
    net.set_params(net.params)  # re-applies one_to_one / all_to_else masks


def _read_json(path: Path) -> tuple[dict, dict]:
    try:
        doc = read_json(path.read_bytes())
    except JsonLimitError as exc:
        raise WeightsError(f"{path.name} is not a JSON file nnstudio can read: {exc}") from None
    _check_header(doc, path)
    layers = _field(doc, "layers", list, "")
    conns = _field(doc, "connections", list, "")
    biases, weights = {}, {}
    for i, layer in enumerate(layers):
        name = _field(layer, "name", str, f"layers[{i}]")
        biases[name] = layer.get("bias")
    for i, conn in enumerate(conns):
        where = f"connections[{i}]"
        key = (_field(conn, "from", str, where), _field(conn, "to", str, where))
        weights[key] = _field(conn, "weights", list, where)
    return biases, weights


def _read_npz(path: Path) -> tuple[dict, dict]:
    try:
        _check_npz_sizes(path)
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (ValueError, EOFError, OSError, zipfile.BadZipFile, NotImplementedError) as exc:
        raise WeightsError(f"{path.name} is not a readable .npz file ({exc})") from None
    if "meta" not in arrays:
        raise WeightsError(f"{path.name} has no 'meta' entry: not an nnstudio weights file")
    try:
        doc = read_json(str(arrays["meta"]).encode("utf-8"))
    except (JsonLimitError, UnicodeEncodeError):
        raise WeightsError(f"{path.name}: the 'meta' entry is not JSON nnstudio can read") from None
    _check_header(doc, path)
    biases, weights = {}, {}
    for i, layer in enumerate(_field(doc, "layers", list, "")):
        name = _field(layer, "name", str, f"layers[{i}]")
        biases[name] = arrays.get(f"b:{name}")
    for i, conn in enumerate(_field(doc, "connections", list, "")):
        where = f"connections[{i}]"
        src, tgt = _field(conn, "from", str, where), _field(conn, "to", str, where)
        key = f"W:{src}->{tgt}"
        if key not in arrays:
            raise WeightsError(f"{path.name}: no array {key!r}")
        weights[(src, tgt)] = arrays[key]
    return biases, weights


def _check_npz_sizes(path: Path) -> None:
    """Refuse an archive whose arrays, as their headers declare them, exceed the limits: before any is read."""
    budget = 8 * MAX_PARAMETERS + 4 * (2**20)  # every parameter as float64, and the meta text
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
        if len(entries) > MAX_LAYERS + MAX_CONNECTIONS + 1:
            raise WeightsError(f"{path.name} holds {len(entries):,} arrays; a network has at most "
                               f"{MAX_LAYERS + MAX_CONNECTIONS}")
        total = 0
        for entry in entries:
            with archive.open(entry) as fh:
                version = np.lib.format.read_magic(fh)
                read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                               (2, 0): np.lib.format.read_array_header_2_0}.get(version)
                if read_header is None:
                    raise WeightsError(f"{path.name}: {entry.filename} has .npy version {version}")
                shape, _, dtype = read_header(fh)
            total += int(np.prod(shape, dtype=object)) * dtype.itemsize
            if total > budget:
                raise WeightsError(f"{path.name}: its arrays would take more than {budget // 2**20} MB; a network "
                                   f"has at most {MAX_PARAMETERS:,} parameters")


def _check_header(doc: Any, path: Path) -> None:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise WeightsError(f'{path.name} is not an nnstudio weights file (no "format": "{FORMAT}")')
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise WeightsError(f"{path.name}: version must be a whole number ≥ 1")
    if version > VERSION:
        raise WeightsError(f"{path.name} is weights format version {version}; this nnstudio reads up to {VERSION}")


def _field(d: Any, key: str, kind: type, where: str) -> Any:
    if not isinstance(d, dict) or not isinstance(d.get(key), kind):
        path = f"{where}.{key}" if where else key
        raise WeightsError(f"{path}: missing or not a {kind.__name__}")
    return d[key]


def _as_array(values: Any, what: str) -> np.ndarray:
    try:
        arr = np.array(values, dtype=float)
    except (TypeError, ValueError):
        raise WeightsError(f"{what}: not a table of numbers") from None
    if not np.all(np.isfinite(arr)):
        raise WeightsError(f"{what}: contains NaN or infinite values")
    return arr


def _shape(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape)) or "a single number"


def _match(net: Network, biases: dict, weights: dict) -> dict[str, np.ndarray]:
    """Pair the file's arrays with the network's blocks, checking names and shapes."""
    g = net.graph
    by_name = {layer.name: layer for layer in g.layers.values()}
    unknown = [name for name in biases if name not in by_name]
    if unknown:
        raise WeightsError(f"the file has layer {unknown[0]!r}, which the network does not have")
    blocks = {}
    for layer in net.layers:
        if layer.role == "input":
            continue
        if layer.name not in biases:
            raise WeightsError(f"layer {layer.name!r} is not in the file")
        values = biases[layer.name]
        if layer.bias:
            if values is None:
                raise WeightsError(f"layer {layer.name!r}: the network has a bias of {layer.size}, the file has none")
            arr = _as_array(values, f"bias of {layer.name}")
            if arr.shape != (layer.size,):
                raise WeightsError(f"layer {layer.name!r}: bias shaped {_shape(arr.shape)} in the file, "
                                   f"{layer.size} in the network")
            blocks["b:" + layer.id] = arr
        elif values is not None and np.any(_as_array(values, f"bias of {layer.name}")):
            raise WeightsError(f"layer {layer.name!r} has no bias in the network, but the file gives it one")
    for conn in g.connections.values():
        src, tgt = g.layers[conn.source], g.layers[conn.target]
        values = weights.pop((src.name, tgt.name), None)
        if values is None:
            raise WeightsError(f"the connection {src.name} → {tgt.name} is not in the file")
        arr = _as_array(values, f"weights {src.name} → {tgt.name}")
        expected = (src.size, tgt.size)
        if arr.shape != expected:
            raise WeightsError(f"layer {tgt.name!r}: weights {src.name} → {tgt.name} shaped {_shape(arr.shape)} "
                               f"in the file, {_shape(expected)} in the network")
        blocks["W:" + conn.id] = arr
    if weights:
        src, tgt = next(iter(weights))
        raise WeightsError(f"the file has a connection {src} → {tgt}, which the network does not have")
    return blocks
