"""What the views show about the network's outputs: per-row error and accuracy.

The forward pass, the loss and the accuracy rule come from the core; these
helpers only decide what to show.
"""

from __future__ import annotations

import numpy as np

from ...core.datasets import Dataset
from ...core.losses import get_loss
from ...core.metrics import accuracy, right_answers
from ...core.network import Network
from ...core.training import resolve_cost


def row_errors(net: Network, data: Dataset, cost: str, outputs: np.ndarray, targets: np.ndarray,
               rows: range) -> dict[int, float]:
    """The reported error (the run's loss, as the core computes it) of each row in ``rows``."""
    loss = get_loss(resolve_cost(cost, net, data))
    return {r: loss.error(outputs[r : r + 1], targets[r : r + 1]) for r in rows}


def shown_accuracy(data: Dataset, outputs: np.ndarray, targets: np.ndarray) -> float | None:
    """The core's accuracy of ``outputs``, or None where none is shown (regression data or targets)."""
    if data.kind == "regression" or not len(targets):
        return None
    return accuracy(outputs, targets)


def wrong_rows(outputs: np.ndarray, targets: np.ndarray, output: int) -> np.ndarray:
    """Per row, whether the core's accuracy rule counts the answer as wrong (for one-hot targets the
    row's class; otherwise the value of ``output``); all False when the targets are not labels."""
    right = right_answers(outputs, targets) if len(targets) else None
    if right is None:
        return np.zeros(len(targets), dtype=bool)
    return ~(right if right.ndim == 1 else right[:, output])
