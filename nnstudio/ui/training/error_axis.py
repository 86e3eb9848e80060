"""The error plot's left axis: on a log scale it labels only the ticks that have room (no crowded 2…9 labels)."""

from __future__ import annotations

import math

import pyqtgraph as pg

#: a label needs about this many pixels of axis (its height and a gap)
LABEL_PIXELS = 18
#: minor labels (2 and 5 of each decade) are added only when a decade is at least this tall on screen
MINOR_LABEL_DECADE_PIXELS = 110


class ErrorAxis(pg.AxisItem):
    """pyqtgraph's axis, with log-scale labels thinned by the room a decade has on screen.

    pyqtgraph labels the 2, 3, … 9 of every decade whenever their total text fits, so on a short plot
    0.06, 0.07, 0.08, 0.09 run into each other near the next decade.  Here every tick is still drawn,
    but only decades carry labels (every second or third one when even they are tight), plus 2 and 5
    when a decade is tall enough for them.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decade_pixels = float("inf")  # the height of one decade, as of the last tick layout

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802 (pyqtgraph's name)
        self.decade_pixels = size / max(maxVal - minVal, 1e-9)
        return super().logTickValues(minVal, maxVal, size, stdTicks)

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        strings = super().logTickStrings(values, scale, spacing)
        return [text if self.labels_tick(value) else "" for value, text in zip(values, strings, strict=True)]

    def labels_tick(self, value: float) -> bool:
        """Whether the tick at ``value`` (log10 of the error) gets its label."""
        decade = round(value)
        if abs(value - decade) < 1e-6:
            every = max(1, math.ceil(LABEL_PIXELS / max(self.decade_pixels, 1e-9)))
            return decade % every == 0
        if self.decade_pixels < MINOR_LABEL_DECADE_PIXELS:
            return False
        mantissa = 10 ** (value - math.floor(value))
        return any(abs(mantissa - m) < 1e-6 for m in (2.0, 5.0))
