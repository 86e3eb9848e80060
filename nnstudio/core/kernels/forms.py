"""The compiled (numba) form of every activation, keyed by the registry's names through layout.ACTIVATION_CODES.

Each form is what nnstudio.core.activations computes in NumPy: the forward
value from ``z`` and the derivative from ``z`` and ``a``.  softmax is the one
row-wise activation and has its own row functions.  The codes below are the
positions in ``layout.KERNEL_ACTIVATIONS``.
"""

from __future__ import annotations

import math

from numba import njit, types
from numba.extending import intrinsic

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

#: the one fast-math liberty the training kernels take: a·b + c may become one fused multiply-add (rounded once,
#: so no less exact; about a tenth faster per online sample); no reassociation, NaN and infinities keep their meaning
CONTRACT = {"contract"}

_LN2_HI = 6.93147180369123816490e-01  # ln 2 split in two (Cody and Waite): k·ln2 is exact in the high part
_LN2_LO = 1.90821492927058770002e-10
_ROUNDING = 6755399441055744.0  # 1.5·2^52: adding it rounds to an integer, which then sits in the low bits
_ROUNDING_BITS = 0x4338000000000000  # the bits of _ROUNDING
_EXPM1_TAYLOR = tuple(1.0 / math.factorial(n) for n in range(13, 1, -1))  # 1/13!, …, 1/2!


@intrinsic
def _float_from_bits(typingctx, bits):
    """The float64 whose IEEE bits are the int64 ``bits`` (a bit cast, which vectorises)."""
    if bits != types.int64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.float64))

    return types.float64(types.int64), codegen


@intrinsic
def _bits_of_float(typingctx, value):
    """The IEEE bits of the float64 ``value`` as an int64."""
    if value != types.float64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.int64))

    return types.int64(types.float64), codegen


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def tanh(z):
    """tanh(z) to within 2 ulp of NumPy's, from arithmetic alone so that loops over it vectorise.

    A call to libm's tanh stays one scalar call per element; this form is
    tanh(|z|) = e / (e + 2) with e = expm1(2|z|), where expm1 is reduced by
    whole powers of two (2|z| = k·ln2 + r, |r| <= ln2/2), its Taylor series to
    r^13 is below half an ulp, and 2^k is built from its bits.  Past |z| = 20,
    tanh is 1 in double precision.
    """
    y = min(abs(z), 20.0) * 2.0
    rounded = y * (1.0 / _LN2_HI) + _ROUNDING
    k = rounded - _ROUNDING
    r = (y - k * _LN2_HI) - k * _LN2_LO
    q = 0.0
    for c in _EXPM1_TAYLOR:
        q = q * r + c
    q = q * r * r + r  # expm1(r)
    p = _float_from_bits((_bits_of_float(rounded) - _ROUNDING_BITS + 1023) << 52)  # 2^k
    e = p * q + (p - 1.0)  # expm1(2|z|) = 2^k·expm1(r) + 2^k − 1
    t = e / (e + 2.0)
    return t if z >= 0.0 else -t


_LOG_SERIES = tuple(1.0 / (2 * k + 1) for k in range(12, 0, -1))  # 1/25, …, 1/3: 2·atanh(s) = log((1+s)/(1-s))


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def log1p(x):
    """log(1 + x) for finite x > −1, within 2 ulp of NumPy's, from arithmetic alone (as :func:`tanh`).

    w = 1 + x is split into 2^e·m with m in [√½, √2) from its bits, log m is
    the atanh series in s = (m − 1)/(m + 1) (s² < 0.03, 12 terms), and the
    factor x / (w − 1) corrects the rounding of 1 + x.
    """
    w = 1.0 + x
    bits = _bits_of_float(w)
    e = ((bits >> 52) & 0x7FF) - 1023
    m = _float_from_bits((bits & 0xFFFFFFFFFFFFF) | 0x3FF0000000000000)
    if m > 1.4142135623730951:
        m *= 0.5
        e += 1
    s = (m - 1.0) / (m + 1.0)
    s2 = s * s
    q = 0.0
    for c in _LOG_SERIES:
        q = q * s2 + c
    log_w = e * _LN2_HI + (2.0 * s + 2.0 * s * s2 * q + e * _LN2_LO)
    return x if w == 1.0 else log_w * (x / (w - 1.0))


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
