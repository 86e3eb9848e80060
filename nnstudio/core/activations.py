"""Activation functions, looked up by name.

Each activation maps a pre-activation batch ``z`` (samples as rows) to ``a`` and
turns a gradient with respect to ``a`` into one with respect to ``z``.  The
elementwise ones express their derivative in terms of ``z`` and ``a`` so that
nothing is recomputed; softmax is the one row-wise activation and uses its
Jacobian-vector product.

``step`` (Synaptic's ``HLIM``) has a zero derivative almost everywhere, which
would stop learning dead; like Synaptic we use 1 as its derivative (a
straight-through estimate), so a step layer passes gradients on unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Array = np.ndarray

LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """A named activation: ``forward(z) -> a`` and ``backward(z, a, grad_a) -> grad_z``."""

    name: str
    forward: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array] | None
    rowwise: bool = False

    def backward(self, z: Array, a: Array, grad_a: Array) -> Array:
        """Gradient with respect to the pre-activation ``z``."""
        if self.rowwise:
            return _softmax_backward(a, grad_a)
        return grad_a * self.derivative(z, a)


def _logistic(z: Array) -> Array:
    # tanh form: never overflows, one transcendental call
    return 0.5 * np.tanh(0.5 * z) + 0.5


def _softplus(z: Array) -> Array:
    return np.logaddexp(0.0, z)


def _softmax(z: Array) -> Array:
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_backward(a: Array, grad_a: Array) -> Array:
    return a * (grad_a - (grad_a * a).sum(axis=-1, keepdims=True))


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation("logistic", _logistic, lambda z, a: a * (1.0 - a)),
        Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a),
        Activation("relu", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float)),
        Activation(
            "leaky_relu",
            lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
            lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE),
        ),
        Activation("identity", lambda z: z.copy(), lambda z, a: np.ones_like(z)),
        Activation("step", lambda z: (z > 0).astype(float), lambda z, a: np.ones_like(z)),
        Activation("softplus", _softplus, lambda z, a: _logistic(z)),
        Activation("softmax", _softmax, None, rowwise=True),
    )
}

#: Synaptic's squash names, for users and importers who think in them.
SYNAPTIC_NAMES = {
    "LOGISTIC": "logistic",
    "TANH": "tanh",
    "RELU": "relu",
    "IDENTITY": "identity",
    "HLIM": "step",
}


def get_activation(name: str) -> Activation:
    """The activation called ``name``; a ValueError lists the known names otherwise."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        known = ", ".join(ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; choose one of: {known}") from None
