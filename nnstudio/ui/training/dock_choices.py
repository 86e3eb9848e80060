"""What the training dock offers to choose: the data menu's entries, learning rates, optimizers, losses, precisions
and batch modes, and which entry a dataset or a batch size stands for."""

from __future__ import annotations

from ...core import datasets

GATES = [("XOR", "xor"), ("AND", "and"), ("OR", "or"), ("NAND", "nand"), ("NOR", "nor"), ("XNOR", "xnor")]
GENERATED = [
    ("Circle", "circle"), ("XOR quadrants", "xor_quadrants"), ("Two Gaussians", "gaussians"),
    ("Spiral", "spiral"), ("Plane (regression)", "regression_plane"),
    ("Gaussian bumps (regression)", "regression_gaussian"),
]
RATES = ["0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "0.5", "1", "2", "4", "10"]
OPTIMIZERS = [("SGD", "sgd"), ("Momentum", "momentum"), ("Adam", "adam")]
LOSSES = [("Auto", "auto"), ("Mean squared error", "mse"), ("Binary cross-entropy", "bce"),
          ("Categorical cross-entropy", "ce")]
PRECISIONS = [("float64 (double)", "float64"), ("float32 (single)", "float32")]
BATCH_MODES = [("Full batch", "full"), ("Mini-batch", "mini"), ("Online (one sample)", "online")]
MAX_INT = 2**31 - 1


def batch_mode_of(batch_size: int | None) -> str:
    """The batch-mode entry a batch size stands for (None: full batch)."""
    return "full" if batch_size is None else "online" if batch_size == 1 else "mini"


def dataset_key(data: datasets.Dataset) -> str | None:
    """The dataset menu entry that made ``data``, recognised by its name."""
    for _label, key in GATES:
        if data.name == key.upper():
            return "gate:" + key
    names = {"circle": "circle", "xor quadrants": "xor_quadrants", "two gaussians": "gaussians", "spiral": "spiral",
             "plane": "regression_plane", "gaussian bumps": "regression_gaussian"}
    return "gen:" + names[data.name] if data.name in names else None


def described(data: datasets.Dataset) -> str:
    """The classes and the input scaling of ``data``, for the dataset summary (empty when it has neither)."""
    classes = f", {len(data.class_names)} classes" if data.class_names else ""
    return classes + (f", {data.scaling.method} scaling" if data.scaling else "")
