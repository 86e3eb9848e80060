"""The optimizer steps of optimizers.py in one compiled pass over the flat parameter vector.

Networks too big for the compiled training kernels train on the NumPy path,
where the matrix products run in BLAS and the optimizer step is a handful of
whole-vector NumPy calls through a scratch buffer.  At 100,000 parameters in
mini-batches of 32 those passes cost a third of each batch; these loops do the
same arithmetic in the same order (no fused multiply-add, so the results equal
NumPy's to the last bit, in float64 and float32) in one pass without the
buffer, and release the interpreter lock while they run.  The scalars come in
the parameters' own precision, as NumPy casts them.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def sgd(params, grads, rate):
    """p ← p − rate·g."""
    for i in range(params.size):
        params[i] -= grads[i] * rate


@njit(cache=True, nogil=True)
def momentum(params, grads, velocity, mu, rate):
    """v ← μ·v − rate·g; p ← p + v."""
    for i in range(params.size):
        v = velocity[i] * mu - grads[i] * rate
        velocity[i] = v
        params[i] += v


@njit(cache=True, nogil=True)
def adam(params, grads, m, v, beta1, one_minus_beta1, beta2, one_minus_beta2, eps, step):
    """The moments' updates, then p ← p − step·m / (√v + ε), as Adam._apply computes them."""
    for i in range(params.size):
        g = grads[i]
        mi = m[i] * beta1 + g * one_minus_beta1
        vi = v[i] * beta2 + (g * g) * one_minus_beta2
        m[i], v[i] = mi, vi
        params[i] -= (mi / (np.sqrt(vi) + eps)) * step
