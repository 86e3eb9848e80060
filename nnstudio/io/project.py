"""The ``.nnstudio`` project file: JSON, validated field by field, saved atomically.

The schema is documented in ``docs/project-format.md``.  Loading never runs
code (no pickle, no eval) and every problem raises :class:`ProjectError`
whose message starts with the path of the field at fault, e.g.
``graph.layers[1].activation: unknown activation 'sigmod'``.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core import datasets
from ..core.activations import ACTIVATIONS
from ..core.datasets import Dataset, DatasetError
from ..core.graph import KINDS, ROLES, Graph, TopologyError
from ..core.history import ErrorHistory
from ..core.initializers import DEFAULT_INIT, INITIALIZERS
from ..core.network import Network
from ..core.training import TrainSettings

FORMAT = "nnstudio"
VERSION = 1
MAX_FILE_BYTES = 256 * 1024 * 1024


class ProjectError(ValueError):
    """A project file that cannot be loaded; ``field`` is the path of the part at fault."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


@dataclass
class Project:
    """Everything a ``.nnstudio`` file holds."""

    graph: Graph
    dataset: Dataset = field(default_factory=datasets.xor)
    settings: TrainSettings = field(default_factory=TrainSettings)
    init: str = DEFAULT_INIT
    init_seed: int = 0
    data_seed: int = 0
    weights: dict[str, np.ndarray] | None = None  # parameter blocks by key ("W:<conn>", "b:<layer>")
    history: ErrorHistory = field(default_factory=ErrorHistory)
    name: str = ""
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # sections other parts of the app own (e.g. "snapshots", "ui")

    def build_network(self) -> Network:
        """A network for this graph with the stored weights, or fresh ones from the init seed."""
        net = Network.from_graph(self.graph, seed=self.init_seed, init=self.init)
        if self.weights is not None:
            net.load_param_dict(self.weights)
        return net

    def to_dict(self) -> dict:
        d = {
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "description": self.description,
            "graph": self.graph.to_dict(),
            "settings": {k: v for k, v in self.settings.to_dict().items() if k != "seed"},
            "init": self.init,
            "seeds": {"init": self.init_seed, "shuffle": self.settings.seed, "data": self.data_seed},
            "dataset": self.dataset.to_dict(),
            "weights": None if self.weights is None else _weights_to_json(self.weights),
            "history": self.history.to_dict(),
        }
        d.update(self.extra)
        return d


def _weights_to_json(blocks: dict[str, np.ndarray]) -> dict:
    return {
        "connections": {k[2:]: np.asarray(v).tolist() for k, v in blocks.items() if k.startswith("W:")},
        "biases": {k[2:]: np.asarray(v).tolist() for k, v in blocks.items() if k.startswith("b:")},
    }


def default_project() -> Project:
    """The XOR 2-3-1 network of the Synaptic tutorial, on the XOR truth table, with nnstudio's default settings."""
    from ..core import Layer

    graph = Graph()
    a = graph.add_layer(Layer(2, name="Input", role="input", position=(0, 0), id="L1"))
    b = graph.add_layer(Layer(3, name="Hidden", role="hidden", position=(260, 0), id="L2"))
    c = graph.add_layer(Layer(1, name="Output", role="output", position=(520, 0), id="L3"))
    graph.connect(a.id, b.id)
    graph.connect(b.id, c.id)
    return Project(graph=graph, name="XOR 2-3-1")


# -- saving ---------------------------------------------------------------------------
def save_project(project: Project, path: str | os.PathLike) -> None:
    """Write atomically: a temporary file in the same folder, flushed, then renamed over ``path``."""
    write_json_atomic(project.to_dict(), path)


def write_json_atomic(data: dict, path: str | os.PathLike) -> None:
    path = Path(path)
    text = json.dumps(data, indent=1, allow_nan=False)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- loading --------------------------------------------------------------------------
def load_project(path: str | os.PathLike) -> Project:
    """Read and validate a project file; raises :class:`ProjectError` naming the field at fault."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ProjectError(
                "",
                f"{path.name} is {size / 2**20:.0f} MB; project files above {MAX_FILE_BYTES // 2**20} MB are refused",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise ProjectError("", f"cannot read {path}: {exc.strerror or exc}") from None
    return project_from_bytes(raw)


def project_from_bytes(raw: bytes) -> Project:
    if not raw.strip():
        raise ProjectError("", "the file is empty")
    try:
        text = raw.decode("utf-8-sig")  # editors on Windows may add a byte-order mark
    except UnicodeDecodeError:
        raise ProjectError("", "the file is not text (not a UTF-8 JSON project file)") from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        what = exc.msg.removesuffix(" starting at").lower()  # json's "Unterminated string starting at"
        raise ProjectError("", f"not valid JSON: {what} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ProjectError("", "the JSON is nested too deeply") from None
    return project_from_dict(data)


def _refuse_constant(name: str) -> None:
    raise ProjectError("", f"{name} is not allowed in a project file")


def _get(d: dict, key: str, kind: type | tuple, where: str, default: Any = ..., allow_none: bool = False) -> Any:
    path = f"{where}.{key}" if where else key
    if key not in d:
        if default is ...:
            raise ProjectError(path, "missing")
        return default
    value = d[key]
    if value is None and allow_none:
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        names = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
        raise ProjectError(path, f"expected {names}, got {_TYPE_NAMES.get(type(value), type(value).__name__)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ProjectError(path, "must be a finite number")
    return value


_TYPE_NAMES = {
    dict: "an object",
    list: "a list",
    str: "a string",
    int: "a whole number",
    float: "a number",
    bool: "true/false",
    type(None): "null",
}


def project_from_dict(data: Any) -> Project:
    """Validate a parsed project document and build a :class:`Project`."""
    if not isinstance(data, dict):
        raise ProjectError("", "expected a JSON object at the top level")
    if data.get("format") != FORMAT:
        raise ProjectError("format", f'expected "{FORMAT}" — this is not an nnstudio project file')
    version = _get(data, "version", int, "")
    if version > VERSION:
        raise ProjectError(
            "version",
            f"the file is version {version}, made by a newer nnstudio; this one reads up to version {VERSION}",
        )
    if version < 1:
        raise ProjectError("version", f"unknown version {version}")
    graph = _load_graph(_get(data, "graph", dict, ""))
    settings = _load_settings(_get(data, "settings", dict, "", default={}), _get(data, "seeds", dict, "", default={}))
    seeds = data.get("seeds", {})
    init = _get(data, "init", str, "", default=DEFAULT_INIT)
    if init not in INITIALIZERS:
        raise ProjectError("init", f"unknown initializer {init!r}; choose one of: {', '.join(INITIALIZERS)}")
    dataset = _load_dataset(_get(data, "dataset", dict, ""))
    project = Project(
        graph=graph,
        dataset=dataset,
        settings=settings,
        init=init,
        init_seed=_get(seeds, "init", int, "seeds", default=0),
        data_seed=_get(seeds, "data", int, "seeds", default=0),
        name=_get(data, "name", str, "", default=""),
        description=_get(data, "description", str, "", default=""),
    )
    weights = _get(data, "weights", dict, "", default=None, allow_none=True)
    if weights is not None:
        project.weights = _load_weights(weights, graph)
    history = _get(data, "history", dict, "", default=None, allow_none=True)
    if history is not None:
        project.history = _load_history(history)
    project.extra = {k: v for k, v in data.items() if k not in _KNOWN_KEYS}
    return project


_KNOWN_KEYS = {
    "format",
    "version",
    "name",
    "description",
    "graph",
    "settings",
    "init",
    "seeds",
    "dataset",
    "weights",
    "history",
}


def _load_graph(d: dict) -> Graph:
    layers = _get(d, "layers", list, "graph")
    conns = _get(d, "connections", list, "graph")
    ids = set()
    for i, ld in enumerate(layers):
        where = f"graph.layers[{i}]"
        if not isinstance(ld, dict):
            raise ProjectError(where, "expected an object")
        lid = _get(ld, "id", str, where)
        if lid in ids:
            raise ProjectError(f"{where}.id", f"duplicate layer id {lid!r}")
        ids.add(lid)
        _get(ld, "name", str, where)
        if _get(ld, "role", str, where) not in ROLES:
            raise ProjectError(f"{where}.role", f"must be one of {', '.join(ROLES)}")
        size = _get(ld, "size", int, where)
        if not 1 <= size <= 100_000:
            raise ProjectError(f"{where}.size", f"must be from 1 to 100000, not {size}")
        act = _get(ld, "activation", str, where)
        if act not in ACTIVATIONS:
            raise ProjectError(f"{where}.activation", f"unknown activation {act!r}; known: {', '.join(ACTIVATIONS)}")
        _get(ld, "bias", bool, where)
        pos = _get(ld, "position", list, where)
        if len(pos) != 2 or not all(
            isinstance(p, (int, float)) and not isinstance(p, bool) and math.isfinite(p) for p in pos
        ):
            raise ProjectError(f"{where}.position", "expected two finite numbers [x, y]")
    conn_ids = set()
    for i, cd in enumerate(conns):
        where = f"graph.connections[{i}]"
        if not isinstance(cd, dict):
            raise ProjectError(where, "expected an object")
        cid = _get(cd, "id", str, where)
        if cid in conn_ids:
            raise ProjectError(f"{where}.id", f"duplicate connection id {cid!r}")
        conn_ids.add(cid)
        for end in ("source", "target"):
            if _get(cd, end, str, where) not in ids:
                raise ProjectError(f"{where}.{end}", f"no layer with id {cd[end]!r}")
        if _get(cd, "kind", str, where) not in KINDS:
            raise ProjectError(f"{where}.kind", f"must be one of {', '.join(KINDS)}")
    try:
        graph = Graph.from_dict(d)
    except TopologyError as exc:
        raise ProjectError("graph", str(exc)) from None
    # Unfinished work loads as it was saved (a layer not yet connected, no output yet): the app lists
    # such problems and refuses to train. Only what no editing could have produced is refused here.
    cycle = graph.find_cycle()
    if cycle:
        raise ProjectError("graph", "cycle: " + " → ".join(graph.layers[i].name for i in cycle))
    return graph


# JSON types of the training settings, checked before TrainSettings sees them (its validate assumes them)
_SETTING_TYPES: dict[str, tuple] = {
    "rate": (int, float),
    "epochs": (int,),
    "target_error": (int, float),
    "cost": (str,),
    "optimizer": (str,),
    "momentum": (int, float),
    "batch_size": (int, type(None)),
    "shuffle": (bool,),
    "l1": (int, float),
    "l2": (int, float),
    "patience": (int,),
    "max_seconds": (int, float),
    "speed": (int, float),
    "schedule": (dict, type(None)),
}


def _load_settings(d: dict, seeds: dict) -> TrainSettings:
    d = dict(d)
    d.pop("seed", None)
    shuffle_seed = _get(seeds, "shuffle", int, "seeds", default=0)
    for key, kinds in _SETTING_TYPES.items():
        if key in d:
            _get(d, key, kinds, "settings", allow_none=type(None) in kinds)
    schedule = d.get("schedule")
    if schedule is not None:
        _get(schedule, "every", int, "settings.schedule")
        _get(schedule, "factor", (int, float), "settings.schedule")
    try:
        return TrainSettings.from_dict({**d, "seed": shuffle_seed})
    except (TypeError, ValueError) as exc:
        raise ProjectError("settings", str(exc)) from None


def _load_dataset(d: dict) -> Dataset:
    """The dataset; whether it fits the network is the app's concern (a resized layer must still reopen)."""
    _get(d, "name", str, "dataset", default="")
    if _get(d, "kind", str, "dataset", default="classification") not in ("classification", "regression"):
        raise ProjectError("dataset.kind", 'must be "classification" or "regression"')
    for key in ("input_names", "output_names"):
        if not all(isinstance(n, str) for n in _get(d, key, list, "dataset", default=[])):
            raise ProjectError(f"dataset.{key}", "expected a list of strings")
    try:
        dataset = Dataset.from_dict(d)
    except KeyError as exc:
        raise ProjectError(f"dataset.{exc.args[0]}", "missing") from None
    except (DatasetError, TypeError, ValueError) as exc:
        raise ProjectError("dataset", str(exc)) from None
    if dataset.X_test is not None and (len(dataset.X_test) or len(dataset.Y_test)):
        x_shape, y_shape = dataset.X_test.shape, dataset.Y_test.shape
        if x_shape[0] != y_shape[0] or x_shape[1] != dataset.n_inputs or y_shape[1] != dataset.n_outputs:
            raise ProjectError(
                "dataset",
                f"the test part ({x_shape[0]}×{x_shape[1]} inputs, "
                f"{y_shape[0]}×{y_shape[1]} targets) does not match the training part's columns "
                "or its own row count",
            )
    for key, names, width in (
        ("input_names", dataset.input_names, dataset.n_inputs),
        ("output_names", dataset.output_names, dataset.n_outputs),
    ):
        if len(names) != width:
            raise ProjectError(f"dataset.{key}", f"{len(names)} names for {width} columns")
    return dataset


def _load_weights(d: dict, graph: Graph) -> dict[str, np.ndarray]:
    conns = _get(d, "connections", dict, "weights")
    biases = _get(d, "biases", dict, "weights")
    blocks = {}
    for conn in graph.connections.values():
        where = f"weights.connections[{conn.id!r}]"
        if conn.id not in conns:
            raise ProjectError(where, "missing")
        shape = (graph.layers[conn.source].size, graph.layers[conn.target].size)
        blocks["W:" + conn.id] = _array(conns[conn.id], shape, where)
    for layer in graph.layers.values():
        if layer.role == "input" or not layer.bias:
            continue
        where = f"weights.biases[{layer.id!r}]"
        if layer.id not in biases:
            raise ProjectError(where, "missing")
        blocks["b:" + layer.id] = _array(biases[layer.id], (layer.size,), where)
    extra = (set(conns) - set(graph.connections)) | (
        set(biases) - {lid for lid, layer in graph.layers.items() if layer.bias and layer.role != "input"}
    )
    if extra:
        raise ProjectError("weights", f"weights for parts the graph does not have: {', '.join(sorted(extra))}")
    return blocks


def _array(values: Any, shape: tuple[int, ...], where: str) -> np.ndarray:
    try:
        arr = np.array(values, dtype=float)
    except (ValueError, TypeError):
        raise ProjectError(where, f"expected a {'×'.join(map(str, shape))} table of numbers") from None
    if arr.shape != shape:
        raise ProjectError(
            where,
            f"expected shape {'×'.join(map(str, shape))}, got {'×'.join(map(str, arr.shape)) or 'a single value'}",
        )
    if not np.all(np.isfinite(arr)):
        raise ProjectError(where, "contains NaN or infinite values")
    return arr


def _load_history(d: dict) -> ErrorHistory:
    for key in ("epochs", "train"):
        values = _get(d, key, list, "history")
        if not all(
            (isinstance(v, (int, float)) and not isinstance(v, bool)) or (v is None and key == "train") for v in values
        ):
            raise ProjectError(f"history.{key}", "expected a list of numbers")
    for key in ("test_epochs", "test"):
        values = _get(d, key, list, "history", default=[])
        if not all(
            (isinstance(v, (int, float)) and not isinstance(v, bool)) or (v is None and key == "test") for v in values
        ):
            raise ProjectError(f"history.{key}", "expected a list of numbers")
    stride = _get(d, "stride", int, "history", default=1)
    if stride < 1:
        raise ProjectError("history.stride", "must be ≥ 1")
    try:
        return ErrorHistory.from_dict(d)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ProjectError("history", str(exc)) from None
