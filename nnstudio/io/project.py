"""The ``.nnstudio`` project file: JSON, validated field by field, saved atomically.

The schema is documented in ``docs/project-format.md``.  Loading never runs
code (no pickle, no eval) and every problem raises :class:`ProjectError`
whose message starts with the path of the field at fault, e.g.
``graph.layers[1].activation: unknown activation 'sigmod'``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core import datasets
from ..core.activations import ACTIVATIONS
from ..core.datasets import Dataset, DatasetError
from ..core.features import check_features, feature_problem
from ..core.graph import KINDS, ROLES, Graph, TopologyError
from ..core.history import ErrorHistory
from ..core.image_shape import check_image_shape, image_shape_problem
from ..core.initializers import DEFAULT_INIT, INITIALIZERS
from ..core.limits import dataset_cells_problem, graph_size_problem
from ..core.network import Network
from ..core.runs import RunRecord
from ..core.training import SETTING_RANGES, TrainSettings
from .atomic import write_atomic
from .json_text import write_readable
from .limits import (
    MAX_CONNECTIONS,
    MAX_INT,
    MAX_LAYERS,
    MAX_NAME_CHARS,
    MAX_PROJECT_BYTES,
    MAX_TEXT_CHARS,
    JsonLimitError,
    json_text_of,
    parse_json_text,
    read_json,
)
from .number_blocks import BlockError, block_cells, decode_table, encode_table, encode_table_in_pieces, is_block
from .project_runs import load_runs
from .project_sections import check_snapshots, load_history, load_weights

FORMAT = "nnstudio"
VERSION = 1
MAX_FILE_BYTES = MAX_PROJECT_BYTES
NEW_PROJECT_SPEED = 100.0  # epochs/s: XOR's ~570 epochs take about 6 s to watch (as the samples, File → New)
COLUMN_STEP, ROW_STEP = 260.0, 180.0  # where project_from_network places layers built in code


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
    runs: list[RunRecord] = field(default_factory=list)  # the run list, oldest first (core.runs)
    extra: dict[str, Any] = field(default_factory=dict)  # sections other parts of the app own (e.g. "snapshots", "ui")

    def build_network(self) -> Network:
        """A network for this graph with the stored weights, or fresh ones from the init seed."""
        net = Network.from_graph(self.graph, seed=self.init_seed, init=self.init)
        if self.weights is not None:
            net.load_param_dict(self.weights)
        return net

    def to_dict(self, tables: Callable[[np.ndarray], Any] = encode_table) -> dict:
        """The file's JSON value; ``tables`` writes the dataset's tables (the file writer makes blocks lazily)."""
        d = {
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "description": self.description,
            "graph": self.graph.to_dict(),
            "settings": {k: v for k, v in self.settings.to_dict().items() if k != "seed"},
            "init": self.init,
            "seeds": {"init": self.init_seed, "shuffle": self.settings.seed, "data": self.data_seed},
            "dataset": self.dataset.to_dict(tables=tables),
            "weights": None if self.weights is None else _weights_to_json(self.weights),
            "history": self.history.to_dict(),
        }
        if self.runs:  # files without runs stay as they were
            d["runs"] = [run.to_dict() for run in self.runs]
        d.update(self.extra)
        return d


def _weights_to_json(blocks: dict[str, np.ndarray]) -> dict:
    return {
        # row by row: a 784 × 512 block as one tolist() would hold the interpreter lock (and a GUI beside it)
        "connections": {k[2:]: [row.tolist() for row in np.asarray(v)] for k, v in blocks.items()
                        if k.startswith("W:")},
        "biases": {k[2:]: np.asarray(v).tolist() for k, v in blocks.items() if k.startswith("b:")},
    }


def default_project() -> Project:
    """The XOR 2-3-1 network of the Synaptic tutorial, on the XOR truth table, with nnstudio's default settings
    at a pace a newcomer can watch (File → New; the command line ignores the pace)."""
    from ..core import Layer

    graph = Graph()
    a = graph.add_layer(Layer(2, name="Input", role="input", position=(0, 0), id="L1"))
    b = graph.add_layer(Layer(3, name="Hidden", role="hidden", position=(260, 0), id="L2"))
    c = graph.add_layer(Layer(1, name="Output", role="output", position=(520, 0), id="L3"))
    graph.connect(a.id, b.id)
    graph.connect(b.id, c.id)
    return Project(graph=graph, name="XOR 2-3-1", settings=TrainSettings(speed=NEW_PROJECT_SPEED))


def project_from_network(net: Network, dataset: Dataset, name: str = "") -> Project:
    """A project holding ``net`` with its current weights and ``dataset``, ready to save and open on the canvas.

    Layers that all sit at the origin (built in code) are placed in columns by depth, left to right.
    """
    if (dataset.network_width, dataset.n_outputs) != (net.n_inputs, net.n_outputs):
        raise ValueError(
            f"the dataset has {dataset.network_width} inputs and {dataset.n_outputs} targets, "
            f"the network {net.n_inputs} inputs and {net.n_outputs} outputs"
        )
    graph = net.graph.copy()
    if len({layer.position for layer in graph.layers.values()}) == 1:
        depths = graph.depths()
        for depth in set(depths.values()):
            column = [lid for lid in graph.topological_order() if depths[lid] == depth]
            for k, lid in enumerate(column):
                graph.layers[lid].position = (depth * COLUMN_STEP, (k - (len(column) - 1) / 2) * ROW_STEP)
    sizes = "-".join(str(layer.size) for layer in net.layers)
    return Project(graph=graph, dataset=dataset, init=net.init, init_seed=net.seed,
                   weights=net.param_dict(), name=name or f"Network {sizes}")


# -- saving ---------------------------------------------------------------------------
def save_project(project: Project, path: str | os.PathLike) -> None:
    """Write atomically (see :mod:`nnstudio.io.atomic`): the previous file survives any failure or crash.

    Raises OSError when the file cannot be written, ValueError when the
    project holds what JSON cannot (a NaN weight, text that is not Unicode).
    """
    write_json_atomic(project.to_dict(tables=encode_table_in_pieces), path)


def write_json_atomic(data: dict, path: str | os.PathLike) -> None:
    write_atomic(path, lambda fh: write_readable(data, fh))  # piece by piece: a big dataset is never one string


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
    try:
        text = json_text_of(raw)
        del raw  # a big file is not held as bytes and as text while it is parsed
        data = parse_json_text(text)
    except JsonLimitError as exc:
        raise ProjectError(exc.where, exc.message) from None
    del text
    return project_from_dict(data)


def project_from_bytes(raw: bytes) -> Project:
    try:
        data = read_json(raw)
    except JsonLimitError as exc:
        raise ProjectError(exc.where, exc.message) from None
    return project_from_dict(data)


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
    if isinstance(value, str):
        limit = MAX_TEXT_CHARS if path == "description" else MAX_NAME_CHARS
        if len(value) > limit:
            raise ProjectError(path, f"{len(value):,} characters; the limit is {limit:,}")
    return value


def _whole(d: dict, key: str, where: str, low: int, high: int, default: int) -> int:
    value = _get(d, key, int, where, default=default)
    if not low <= value <= high:
        raise ProjectError(f"{where}.{key}" if where else key, f"must be from {low} to {high:,}, not {value}")
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
    seeds = _get(data, "seeds", dict, "", default={})
    settings = _load_settings(_get(data, "settings", dict, "", default={}), seeds)
    init = _get(data, "init", str, "", default=DEFAULT_INIT)
    if init not in INITIALIZERS:
        raise ProjectError("init", f"unknown initializer {init!r}; choose one of: {', '.join(INITIALIZERS)}")
    dataset = _load_dataset(_get(data, "dataset", dict, ""))
    project = Project(
        graph=graph,
        dataset=dataset,
        settings=settings,
        init=init,
        init_seed=_whole(seeds, "init", "seeds", 0, MAX_INT, 0),
        data_seed=_whole(seeds, "data", "seeds", 0, MAX_INT, 0),
        name=_get(data, "name", str, "", default=""),
        description=_get(data, "description", str, "", default=""),
    )
    weights = _get(data, "weights", dict, "", default=None, allow_none=True)
    if weights is not None:
        project.weights = load_weights(weights, graph, ProjectError)
    history = _get(data, "history", dict, "", default=None, allow_none=True)
    if history is not None:
        project.history = load_history(history, ProjectError)
    if "runs" in data:
        project.runs = load_runs(data["runs"], ProjectError)
    if "snapshots" in data:  # the time-travel slider's section: read by the app after the document opened
        check_snapshots(data["snapshots"], graph, ProjectError)
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
    "runs",
}


def _load_graph(d: dict) -> Graph:
    layers = _get(d, "layers", list, "graph")
    conns = _get(d, "connections", list, "graph")
    if len(layers) > MAX_LAYERS:
        raise ProjectError("graph.layers", f"{len(layers):,} layers; the limit is {MAX_LAYERS} (MAX_LAYERS)")
    if len(conns) > MAX_CONNECTIONS:
        raise ProjectError("graph.connections",
                           f"{len(conns):,} connections; the limit is {MAX_CONNECTIONS} (MAX_CONNECTIONS)")
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
            isinstance(p, (int, float)) and not isinstance(p, bool) and abs(p) <= 1e9 for p in pos
        ):
            raise ProjectError(f"{where}.position", "expected two numbers [x, y] from -1e9 to 1e9")
    conn_ids: set[str] = set()
    pairs: dict[tuple[str, str], int] = {}
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
        pair = (cd["source"], cd["target"])
        if pair in pairs:
            raise ProjectError(where, f"a second connection from {pair[0]!r} to {pair[1]!r} (the first is "
                               f"connections[{pairs[pair]}]); a network has one connection per pair of layers")
        pairs[pair] = i
    try:
        graph = Graph.from_dict(d)
    except TopologyError as exc:
        raise ProjectError("graph", str(exc)) from None
    too_large = graph_size_problem(graph)
    if too_large:
        raise ProjectError("graph", too_large)
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
    "dtype": (str,),
}


def _load_settings(d: dict, seeds: dict) -> TrainSettings:
    d = dict(d)
    d.pop("seed", None)
    shuffle_seed = _whole(seeds, "shuffle", "seeds", 0, MAX_INT, 0)
    for key, kinds in _SETTING_TYPES.items():
        if key in d:
            value = _get(d, key, kinds, "settings", allow_none=type(None) in kinds)
            low, high = SETTING_RANGES.get(key, (None, None))
            if low is not None and value is not None and not (low <= value <= high and (key != "rate" or value > 0)):
                above = "above 0" if key == "rate" else f"from {low:g}"
                raise ProjectError(f"settings.{key}", f"must be {above} to {high:g}, not {value:g}")
    schedule = d.get("schedule")
    if schedule is not None:
        _get(schedule, "every", int, "settings.schedule")
        _get(schedule, "factor", (int, float), "settings.schedule")
    try:
        return TrainSettings.from_dict({**d, "seed": shuffle_seed})
    except (TypeError, ValueError) as exc:
        raise ProjectError("settings", str(exc)) from None


TABLE_KEYS = ("inputs", "targets", "test_inputs", "test_targets")


def _checked_block(value: Any, key: str, read: Any) -> Any:
    """``read(value)`` for a table stored as a block (see :mod:`.number_blocks`), its errors naming the field."""
    try:
        return read(value)
    except BlockError as exc:
        raise ProjectError(f"dataset.{key}", str(exc)) from None


def _load_dataset(d: dict) -> Dataset:
    """The dataset; whether it fits the network is the app's concern (a resized layer must still reopen)."""
    _get(d, "name", str, "dataset", default="")
    if _get(d, "kind", str, "dataset", default="classification") not in ("classification", "regression"):
        raise ProjectError("dataset.kind", 'must be "classification" or "regression"')
    for key in ("input_names", "output_names"):
        names = _get(d, key, list, "dataset", default=[])
        if not all(isinstance(n, str) for n in names):
            raise ProjectError(f"dataset.{key}", "expected a list of strings")
        long = next((i for i, n in enumerate(names) if len(n) > MAX_NAME_CHARS), None)
        if long is not None:
            raise ProjectError(f"dataset.{key}[{long}]",
                               f"{len(names[long]):,} characters; the limit is {MAX_NAME_CHARS}")
    cells = 0
    for key in TABLE_KEYS:
        table = d.get(key)
        if isinstance(table, list) and table:
            first = table[0]
            cells += len(table) * (len(first) if isinstance(first, list) else 1)
        elif is_block(table):
            cells += _checked_block(table, key, block_cells)
    too_large = dataset_cells_problem(cells)  # counted before numpy builds a single array
    if too_large:
        raise ProjectError("dataset", too_large)
    features = _get(d, "features", list, "dataset", default=None, allow_none=True)
    tables = {key: _checked_block(d[key], key, decode_table) for key in TABLE_KEYS if is_block(d.get(key))}
    try:
        dataset = Dataset.from_dict({k: tables.get(k, v) for k, v in d.items() if k not in ("features", "image_shape")})
    except KeyError as exc:
        raise ProjectError(f"dataset.{exc.args[0]}", "missing") from None
    except (DatasetError, TypeError, ValueError, OverflowError) as exc:
        raise ProjectError("dataset", str(exc)) from None
    X_test, Y_test = dataset.X_test, dataset.Y_test
    if X_test is not None and Y_test is not None and (len(X_test) or len(Y_test)):
        x_shape, y_shape = X_test.shape, Y_test.shape
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
    problem = feature_problem(features, dataset.n_inputs)
    if problem:
        raise ProjectError("dataset.features", problem)
    dataset.features = check_features(features, dataset.n_inputs)
    problem = image_shape_problem(d.get("image_shape"), dataset.n_inputs)
    if problem:
        raise ProjectError("dataset.image_shape", problem)
    dataset.image_shape = check_image_shape(d.get("image_shape"), dataset.n_inputs)
    return dataset
