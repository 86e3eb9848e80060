"""A straight-line scalar kernel for one online step of a small network, on the NumPy fallback path.

Where the compiled kernels (kernels/) are off — numba missing, NNSTUDIO_JIT=0 —
online training of a small network (the Synaptic tutorial) would spend its time
in NumPy call overhead; this Python kernel keeps it about ten times faster.

For a single sample, NumPy spends far more time dispatching calls on tiny
arrays than computing.  Like Synaptic's ``optimize()``, this module writes the
forward and backward pass of one specific network out as plain Python float
arithmetic — one line per neuron and per synapse — and compiles it once.
The generated source is built only from the validated graph's sizes and a
fixed table of formulas (no names or values from a file enter it).

The kernel computes exactly what :meth:`Network.backward` computes for a
one-row batch (same activations, same fused output deltas), up to float
rounding order; ``tests/test_scalar_kernel.py`` holds it to that.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .losses import EPS
from .network import Network, ParamSpec

#: networks with more synapses than this use the NumPy path (it wins on wide layers)
MAX_SYNAPSES = 400
SCALAR_ACTIVATIONS = ("logistic", "tanh", "relu", "leaky_relu", "identity", "step", "softplus")
SCALAR_LOSSES = ("mse", "bce")

# activation: (forward from z, derivative from z and a)
_FORMULAS = {
    "logistic": ("0.5 * tanh(0.5 * {z}) + 0.5", "{a} * (1.0 - {a})"),
    "tanh": ("tanh({z})", "1.0 - {a} * {a}"),
    "relu": ("({z} if {z} > 0.0 else 0.0)", "(1.0 if {z} > 0.0 else 0.0)"),
    "leaky_relu": ("({z} if {z} > 0.0 else 0.01 * {z})", "(1.0 if {z} > 0.0 else 0.01)"),
    "identity": ("{z}", "1.0"),
    "step": ("(1.0 if {z} > 0.0 else 0.0)", "1.0"),
    "softplus": ("softplus({z})", "0.5 * tanh(0.5 * {z}) + 0.5"),
}

#: ``step(params, x, t) -> (error, grads)``
StepFunction = Callable[[list[float], list[float], list[float]], tuple[float, list[float]]]


def supports(net: Network, cost: str) -> bool:
    """Whether a scalar kernel can serve this network and loss."""
    return (
        cost in SCALAR_LOSSES
        and net.n_synapses <= MAX_SYNAPSES
        and all(layer.activation in SCALAR_ACTIVATIONS for layer in net.layers if layer.role != "input")
    )


def _softplus(z: float) -> float:
    return z + math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z))


def compile_step(net: Network, cost: str) -> StepFunction:
    """``step(params, x, t) -> (error, grads)`` for one sample, as lists of floats."""
    source = _generate(net, cost)
    namespace: dict[str, Any] = {"tanh": math.tanh, "log": math.log, "softplus": _softplus, "EPS": EPS}
    exec(compile(source, f"<nnstudio scalar kernel {net!r}>", "exec"), namespace)
    return namespace["step"]


def _generate(net: Network, cost: str) -> str:
    lines = ["def step(p, x, t):"]
    emit = lines.append
    back_started: set[str] = set()  # hidden neurons whose backpropagated sum has a first term
    index = {layer.id: k for k, layer in enumerate(net.layers)}
    a = {}  # (layer index, neuron) -> variable name of its activation
    col = 0
    for layer in net.input_layers:
        for i in range(layer.size):
            a[index[layer.id], i] = f"x[{col}]"
            col += 1
    # target layer index -> (source layer index, weight block, mask)
    incoming: dict[int, list[tuple[int, ParamSpec, np.ndarray | None]]] = {k: [] for k in range(len(net.layers))}
    for conn_id, mask in net.masks.items():
        conn = net.graph.connections[conn_id]
        incoming[index[conn.target]].append((index[conn.source], net.specs["W:" + conn_id], mask))

    # forward
    for k, layer in enumerate(net.layers):
        if layer.role == "input":
            continue
        bias = net.specs.get("b:" + layer.id)
        fwd = _FORMULAS[layer.activation][0]
        for j in range(layer.size):
            terms = [f"p[{bias.offset + j}]"] if bias else []
            for src, spec, mask in incoming[k]:
                width = spec.shape[1]
                terms += [
                    f"{a[src, i]} * p[{spec.offset + i * width + j}]"
                    for i in range(spec.shape[0])
                    if mask is None or mask[i, j]
                ]
            emit(f"    z{k}_{j} = {' + '.join(terms) or '0.0'}")
            emit(f"    a{k}_{j} = {fwd.format(z=f'z{k}_{j}')}")
            a[k, j] = f"a{k}_{j}"

    # output error and deltas
    emit(f"    g = [0.0] * {net.n_params}")
    emit("    err = 0.0")
    col = 0
    for layer in net.output_layers:
        k = index[layer.id]
        fused = cost == "bce" and layer.activation == "logistic"
        for j in range(layer.size):
            emit(f"    y = a{k}_{j}; tj = t[{col}]")
            if cost == "mse":
                emit("    err += (y - tj) * (y - tj)")
                emit(f"    d{k}_{j} = (y - tj) * ({_FORMULAS[layer.activation][1].format(a='y', z=f'z{k}_{j}')})")
            else:
                emit("    c = min(max(y, EPS), 1.0 - EPS)")
                emit("    err -= tj * log(c) + (1.0 - tj) * log(1.0 - c)")
                if fused:
                    emit(f"    d{k}_{j} = y - tj")
                else:
                    deriv = _FORMULAS[layer.activation][1].format(a="y", z=f"z{k}_{j}")
                    emit(f"    d{k}_{j} = (c - tj) / (c * (1.0 - c)) * ({deriv})")
            col += 1

    # backward through the layers in reverse order
    for k in range(len(net.layers) - 1, -1, -1):
        layer = net.layers[k]
        if layer.role == "input":
            continue
        if layer.role != "output":
            deriv = _FORMULAS[layer.activation][1]
            for i in range(layer.size):
                emit(f"    d{k}_{i} = ga{k}_{i} * ({deriv.format(a=f'a{k}_{i}', z=f'z{k}_{i}')})")
        bias = net.specs.get("b:" + layer.id)
        for j in range(layer.size):
            if bias:
                emit(f"    g[{bias.offset + j}] = d{k}_{j}")
        for src, spec, mask in incoming[k]:
            width = spec.shape[1]
            src_hidden = net.layers[src].role != "input"
            for i in range(spec.shape[0]):
                used = [j for j in range(width) if mask is None or mask[i, j]]
                for j in used:
                    emit(f"    g[{spec.offset + i * width + j}] = {a[src, i]} * d{k}_{j}")
                if src_hidden and used:
                    back = " + ".join(f"d{k}_{j} * p[{spec.offset + i * width + j}]" for j in used)
                    name = f"ga{src}_{i}"
                    emit(f"    {name} = {name} + {back}" if name in back_started else f"    {name} = {back}")
                    back_started.add(name)
    n_out = net.n_outputs
    emit(f"    return err{f' / {n_out}' if n_out > 1 else ''}, g")
    return "\n".join(lines) + "\n"


class ScalarStepper:
    """Online steps for one network through its scalar kernel, with any optimizer on the flat vector."""

    def __init__(self, net: Network, cost: str):
        self.net = net
        self.kernel = compile_step(net, cost)
        self._X: list = []
        self._Y: list = []

    def bind(self, X: np.ndarray, Y: np.ndarray) -> None:
        """Keep the dataset as Python lists once, not per step."""
        self._X, self._Y = X.tolist(), Y.tolist()

    def gradient(self, i: int) -> float:
        """Fill ``net.grads`` for sample ``i``; returns its error (before any update)."""
        err, grads = self.kernel(self.net.params.tolist(), self._X[i], self._Y[i])
        self.net.grads[:] = grads
        return err
