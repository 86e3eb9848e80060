"""The compiled loop for online training (one sample per step) of a dense chain with plain gradient descent.

A specialised form of network_kernel.train_epochs for the commonest small
case — the Synaptic tutorial: layers in a line, each fed by one dense
connection from the layer before, batch size 1, ``sgd`` without L1 or L2,
elementwise activations, mse or bce.  Per sample it runs forward, backward
and the update in one pass over each weight row (the gradient reaching the
layer below is summed from a row before that row is updated), with no batch
loop, no connection lookup and no gradient vector.  It is still driven by
layout arrays (sizes, offsets, codes), so one compiled kernel serves every
such chain; runner.py decides when it applies.  tests/test_kernels.py holds
it equal to the NumPy path.
"""

from __future__ import annotations

import math

from numba import njit

from ..losses import EPS
from .forms import CONTRACT, LOGISTIC, activate, derivative, log1p
from .network_kernel import MSE, close_epoch


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT, inline="always")
def _step(X, Y, r, rate, P, sizes, uo, act, bias, woff, c_in, c_out, loss, binary, Z, A, D):
    """Train on sample ``r``; returns its error (before the update), as output_gradients does for one row."""
    layers = sizes.size
    n0 = sizes[0]
    for i in range(n0):
        A[i] = X[r, c_in + i]
    for k in range(1, layers):
        src, o, m, w, code, bk = uo[k - 1], uo[k], sizes[k], woff[k], act[k], bias[k]
        for j in range(m):
            Z[o + j] = 0.0
        for i in range(sizes[k - 1]):
            ai = A[src + i]
            base = w + i * m
            for j in range(m):
                Z[o + j] += ai * P[base + j]
        for j in range(m):
            z = Z[o + j] + P[bk + j] if bk >= 0 else Z[o + j]
            Z[o + j] = z
            A[o + j] = activate(code, z)
    last = layers - 1
    o, outputs, code = uo[last], sizes[last], act[last]
    fused = loss != MSE and code == LOGISTIC
    err = 0.0
    for j in range(outputs):
        a, t = A[o + j], Y[r, c_out + j]
        if loss == MSE:
            d = a - t
            err += d * d
            g = d
        else:
            c = min(max(a, EPS), 1.0 - EPS)
            if binary:
                err -= log1p(-min(abs(a - t), 1.0 - EPS))
            else:
                err -= t * math.log(c) + (1.0 - t) * math.log(1.0 - c)
            g = a - t if fused else (c - t) / (c * (1.0 - c))
        D[o + j] = g if fused else g * derivative(code, Z[o + j], a)
    for k in range(last, 0, -1):
        src, o, m, w, bk = uo[k - 1], uo[k], sizes[k], woff[k], bias[k]
        below = k - 1 > 0  # the layer below is hidden: it needs its gradient, from the weights before this step
        below_code = act[k - 1]
        if bk >= 0:
            for j in range(m):
                P[bk + j] -= D[o + j] * rate
        for i in range(sizes[k - 1]):
            ai = A[src + i]
            base = w + i * m
            if below:
                total = 0.0
                for j in range(m):
                    total += D[o + j] * P[base + j]
                D[src + i] = total * derivative(below_code, Z[src + i], ai)
            for j in range(m):
                P[base + j] -= (ai * D[o + j]) * rate
    return err / outputs


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT)
def train_online(
    X, Y, orders, rates, P, sizes, uo, act, bias, woff, c_in, c_out, loss, binary,
    best, since_best, last_good, target_error, patience, errors, Z, A, D,
):
    """Run ``rates.size`` online epochs (fewer when a stop rule fires); returns the epochs run.

    ``orders[e]`` is epoch e's sample order (the last row serves later epochs);
    ``woff[k]`` is the offset of layer k's incoming weights, ``bias[k]`` of its
    bias (-1 without one); Z, A and D are one row of units each.  The epoch's
    bookkeeping and stop rules are those of train_epochs.
    """
    n = X.shape[0]
    for e in range(rates.size):
        order = orders[min(e, orders.shape[0] - 1)]
        rate = rates[e]
        total = 0.0
        for s in range(n):
            total += _step(X, Y, order[s], rate, P, sizes, uo, act, bias, woff, c_in, c_out, loss, binary, Z, A, D)
        if close_epoch(e, total / n, P, errors, last_good, best, since_best, target_error, patience):
            return e + 1
    return rates.size
