"""Help → About: what nnstudio is, and the versions in use (nnstudio, Qt, PySide6, NumPy, the training path)."""

from __future__ import annotations

import html

import numpy as np
import PySide6
from PySide6.QtCore import qVersion

from ... import __version__
from ...core.kernels import status


def versions() -> list[tuple[str, str]]:
    """(what, version) for the About box; the training path says compiled (numba N) or NumPy, and why."""
    return [
        ("nnstudio", __version__),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("NumPy", np.__version__),
        ("Training", status().removeprefix("training core: ")),
    ]


def about_html() -> str:
    rows = "".join(f"<tr><td>{html.escape(what)}</td><td>&nbsp;{html.escape(version)}</td></tr>"
                   for what, version in versions())
    return (f"<b>nnstudio {html.escape(__version__)}</b><p>Build and train small neural networks visually: drag "
            "layers onto the canvas, wire them, and watch the synapses change while it learns.</p>"
            f"<table>{rows}</table>")
