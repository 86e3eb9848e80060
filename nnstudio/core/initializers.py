"""Initial weights, drawn from seeded NumPy generators.

Each connection and each bias draws from its own generator, seeded by the
network's init seed and the parameter's name.  So the same seed always gives
the same start ("reset" is exact), and adding a layer or a connection leaves
every other parameter's initial value as it was.
"""

from __future__ import annotations

import random
import zlib

import numpy as np

INITIALIZERS = ("glorot_normal", "glorot", "he", "uniform", "synaptic")

#: solves XOR 2-3-1 with the default training settings for 398 of 400 seeds (see training.TrainSettings)
DEFAULT_INIT = "glorot_normal"


def fresh_seed() -> int:
    """A seed for code that names none, drawn from Python's and NumPy's global generators.

    So a program that seeds both (``random.seed(n)``, ``numpy.random.seed(n)``) gets the same weights every run.
    The seed fits what a project file and the app's seed boxes hold (0 to 2**31 - 1).
    """
    return (random.getrandbits(32) ^ int(np.random.randint(0, 2**32, dtype=np.int64))) & 0x7FFFFFFF


def rng_for(seed: int, key: str) -> np.random.Generator:
    """A generator that depends only on ``seed`` and the parameter name ``key``."""
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(key.encode("utf-8"))])


def init_weights(kind: str, shape: tuple[int, int], rng: np.random.Generator, scale: float = 0.1) -> np.ndarray:
    """A ``(fan_in, fan_out)`` weight matrix.

    - ``glorot_normal``: normal with standard deviation sqrt(2 / (fan_in + fan_out)) (the default);
    - ``glorot``: uniform in ±sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010);
    - ``he``: normal with standard deviation sqrt(2 / fan_in), for ReLU layers;
    - ``uniform``: uniform in ±``scale``;
    - ``synaptic``: uniform in ±0.1, as Synaptic.js starts.
    """
    fan_in, fan_out = shape
    if kind == "glorot_normal":
        return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), shape)
    if kind == "glorot":
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, shape)
    if kind == "he":
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), shape)
    if kind == "uniform":
        return rng.uniform(-scale, scale, shape)
    if kind == "synaptic":
        return rng.uniform(-0.1, 0.1, shape)
    raise ValueError(f"unknown initializer {kind!r}; choose one of: {', '.join(INITIALIZERS)}")


#: the initializers whose biases start at zero (they draw nothing for biases)
ZERO_BIAS_INITS = ("glorot_normal", "glorot", "he")


def init_bias(kind: str, size: int, rng: np.random.Generator, scale: float = 0.1) -> np.ndarray:
    """Biases: zero for Glorot and He, small uniform values for the uniform kinds (as Synaptic)."""
    if kind in ZERO_BIAS_INITS:
        return np.zeros(size)
    return rng.uniform(-(0.1 if kind == "synaptic" else scale), 0.1 if kind == "synaptic" else scale, size)
