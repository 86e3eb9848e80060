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


def mlp_minibatch(X, Y, sizes, epochs: int, batch: int, rate: float = 0.1, seed: int = 0, dtype=float) -> float:
    """A tanh MLP with a logistic output and MSE, mini-batches over a shuffled order; the tutorial way."""
    rng = np.random.default_rng(seed)
    X, Y = X.astype(dtype), Y.astype(dtype)
    Ws = [rng.normal(0, 1 / np.sqrt(a), (a, b)).astype(dtype) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    bs = [np.zeros(b, dtype) for b in sizes[1:]]
    err = 0.0
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch):
            idx = order[start : start + batch]
            acts = [X[idx]]
            for k, (W, b) in enumerate(zip(Ws, bs, strict=True)):
                z = acts[-1] @ W + b
                acts.append(sigmoid(z) if k == len(Ws) - 1 else np.tanh(z))
            out = acts[-1]
            err = np.mean((out - Y[idx]) ** 2)
            delta = (out - Y[idx]) * out * (1 - out) / len(idx)
            for k in range(len(Ws) - 1, -1, -1):
                gW, gb = acts[k].T @ delta, delta.sum(axis=0)
                if k:
                    delta = (delta @ Ws[k].T) * (1 - acts[k] ** 2)
                Ws[k] -= rate * gW
                bs[k] -= rate * gb
    return float(err)


def softmax_minibatch(X, Y, hidden: int, epochs: int, batch: int, rate: float = 0.1, seed: int = 0) -> float:
    """784-128-10 style: a tanh hidden layer, softmax output, cross-entropy, float64, mini-batches."""
    rng = np.random.default_rng(seed)
    W1 = rng.normal(0, 1 / np.sqrt(X.shape[1]), (X.shape[1], hidden))
    b1 = np.zeros(hidden)
    W2 = rng.normal(0, 1 / np.sqrt(hidden), (hidden, Y.shape[1]))
    b2 = np.zeros(Y.shape[1])
    err = 0.0
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch):
            idx = order[start : start + batch]
            x, t = X[idx], Y[idx]
            h = np.tanh(x @ W1 + b1)
            z = h @ W2 + b2
            e = np.exp(z - z.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            err = -np.sum(t * np.log(np.maximum(p, 1e-12))) / len(x)
            d2 = (p - t) / len(x)
            d1 = (d2 @ W2.T) * (1 - h**2)
            W2 -= rate * (h.T @ d2)
            b2 -= rate * d2.sum(axis=0)
            W1 -= rate * (x.T @ d1)
            b1 -= rate * d1.sum(axis=0)
    return float(err)


def population_full_batch(networks: int, epochs: int, rate: float = 4.0, seed: int = 0) -> None:
    """Many XOR 2-3-1 networks at once, the network axis last and contiguous, full batch, BCE on a logistic output.

    Broadcast products summed over one axis: every NumPy inner loop runs over the networks.
    """
    rng = np.random.default_rng(seed)
    W1 = rng.normal(0, 0.8, (2, 3, networks))
    b1 = np.zeros((3, networks))
    W2 = rng.normal(0, 0.8, (3, 1, networks))
    b2 = np.zeros((1, networks))
    T, x = Y[:, :, None], X[:, :, None, None]
    for _ in range(epochs):
        h = sigmoid((x * W1).sum(axis=1) + b1)  # (4, 3, N)
        o = sigmoid((h[:, :, None, :] * W2).sum(axis=1) + b2)  # (4, 1, N)
        d2 = (o - T) / len(X)
        d1 = (d2[:, None, :, :] * W2).sum(axis=2) * h * (1 - h)
        W2 -= rate * (h[:, :, None, :] * d2[:, None, :, :]).sum(axis=0)
        b2 -= rate * d2.sum(axis=0)
        W1 -= rate * (x * d1[:, None, :, :]).sum(axis=0)
        b1 -= rate * d1.sum(axis=0)
