"""A new project fitted to a data file: the data loaded, split and scaled, a network sized for it (``nnstudio new``).

The same rules as the GUI's "fit network to data": input and output layers take the data's widths, the output
activation and loss suit the targets (:mod:`nnstudio.core.fitting`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..core.data_files import load_data
from ..core.data_prep import prepare
from ..core.datasets import Dataset, DatasetError
from ..core.fitting import network_for_data
from ..core.training import TrainSettings
from .project import MAX_FILE_BYTES, Project


def project_from_data(
    path: str | os.PathLike,
    targets: Sequence[str] | None = None,
    hidden: Sequence[int] = (16,),
    activation: str = "tanh",
    test_split: float = 0.2,
    scale: str = "standard",
    seed: int = 0,
    classes: bool = False,
    features: Sequence[str] | None = None,
) -> Project:
    """A project for the data in ``path``; raises DatasetError (a ValueError) for data or choices it cannot use."""
    dataset = prepare(load_data(path, targets, classes=classes), test_fraction=test_split, seed=seed, scale=scale)
    if features is not None:
        dataset = replace(dataset, features=tuple(features))  # checked there: two inputs, known names
    check_project_size(dataset)
    graph, cost = network_for_data(dataset, hidden, activation)
    settings = TrainSettings(rate=0.01, epochs=500, target_error=0.0, cost=cost, optimizer="adam",
                             batch_size=None if len(dataset) <= 2000 else 64)
    sizes = "-".join(str(graph.layers[i].size) for i in graph.topological_order())
    what = f"{len(dataset.class_names)} classes" if dataset.class_names else dataset.kind
    held_out = 0 if dataset.X_test is None else len(dataset.X_test)
    split = f", {held_out} held out for testing" if held_out else ""
    features_text = f"; features {', '.join(dataset.features)}" if dataset.features else ""
    return Project(
        graph=graph, dataset=dataset, settings=settings, init="glorot", data_seed=seed, name=Path(path).stem,
        description=f"Made from {Path(path).name}: {len(dataset)} training rows{split}, {dataset.n_inputs} inputs "
        f"({scale} scaling{features_text}), {what}; a {sizes} network.",
    )


def estimated_json_bytes(dataset: Dataset, sample_rows: int = 200) -> int:
    """About how many bytes the dataset takes in a project file, from a sample of its rows."""
    total = 0
    for X, Y in ((dataset.X, dataset.Y), (dataset.X_test, dataset.Y_test)):
        if X is None or Y is None or not len(X):
            continue
        rows = np.linspace(0, len(X) - 1, min(sample_rows, len(X))).astype(int)
        sample = len(json.dumps(X[rows].tolist())) + len(json.dumps(Y[rows].tolist()))
        total += sample * len(X) // len(rows)
    return total


def check_project_size(dataset: Dataset) -> None:
    """Refuse, before minutes of writing, a dataset whose project file would be too large to open again."""
    size = estimated_json_bytes(dataset)
    if size > MAX_FILE_BYTES * 0.9:
        rows = int(len(dataset) * MAX_FILE_BYTES * 0.9 / size)
        raise DatasetError(f"the project file would be about {size / 2**20:,.0f} MB, above the "
                           f"{MAX_FILE_BYTES // 2**20} MB a project may have; use at most about {rows:,} rows "
                           "(or --scale none, whose numbers are shorter)")
