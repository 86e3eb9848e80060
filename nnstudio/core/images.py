"""Image inputs as pictures: data rows as pixel grids, a drawing as a network input, first-layer weights as images.

A dataset with an ``image_shape`` (height, width) stores each picture as one row of pixels, row-major, possibly
scaled (see :mod:`nnstudio.core.scaling`).  The views draw pictures in the data's raw value range, mapped onto
[0, 1] (0 = the darkest value in the data, 1 = the brightest); a drawing comes back the other way: intensities
in [0, 1] → raw pixel values in that range → the dataset's scaling → the row the network is fed.
"""

from __future__ import annotations

import numpy as np

from .datasets import Dataset
from .network import Network

Array = np.ndarray
#: the side of the drawing pad in drawing pixels, about; each image pixel is a square block of them
PAD_SIDE = 160


def raw_range(dataset: Dataset) -> tuple[float, float]:
    """The smallest and largest raw input value of the training rows (the pictures' black and white).

    Computed from each column's extremes, so a 60,000 × 784 dataset is never copied whole to undo its scaling.
    """
    low, high = dataset.X.min(axis=0), dataset.X.max(axis=0)
    if dataset.scaling is not None:
        low, high = dataset.scaling.invert(low), dataset.scaling.invert(high)
    darkest, brightest = float(np.minimum(low, high).min()), float(np.maximum(low, high).max())
    return darkest, brightest if brightest > darkest else darkest + 1.0


def rows_as_images(dataset: Dataset, rows: Array, value_range: tuple[float, float] | None = None) -> Array:
    """Stored input rows (one or many) as pictures (rows, height, width) with values in [0, 1].

    ``value_range`` is :func:`raw_range` of the dataset, passed in when it is already known.
    """
    if dataset.image_shape is None:
        raise ValueError("the dataset's inputs are not an image (it has no image_shape)")
    low, high = raw_range(dataset) if value_range is None else value_range
    raw = dataset.raw_inputs(np.atleast_2d(np.asarray(rows, dtype=np.float64)))
    return np.clip((raw - low) / (high - low), 0.0, 1.0).reshape(-1, *dataset.image_shape)


def pad_size(image_shape: tuple[int, int]) -> tuple[int, int]:
    """The drawing pad's (height, width) in drawing pixels: whole blocks per image pixel, about :data:`PAD_SIDE`."""
    height, width = image_shape
    block = max(1, round(PAD_SIDE / max(height, width)))
    return height * block, width * block


def drawing_to_image(drawing: Array, image_shape: tuple[int, int]) -> Array:
    """A drawing (intensities in [0, 1] at :func:`pad_size`) as an image: each pixel is its block's mean ink.

    This is how the 8×8 digits were made (ink counted in 4×4 blocks of a 32×32 bitmap).
    """
    drawing = np.asarray(drawing, dtype=np.float64)
    height, width = image_shape
    if drawing.ndim != 2 or drawing.shape[0] % height or drawing.shape[1] % width:
        raise ValueError(f"a drawing of {drawing.shape} does not divide into {height} × {width} blocks")
    block_h, block_w = drawing.shape[0] // height, drawing.shape[1] // width
    return np.clip(drawing.reshape(height, block_h, width, block_w).mean(axis=(1, 3)), 0.0, 1.0)


def image_to_inputs(dataset: Dataset, image: Array, value_range: tuple[float, float] | None = None) -> Array:
    """The stored input row for a picture with values in [0, 1]: its raw pixel values, scaled as the data is."""
    if dataset.image_shape is None or np.shape(image) != dataset.image_shape:
        raise ValueError(f"a picture of {np.shape(image)} for a dataset of image shape {dataset.image_shape}")
    low, high = raw_range(dataset) if value_range is None else value_range
    raw = low + np.asarray(image, dtype=np.float64).reshape(-1) * (high - low)
    return dataset.scale(raw)


def incoming_weight_images(network: Network, dataset: Dataset) -> dict[str, Array]:
    """Per layer fed by an image input layer: its neurons' incoming weights as pictures (neurons, height, width).

    Only an input layer holding the whole picture (its size = height × width) is read as one.
    """
    shape = dataset.image_shape
    if shape is None:
        return {}
    graph = network.graph
    images: dict[str, Array] = {}
    for conn in graph.connections.values():
        source = graph.layers[conn.source]
        if source.role == "input" and source.size == shape[0] * shape[1] and conn.target not in images:
            weights = np.asarray(network.weights[conn.id], dtype=np.float64)  # (pixels, neurons)
            images[conn.target] = weights.T.reshape(-1, *shape)
    return images
