"""Loss functions, looked up by name.

A loss has two faces.  ``objective`` is what backpropagation differentiates
(``gradient`` is its exact derivative with respect to the network's outputs);
``error`` is the number shown to people and compared with a target error.

- ``mse``: the objective is half the summed squared error per sample, averaged
  over the batch — the classic delta rule that Synaptic's ``propagate`` and the
  from-scratch tutorials use.  The reported error is the mean squared error over
  all outputs and samples, which is what Synaptic's Trainer calls MSE.
- ``bce``: binary cross-entropy summed over outputs, averaged over samples; the
  reported error is its mean per output.
- ``ce``: categorical cross-entropy (meant for a softmax output), averaged
  over samples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray
EPS = 1e-12


@dataclass(frozen=True)
class Loss:
    name: str
    title: str
    objective: Callable[[Array, Array], float]
    gradient: Callable[[Array, Array], Array]
    error: Callable[[Array, Array], float]


def _clip(a: Array) -> Array:
    return np.clip(a, EPS, 1.0 - EPS)


def _bce_terms(a: Array, t: Array) -> Array:
    a = _clip(a)
    return -(t * np.log(a) + (1.0 - t) * np.log(1.0 - a))


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "mse",
            "mean squared error",
            lambda a, t: 0.5 * float(np.sum((a - t) ** 2)) / len(a),
            lambda a, t: (a - t) / len(a),
            lambda a, t: float(np.mean((a - t) ** 2)),
        ),
        Loss(
            "bce",
            "binary cross-entropy",
            lambda a, t: float(np.sum(_bce_terms(a, t))) / len(a),
            lambda a, t: (_clip(a) - t) / (_clip(a) * (1.0 - _clip(a))) / len(a),
            lambda a, t: float(np.mean(_bce_terms(a, t))),
        ),
        Loss(
            "ce",
            "categorical cross-entropy",
            lambda a, t: -float(np.sum(t * np.log(np.maximum(a, EPS)))) / len(a),
            lambda a, t: -t / np.maximum(a, EPS) / len(a),
            lambda a, t: -float(np.sum(t * np.log(np.maximum(a, EPS)))) / len(a),
        ),
    )
}

LOSS_ALIASES = {"cross_entropy": "ce", "binary_cross_entropy": "bce", "MSE": "mse", "CROSS_ENTROPY": "bce"}


def get_loss(name: str) -> Loss:
    """The loss called ``name`` (or a Synaptic-style alias)."""
    key = LOSS_ALIASES.get(name, name)
    try:
        return LOSSES[key]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; choose one of: {', '.join(LOSSES)}") from None


def auto_cost_problem(output_activations: list[str], Y: Array) -> str | None:
    """Why the "auto" loss has no right choice for these output layers' activations and targets, or None.

    Softmax outputs mean categorical cross-entropy, which needs each output
    layer's targets to be a probability distribution (one-hot: zeros and a
    single 1); on other targets it drives the outputs to NaN.
    """
    if not output_activations or set(output_activations) != {"softmax"}:
        return None
    rows_sum = Y.sum(axis=1)  # one distribution per softmax layer
    distributions = Y.min() >= 0.0 and Y.max() <= 1.0 and np.allclose(rows_sum, len(output_activations), atol=1e-6)
    if distributions:
        return None
    return ("auto loss: the softmax output needs one-hot targets (zeros and a single 1 per row), and these are "
            "not: change the output activation (logistic for several independent targets, identity for "
            "numbers), or choose the mse loss")
