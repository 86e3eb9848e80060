"""Pictures of image inputs as Qt images: data rows and drawings in grey (ink dark on paper), weights in colour.

The numbers come from :mod:`nnstudio.core.images`; this module only turns them into pixels.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPixmap

from .heatmaps import colorize


def gray_image(image: np.ndarray) -> QImage:
    """A (height, width) picture with values in [0, 1] as a grey QImage: 0 white paper, 1 black ink."""
    gray = np.ascontiguousarray((255.0 * (1.0 - np.clip(image, 0.0, 1.0))).round().astype(np.uint8))
    height, width = gray.shape
    return QImage(gray.data, width, height, width, QImage.Format.Format_Grayscale8).copy()


def signed_image(weights: np.ndarray, scale: float | None = None) -> QImage:
    """A (height, width) array of weights in the canvas's diverging colours, ±``scale`` (default: its largest size)."""
    weights = np.asarray(weights, dtype=float)
    if scale is None:
        scale = float(np.abs(weights).max(initial=0.0))
    rgb = np.ascontiguousarray(colorize(weights / scale if scale > 0 else np.zeros_like(weights)))
    height, width = weights.shape
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def fitted(image: QImage, box: int) -> QPixmap:
    """``image`` enlarged by whole pixels (sharp) or shrunk smoothly to fit a ``box`` × ``box`` square."""
    side = max(image.width(), image.height())
    if side <= box:
        factor = box // side
        return QPixmap.fromImage(image.scaled(image.size() * factor))
    return QPixmap.fromImage(image.scaled(QSize(box, box), Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))
