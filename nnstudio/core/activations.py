"""The activation registry: everything nnstudio knows about each activation, in one entry per activation.

Each :class:`Activation` holds its NumPy forward and derivative (and in-place
forms for the training loop), the range of its outputs, and the forms the
exporters and kernels write out: one output in plain Python and in C99, and
the ONNX operators.  The standalone Python export, the C and ONNX exporters,
the math inspector and the views read them here; adding an activation is one
entry in :data:`ACTIVATIONS` (``tests/test_activations.py`` checks every entry).

Each activation maps a pre-activation batch ``z`` (samples as rows) to ``a`` and
turns a gradient with respect to ``a`` into one with respect to ``z``.  The
elementwise ones express their derivative in terms of ``z`` and ``a`` so that
nothing is recomputed; softmax is the one row-wise activation and uses its
Jacobian-vector product (its ``derivative`` is the Jacobian's diagonal, a(1 − a)).

``step`` (Synaptic's ``HLIM``) has a zero derivative almost everywhere, which
would stop learning dead; like Synaptic we use 1 as its derivative (a
straight-through estimate), so a step layer passes gradients on unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

#: leaky_relu's slope for negative sums, in every form below
LEAKY_SLOPE = 0.01
#: onnx.TensorProto.DOUBLE (the core does not import onnx)
ONNX_DOUBLE = 11


@dataclass(frozen=True)
class OnnxNode:
    """One ONNX operator of an activation.

    Its inputs are ``"z"`` (the layer's sums), the ``output`` of an earlier node
    of the same activation, or a float constant; the last node's output is the
    activation.  The exporter prefixes the names with the layer's.
    """

    op: str
    inputs: tuple[str | float, ...]
    output: str
    attributes: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Activation:
    """A named activation and all its forms.

    ``forward(z) -> a`` and ``backward(z, a, grad_a) -> grad_z`` allocate new
    arrays; ``forward_into`` and ``backward_into`` write into ``out`` (they may
    return an input instead when the result is that input unchanged, as for
    identity).  The training loop uses the ``_into`` forms on reused buffers.

    ``python`` and ``c`` give one output from one sum ``v`` (Python with
    ``math`` imported; C99 with ``<math.h>``), and ``python_derivative`` da/dz
    from ``v`` and the output ``a``.  A row-wise activation instead gives, in
    ``python``, the body of a function of the list ``z`` of a layer's sums and,
    in ``c``, statements turning ``double *z`` of length ``int n`` into the
    outputs in place (``int j`` is declared).  :meth:`python_function` and
    :meth:`c_function` wrap either kind into a whole function.
    """

    name: str
    forward: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]  # elementwise; for softmax the diagonal of its Jacobian
    output_range: tuple[float, float]  # every output lies in [low, high]
    python: str
    python_derivative: str
    c: str
    onnx: tuple[OnnxNode, ...]
    rowwise: bool = False
    forward_into: Callable[[Array, Array], Array] | None = None
    backward_into: Callable[[Array, Array, Array, Array], Array] | None = None
    exact_derivative: bool = True  # False for step: its derivative is a straight-through estimate

    @property
    def unit_range(self) -> bool:
        """Whether every output lies between 0 and 1 (what binary cross-entropy needs)."""
        return self.output_range[0] >= 0.0 and self.output_range[1] <= 1.0

    def python_function(self) -> str:
        """Source of ``_<name>(z)``: the outputs of a layer from the list of its sums (needs ``import math``)."""
        if self.rowwise:
            body = "".join(f"    {line}\n" for line in self.python.splitlines())
        else:
            body = f"    return [{self.python} for v in z]\n"
        return f"def _{self.name}(z):\n{body}"

    def c_function(self) -> str:
        """Source of ``static void nnstudio_<name>(double *z, int n)``, applying the activation in place."""
        if self.rowwise:
            body = "".join(f"    {line}\n" for line in self.c.splitlines())
        else:
            body = f"    for (j = 0; j < n; ++j) {{ double v = z[j]; z[j] = {self.c}; }}\n"
        return f"static void nnstudio_{self.name}(double *z, int n)\n{{\n    int j;\n{body}}}\n"

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


INF = math.inf
_SOFTMAX_PYTHON = """top = max(z)
e = [math.exp(v - top) for v in z]
total = sum(e)
return [v / total for v in e]"""
_SOFTMAX_C = """double top = z[0], total = 0.0;
for (j = 1; j < n; ++j) if (z[j] > top) top = z[j];
for (j = 0; j < n; ++j) { z[j] = exp(z[j] - top); total += z[j]; }
for (j = 0; j < n; ++j) z[j] /= total;"""

ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation(
            "logistic", _logistic, lambda z, a: a * (1.0 - a), (0.0, 1.0),
            # the tanh form everywhere: it never overflows and the exports match the core to the last bits
            python="0.5 * math.tanh(0.5 * v) + 0.5", python_derivative="a * (1.0 - a)",
            c="0.5 * tanh(0.5 * v) + 0.5", onnx=(OnnxNode("Sigmoid", ("z",), "a"),),
            forward_into=_logistic_into, backward_into=_logistic_back,
        ),
        Activation(
            "tanh", np.tanh, lambda z, a: 1.0 - a * a, (-1.0, 1.0),
            python="math.tanh(v)", python_derivative="1.0 - a * a", c="tanh(v)",
            onnx=(OnnxNode("Tanh", ("z",), "a"),),
            forward_into=lambda z, o: np.tanh(z, out=o), backward_into=_tanh_back,
        ),
        Activation(
            "relu", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float), (0.0, INF),
            python="v if v > 0.0 else 0.0", python_derivative="1.0 if v > 0.0 else 0.0", c="v > 0.0 ? v : 0.0",
            onnx=(OnnxNode("Relu", ("z",), "a"),),
            forward_into=lambda z, o: np.maximum(z, 0.0, out=o), backward_into=_relu_back,
        ),
        Activation(
            "leaky_relu", lambda z: np.where(z > 0, z, LEAKY_SLOPE * z), lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE),
            (-INF, INF),
            python=f"v if v > 0.0 else {LEAKY_SLOPE!r} * v", python_derivative=f"1.0 if v > 0.0 else {LEAKY_SLOPE!r}",
            c=f"v > 0.0 ? v : {LEAKY_SLOPE!r} * v",
            # max(z, slope z): onnxruntime has no float64 LeakyRelu kernel
            onnx=(OnnxNode("Mul", ("z", LEAKY_SLOPE), "scaled"), OnnxNode("Max", ("z", "scaled"), "a")),
            forward_into=_leaky_into, backward_into=_leaky_back,
        ),
        Activation(
            "identity", lambda z: z.copy(), lambda z, a: np.ones_like(z), (-INF, INF),
            python="v", python_derivative="1.0", c="v", onnx=(OnnxNode("Identity", ("z",), "a"),),
            forward_into=lambda z, o: z, backward_into=lambda z, a, g, o: g,
        ),
        Activation(
            "step", lambda z: (z > 0).astype(float), lambda z, a: np.ones_like(z), (0.0, 1.0),
            python="1.0 if v > 0.0 else 0.0", python_derivative="1.0", c="v > 0.0 ? 1.0 : 0.0",
            onnx=(OnnxNode("Greater", ("z", 0.0), "positive"),
                  OnnxNode("Cast", ("positive",), "a", (("to", ONNX_DOUBLE),))),
            forward_into=lambda z, o: np.greater(z, 0.0, out=o), backward_into=lambda z, a, g, o: g,
            exact_derivative=False,
        ),
        Activation(
            "softplus", _softplus, lambda z, a: _logistic(z), (0.0, INF),
            python="max(v, 0.0) + math.log1p(math.exp(-abs(v)))", python_derivative="0.5 * math.tanh(0.5 * v) + 0.5",
            c="(v > 0.0 ? v : 0.0) + log1p(exp(-fabs(v)))",
            # max(z, 0) + log(1 + exp(-|z|)): stable for large |z|, and onnxruntime has no float64 Softplus kernel
            onnx=(OnnxNode("Abs", ("z",), "abs"), OnnxNode("Neg", ("abs",), "neg_abs"),
                  OnnxNode("Exp", ("neg_abs",), "exp"), OnnxNode("Add", (1.0, "exp"), "one_plus"),
                  OnnxNode("Log", ("one_plus",), "log"), OnnxNode("Relu", ("z",), "relu"),
                  OnnxNode("Add", ("relu", "log"), "a")),
            forward_into=lambda z, o: np.logaddexp(0.0, z, out=o), backward_into=_softplus_back,
        ),
        Activation(
            "softmax", _softmax, lambda z, a: a * (1.0 - a), (0.0, 1.0),
            python=_SOFTMAX_PYTHON, python_derivative="a * (1.0 - a)", c=_SOFTMAX_C,
            onnx=(OnnxNode("Softmax", ("z",), "a", (("axis", -1),)),), rowwise=True,
        ),
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
