"""The compiled (numba) form of every activation, keyed by the registry's names through layout.ACTIVATION_CODES.

Each form is what nnstudio.core.activations computes in NumPy: the forward
value from ``z`` and the derivative from ``z`` and ``a``.  softmax is the one
row-wise activation and has its own row functions.  The codes below are the
positions in ``layout.KERNEL_ACTIVATIONS``.
"""

from __future__ import annotations

import math

from numba import njit

from ..activations import LEAKY_SLOPE
from .layout import ACTIVATION_CODES

LOGISTIC = ACTIVATION_CODES["logistic"]
TANH = ACTIVATION_CODES["tanh"]
RELU = ACTIVATION_CODES["relu"]
LEAKY_RELU = ACTIVATION_CODES["leaky_relu"]
IDENTITY = ACTIVATION_CODES["identity"]
STEP = ACTIVATION_CODES["step"]
SOFTPLUS = ACTIVATION_CODES["softplus"]
SOFTMAX = ACTIVATION_CODES["softmax"]

_LN2_HI = 6.93147180369123816490e-01  # ln 2 split in two (Cody and Waite): k·ln2 is exact in the high part
_LN2_LO = 1.90821492927058770002e-10
_EXPM1_TAYLOR = tuple(1.0 / math.factorial(n) for n in range(13, 1, -1))  # 1/13!, …, 1/2!


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def tanh(z):
    """tanh(z) to within 2 ulp of NumPy's, from arithmetic alone so that loops over it vectorise.

    A call to libm's tanh stays one scalar call per element; this form is
    tanh(|z|) = e / (e + 2) with e = expm1(2|z|), where expm1 is reduced by
    whole powers of two (2|z| = k·ln2 + r, |r| <= ln2/2) and its Taylor series
    to r^13 is below half an ulp; 2^k comes from six exact products.  Past
    |z| = 20, tanh is 1 in double precision.
    """
    y = min(abs(z), 20.0) * 2.0
    k = math.floor(y / _LN2_HI + 0.5)
    r = (y - k * _LN2_HI) - k * _LN2_LO
    q = 0.0
    for c in _EXPM1_TAYLOR:
        q = q * r + c
    q = q * r * r + r  # expm1(r)
    bits = int(k)
    p = 1.0
    if bits & 1:
        p *= 2.0
    if bits & 2:
        p *= 4.0
    if bits & 4:
        p *= 16.0
    if bits & 8:
        p *= 256.0
    if bits & 16:
        p *= 65536.0
    if bits & 32:
        p *= 4294967296.0
    e = p * q + (p - 1.0)  # expm1(2|z|) = 2^k·expm1(r) + 2^k − 1
    t = e / (e + 2.0)
    return t if z >= 0.0 else -t


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def activate(code, z):
    """The activation's value at ``z`` (elementwise activations)."""
    if code == LOGISTIC:
        return 0.5 * tanh(0.5 * z) + 0.5  # the registry's tanh form: never overflows
    if code == TANH:
        return tanh(z)
    if code == RELU:
        return z if z > 0.0 else 0.0
    if code == LEAKY_RELU:
        return max(z, LEAKY_SLOPE * z)
    if code == STEP:
        return 1.0 if z > 0.0 else 0.0
    if code == SOFTPLUS:  # log(1 + e^z) without overflow, as np.logaddexp(0, z)
        return z + math.log1p(math.exp(-z)) if z > 0.0 else math.log1p(math.exp(z))
    return z  # identity


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def derivative(code, z, a):
    """d a / d z from the pre-activation ``z`` and the activation ``a`` (elementwise activations)."""
    if code == LOGISTIC:
        return a * (1.0 - a)
    if code == TANH:
        return 1.0 - a * a
    if code == RELU:
        return 1.0 if z > 0.0 else 0.0
    if code == LEAKY_RELU:
        return 1.0 if z > 0.0 else LEAKY_SLOPE
    if code == SOFTPLUS:
        return 0.5 * tanh(0.5 * z) + 0.5
    return 1.0  # identity; step passes gradients straight through, as in the registry


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def softmax_row(Z, A, b, start, size):
    """A[b, start:start+size] = softmax(Z[b, start:start+size])."""
    top = Z[b, start]
    for j in range(1, size):
        top = max(top, Z[b, start + j])
    total = 0.0
    for j in range(size):
        e = math.exp(Z[b, start + j] - top)
        A[b, start + j] = e
        total += e
    for j in range(size):
        A[b, start + j] /= total


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def softmax_backward_row(A, G, b, start, size):
    """G[b, row] ← a · (g − Σ g·a): the softmax Jacobian applied to the gradient in place."""
    dot = 0.0
    for j in range(size):
        dot += G[b, start + j] * A[b, start + j]
    for j in range(size):
        G[b, start + j] = A[b, start + j] * (G[b, start + j] - dot)
