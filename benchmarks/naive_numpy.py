"""Reference XOR trainers written the naive way, as the from-scratch tutorials do.

They exist only for ``core_speed.py`` to compare against: separate small arrays,
a fresh array for every intermediate result, the sigmoid as ``1 / (1 + exp(-z))``.
"""

import numpy as np

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def init(seed: int):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, 3), rng.uniform(-1, 1, (3, 1)), rng.uniform(-1, 1, 1)


def online(epochs: int, rate: float = 0.3, seed: int = 0) -> float:
    """Per-sample forward/backward (Synaptic's loop); returns the last epoch's MSE."""
    W1, b1, W2, b2 = init(seed)
    for _ in range(epochs):
        total = 0.0
        for x, t in zip(X, Y, strict=True):
            h = sigmoid(x @ W1 + b1)
            o = sigmoid(h @ W2 + b2)
            total += np.mean((o - t) ** 2)
            d2 = o - t  # Synaptic's output error term
            d1 = (d2 @ W2.T) * h * (1 - h)
            W2 -= rate * np.outer(h, d2)
            b2 -= rate * d2
            W1 -= rate * np.outer(x, d1)
            b1 -= rate * d1
    return total / len(X)


def full_batch(epochs: int, rate: float = 0.5, seed: int = 0) -> float:
    """The whole truth table at once per epoch; returns the last epoch's MSE."""
    W1, b1, W2, b2 = init(seed)
    err = 0.0
    for _ in range(epochs):
        h = sigmoid(X @ W1 + b1)
        o = sigmoid(h @ W2 + b2)
        err = np.mean((o - Y) ** 2)
        d2 = (o - Y) / len(X)
        d1 = (d2 @ W2.T) * h * (1 - h)
        W2 -= rate * (h.T @ d2)
        b2 -= rate * d2.sum(axis=0)
        W1 -= rate * (X.T @ d1)
        b1 -= rate * d1.sum(axis=0)
    return err
