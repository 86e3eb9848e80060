"""Feature inputs (as in TensorFlow Playground): what a two-input network is fed instead of its raw x1, x2.

Each :class:`Feature` holds its NumPy form and the forms the exporters write: one expression in plain Python
(``math`` imported) and in C99 (``<math.h>``) of the variables ``x1`` and ``x2``, and one ONNX operator on the
``[batch, 1]`` columns ``x1`` and ``x2``.  A dataset's ``features`` list (``None`` = the raw inputs) names them
in the order of the input layer's neurons.  The features are computed from the inputs as the network would
see them without features, i.e. after the dataset's input scaling: raw x → scaling → features → network.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .dataset_error import DatasetError
from .scaling import InputScaling

Array = np.ndarray
RAW_INPUTS = 2  # features are defined for datasets with exactly two input columns


@dataclass(frozen=True)
class Feature:
    """One feature input: ``compute(x1, x2)`` on columns, and its Python, C and ONNX forms."""

    name: str
    compute: Callable[[Array, Array], Array]
    python: str
    c: str
    onnx_op: str  # "Identity", "Mul" or "Sin"
    onnx_inputs: tuple[str, ...]  # of "x1", "x2"


FEATURES: dict[str, Feature] = {f.name: f for f in (
    Feature("x1", lambda x1, x2: x1, "x1", "x1", "Identity", ("x1",)),
    Feature("x2", lambda x1, x2: x2, "x2", "x2", "Identity", ("x2",)),
    Feature("x1^2", lambda x1, x2: x1 * x1, "x1 * x1", "x1 * x1", "Mul", ("x1", "x1")),
    Feature("x2^2", lambda x1, x2: x2 * x2, "x2 * x2", "x2 * x2", "Mul", ("x2", "x2")),
    Feature("x1*x2", lambda x1, x2: x1 * x2, "x1 * x2", "x1 * x2", "Mul", ("x1", "x2")),
    Feature("sin(x1)", lambda x1, x2: np.sin(x1), "math.sin(x1)", "sin(x1)", "Sin", ("x1",)),
    Feature("sin(x2)", lambda x1, x2: np.sin(x2), "math.sin(x2)", "sin(x2)", "Sin", ("x2",)),
)}


def feature_problem(features: object, n_raw_inputs: int) -> str | None:
    """Why ``features`` is not a valid feature list for a dataset with ``n_raw_inputs`` columns (None if it is)."""
    if features is None:
        return None
    if not isinstance(features, list | tuple) or not all(isinstance(f, str) for f in features):
        return "expected a list of feature names"
    if not features:
        return "the list is empty; leave it out to feed the raw inputs"
    unknown = [f for f in features if f not in FEATURES]
    if unknown:
        return f"unknown feature {unknown[0][:40]!r}; known: {', '.join(FEATURES)}"
    repeated = next((f for k, f in enumerate(features) if f in features[:k]), None)
    if repeated is not None:
        return f"{repeated!r} is listed twice"
    if n_raw_inputs != RAW_INPUTS:
        return f"features need a dataset with 2 inputs (x1, x2); this one has {n_raw_inputs}"
    return None


def check_features(features: object, n_raw_inputs: int) -> tuple[str, ...] | None:
    """``features`` as a tuple (None stays None); a DatasetError says what is wrong with it."""
    problem = feature_problem(features, n_raw_inputs)
    if problem:
        raise DatasetError(f"features: {problem}")
    return None if features is None else tuple(features)  # type: ignore[arg-type]


def parse_features(text: str) -> tuple[str, ...]:
    """A comma-separated feature list (``"x1^2,x2^2"``), checked for unknown names and repeats."""
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    problem = feature_problem(names, RAW_INPUTS)
    if problem:
        raise DatasetError(problem)
    return names


def input_width(features: Sequence[str] | None, n_raw_inputs: int = RAW_INPUTS) -> int:
    """The input layer's size for a feature list: one neuron per feature, or the raw input count for None."""
    return n_raw_inputs if features is None else len(features)


def compute_features(features: Sequence[str] | None, X: Array) -> Array:
    """The network's inputs for rows ``X`` of (scaled) x1, x2: one column per feature (``X`` itself for None)."""
    X = np.asarray(X, dtype=np.float64)
    if features is None:
        return X
    rows = X.reshape(-1, RAW_INPUTS)
    x1, x2 = rows[:, 0], rows[:, 1]
    out = np.column_stack([FEATURES[name].compute(x1, x2) for name in features])
    return out.reshape(len(features)) if X.ndim == 1 else out


def _scaling_terms(scaling: InputScaling | None) -> list[tuple[str, float, float]]:
    if scaling is None:
        return []
    return [(f"x{k + 1}", float(scaling.offset[k]), float(scaling.factor[k])) for k in range(RAW_INPUTS)]


def python_feature_lines(features: Sequence[str], scaling: InputScaling | None, indent: str = "    ") -> list[str]:
    """Python statements turning the list ``inputs`` of raw x1, x2 into the list ``inputs`` the network takes."""
    lines = [f"{indent}x1, x2 = inputs  # raw inputs"]
    for name, offset, factor in _scaling_terms(scaling):
        lines.append(f"{indent}{name} = ({name} - {offset!r}) * {factor!r}  # the dataset's input scaling")
    exprs = ", ".join(FEATURES[f].python for f in features)
    lines.append(f"{indent}inputs = [{exprs}]  # features: {', '.join(features)}")
    return lines


def c_feature_lines(features: Sequence[str], scaling: InputScaling | None, indent: str = "    ") -> list[str]:
    """C99 statements turning ``const double *input`` (raw x1, x2) into ``double features[]`` (the network's)."""
    lines = [f"{indent}double x1 = input[0], x2 = input[1];  /* raw inputs */"]
    for name, offset, factor in _scaling_terms(scaling):
        lines.append(f"{indent}{name} = ({name} - ({offset!r})) * ({factor!r});  /* the dataset's input scaling */")
    exprs = ", ".join(FEATURES[f].c for f in features)
    lines.append(f"{indent}double features[{len(features)}] = {{{exprs}}};  /* {', '.join(features)} */")
    return lines
