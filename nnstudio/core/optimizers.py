"""Optimizers that update the flat parameter vector in place.

All work on whole vectors with preallocated buffers, so one step is a handful
of NumPy calls whatever the network's shape.  Given the compiled
``kernels.update_kernel`` (``compiled=``), a flat vector's step is one pass of
it instead, with the same result.  L1/L2 penalties apply to weights only
(``weight_mask``), never to biases.
"""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np
from numpy.typing import DTypeLike

from .kernels import disable

Array = np.ndarray
#: the parameters' shape: a flat vector's length, or (n_params, M) for a population of M networks
Shape = int | tuple[int, ...]
OPTIMIZERS = ("sgd", "momentum", "adam")


class Optimizer:
    """Base: adds the regularisation gradient, then :meth:`_apply`."""

    def __init__(
        self, n: Shape, weight_mask: Array | None = None, l1: float = 0.0, l2: float = 0.0,
        dtype: DTypeLike = np.float64, compiled: ModuleType | None = None,
    ):
        self.l1, self.l2 = float(l1), float(l2)
        self.dtype = np.dtype(dtype)
        self.weight_mask = np.ones(n, self.dtype) if weight_mask is None else weight_mask
        self._buf = np.empty(n, self.dtype)
        self._compiled = compiled if isinstance(n, int) else None  # its loops take flat vectors
        self._scalar: type[np.floating] = np.float32 if self.dtype == np.float32 else np.float64  # its arguments

    def step(self, params: Array, grads: Array, rate: float) -> None:
        if self.l2:
            grads += self.l2 * params * self.weight_mask
        if self.l1:
            grads += self.l1 * np.sign(params) * self.weight_mask
        if self._compiled is not None:
            try:
                self._compiled_step(self._compiled, params, grads, rate)
                return
            except Exception as exc:  # numba compiles on the first call; a failure leaves NumPy to do it
                disable(f"the compiled optimizer step failed: {exc}")
                self._compiled = None
        self._apply(params, grads, rate)

    def _compiled_step(self, kernel: ModuleType, params: Array, grads: Array, rate: float) -> None:
        kernel.sgd(params, grads, self._scalar(rate))

    def _apply(self, params: Array, grads: Array, rate: float) -> None:
        np.multiply(grads, rate, out=self._buf)
        params -= self._buf

    def reset(self) -> None:
        """Forget accumulated state (velocities, moments)."""


class SGD(Optimizer):
    """Plain gradient descent: p ← p − rate·g."""


class Momentum(Optimizer):
    """Gradient descent with momentum: v ← μ·v − rate·g; p ← p + v."""

    def __init__(
        self,
        n: Shape,
        weight_mask: Array | None = None,
        l1: float = 0.0,
        l2: float = 0.0,
        momentum: float = 0.9,
        dtype: DTypeLike = np.float64,
        compiled: ModuleType | None = None,
    ):
        super().__init__(n, weight_mask, l1, l2, dtype, compiled)
        self.momentum = float(momentum)
        self.velocity = np.zeros(n, self.dtype)

    def _compiled_step(self, kernel: ModuleType, params: Array, grads: Array, rate: float) -> None:
        f = self._scalar
        kernel.momentum(params, grads, self.velocity, f(self.momentum), f(rate))

    def _apply(self, params: Array, grads: Array, rate: float) -> None:
        self.velocity *= self.momentum
        np.multiply(grads, rate, out=self._buf)
        self.velocity -= self._buf
        params += self.velocity

    def reset(self) -> None:
        self.velocity[:] = 0.0


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias-corrected moments."""

    def __init__(
        self,
        n: Shape,
        weight_mask: Array | None = None,
        l1: float = 0.0,
        l2: float = 0.0,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        dtype: DTypeLike = np.float64,
        compiled: ModuleType | None = None,
    ):
        super().__init__(n, weight_mask, l1, l2, dtype, compiled)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m, self.v = np.zeros(n, self.dtype), np.zeros(n, self.dtype)
        self.t = 0
        self._buf2 = np.empty(n, self.dtype)

    def _step_size(self, rate: float) -> float:
        """The bias-corrected step of update number ``self.t`` (a Python float: NumPy rounds it to the
        parameters' precision before multiplying, as the compiled step does)."""
        return rate * math.sqrt(1.0 - self.beta2**self.t) / (1.0 - self.beta1**self.t)

    def _compiled_step(self, kernel: ModuleType, params: Array, grads: Array, rate: float) -> None:
        self.t += 1
        b1, b2, f = self.beta1, self.beta2, self._scalar
        try:
            kernel.adam(params, grads, self.m, self.v, f(b1), f(1.0 - b1), f(b2), f(1.0 - b2), f(self.eps),
                        f(self._step_size(rate)))
        except Exception:
            self.t -= 1  # NumPy's _apply counts this update again
            raise

    def _apply(self, params: Array, grads: Array, rate: float) -> None:
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        self.m *= b1
        np.multiply(grads, 1.0 - b1, out=self._buf)
        self.m += self._buf
        self.v *= b2
        np.multiply(grads, grads, out=self._buf)
        self._buf *= 1.0 - b2
        self.v += self._buf
        step = self._step_size(rate)
        np.sqrt(self.v, out=self._buf2)
        self._buf2 += self.eps
        np.divide(self.m, self._buf2, out=self._buf)
        self._buf *= step
        params -= self._buf

    def reset(self) -> None:
        self.m[:] = 0.0
        self.v[:] = 0.0
        self.t = 0


def make_optimizer(
    name: str,
    n: Shape,
    weight_mask: Array | None = None,
    *,
    l1: float = 0.0,
    l2: float = 0.0,
    momentum: float = 0.9,
    dtype: DTypeLike = np.float64,
    compiled: ModuleType | None = None,
) -> Optimizer:
    """The optimizer called ``name``: "sgd", "momentum" or "adam", keeping its state in ``dtype``; ``compiled``
    is kernels.update_kernel or None."""
    if name == "sgd":
        return SGD(n, weight_mask, l1, l2, dtype, compiled)
    if name == "momentum":
        return Momentum(n, weight_mask, l1, l2, momentum, dtype, compiled)
    if name == "adam":
        return Adam(n, weight_mask, l1, l2, dtype=dtype, compiled=compiled)
    raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}")
