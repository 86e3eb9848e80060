"""Preparing a dataset for training: a seeded train/test split (stratified for classes) and input scaling.

``prepare(dataset, test_fraction=0.2, seed=0, scale="standard")`` starts from all the dataset's rows in raw
form (training rows, then test rows, any earlier scaling undone) and splits them afresh.  The scaling is
fitted on the training rows only.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .datasets import Dataset, DatasetError
from .metrics import is_one_hot
from .scaling import SCALINGS, fit_scaling


def class_keys(targets: np.ndarray) -> np.ndarray | None:
    """One class number per row for label targets (one-hot or two-valued columns), None for a regression."""
    targets = np.asarray(targets, dtype=float)
    if is_one_hot(targets):
        return targets.argmax(axis=1)
    if all(len(np.unique(targets[:, k])) <= 2 for k in range(targets.shape[1])):
        return np.unique(targets, axis=0, return_inverse=True)[1].reshape(-1)
    return None


def split_rows(targets: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, test): seeded, each class split in the same proportion when the targets are classes."""
    if not 0.0 <= test_fraction < 1.0:
        raise DatasetError(f"the test fraction must be from 0 to below 1, not {test_fraction}")
    rng = np.random.default_rng(seed)
    n = len(targets)
    keys = class_keys(targets)
    if keys is None:
        order = rng.permutation(n)
        n_test = int(round(n * test_fraction))
        return np.sort(order[n_test:]), np.sort(order[:n_test])
    test = []
    for key in np.unique(keys):
        members = rng.permutation(np.flatnonzero(keys == key))
        test.append(members[: int(round(len(members) * test_fraction))])
    test_rows = np.sort(np.concatenate(test))
    return np.setdiff1d(np.arange(n), test_rows), test_rows


def prepare(dataset: Dataset, test_fraction: float = 0.2, seed: int = 0, scale: str | None = None) -> Dataset:
    """The dataset split into train and test parts and scaled (``scale=None`` keeps its current method).

    Raises :class:`DatasetError` for a bad fraction, an unknown scaling, or a
    split that leaves no training row.
    """
    method = scale or (dataset.scaling.method if dataset.scaling else "none")
    if method not in SCALINGS:
        raise DatasetError(f"unknown scaling {method!r}; choose one of: {', '.join(SCALINGS)}")
    raw_X, Y = dataset.raw_inputs(), dataset.Y
    if dataset.X_test is not None and dataset.Y_test is not None and len(dataset.X_test):
        raw_X = np.vstack([raw_X, dataset.raw_inputs(dataset.X_test)])
        Y = np.vstack([Y, dataset.Y_test])
    train, test = split_rows(Y, test_fraction, seed)
    if not len(train):
        raise DatasetError("the split leaves no training rows; lower the test fraction")
    scaling = fit_scaling(method, raw_X[train])
    scaled = raw_X if scaling is None else scaling.apply(raw_X)
    return replace(
        dataset,
        X=scaled[train],
        Y=Y[train],
        X_test=scaled[test] if len(test) else None,
        Y_test=Y[test] if len(test) else None,
        scaling=scaling,
    )
