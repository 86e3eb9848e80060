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

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """A named activation.

    ``forward(z) -> a`` and ``backward(z, a, grad_a) -> grad_z`` allocate new
    arrays; ``forward_into`` and ``backward_into`` write into ``out`` (they may
    return an input instead when the result is that input unchanged, as for
    identity).  The training loop uses the ``_into`` forms on reused buffers.
    """

    name: str
    forward: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]  # elementwise; for softmax the diagonal of its Jacobian
    rowwise: bool = False
    forward_into: Callable[[Array, Array], Array] | None = None
    backward_into: Callable[[Array, Array, Array, Array], Array] | None = None

    def backward(self, z: Array, a: Array, grad_a: Array) -> Array:
        """Gradient with respect to the pre-activation ``z``."""
        if self.rowwise:
            return _softmax_backward(a, grad_a)
        return grad_a * self.derivative(z, a)

    def apply_into(self, z: Array, out: Array) -> Array:
        return self.forward_into(z, out) if self.forward_into else _assign(out, self.forward(z))

    def backward_to(self, z: Array, a: Array, grad_a: Array, out: Array) -> Array:
        if self.backward_into:
            return self.backward_into(z, a, grad_a, out)
        return _assign(out, self.backward(z, a, grad_a))


def _assign(out: Array, value: Array) -> Array:
    out[...] = value
    return out


def _logistic_into(z: Array, out: Array) -> Array:
    np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def _logistic_back(z: Array, a: Array, g: Array, out: Array) -> Array:
    np.subtract(1.0, a, out=out)
    out *= a
    out *= g
    return out


def _tanh_back(z: Array, a: Array, g: Array, out: Array) -> Array:
    np.multiply(a, a, out=out)
    np.subtract(1.0, out, out=out)
    out *= g
    return out


def _relu_back(z: Array, a: Array, g: Array, out: Array) -> Array:
    np.greater(z, 0.0, out=out)
    out *= g
    return out


def _leaky_into(z: Array, out: Array) -> Array:
    np.multiply(z, LEAKY_SLOPE, out=out)
    np.maximum(z, out, out=out)
    return out


def _leaky_back(z: Array, a: Array, g: Array, out: Array) -> Array:
    np.greater(z, 0.0, out=out)
    out *= 1.0 - LEAKY_SLOPE
    out += LEAKY_SLOPE
    out *= g
    return out


def _softplus_back(z: Array, a: Array, g: Array, out: Array) -> Array:
    _logistic_into(z, out)
    out *= g
    return out


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
        Activation("logistic", _logistic, lambda z, a: a * (1.0 - a), False, _logistic_into, _logistic_back),
        Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a, False, lambda z, o: np.tanh(z, out=o), _tanh_back),
        Activation(
            "relu",
            lambda z: np.maximum(z, 0.0),
            lambda z, a: (z > 0).astype(float),
            False,
            lambda z, o: np.maximum(z, 0.0, out=o),
            _relu_back,
        ),
        Activation(
            "leaky_relu",
            lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
            lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE),
            False,
            _leaky_into,
            _leaky_back,
        ),
        Activation(
            "identity", lambda z: z.copy(), lambda z, a: np.ones_like(z), False, lambda z, o: z, lambda z, a, g, o: g
        ),
        Activation(
            "step",
            lambda z: (z > 0).astype(float),
            lambda z, a: np.ones_like(z),
            False,
            lambda z, o: np.greater(z, 0.0, out=o),
            lambda z, a, g, o: g,
        ),
        Activation(
            "softplus",
            _softplus,
            lambda z, a: _logistic(z),
            False,
            lambda z, o: np.logaddexp(0.0, z, out=o),
            _softplus_back,
        ),
        Activation("softmax", _softmax, lambda z, a: a * (1.0 - a), rowwise=True),
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
