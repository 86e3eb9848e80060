"""A new project fitted to a data file: the data loaded, split and scaled, a network sized for it (``nnstudio new``).

The same rules as the GUI's "fit network to data": input and output layers take the data's widths, the output
activation and loss suit the targets (:mod:`nnstudio.core.fitting`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..core.data_files import load_data
from ..core.data_prep import prepare
from ..core.fitting import network_for_data
from ..core.training import TrainSettings
from .project import Project


def project_from_data(
    path: str | os.PathLike,
    targets: Sequence[str] | None = None,
    hidden: Sequence[int] = (16,),
    activation: str = "tanh",
    test_split: float = 0.2,
    scale: str = "standard",
    seed: int = 0,
    classes: bool = False,
) -> Project:
    """A project for the data in ``path``; raises DatasetError (a ValueError) for data or choices it cannot use."""
    dataset = prepare(load_data(path, targets, classes=classes), test_fraction=test_split, seed=seed, scale=scale)
    graph, cost = network_for_data(dataset, hidden, activation)
    settings = TrainSettings(rate=0.01, epochs=500, target_error=0.0, cost=cost, optimizer="adam",
                             batch_size=None if len(dataset) <= 2000 else 64)
    sizes = "-".join(str(graph.layers[i].size) for i in graph.topological_order())
    what = f"{len(dataset.class_names)} classes" if dataset.class_names else dataset.kind
    split = f", {len(dataset.X_test)} held out for testing" if dataset.has_test else ""
    return Project(
        graph=graph, dataset=dataset, settings=settings, init="glorot", data_seed=seed, name=Path(path).stem,
        description=f"Made from {Path(path).name}: {len(dataset)} training rows{split}, {dataset.n_inputs} inputs "
        f"({scale} scaling), {what}; a {sizes} network.",
    )
