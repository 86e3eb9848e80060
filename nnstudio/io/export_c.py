"""C99 header export: the weights as ``static const double`` arrays and ``nnstudio_predict``.

The header needs only ``<math.h>`` (link with ``-lm``).  Everything in it is
``static``, so it may be included from several C files.  Weights are written
as the shortest decimal that round-trips float64 exactly (Python's repr).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence

import numpy as np

from ..core.activations import get_activation
from ..core.features import RAW_INPUTS, c_feature_lines, input_width
from ..core.network import Network
from ..core.scaling import InputScaling
from ..core.standalone import evaluation_plan, input_steps, output_steps, printable_name
from .atomic import write_atomic


def _array(values: np.ndarray) -> str:
    """A vector as a C initializer (Python's repr of a finite float is a C double literal that round-trips)."""
    return "{" + ", ".join(map(repr, values.astype(float).tolist())) + "}"


def _comment(text: str) -> str:
    """A layer name made safe inside ``/* … */``: printable, one line, no comment marks or trigraphs."""
    text = printable_name(text)
    while "*/" in text or "/*" in text or "??" in text:
        text = text.replace("*/", "* /").replace("/*", "/ *").replace("??", "? ?")
    return text


def header_source(net: Network, guard_name: str = "nnstudio_network", features: Sequence[str] | None = None,
                  scaling: InputScaling | None = None) -> str:
    """The text of a C99 header evaluating ``net`` with its current weights.

    With ``features``, ``input`` holds the raw x1, x2: ``scaling`` is applied and the network fed the features.
    """
    return "\n".join(header_lines(net, guard_name, features, scaling)) + "\n"


def header_lines(net: Network, guard_name: str = "nnstudio_network", features: Sequence[str] | None = None,
                 scaling: InputScaling | None = None) -> Iterator[str]:
    """The lines of :func:`header_source`, one at a time (a weight matrix yields one line per row)."""
    plan = evaluation_plan(net)
    n_inputs = net.n_inputs if features is None else RAW_INPUTS
    if features is not None and input_width(features) != net.n_inputs:
        raise ValueError(f"the network has {net.n_inputs} inputs for {len(features)} features")
    guard = re.sub(r"[^A-Za-z0-9]", "_", guard_name).upper().lstrip("_0123456789") + "_H"
    sizes = "-".join(str(s.size) for s in plan)
    yield from [
        f"/* A {sizes} network exported by nnstudio.",
        " * void nnstudio_predict(const double *input, double *output):",
        f" * input holds NNSTUDIO_N_INPUTS = {n_inputs} values, output receives NNSTUDIO_N_OUTPUTS = "
        f"{net.n_outputs}.",
        " * Portable C99; needs <math.h> (link with -lm). */",
        f"#ifndef {guard}",
        f"#define {guard}",
        "",
        "#include <math.h>",
        "",
        f"#define NNSTUDIO_N_INPUTS {n_inputs}",
        f"#define NNSTUDIO_N_OUTPUTS {net.n_outputs}",
        "",
    ]
    for step in plan:
        for src, w in step.sources:
            yield f"/* {_comment(plan[src].name)} -> {_comment(step.name)} */"
            yield f"static const double nnstudio_w_{src}_{step.index}[{w.shape[0]}][{w.shape[1]}] = {{"
            for row in w:
                yield f"    {_array(row)},"
            yield "};"
        if step.bias is not None:
            yield f"/* bias of {_comment(step.name)} */"
            yield f"static const double nnstudio_b_{step.index}[{step.size}] = {_array(step.bias)};"
    yield ""
    for name in sorted({s.activation for s in plan if s.activation}):
        yield get_activation(name).c_function()
    yield from ["static void nnstudio_predict(const double *input, double *output)", "{", "    int i, j;"]
    for step in plan:
        yield f"    double a{step.index}[{step.size}];  /* {_comment(step.name)} */"
    if features is not None:
        yield from c_feature_lines(features, scaling)
    source = "input" if features is None else "features"
    col = 0
    for step in input_steps(plan):
        yield f"    for (j = 0; j < {step.size}; ++j) a{step.index}[j] = {source}[{col} + j];"
        col += step.size
    for step in plan:
        if step.activation is None:  # an input layer
            continue
        a = f"a{step.index}"
        start = f"nnstudio_b_{step.index}[j]" if step.bias is not None else "0.0"
        yield f"    for (j = 0; j < {step.size}; ++j) {a}[j] = {start};"
        for src, w in step.sources:
            yield f"    for (i = 0; i < {w.shape[0]}; ++i)"
            product = f"a{src}[i] * nnstudio_w_{src}_{step.index}[i][j]"
            yield f"        for (j = 0; j < {step.size}; ++j) {a}[j] += {product};"
        yield f"    nnstudio_{step.activation}({a}, {step.size});"
    col = 0
    for step in output_steps(plan):
        yield f"    for (j = 0; j < {step.size}; ++j) output[{col} + j] = a{step.index}[j];"
        col += step.size
    yield from ["}", "", f"#endif /* {guard} */"]


def write_header(net: Network, path: str | os.PathLike, features: Sequence[str] | None = None,
                 scaling: InputScaling | None = None) -> None:
    stem = os.path.splitext(os.path.basename(os.fspath(path)))[0]
    lines = header_lines(net, f"nnstudio_{stem}", features, scaling)
    write_atomic(path, lambda fh: fh.writelines(f"{line}\n".encode() for line in lines))
