"""The diverging weight colormap (orange – grey – blue, as TensorFlow Playground) and its bins.

Synapses are drawn in a few batches, one per colour bin, so a weight update
only has to sort weights into bins (``np.digitize``) instead of restyling
every line.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

NEGATIVE = np.array([245, 147, 34], dtype=float)  # #f59322
ZERO = np.array([200, 204, 209], dtype=float)  # neutral grey, visible on light and dark backgrounds
POSITIVE = np.array([8, 119, 189], dtype=float)  # #0877bd

#: number of colour bins on each side of zero; the middle bin holds the near-zero weights
HALF_BINS = 6
N_BINS = 2 * HALF_BINS + 1
#: bin edges on the normalised weight axis [-1, 1]
EDGES = np.linspace(-1.0, 1.0, N_BINS + 1)[1:-1]
#: the normalised value at the centre of each bin
CENTRES = np.linspace(-1.0, 1.0, N_BINS)


def color_at(t: float) -> QColor:
    """The colour of a normalised value ``t`` in [-1, 1] (clipped)."""
    t = float(np.clip(t, -1.0, 1.0))
    end = POSITIVE if t >= 0 else NEGATIVE
    rgb = ZERO + abs(t) * (end - ZERO)
    return QColor(int(rgb[0]), int(rgb[1]), int(rgb[2]))


def rgb_at(ts: np.ndarray) -> np.ndarray:
    """:func:`color_at` for many values at once: (n, 3) integer red, green, blue (NaN counts as 0)."""
    ts = np.clip(np.nan_to_num(np.asarray(ts, dtype=float), nan=0.0), -1.0, 1.0)[:, None]
    ends = np.where(ts >= 0, POSITIVE, NEGATIVE)
    return (ZERO + np.abs(ts) * (ends - ZERO)).astype(np.int64)


def colors_for(values: np.ndarray, scale: float) -> list[QColor]:
    """Colours for many values on the diverging map, ``scale`` mapping to full colour."""
    scale = scale if scale > 0 else 1.0
    return [color_at(v / scale) for v in np.asarray(values, dtype=float)]


def bin_indices(values: np.ndarray, scale: float) -> np.ndarray:
    """The colour bin (0 … N_BINS-1) of each value, ``scale`` being the magnitude of full colour."""
    scale = scale if scale > 0 else 1.0
    return np.digitize(np.asarray(values, dtype=float) / scale, EDGES)


BIN_COLORS = [color_at(t) for t in CENTRES]
#: pen width (in pixels) of each bin: thin near zero, thick for large |w|
BIN_WIDTHS = [0.6 + 2.4 * abs(t) for t in CENTRES]


def nice_scale(max_abs: float) -> float:
    """A round magnitude ≥ ``max_abs`` for the legend (0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, …).

    Rounding keeps colours from flickering while weights drift; fine steps keep them saturated.
    """
    if not np.isfinite(max_abs) or max_abs <= 0.5:
        return 0.5
    exponent = np.floor(np.log10(max_abs))
    for step in (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if max_abs <= step * 10**exponent:
            return float(step * 10**exponent)
    return float(10 ** (exponent + 1))
