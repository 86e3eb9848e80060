"""Input scaling: raw inputs become ``(raw - offset) * factor`` before the network sees them.

A dataset stores its inputs already scaled, with the :class:`InputScaling` that did it, so training needs
nothing extra; ``predict`` and every export apply the same scaling to raw inputs.  ``standard`` takes each
column's mean and standard deviation, ``minmax`` maps each column's range onto [0, 1]; both are fitted on the
training rows only.  A constant column keeps factor 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dataset_error import DatasetError

SCALINGS = ("standard", "minmax", "none")


@dataclass(frozen=True)
class InputScaling:
    method: str
    offset: np.ndarray
    factor: np.ndarray

    def __post_init__(self) -> None:
        if self.method not in SCALINGS[:2]:
            raise DatasetError(f"unknown scaling {self.method!r}; choose one of: {', '.join(SCALINGS)}")
        for what in ("offset", "factor"):
            value = getattr(self, what)
            if not isinstance(value, list | tuple | np.ndarray) or not all(
                isinstance(v, int | float | np.floating | np.integer) and not isinstance(v, bool) for v in value
            ):
                raise DatasetError(f"scaling {what} must be a list of numbers")
            array = np.asarray(value, dtype=np.float64)
            if array.ndim != 1 or not np.isfinite(array).all():
                raise DatasetError(f"scaling {what} must be a list of finite numbers")
            object.__setattr__(self, what, array)
        if self.offset.shape != self.factor.shape:
            raise DatasetError("scaling offset and factor have different lengths")
        if (self.factor == 0).any():
            raise DatasetError("a scaling factor is 0")

    @property
    def width(self) -> int:
        return len(self.offset)

    def apply(self, raw: np.ndarray) -> np.ndarray:
        """Scaled inputs for raw ones (a row or rows)."""
        return (np.asarray(raw, dtype=np.float64) - self.offset) * self.factor

    def invert(self, scaled: np.ndarray) -> np.ndarray:
        """Raw inputs for scaled ones."""
        return np.asarray(scaled, dtype=np.float64) / self.factor + self.offset

    def to_dict(self) -> dict:
        return {"method": self.method, "offset": self.offset.tolist(), "factor": self.factor.tolist()}

    @classmethod
    def from_dict(cls, d: object) -> InputScaling:
        if not isinstance(d, dict) or set(d) != {"method", "offset", "factor"}:
            raise DatasetError('scaling must be an object with "method", "offset" and "factor"')
        return cls(d["method"], d["offset"], d["factor"])


def fit_scaling(method: str, raw: np.ndarray) -> InputScaling | None:
    """The scaling of ``method`` fitted to the raw training inputs (None for ``none``)."""
    if method == "none":
        return None
    raw = np.asarray(raw, dtype=np.float64)
    if method == "standard":
        offset, spread = raw.mean(axis=0), raw.std(axis=0)
    elif method == "minmax":
        offset, spread = raw.min(axis=0), raw.max(axis=0) - raw.min(axis=0)
    else:
        raise DatasetError(f"unknown scaling {method!r}; choose one of: {', '.join(SCALINGS)}")
    factor = np.ones_like(spread)
    np.divide(1.0, spread, out=factor, where=spread > 1e-12 * np.maximum(1.0, np.abs(offset)))
    return InputScaling(method, offset, factor)
