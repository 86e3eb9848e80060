"""What the views show about the network's outputs: per-row error and accuracy.

The forward pass and the loss come from the core; these helpers only compare
and pick, for display.
"""

from __future__ import annotations

import numpy as np

from ...core.datasets import Dataset
from ...core.losses import get_loss
from ...core.network import Network
from ...core.training import resolve_cost


def classes(values: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The class of each row: argmax for several outputs, above/below the targets' midpoint for one."""
    values = np.asarray(values, dtype=float)
    if values.shape[1] > 1:
        return values.argmax(axis=1)
    middle = (float(targets.min()) + float(targets.max())) / 2
    return (values[:, 0] > middle).astype(int)


def accuracy(outputs: np.ndarray, targets: np.ndarray) -> float:
    """The fraction of rows whose predicted class is the target's class."""
    if not len(targets):
        return float("nan")
    return float(np.mean(classes(outputs, targets) == classes(targets, targets)))


def row_errors(net: Network, data: Dataset, cost: str, outputs: np.ndarray, targets: np.ndarray,
               rows: range) -> dict[int, float]:
    """The reported error (the run's loss, as the core computes it) of each row in ``rows``."""
    loss = get_loss(resolve_cost(cost, net, data))
    return {r: loss.error(outputs[r : r + 1], targets[r : r + 1]) for r in rows}
