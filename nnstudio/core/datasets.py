"""Datasets: truth tables, TensorFlow-Playground-style 2-D generators, CSV.

A :class:`Dataset` holds inputs ``X`` (samples as rows) and targets ``Y``, the
column names, optionally a held-out test part, the class names of a
categorical target (one per one-hot output column), the
:class:`~nnstudio.core.scaling.InputScaling` its inputs went through and,
for pictures, the ``image_shape`` its input columns form.
Generators take a seed so the same settings always give the same points.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .csv_table import encode, read_table
from .dataset_error import DatasetError
from .features import check_features, compute_features, input_width
from .image_shape import check_image_shape
from .scaling import InputScaling

Array = np.ndarray


@dataclass
class Dataset:
    X: Array
    Y: Array
    name: str = "data"
    input_names: list[str] = field(default_factory=list)
    output_names: list[str] = field(default_factory=list)
    X_test: Array | None = None
    Y_test: Array | None = None
    kind: str = "classification"  # or "regression": decides whether accuracy is shown
    class_names: list[str] = field(default_factory=list)  # one per output column when the target is a class
    scaling: InputScaling | None = None  # what turned raw inputs into X (and X_test)
    features: tuple[str, ...] | None = None  # what the network is fed, computed from X (see core.features)
    image_shape: tuple[int, int] | None = None  # (height, width): the input columns are a picture's pixels, row-major

    def __post_init__(self) -> None:
        self.X = _matrix(self.X, "inputs")
        self.Y = _matrix(self.Y, "targets")
        if len(self.X) != len(self.Y):
            raise DatasetError(f"{len(self.X)} input rows but {len(self.Y)} target rows")
        if len(self.X) == 0:
            raise DatasetError("the dataset has no rows")
        if not self.input_names:
            self.input_names = [f"x{i + 1}" for i in range(self.X.shape[1])]
        if not self.output_names:
            self.output_names = [f"y{i + 1}" for i in range(self.Y.shape[1])] if self.Y.shape[1] > 1 else ["y"]
        if self.X_test is not None:
            self.X_test, self.Y_test = _matrix(self.X_test, "test inputs"), _matrix(self.Y_test, "test targets")
        if self.class_names and (
            len(self.class_names) != self.n_outputs or not all(isinstance(c, str) for c in self.class_names)
        ):
            raise DatasetError(f"{len(self.class_names)} class names for {self.n_outputs} output columns")
        if self.scaling is not None and self.scaling.width != self.n_inputs:
            raise DatasetError(f"the scaling has {self.scaling.width} columns, the inputs {self.n_inputs}")
        self.features = check_features(self.features, self.n_inputs)
        self.image_shape = check_image_shape(self.image_shape, self.n_inputs)

    def raw_inputs(self, scaled: Array | None = None) -> Array:
        """Inputs as they were before scaling (the training inputs unless ``scaled`` is given)."""
        scaled = self.X if scaled is None else scaled
        return scaled if self.scaling is None else self.scaling.invert(scaled)

    def scale(self, raw: Array) -> Array:
        """Raw inputs (a row or rows) as the network sees them."""
        return np.asarray(raw, dtype=float) if self.scaling is None else self.scaling.apply(raw)

    def network_inputs(self, X: Array | None = None) -> Array:
        """What the network is fed for inputs ``X`` as stored (the training inputs by default): their features."""
        return compute_features(self.features, self.X if X is None else X)

    @property
    def network_width(self) -> int:
        """How many inputs the network takes: one per feature, or one per input column without features."""
        return input_width(self.features, self.n_inputs)

    def for_network(self) -> Dataset:
        """This dataset as the network sees it: its inputs replaced by their features (itself without features)."""
        if self.features is None:
            return self
        X_test = None if self.X_test is None else self.network_inputs(self.X_test)
        return Dataset(self.network_inputs(), self.Y, name=self.name, input_names=list(self.features),
                       output_names=list(self.output_names), X_test=X_test, Y_test=self.Y_test, kind=self.kind,
                       class_names=list(self.class_names))

    def label(self, output_row: Array) -> str | None:
        """The class name an output row picks (its largest value), or None when the target has no classes."""
        return self.class_names[int(np.argmax(output_row))] if self.class_names else None

    @property
    def n_inputs(self) -> int:
        return self.X.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.Y.shape[1]

    @property
    def has_test(self) -> bool:
        return self.X_test is not None and len(self.X_test) > 0

    def __len__(self) -> int:
        return len(self.X)

    @classmethod
    def from_records(cls, records: Iterable[dict], name: str = "data") -> Dataset:
        """From Synaptic's training-set form: ``[{"input": [...], "output": [...]}, ...]``."""
        records = list(records)
        try:
            X = [list(r["input"]) for r in records]
            Y = [list(r["output"]) for r in records]
        except (KeyError, TypeError):
            raise DatasetError('each sample must be a dict with "input" and "output" lists') from None
        return cls(_matrix(X, "inputs"), _matrix(Y, "targets"), name=name)

    def to_records(self) -> list[dict]:
        return [{"input": x.tolist(), "output": y.tolist()} for x, y in zip(self.X, self.Y, strict=True)]

    def to_dict(self, tables: Callable[[Array], Any] = lambda values: values.tolist()) -> dict:
        """The dataset as JSON values; ``tables`` turns each matrix into its JSON form (rows of numbers)."""
        d = {
            "name": self.name,
            "kind": self.kind,
            "input_names": list(self.input_names),
            "output_names": list(self.output_names),
            "inputs": tables(self.X),
            "targets": tables(self.Y),
        }
        X_test, Y_test = self.X_test, self.Y_test
        if X_test is not None and Y_test is not None and len(X_test):  # has_test, spelt out for the type checker
            d["test_inputs"] = tables(X_test)
            d["test_targets"] = tables(Y_test)
        if self.class_names:
            d["class_names"] = list(self.class_names)
        if self.scaling is not None:
            d["scaling"] = self.scaling.to_dict()
        if self.features is not None:
            d["features"] = list(self.features)
        if self.image_shape is not None:
            d["image_shape"] = list(self.image_shape)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Dataset:
        return cls(
            d["inputs"],
            d["targets"],
            name=d.get("name", "data"),
            input_names=list(d.get("input_names", [])),
            output_names=list(d.get("output_names", [])),
            X_test=d.get("test_inputs"),
            Y_test=d.get("test_targets"),
            kind=d.get("kind", "classification"),
            class_names=list(d.get("class_names", [])),
            scaling=None if d.get("scaling") is None else InputScaling.from_dict(d["scaling"]),
            features=d.get("features"),
            image_shape=d.get("image_shape"),
        )


def _matrix(values, what: str) -> Array:
    try:
        arr = np.asarray(values, dtype=float)  # no copy of a float array: a 60,000 × 784 set loads once
    except (ValueError, TypeError):
        raise DatasetError(f"{what} must be a table of numbers (all rows the same length)") from None
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise DatasetError(f"{what} must be a table of numbers (all rows the same length)")
    if not np.all(np.isfinite(arr)):
        raise DatasetError(f"{what} contain NaN or infinite values")
    return arr


# -- truth tables ---------------------------------------------------------------------
_GATES = {
    "xor": lambda a, b: a ^ b,
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "nand": lambda a, b: 1 - (a & b),
    "nor": lambda a, b: 1 - (a | b),
    "xnor": lambda a, b: 1 - (a ^ b),
}
TRUTH_TABLES = tuple(_GATES) + ("one_to_zero",)


def truth_table(name: str) -> Dataset:
    """The two-input truth table of a logic gate (xor, and, or, nand, nor, xnor), or "one_to_zero"."""
    key = name.lower()
    if key == "one_to_zero":
        return Dataset(np.array([[1.0]]), np.array([[0.0]]), name="1 → 0", input_names=["x"], output_names=["y"])
    if key not in _GATES:
        raise DatasetError(f"unknown truth table {name!r}; choose one of: {', '.join(TRUTH_TABLES)}")
    rows = [(a, b) for a in (0, 1) for b in (0, 1)]
    return Dataset(
        np.array(rows, float), np.array([[_GATES[key](a, b)] for a, b in rows], float),
        name=key.upper(), input_names=["a", "b"], output_names=[key],
    )


def xor() -> Dataset:
    """XOR: [0,0]→0, [0,1]→1, [1,0]→1, [1,1]→0 — the default dataset."""
    return truth_table("xor")


def and_() -> Dataset:
    return truth_table("and")


def or_() -> Dataset:
    return truth_table("or")


def nand() -> Dataset:
    return truth_table("nand")


def nor() -> Dataset:
    return truth_table("nor")


def xnor() -> Dataset:
    return truth_table("xnor")


def one_to_zero() -> Dataset:
    """The single-neuron tutorial's example: input 1 should give 0."""
    return truth_table("one_to_zero")


def logic_gates() -> Dataset:
    """Two inputs and three targets at once: AND, OR and XOR."""
    rows = [(a, b) for a in (0, 1) for b in (0, 1)]
    return Dataset(
        np.array(rows, float),
        np.array([[a & b, a | b, a ^ b] for a, b in rows], float),
        name="AND/OR/XOR",
        input_names=["a", "b"],
        output_names=["and", "or", "xor"],
    )


# -- 2-D generators (TensorFlow Playground style) -----------------------------------------
GENERATORS = ("circle", "xor_quadrants", "gaussians", "spiral", "regression_plane", "regression_gaussian")


def _finish(X: Array, Y: Array, name: str, test_fraction: float, rng: np.random.Generator, kind: str) -> Dataset:
    if not 0.0 <= test_fraction < 1.0:
        raise DatasetError(f"test fraction must be in [0, 1), not {test_fraction}")
    order = rng.permutation(len(X))
    n_test = int(round(len(X) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return Dataset(
        X[train],
        Y[train],
        name=name,
        input_names=["x1", "x2"],
        output_names=["y"],
        X_test=X[test] if n_test else None,
        Y_test=Y[test] if n_test else None,
        kind=kind,
    )


def _check_count(n: int) -> None:
    if not isinstance(n, int) or n < 2:
        raise DatasetError(f"sample count must be a whole number ≥ 2, not {n!r}")


def circle(n: int = 200, noise: float = 0.0, seed: int = 0, test_fraction: float = 0.5) -> Dataset:
    """Points inside a circle (class 1) and on a ring around it (class 0), coordinates in about ±1."""
    _check_count(n)
    rng = np.random.default_rng(seed)
    radius = 5.0
    inner = n // 2
    r = np.concatenate([rng.uniform(0, radius * 0.5, inner), rng.uniform(radius * 0.7, radius, n - inner)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    X += rng.uniform(-radius, radius, X.shape) * noise
    Y = (np.hypot(X[:, 0], X[:, 1]) < radius * 0.5).astype(float)[:, None]
    return _finish(X / radius, Y, "circle", test_fraction, rng, "classification")


def xor_quadrants(n: int = 200, noise: float = 0.0, seed: int = 0, test_fraction: float = 0.5) -> Dataset:
    """Points in four quadrants; class 1 where x1·x2 > 0."""
    _check_count(n)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-5, 5, (n, 2))
    X += np.sign(X) * 0.3  # keep points off the axes
    X += rng.uniform(-5, 5, X.shape) * noise
    Y = (X[:, 0] * X[:, 1] > 0).astype(float)[:, None]
    return _finish(X / 5.0, Y, "xor quadrants", test_fraction, rng, "classification")


def gaussians(n: int = 200, noise: float = 0.0, seed: int = 0, test_fraction: float = 0.5) -> Dataset:
    """Two Gaussian blobs, class 1 around (2, 2) and class 0 around (−2, −2)."""
    _check_count(n)
    rng = np.random.default_rng(seed)
    spread = 0.5 + 3.0 * noise
    half = n // 2
    X = np.vstack([rng.normal(2, spread, (half, 2)), rng.normal(-2, spread, (n - half, 2))])
    Y = np.concatenate([np.ones(half), np.zeros(n - half)])[:, None]
    return _finish(X / 5.0, Y, "two gaussians", test_fraction, rng, "classification")


def spiral(n: int = 200, noise: float = 0.0, seed: int = 0, test_fraction: float = 0.5) -> Dataset:
    """Two interleaved spirals."""
    _check_count(n)
    rng = np.random.default_rng(seed)
    half = n // 2
    parts, labels = [], []
    for label, delta, count in ((1.0, 0.0, half), (0.0, np.pi, n - half)):
        i = np.arange(count)
        r = i / count * 5.0
        t = 1.75 * i / count * 2 * np.pi + delta
        pts = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1, 1, (count, 2)) * noise
        parts.append(pts)
        labels.append(np.full(count, label))
    return _finish(
        np.vstack(parts) / 5.0, np.concatenate(labels)[:, None], "spiral", test_fraction, rng, "classification"
    )


def regression_plane(n: int = 200, noise: float = 0.0, seed: int = 0, test_fraction: float = 0.5) -> Dataset:
    """Target (x1 + x2) / 2 on the square ±1, plus noise."""
    _check_count(n)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 2))
    Y = ((X[:, 0] + X[:, 1]) / 2 + rng.normal(0, 1, n) * noise * 0.5)[:, None]
    return _finish(X, Y, "plane", test_fraction, rng, "regression")


def regression_gaussian(n: int = 200, noise: float = 0.0, seed: int = 0, test_fraction: float = 0.5) -> Dataset:
    """Target: two Gaussian bumps of opposite sign on the square ±1, plus noise."""
    _check_count(n)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 2))
    bump = lambda cx, cy: np.exp(-((X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2) / 0.18)  # noqa: E731
    Y = (bump(-0.4, 0.4) - bump(0.4, -0.4) + rng.normal(0, 1, n) * noise * 0.5)[:, None]
    return _finish(X, Y, "gaussian bumps", test_fraction, rng, "regression")


def generate(name: str, n: int = 200, noise: float = 0.0, seed: int = 0, test_fraction: float = 0.5) -> Dataset:
    """One of :data:`GENERATORS` by name."""
    if name not in GENERATORS:
        raise DatasetError(f"unknown generator {name!r}; choose one of: {', '.join(GENERATORS)}")
    return globals()[name](n=n, noise=noise, seed=seed, test_fraction=test_fraction)


def sine(n: int = 64, seed: int = 0, noise: float = 0.0) -> Dataset:
    """y = sin(π·x) on x in [−1, 1]: a one-input regression task."""
    rng = np.random.default_rng(seed)
    x = np.linspace(-1, 1, n)
    y = np.sin(np.pi * x) + rng.normal(0, 1, n) * noise
    return Dataset(x[:, None], y[:, None], name="sine", input_names=["x"], output_names=["sin(πx)"], kind="regression")


def by_name(name: str) -> Dataset:
    """A built-in dataset by name: a truth table, "logic_gates", "sine" or a generator with defaults."""
    if name.lower() in TRUTH_TABLES:
        return truth_table(name)
    if name == "logic_gates":
        return logic_gates()
    if name == "sine":
        return sine()
    return generate(name)


# -- CSV ----------------------------------------------------------------------------------
def read_csv(
    source: str | Path | bytes | io.TextIOBase,
    targets: Sequence[str] | int = 1,
    name: str | None = None,
    classes: bool = False,
) -> Dataset:
    """Read a CSV file (see :mod:`nnstudio.core.csv_table`: encoding, delimiter and header are found).

    ``targets`` names the target columns (or gives 1-based column numbers), or
    is a count: the last that many columns are targets.  Text columns become
    one-hot categories; a single text target keeps its class names, and
    ``classes`` makes numeric targets class labels as well.  Problems raise
    :class:`DatasetError` naming the line and column.
    """
    encoded = encode(read_table(source), targets, classes, consume=True)
    if name is None:
        name = Path(source).stem if isinstance(source, (str, Path)) else "csv"
    return Dataset(encoded.X, encoded.Y, name=name, input_names=encoded.input_names,
                   output_names=encoded.output_names, kind=encoded.kind, class_names=encoded.class_names)


def write_csv(dataset: Dataset, target: str | Path) -> None:
    """Write inputs then targets under one header row (the test part is not written)."""
    with open(target, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([*dataset.input_names, *dataset.output_names])
        for x, y in zip(dataset.X, dataset.Y, strict=True):
            writer.writerow([repr(float(v)) for v in (*x, *y)])
