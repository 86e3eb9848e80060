"""Accuracy for classification targets.

The kind of task is read from the targets alone:

- several outputs whose target rows are one-hot: a row is right when the
  largest output is at the target's 1 (multi-class, softmax-style);
- otherwise, targets with two values per output — {0, 1}, {−1, 1} or any
  other pair — are labels: an output is right when it falls on the target's
  side of the midpoint (0.5 for {0, 1} and 0 for {−1, 1}, even when the data
  holds only one of the two).  With several such outputs (multi-label, e.g. AND,
  OR and XOR at once) the accuracy is the fraction of output values that are right;
- targets with more than two values are a regression: no accuracy.

For one-hot targets and single label columns :func:`confusion_matrix` counts
rows by actual and predicted class, and :func:`per_class_accuracy` gives each
class's share of right answers.
"""

from __future__ import annotations

import math

import numpy as np

Array = np.ndarray


def percent_text(fraction: float) -> str:
    """A share as people read it, rounded down to 0.1 %: "99.5%" for 199 of 200; "100%" only when all are right.

    (Rounding to the nearest would show 199 of 200 right as "100%" at whole percents.)
    """
    tenths = math.floor(1000 * fraction + 1e-6)  # 57 / 100 is 0.56999… in binary: still 57.0%
    if fraction < 1 and tenths >= 1000:
        tenths = 999
    return f"{max(tenths, 0) / 10:g}%"


def _threshold(values: Array) -> float | None:
    distinct = np.unique(values)
    if set(distinct) <= {0.0, 1.0}:
        return 0.5
    if set(distinct) <= {-1.0, 1.0}:
        return 0.0
    if len(distinct) == 2:
        return float(distinct.mean())
    return None


def is_one_hot(targets: Array) -> bool:
    targets = np.asarray(targets, dtype=float)
    return targets.ndim == 2 and targets.shape[1] > 1 and bool(
        np.isin(targets, (0.0, 1.0)).all() and (targets.sum(axis=1) == 1).all()
    )


def right_answers(outputs: Array, targets: Array) -> Array | None:
    """Which answers are right: one flag per row for one-hot targets, one per output value for
    other labels (rows × outputs); None when the targets are not labels."""
    outputs, targets = np.atleast_2d(np.asarray(outputs, float)), np.atleast_2d(np.asarray(targets, float))
    if outputs.shape != targets.shape:
        raise ValueError(f"outputs shaped {outputs.shape}, targets {targets.shape}")
    if not targets.size:
        return None
    if is_one_hot(targets):
        return outputs.argmax(axis=1) == targets.argmax(axis=1)
    thresholds = [_threshold(targets[:, k]) for k in range(targets.shape[1])]
    if any(t is None for t in thresholds):
        return None
    cut = np.array(thresholds)
    return (outputs > cut) == (targets > cut)


def accuracy(outputs: Array, targets: Array) -> float | None:
    """The fraction of right answers (see the module doc), or None when the targets are not labels."""
    right = right_answers(outputs, targets)
    return None if right is None else float(np.mean(right))


def class_indices(outputs: Array, targets: Array) -> tuple[Array, Array, int] | None:
    """(predicted, actual, class count) per row for one-hot targets or one label column; None otherwise."""
    outputs, targets = np.atleast_2d(np.asarray(outputs, float)), np.atleast_2d(np.asarray(targets, float))
    if outputs.shape != targets.shape:
        raise ValueError(f"outputs shaped {outputs.shape}, targets {targets.shape}")
    if not targets.size:
        return None
    if is_one_hot(targets):
        return outputs.argmax(axis=1), targets.argmax(axis=1), targets.shape[1]
    if targets.shape[1] == 1 and (cut := _threshold(targets[:, 0])) is not None:
        return (outputs[:, 0] > cut).astype(int), (targets[:, 0] > cut).astype(int), 2
    return None


def confusion_matrix(outputs: Array, targets: Array) -> Array | None:
    """Counts shaped classes × classes: ``[actual, predicted]``; None when the targets are not classes."""
    found = class_indices(outputs, targets)
    if found is None:
        return None
    predicted, actual, n = found
    counts = np.zeros((n, n), dtype=np.int64)
    np.add.at(counts, (actual, predicted), 1)
    return counts


def per_class_accuracy(counts: Array) -> Array:
    """Each class's fraction of rows predicted right (NaN for a class with no rows), from a confusion matrix."""
    counts = np.asarray(counts, dtype=float)
    totals = counts.sum(axis=1)
    right = np.full(len(counts), np.nan)
    np.divide(np.diag(counts), totals, out=right, where=totals > 0)
    return right
