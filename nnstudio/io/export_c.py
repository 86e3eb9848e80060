"""C99 header export: the weights as ``static const double`` arrays and ``nnstudio_predict``.

The header needs only ``<math.h>`` (link with ``-lm``).  Everything in it is
``static``, so it may be included from several C files.  Weights are written
as the shortest decimal that round-trips float64 exactly (Python's repr).
"""

from __future__ import annotations

import os
import re

import numpy as np

from ..core.activations import get_activation
from ..core.network import Network
from ..core.standalone import evaluation_plan, input_steps, output_steps, printable_name
from .atomic import write_text_atomic


def _array(values: np.ndarray) -> str:
    if values.ndim == 1:  # Python's repr of a finite float is a C double literal that round-trips exactly
        return "{" + ", ".join(map(repr, values.astype(float).tolist())) + "}"
    return "{\n" + "".join(f"    {_array(row)},\n" for row in values) + "}"


def _comment(text: str) -> str:
    """A layer name made safe inside ``/* … */``: printable, one line, no comment marks or trigraphs."""
    text = printable_name(text)
    while "*/" in text or "/*" in text or "??" in text:
        text = text.replace("*/", "* /").replace("/*", "/ *").replace("??", "? ?")
    return text


def header_source(net: Network, guard_name: str = "nnstudio_network") -> str:
    """The text of a C99 header evaluating ``net`` with its current weights."""
    plan = evaluation_plan(net)
    guard = re.sub(r"[^A-Za-z0-9]", "_", guard_name).upper().lstrip("_0123456789") + "_H"
    sizes = "-".join(str(s.size) for s in plan)
    out = [
        f"/* A {sizes} network exported by nnstudio.",
        " * void nnstudio_predict(const double *input, double *output):",
        f" * input holds NNSTUDIO_N_INPUTS = {net.n_inputs} values, output receives NNSTUDIO_N_OUTPUTS = "
        f"{net.n_outputs}.",
        " * Portable C99; needs <math.h> (link with -lm). */",
        f"#ifndef {guard}",
        f"#define {guard}",
        "",
        "#include <math.h>",
        "",
        f"#define NNSTUDIO_N_INPUTS {net.n_inputs}",
        f"#define NNSTUDIO_N_OUTPUTS {net.n_outputs}",
        "",
    ]
    for step in plan:
        for src, w in step.sources:
            out.append(f"/* {_comment(plan[src].name)} -> {_comment(step.name)} */")
            out.append(f"static const double nnstudio_w_{src}_{step.index}[{w.shape[0]}][{w.shape[1]}] = {_array(w)};")
        if step.bias is not None:
            out.append(f"/* bias of {_comment(step.name)} */")
            out.append(f"static const double nnstudio_b_{step.index}[{step.size}] = {_array(step.bias)};")
    out.append("")
    for name in sorted({s.activation for s in plan if s.activation}):
        out.append(get_activation(name).c_function())
    out += ["static void nnstudio_predict(const double *input, double *output)", "{", "    int i, j;"]
    for step in plan:
        out.append(f"    double a{step.index}[{step.size}];  /* {_comment(step.name)} */")
    col = 0
    for step in input_steps(plan):
        out.append(f"    for (j = 0; j < {step.size}; ++j) a{step.index}[j] = input[{col} + j];")
        col += step.size
    for step in plan:
        if step.activation is None:  # an input layer
            continue
        a = f"a{step.index}"
        start = f"nnstudio_b_{step.index}[j]" if step.bias is not None else "0.0"
        out.append(f"    for (j = 0; j < {step.size}; ++j) {a}[j] = {start};")
        for src, w in step.sources:
            out.append(f"    for (i = 0; i < {w.shape[0]}; ++i)")
            product = f"a{src}[i] * nnstudio_w_{src}_{step.index}[i][j]"
            out.append(f"        for (j = 0; j < {step.size}; ++j) {a}[j] += {product};")
        out.append(f"    nnstudio_{step.activation}({a}, {step.size});")
    col = 0
    for step in output_steps(plan):
        out.append(f"    for (j = 0; j < {step.size}; ++j) output[{col} + j] = a{step.index}[j];")
        col += step.size
    out += ["}", "", f"#endif /* {guard} */", ""]
    return "\n".join(out)


def write_header(net: Network, path: str | os.PathLike) -> None:
    stem = os.path.splitext(os.path.basename(os.fspath(path)))[0]
    write_text_atomic(path, header_source(net, guard_name=f"nnstudio_{stem}"))
