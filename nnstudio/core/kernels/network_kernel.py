"""The compiled training loop: a chunk of epochs of one network per call (numba, nogil, cached).

Every function reads the network's structure from the layout arrays of
layout.py, so one compiled kernel serves every topology.  The maths is that of
the NumPy reference (Network.loss_and_gradient, the optimizers and
TrainingRun._finish_epoch) written as loops; tests/test_kernels.py holds the
two equal.  The work buffers Z (pre-activations), A (activations), GZ
(gradients of z) and GA (gradients of a) are (rows, units) with each layer's
units at its ``unit_offset``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..losses import EPS
from .forms import CONTRACT, LOGISTIC, SOFTMAX, activate, derivative, log1p, softmax_backward_row, softmax_row

MSE, BCE, CE = 0, 1, 2
SGD, MOMENTUM, ADAM = 0, 1, 2


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT, inline="always")
def forward(X, order, start, nb, P, sizes, uo, act, role, bias, col, csrc, ctgt, coff, Z, A):
    """Activations of rows ``order[start:start+nb]`` into A (and pre-activations into Z)."""
    for k in range(sizes.size):
        if role[k] == 0:
            o, c0, n = uo[k], col[k], sizes[k]
            for b in range(nb):
                r = order[start + b]
                for i in range(n):
                    A[b, o + i] = X[r, c0 + i]
    c = 0
    for k in range(sizes.size):
        if role[k] == 0:
            continue
        o, n, code, bk = uo[k], sizes[k], act[k], bias[k]
        for b in range(nb):
            for j in range(n):
                Z[b, o + j] = 0.0
        while c < csrc.size and ctgt[c] == k:
            w, os, ns = coff[c], uo[csrc[c]], sizes[csrc[c]]
            for b in range(nb):
                for i in range(ns):
                    ai = A[b, os + i]
                    base = w + i * n
                    for j in range(n):
                        Z[b, o + j] += ai * P[base + j]
            c += 1
        for b in range(nb):
            if bk >= 0:
                for j in range(n):
                    Z[b, o + j] += P[bk + j]
            if code == SOFTMAX:
                softmax_row(Z, A, b, o, n)
            else:
                for j in range(n):
                    A[b, o + j] = activate(code, Z[b, o + j])


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT, inline="always")
def output_gradients(Y, order, start, nb, sizes, uo, act, role, col, loss, binary, Z, A, GZ):
    """d(objective)/dz of the output layers into GZ; returns the batch's reported error."""
    err = 0.0
    count = 0
    for k in range(sizes.size):
        if role[k] != 2:
            continue
        o, n = uo[k], sizes[k]
        fused = (loss == BCE and act[k] == LOGISTIC) or (loss == CE and act[k] == SOFTMAX)
        count += n
        for b in range(nb):
            r = order[start + b]
            for j in range(n):
                a, t = A[b, o + j], Y[r, col[k] + j]
                if loss == MSE:
                    d = a - t
                    err += d * d
                    g = d / nb
                elif loss == BCE:
                    c = min(max(a, EPS), 1.0 - EPS)
                    if binary:
                        err -= log1p(-min(abs(a - t), 1.0 - EPS))
                    else:
                        err -= t * math.log(c) + (1.0 - t) * math.log(1.0 - c)
                    g = (a - t) / nb if fused else (c - t) / (c * (1.0 - c)) / nb
                else:
                    err -= t * math.log(max(a, EPS))
                    g = (a - t) / nb if fused else -t / max(a, EPS) / nb
                GZ[b, o + j] = g
            if not fused:
                if act[k] == SOFTMAX:
                    softmax_backward_row(A, GZ, b, o, n)
                else:
                    for j in range(n):
                        GZ[b, o + j] *= derivative(act[k], Z[b, o + j], A[b, o + j])
    return err / nb if loss == CE else err / (nb * count)


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT, inline="always")
def backward(nb, P, G, sizes, uo, act, role, bias, csrc, ctgt, coff, ckind, Z, A, GZ, GA):
    """Given GZ of the output layers, fill every gradient block of G."""
    for b in range(nb):
        for u in range(GA.shape[1]):
            GA[b, u] = 0.0
    c = csrc.size - 1
    for k in range(sizes.size - 1, -1, -1):
        if role[k] == 0:
            continue
        o, n = uo[k], sizes[k]
        if role[k] == 1:
            for b in range(nb):
                for j in range(n):
                    GZ[b, o + j] = GA[b, o + j]
                if act[k] == SOFTMAX:
                    softmax_backward_row(A, GZ, b, o, n)
                else:
                    for j in range(n):
                        GZ[b, o + j] *= derivative(act[k], Z[b, o + j], A[b, o + j])
        if bias[k] >= 0:
            for j in range(n):
                total = 0.0
                for b in range(nb):
                    total += GZ[b, o + j]
                G[bias[k] + j] = total
        while c >= 0 and ctgt[c] == k:
            s, w, ns = csrc[c], coff[c], sizes[csrc[c]]
            for p in range(w, w + ns * n):
                G[p] = 0.0
            for b in range(nb):
                for i in range(ns):
                    ai = A[b, uo[s] + i]
                    base = w + i * n
                    for j in range(n):
                        G[base + j] += ai * GZ[b, o + j]
            if ckind[c] != 0:  # one_to_one keeps the diagonal, all_to_else everything else
                for i in range(ns):
                    for j in range(n):
                        if (i == j) != (ckind[c] == 1):
                            G[w + i * n + j] = 0.0
            if role[s] != 0:
                for b in range(nb):
                    for i in range(ns):
                        total = 0.0
                        base = w + i * n
                        for j in range(n):
                            total += GZ[b, o + j] * P[base + j]
                        GA[b, uo[s] + i] += total
            c -= 1


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT, inline="always")
def update(P, G, wmask, rate, opt, l1, l2, mu, V, M, adam_t):
    """One optimizer step on the flat parameters, as nnstudio.core.optimizers does it."""
    if opt == SGD and l1 == 0.0 and l2 == 0.0:  # the common case (the Synaptic tutorial) in one plain loop
        for p in range(P.size):
            P[p] -= G[p] * rate
        return
    step = 0.0
    if opt == ADAM:
        adam_t[0] += 1
        step = rate * math.sqrt(1.0 - 0.999 ** adam_t[0]) / (1.0 - 0.9 ** adam_t[0])
    for p in range(P.size):
        g = G[p]
        if l2 != 0.0:
            g += l2 * P[p] * wmask[p]
        if l1 != 0.0:
            g += l1 * np.sign(P[p]) * wmask[p]
        G[p] = g
        if opt == SGD:
            P[p] -= g * rate
        elif opt == MOMENTUM:
            V[p] = V[p] * mu - g * rate
            P[p] += V[p]
        else:
            M[p] = M[p] * 0.9 + g * (1.0 - 0.9)
            V[p] = V[p] * 0.999 + (g * g) * (1.0 - 0.999)
            P[p] -= M[p] / (math.sqrt(V[p]) + 1e-8) * step


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT)
def train_epochs(
    X, Y, orders, rates, batch, P, G, wmask,
    sizes, uo, act, role, bias, col, csrc, ctgt, coff, ckind,
    loss, binary, opt, l1, l2, mu, V, M, adam_t,
    best, since_best, last_good, target_error, patience, errors, Z, A, GZ, GA,
):
    """Run ``rates.size`` epochs (fewer when a stop rule fires); returns the epochs run.

    ``orders[e]`` is epoch e's sample order (the last row serves later epochs);
    ``batch`` 0 means full batch.  After each epoch: the error goes to
    ``errors[e]``, overflowing parameters make it NaN for the stop rules, finite epochs refresh
    ``last_good`` and the plateau counters, and divergence, the target error
    or the plateau stop the chunk, as TrainingRun.stop_reason would.
    """
    n = X.shape[0]
    size = n if batch == 0 else batch
    for e in range(rates.size):
        order = orders[min(e, orders.shape[0] - 1)]
        total = 0.0
        for start in range(0, n, size):
            nb = min(size, n - start)
            forward(X, order, start, nb, P, sizes, uo, act, role, bias, col, csrc, ctgt, coff, Z, A)
            err = output_gradients(Y, order, start, nb, sizes, uo, act, role, col, loss, binary, Z, A, GZ)
            backward(nb, P, G, sizes, uo, act, role, bias, csrc, ctgt, coff, ckind, Z, A, GZ, GA)
            update(P, G, wmask, rates[e], opt, l1, l2, mu, V, M, adam_t)
            total += err if batch == 0 else err * nb
        if close_epoch(e, total if batch == 0 else total / n, P, errors, last_good, best, since_best,
                       target_error, patience):
            return e + 1
    return rates.size


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def close_epoch(e, err, P, errors, last_good, best, since_best, target_error, patience):
    """An epoch's bookkeeping, as TrainingRun does it; True when a stop rule fires.

    The error goes to ``errors[e]``, overflowing parameters make it NaN for the
    stop rules, a finite epoch refreshes ``last_good`` and the plateau counters.
    """
    errors[e] = err  # as TrainingRun.epoch() returns it; the stop rules see overflowing weights as NaN
    if _diverged(P, err):
        return True
    for p in range(P.size):
        last_good[p] = P[p]
    if not math.isfinite(best[0]) or err < best[0] - max(1e-12, 1e-4 * best[0]):
        best[0] = err
        since_best[0] = 0
    else:
        since_best[0] += 1
    return _arrived(err, target_error, patience, since_best[0])


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _diverged(P, err):
    """The divergence rule: a non-finite error, or parameters whose squares overflow."""
    square = 0.0
    for p in range(P.size):
        square += P[p] * P[p]
    return not (math.isfinite(square) and math.isfinite(err))


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _arrived(err, target_error, patience, since_best):
    """The target and plateau rules, ``since_best`` counted after the epoch of error ``err``."""
    return err <= target_error or (patience > 0 and since_best >= patience)


@njit(cache=True, nogil=True)
def train_epochs_recording(
    X, Y, orders, rates, batch, P, G, wmask,
    sizes, uo, act, role, bias, col, csrc, ctgt, coff, ckind,
    loss, binary, opt, l1, l2, mu, V, M, adam_t,
    best, since_best, last_good, target_error, patience, errors, Z, A, GZ, GA,
    record_after, records,
):
    """:func:`train_epochs`, also copying the parameters into ``records[k]`` after epoch ``record_after[k]``
    (counted from 1 within the chunk, ascending): time travel without leaving compiled code.

    Returns (epochs run, rows recorded).
    """
    done = 0
    rows = 0
    shuffled = orders.shape[0] > 1
    while done < rates.size:
        end = record_after[rows] if rows < record_after.size else rates.size
        part = orders[done:end] if shuffled else orders
        ran = train_epochs(
            X, Y, part, rates[done:end], batch, P, G, wmask,
            sizes, uo, act, role, bias, col, csrc, ctgt, coff, ckind,
            loss, binary, opt, l1, l2, mu, V, M, adam_t,
            best, since_best, last_good, target_error, patience, errors[done:end], Z, A, GZ, GA,
        )
        done += ran
        last = errors[done - 1]
        if done < end or _diverged(P, last) or _arrived(last, target_error, patience, since_best[0]):
            if done == end and rows < record_after.size:
                records[rows, :] = P
                rows += 1
            break  # a stop rule fired (train_epochs returns early, or at the end of its part)
        if rows < record_after.size:
            records[rows, :] = P
            rows += 1
    return done, rows
