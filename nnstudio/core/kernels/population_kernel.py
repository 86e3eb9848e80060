"""The compiled loop of "Train restarts": a chunk of epochs of N networks of one topology per call.

The network axis is the last, contiguous one — parameters (n_params, N),
work buffers (rows, units, N) — so every innermost loop runs over the
networks and vectorises, as a hand-written batched NumPy loop would, without
NumPy's temporaries and call overhead.  The maths and the per-network stop
rules are those of network_kernel.train_epochs (tests hold the population
equal to single runs).  A network that stops inside a chunk stops changing
(``ran[n]`` says after how many epochs); the chunk ends early once an eighth
of the networks have stopped, so the caller can drop them from the arrays.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..losses import EPS
from .forms import (
    CONTRACT,
    IDENTITY,
    LEAKY_RELU,
    LOGISTIC,
    RELU,
    SOFTMAX,
    SOFTPLUS,
    STEP,
    TANH,
    activate,
    derivative,
    log1p,
)

MSE, BCE, CE = 0, 1, 2
SGD, MOMENTUM, ADAM = 0, 1, 2


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT, inline="always")
def _activate_loop(code, Z, A, b, o, size):
    for j in range(size):
        for n in range(Z.shape[2]):
            A[b, o + j, n] = activate(code, Z[b, o + j, n])


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT, inline="always")
def _derivative_loop(code, Z, A, G, b, o, size):
    for j in range(size):
        for n in range(Z.shape[2]):
            G[b, o + j, n] *= derivative(code, Z[b, o + j, n], A[b, o + j, n])


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT)
def _activate_rows(code, Z, A, b, o, size):
    """A ← activation(Z) over one row's units and every network; each code gets its own tight loop."""
    if code == LOGISTIC:
        _activate_loop(LOGISTIC, Z, A, b, o, size)
    elif code == TANH:
        _activate_loop(TANH, Z, A, b, o, size)
    elif code == RELU:
        _activate_loop(RELU, Z, A, b, o, size)
    elif code == LEAKY_RELU:
        _activate_loop(LEAKY_RELU, Z, A, b, o, size)
    elif code == STEP:
        _activate_loop(STEP, Z, A, b, o, size)
    elif code == SOFTPLUS:
        _activate_loop(SOFTPLUS, Z, A, b, o, size)
    elif code == SOFTMAX:
        _softmax_rows(Z, A, b, o, size)
    else:
        _activate_loop(IDENTITY, Z, A, b, o, size)


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT)
def _derivative_rows(code, Z, A, G, b, o, size):
    """G ← G · activation'(Z, A) over one row's units and every network (softmax: its Jacobian)."""
    if code == LOGISTIC:
        _derivative_loop(LOGISTIC, Z, A, G, b, o, size)
    elif code == TANH:
        _derivative_loop(TANH, Z, A, G, b, o, size)
    elif code == RELU:
        _derivative_loop(RELU, Z, A, G, b, o, size)
    elif code == LEAKY_RELU:
        _derivative_loop(LEAKY_RELU, Z, A, G, b, o, size)
    elif code == SOFTPLUS:
        _derivative_loop(SOFTPLUS, Z, A, G, b, o, size)
    elif code == SOFTMAX:
        _softmax_backward_rows(A, G, b, o, size)
    # identity and step pass the gradient on unchanged


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT, inline="always")
def _softmax_rows(Z, A, b, o, size):
    for n in range(Z.shape[2]):
        top = Z[b, o, n]
        for j in range(1, size):
            top = max(top, Z[b, o + j, n])
        total = 0.0
        for j in range(size):
            A[b, o + j, n] = math.exp(Z[b, o + j, n] - top)
            total += A[b, o + j, n]
        for j in range(size):
            A[b, o + j, n] /= total


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT, inline="always")
def _softmax_backward_rows(A, G, b, o, size):
    for n in range(A.shape[2]):
        dot = 0.0
        for j in range(size):
            dot += G[b, o + j, n] * A[b, o + j, n]
        for j in range(size):
            G[b, o + j, n] = A[b, o + j, n] * (G[b, o + j, n] - dot)


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT)
def _forward(X, order, start, nb, P, sizes, uo, act, role, bias, col, csrc, ctgt, coff, Z, A):
    N = P.shape[1]
    for k in range(sizes.size):
        if role[k] == 0:
            for b in range(nb):
                r = order[start + b]
                for i in range(sizes[k]):
                    v = X[r, col[k] + i]
                    for n in range(N):
                        A[b, uo[k] + i, n] = v
    c = 0
    for k in range(sizes.size):
        if role[k] == 0:
            continue
        o, size, code, bk = uo[k], sizes[k], act[k], bias[k]
        for b in range(nb):
            for j in range(size):
                for n in range(N):
                    Z[b, o + j, n] = P[bk + j, n] if bk >= 0 else 0.0
        while c < csrc.size and ctgt[c] == k:
            w, os = coff[c], uo[csrc[c]]
            for b in range(nb):
                for i in range(sizes[csrc[c]]):
                    for j in range(size):
                        p = w + i * size + j
                        for n in range(N):
                            Z[b, o + j, n] += A[b, os + i, n] * P[p, n]
            c += 1
        for b in range(nb):
            _activate_rows(code, Z, A, b, o, size)


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT)
def _output_gradients(Y, order, start, nb, sizes, uo, act, role, col, loss, binary, Z, A, GZ, err):
    """GZ of the output layers; ``err[n]`` gets network n's reported error of the batch."""
    N = A.shape[2]
    err[:] = 0.0
    count = 0
    for k in range(sizes.size):
        if role[k] != 2:
            continue
        o, size = uo[k], sizes[k]
        fused = (loss == BCE and act[k] == LOGISTIC) or (loss == CE and act[k] == SOFTMAX)
        count += size
        for b in range(nb):
            r = order[start + b]
            for j in range(size):
                t = Y[r, col[k] + j]
                if loss == MSE:
                    for n in range(N):
                        d = A[b, o + j, n] - t
                        err[n] += d * d
                        GZ[b, o + j, n] = d / nb
                elif loss == BCE and binary and fused:  # the hot case of XOR restarts
                    for n in range(N):
                        d = A[b, o + j, n] - t
                        err[n] -= log1p(-min(abs(d), 1.0 - EPS))
                        GZ[b, o + j, n] = d / nb
                else:
                    for n in range(N):
                        a = A[b, o + j, n]
                        if loss == BCE:
                            cl = min(max(a, EPS), 1.0 - EPS)
                            if binary:
                                err[n] -= log1p(-min(abs(a - t), 1.0 - EPS))
                            else:
                                err[n] -= t * math.log(cl) + (1.0 - t) * math.log(1.0 - cl)
                            g = (a - t) / nb if fused else (cl - t) / (cl * (1.0 - cl)) / nb
                        else:
                            err[n] -= t * math.log(max(a, EPS))
                            g = (a - t) / nb if fused else -t / max(a, EPS) / nb
                        GZ[b, o + j, n] = g
            if not fused:
                _derivative_rows(act[k], Z, A, GZ, b, o, size)
    scale = 1.0 / nb if loss == CE else 1.0 / (nb * count)
    for n in range(N):
        err[n] *= scale


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT)
def _backward(nb, P, G, sizes, uo, act, role, bias, csrc, ctgt, coff, ckind, Z, A, GZ, GA):
    N = P.shape[1]
    GA[:nb] = 0.0
    c = csrc.size - 1
    for k in range(sizes.size - 1, -1, -1):
        if role[k] == 0:
            continue
        o, size, bk = uo[k], sizes[k], bias[k]
        if role[k] == 1:
            for b in range(nb):
                for j in range(size):
                    for n in range(N):
                        GZ[b, o + j, n] = GA[b, o + j, n]
                _derivative_rows(act[k], Z, A, GZ, b, o, size)
        if bk >= 0:
            for j in range(size):
                for n in range(N):
                    G[bk + j, n] = 0.0
                for b in range(nb):
                    for n in range(N):
                        G[bk + j, n] += GZ[b, o + j, n]
        while c >= 0 and ctgt[c] == k:
            s, w = csrc[c], coff[c]
            os = uo[s]
            for i in range(sizes[s]):
                for j in range(size):
                    p = w + i * size + j
                    masked = ckind[c] != 0 and ((i == j) != (ckind[c] == 1))
                    if masked:
                        for n in range(N):
                            G[p, n] = 0.0
                    else:  # the first row's products start the sum: no pass that only zeroes
                        for n in range(N):
                            G[p, n] = A[0, os + i, n] * GZ[0, o + j, n]
                        for b in range(1, nb):
                            for n in range(N):
                                G[p, n] += A[b, os + i, n] * GZ[b, o + j, n]
                    if role[s] != 0:
                        for b in range(nb):
                            for n in range(N):
                                GA[b, os + i, n] += GZ[b, o + j, n] * P[p, n]
            c -= 1


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT)
def _update(P, G, wmask, rate, opt, l1, l2, mu, V, M, step, ran, anyone_stopped):
    N = P.shape[1]
    if opt == SGD and l1 == 0.0 and l2 == 0.0 and not anyone_stopped:  # the hot case, a loop that vectorises
        for p in range(P.shape[0]):
            for n in range(N):
                P[p, n] -= G[p, n] * rate
        return
    for p in range(P.shape[0]):
        wm = wmask[p]
        for n in range(N):
            if ran[n] >= 0:  # stopped earlier in this chunk: frozen
                continue
            g = G[p, n]
            if l2 != 0.0:
                g += l2 * P[p, n] * wm
            if l1 != 0.0:
                g += l1 * np.sign(P[p, n]) * wm
            G[p, n] = g
            if opt == SGD:
                P[p, n] -= g * rate
            elif opt == MOMENTUM:
                V[p, n] = V[p, n] * mu - g * rate
                P[p, n] += V[p, n]
            else:
                M[p, n] = M[p, n] * 0.9 + g * (1.0 - 0.9)
                V[p, n] = V[p, n] * 0.999 + (g * g) * (1.0 - 0.999)
                P[p, n] -= M[p, n] / (math.sqrt(V[p, n]) + 1e-8) * step


@njit(cache=True, nogil=True, error_model="numpy", fastmath=CONTRACT)
def train_population(
    X, Y, orders, rates, batch, P, G, wmask,
    sizes, uo, act, role, bias, col, csrc, ctgt, coff, ckind,
    loss, binary, opt, l1, l2, mu, V, M, adam_t,
    best, since_best, last_good, target_error, patience, errors, ran, Z, A, GZ, GA, err, total, square,
):
    """Run up to ``rates.size`` epochs of every network (columns); returns the epochs run.

    ``ran[n]`` must come in as -1; it is set to the epochs network n ran when a
    stop rule (divergence, target error, plateau) stopped it inside the chunk.
    ``errors[e, n]`` is network n's error of epoch e (NaN once it stopped).
    """
    rows, N = X.shape[0], P.shape[1]
    size = rows if batch == 0 else batch
    stopped = 0
    finite = np.zeros(N, dtype=np.bool_)  # this epoch's parameters are finite: the last good ones
    for e in range(rates.size):
        order = orders[min(e, orders.shape[0] - 1)]
        total[:] = 0.0
        for start in range(0, rows, size):
            nb = min(size, rows - start)
            _forward(X, order, start, nb, P, sizes, uo, act, role, bias, col, csrc, ctgt, coff, Z, A)
            _output_gradients(Y, order, start, nb, sizes, uo, act, role, col, loss, binary, Z, A, GZ, err)
            _backward(nb, P, G, sizes, uo, act, role, bias, csrc, ctgt, coff, ckind, Z, A, GZ, GA)
            step = 0.0
            if opt == ADAM:
                adam_t[0] += 1
                step = rates[e] * math.sqrt(1.0 - 0.999 ** adam_t[0]) / (1.0 - 0.9 ** adam_t[0])
            _update(P, G, wmask, rates[e], opt, l1, l2, mu, V, M, step, ran, stopped > 0)
            for n in range(N):
                total[n] += err[n] if batch == 0 else err[n] * nb
        square[:] = 0.0
        for p in range(P.shape[0]):
            for n in range(N):
                square[n] += P[p, n] * P[p, n]
        for n in range(N):
            finite[n] = False
            if ran[n] >= 0:
                errors[e, n] = math.nan
                continue
            value = total[n] if batch == 0 else total[n] / rows
            errors[e, n] = value
            if not math.isfinite(square[n]):
                value = math.nan
            if not math.isfinite(value):
                ran[n] = e + 1
                stopped += 1
                continue
            finite[n] = True
            if not math.isfinite(best[n]) or value < best[n] - max(1e-12, 1e-4 * best[n]):
                best[n] = value
                since_best[n] = 0
            else:
                since_best[n] += 1
            if value <= target_error or (patience > 0 and since_best[n] >= patience):
                ran[n] = e + 1
                stopped += 1
        for p in range(P.shape[0]):  # row by row, so that the copy runs along the network axis
            for n in range(N):
                if finite[n]:
                    last_good[p, n] = P[p, n]
        if stopped >= N or stopped * 8 >= N:
            return e + 1
    return rates.size
