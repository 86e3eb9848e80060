"""A network written out as one dependency-free Python file, like Synaptic's ``standalone()``.

:func:`evaluation_plan` lists what a forward pass does layer by layer in plain
data (sources, weight matrices, bias, activation); the Python, C and ONNX
exporters all write from it, so they evaluate exactly what :class:`Network` does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .activations import get_activation
from .features import RAW_INPUTS, input_width, python_feature_lines
from .scaling import InputScaling

if TYPE_CHECKING:
    from .network import Network


@dataclass
class PlanStep:
    """One layer of the forward pass.  Input layers have no sources, bias or activation."""

    index: int  # position in evaluation order
    name: str
    size: int
    role: str
    activation: str | None  # None for input layers
    bias: np.ndarray | None
    sources: list[tuple[int, np.ndarray]]  # (source step index, weights shaped source_size × size)


def evaluation_plan(net: Network) -> list[PlanStep]:
    """The layers of ``net`` in evaluation order, with copies of their parameters."""
    index = {layer.id: k for k, layer in enumerate(net.layers)}
    steps = []
    for k, layer in enumerate(net.layers):
        if layer.role == "input":
            steps.append(PlanStep(k, layer.name, layer.size, "input", None, None, []))
            continue
        incoming = sorted(net.graph.incoming(layer.id), key=lambda c: index[c.source])
        sources = [(index[c.source], net.weights[c.id].copy()) for c in incoming]
        bias = net.biases[layer.id].copy() if layer.id in net.biases else None
        steps.append(PlanStep(k, layer.name, layer.size, layer.role, layer.activation, bias, sources))
    return steps


def input_steps(plan: list[PlanStep]) -> list[PlanStep]:
    """Input layers in the order their columns appear in an input row."""
    return [s for s in plan if s.role == "input"]


def output_steps(plan: list[PlanStep]) -> list[PlanStep]:
    """Output layers in the order their columns appear in an output row."""
    return [s for s in plan if s.role == "output"]


_ADD_PRODUCT = '''def _add_product(z, a, w):
    """z += a @ w for a vector a and a matrix w given as rows."""
    for i, row in enumerate(w):
        ai = a[i]
        if ai != 0.0:
            for j, wij in enumerate(row):
                z[j] += ai * wij
'''


def _literal(values: np.ndarray) -> str:
    """A vector as a Python list literal (repr of a Python float round-trips exactly)."""
    return "[" + ", ".join(map(repr, values.astype(float).tolist())) + "]"


def printable_name(text: str, limit: int = 80) -> str:
    """A layer name as it may appear in generated code's comments: one line of printable characters.

    Control and format characters (NUL, line breaks, bidirectional overrides)
    and lone surrogates become "?", so the file always compiles and reads as
    it runs; names longer than ``limit`` are cut with "…".
    """
    text = " ".join(text[: 4 * limit].split())  # a 50 MB name costs no more than a short one
    text = "".join(c if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF else "?" for c in text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def standalone_source(net: Network, features: Sequence[str] | None = None,
                      scaling: InputScaling | None = None) -> str:
    """Python source defining ``predict(inputs) -> list`` for ``net``'s current weights; needs only ``math``.

    With ``features``, ``predict`` takes the raw x1, x2, applies ``scaling`` and feeds the network the features.
    """
    return "\n".join(standalone_lines(net, features, scaling)) + "\n"


def standalone_lines(net: Network, features: Sequence[str] | None = None,
                     scaling: InputScaling | None = None) -> Iterator[str]:
    """The lines of :func:`standalone_source`, one at a time (a weight matrix yields one line per row)."""
    plan = evaluation_plan(net)
    sizes = "-".join(str(s.size) for s in plan)
    n_inputs = net.n_inputs if features is None else RAW_INPUTS
    if features is not None and input_width(features) != net.n_inputs:
        raise ValueError(f"the network has {net.n_inputs} inputs for {len(features)} features")
    yield from [
        f'"""A {sizes} network exported by nnstudio: ``predict(inputs)`` returns the outputs as a list.',
        "",
        "Dependency-free: only the standard library's ``math``.",
        '"""',
        "",
        "import math",
        "",
        f"N_INPUTS = {n_inputs}",
        f"N_OUTPUTS = {net.n_outputs}",
        "",
    ]
    for step in plan:
        for src, w in step.sources:
            names = f"{printable_name(plan[src].name)} -> {printable_name(step.name)}"
            yield f"# {names}: {w.shape[0]} x {w.shape[1]}"
            yield f"W_{src}_{step.index} = ["
            for row in w:
                yield f"    {_literal(row)},"
            yield "]"
        if step.bias is not None:
            yield f"# bias of {printable_name(step.name)}"
            yield f"B_{step.index} = {_literal(step.bias)}"
    yield ""
    yield ""
    used = sorted({s.activation for s in plan if s.activation})
    for name in used:
        yield get_activation(name).python_function()
        yield ""
    yield _ADD_PRODUCT
    yield ""
    yield from [
        "def predict(inputs):",
        '    """The network\'s outputs for one input row (a sequence of N_INPUTS numbers)."""',
        "    inputs = [float(v) for v in inputs]",
        "    if len(inputs) != N_INPUTS:",
        '        raise ValueError(f"expected {N_INPUTS} inputs, got {len(inputs)}")',
    ]
    if features is not None:
        yield from python_feature_lines(features, scaling)
    col = 0
    for step in input_steps(plan):
        yield f"    a{step.index} = inputs[{col}:{col + step.size}]  # {printable_name(step.name)}"
        col += step.size
    for step in plan:
        if step.role == "input":
            continue
        start = f"list(B_{step.index})" if step.bias is not None else f"[0.0] * {step.size}"
        yield f"    z = {start}  # {printable_name(step.name)}"
        for src, _ in step.sources:
            yield f"    _add_product(z, a{src}, W_{src}_{step.index})"
        yield f"    a{step.index} = _{step.activation}(z)"
    outputs = " + ".join(f"a{s.index}" for s in output_steps(plan))
    yield f"    return {outputs}"
