"""Image inputs: checking a dataset's ``image_shape`` (its input columns as a height × width picture, row-major)."""

from __future__ import annotations

from .dataset_error import DatasetError

MAX_IMAGE_SIDE = 4096  # far above MNIST's 28; a hostile file cannot make a thumbnail of 10**9 pixels


def image_shape_problem(shape: object, n_inputs: int) -> str | None:
    """Why ``shape`` is not a valid image shape for ``n_inputs`` input columns (None if it is, or is None)."""
    if shape is None:
        return None
    if not isinstance(shape, list | tuple) or len(shape) != 2 or not all(
            isinstance(side, int) and not isinstance(side, bool) for side in shape):
        return "expected [height, width], two whole numbers"
    height, width = shape
    if not (1 <= height <= MAX_IMAGE_SIDE and 1 <= width <= MAX_IMAGE_SIDE):
        return f"height and width must be from 1 to {MAX_IMAGE_SIDE}, not {height} × {width}"
    if height * width != n_inputs:
        return f"{height} × {width} = {height * width} pixels, but the dataset has {n_inputs} input columns"
    return None


def check_image_shape(shape: object, n_inputs: int) -> tuple[int, int] | None:
    """``shape`` as a (height, width) tuple, or None; raises :class:`DatasetError` when it does not fit."""
    problem = image_shape_problem(shape, n_inputs)
    if problem:
        raise DatasetError(f"image shape: {problem}")
    return None if shape is None else (int(shape[0]), int(shape[1]))  # type: ignore[index]
