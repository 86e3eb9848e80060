"""The compiled loop of "Train restarts": a chunk of epochs for every network of a population per call.

Each network runs network_kernel.train_epochs on its own row of the stacked
(networks, parameters) arrays, so a population trains exactly as that many
single runs would; each stops on its own rule inside the chunk.
"""

from __future__ import annotations

from numba import njit

from .network_kernel import train_epochs


@njit(cache=True, nogil=True)
def train_population(
    live, X, Y, orders, rates, batch, P, G, wmask,
    sizes, uo, act, role, bias, col, csrc, ctgt, coff, ckind,
    loss, binary, opt, l1, l2, mu, V, M, adam_t,
    best, since_best, last_good, target_error, patience, errors, ran, Z, A, GZ, GA,
):
    """For each network id in ``live``: train its row; ``ran[i]`` is how many epochs network ``live[i]`` ran."""
    for i in range(live.size):
        k = live[i]
        ran[i] = train_epochs(
            X, Y, orders, rates, batch, P[k], G, wmask,
            sizes, uo, act, role, bias, col, csrc, ctgt, coff, ckind,
            loss, binary, opt, l1, l2, mu, V[k], M[k], adam_t[k : k + 1],
            best[k : k + 1], since_best[k : k + 1], last_good[k], target_error, patience, errors[k], Z, A, GZ, GA,
        )
