"""Loading a dataset from a file, chosen by extension: CSV, NumPy ``.npz`` or MNIST IDX (``.idx``, ``.gz``).

``load_data(path, targets)`` is the one entry point.  An ``.npz`` holds ``X``/``y`` or ``inputs``/``targets``
(optionally ``class_names``, ``input_names``, ``output_names``); an integer 1-D target becomes one-hot classes.
An IDX image file (``train-images-idx3-ubyte.gz``) finds its labels file by name, or takes it as ``targets``.
Pictures (IDX images, an ``X`` of shape rows × height × width) keep their ``image_shape``.
Declared shapes are checked against the file's size before anything large is allocated.
"""

from __future__ import annotations

import gzip
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .datasets import Dataset, DatasetError, read_csv

MAX_ARRAY_BYTES = 4 * 1024**3  # of float64 data: admits 60,000 × 784 several times over
MAX_CLASSES = 1000
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
DATA_SUFFIXES = (*CSV_SUFFIXES, ".npz", ".idx", ".gz", ".ubyte")
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def load_data(path: str | os.PathLike, targets: Sequence[str] | int | None = None, classes: bool = False) -> Dataset:
    """A dataset from ``path``; ``targets`` are CSV target columns (default: the last) or an IDX labels path.

    ``classes`` reads numeric CSV targets as class labels (.npz and IDX integer labels always are).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise DatasetError(f"no file {path}")
    if suffix in CSV_SUFFIXES:
        return read_csv(path, targets if targets else 1, classes=classes)
    if suffix == ".npz":
        return read_npz(path)
    if suffix in (".idx", ".gz", ".ubyte") or "idx" in path.name:
        labels = targets[0] if isinstance(targets, Sequence) and targets else None
        return read_idx(path, labels)
    raise DatasetError(f"cannot read data from {suffix or 'a file without extension'!r} files; "
                       f"use one of {', '.join(DATA_SUFFIXES)}")


def classes_from_labels(labels: np.ndarray, names: Sequence[str] | None = None) -> tuple[np.ndarray, list[str]]:
    """One-hot targets and class names for a vector of class labels (names default to the labels)."""
    values, codes = np.unique(labels, return_inverse=True)
    if len(values) > MAX_CLASSES:
        raise DatasetError(f"{len(values)} different labels; at most {MAX_CLASSES} classes are supported")
    if names is not None:
        if np.issubdtype(values.dtype, np.integer) and values.min() >= 0 and values.max() < len(names):
            return _one_hot(values.astype(np.int64)[codes.reshape(-1)], len(names)), [str(n) for n in names]
        raise DatasetError(f"{len(names)} class names for labels {values.min()}…{values.max()}")
    return _one_hot(codes.reshape(-1), len(values)), [str(v) for v in values.tolist()]


def _one_hot(codes: np.ndarray, width: int) -> np.ndarray:
    out = np.zeros((len(codes), width))
    out[np.arange(len(codes)), codes] = 1.0
    return out


# -- .npz ------------------------------------------------------------------------------
def read_npz(path: str | os.PathLike) -> Dataset:
    """A dataset from a NumPy archive (see the module doc); no pickles are ever loaded."""
    path = Path(path)
    try:
        _check_npz_members(path)
        with np.load(path, allow_pickle=False) as archive:
            keys = set(archive.files)
            pair = next((p for p in (("X", "y"), ("inputs", "targets"), ("X", "Y")) if set(p) <= keys), None)
            if pair is None:
                raise DatasetError(f"{path.name} holds {', '.join(sorted(keys)) or 'nothing'}; "
                                   "expected arrays X and y, or inputs and targets")
            X, y = archive[pair[0]], archive[pair[1]]
            extra = {k: archive[k].tolist() for k in ("class_names", "input_names", "output_names") if k in keys}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        if isinstance(exc, DatasetError):
            raise
        raise DatasetError(f"{path.name} is not a readable .npz archive ({exc})") from None
    image_shape = (int(X.shape[1]), int(X.shape[2])) if X.ndim == 3 else None  # a stack of pictures
    if X.ndim > 2:
        X = X.reshape(len(X), -1)
    class_names = extra.get("class_names")
    if y.ndim == 1 and (np.issubdtype(y.dtype, np.integer) or y.dtype.kind in "US" or class_names):
        Y, class_names = classes_from_labels(y, class_names)
        output_names = list(class_names)
    else:
        Y, class_names = y, []
        output_names = extra.get("output_names", [])
    kind = "classification" if class_names or all(len(np.unique(c)) <= 2 for c in np.atleast_2d(Y.T)) else \
        "regression"
    return Dataset(X.astype(np.float64, copy=False), Y, name=path.stem, input_names=extra.get("input_names", []),
                   output_names=output_names, kind=kind, class_names=class_names, image_shape=image_shape)


def _check_npz_members(path: Path) -> None:
    """Refuse members whose declared array is larger than allowed or than their stored bytes."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.endswith(".npy"):
                    with archive.open(info) as fh:
                        major, _ = np.lib.format.read_magic(fh)
                        read_header = np.lib.format.read_array_header_1_0 if major == 1 else \
                            np.lib.format.read_array_header_2_0
                        shape, _, dtype = read_header(fh)
                    _check_size(shape, dtype, info.file_size, f"{path.name}:{info.filename}")
    except zipfile.BadZipFile:
        raise DatasetError(f"{path.name} is not a .npz archive (not a zip file)") from None


def _check_size(shape: tuple[int, ...], dtype: np.dtype, stored: int, where: str) -> None:
    count = int(np.prod(shape, dtype=object))
    if count * 8 > MAX_ARRAY_BYTES or count * np.dtype(dtype).itemsize > stored:
        dims = "×".join(map(str, shape))
        raise DatasetError(f"{where} declares a {dims} array, which is larger than the file or than "
                           f"{MAX_ARRAY_BYTES // 2**30} GB of numbers")


# -- MNIST IDX -------------------------------------------------------------------------
def read_idx_array(path: str | os.PathLike) -> np.ndarray:
    """The array in one IDX file (gzip-compressed or not), its declared size checked before it is read."""
    path = Path(path)
    try:
        with open(path, "rb") as probe:
            opener = gzip.open if probe.read(2) == b"\x1f\x8b" else open
        with opener(path, "rb") as fh:
            magic = fh.read(4)
            if len(magic) < 4 or magic[:2] != b"\0\0" or magic[2] not in _IDX_TYPES or not 1 <= magic[3] <= 4:
                raise DatasetError(f"{path.name} is not an IDX file (it does not start with an IDX header)")
            dtype = np.dtype(_IDX_TYPES[magic[2]])
            dims_raw = fh.read(4 * magic[3])
            if len(dims_raw) < 4 * magic[3]:
                raise DatasetError(f"{path.name} ends inside its IDX header")
            shape = tuple(int(d) for d in np.frombuffer(dims_raw, dtype=">u4"))
            count = int(np.prod(shape, dtype=object))
            if count * 8 > MAX_ARRAY_BYTES:
                raise DatasetError(f"{path.name} declares a {'×'.join(map(str, shape))} array, larger than "
                                   f"{MAX_ARRAY_BYTES // 2**30} GB of numbers")
            data = fh.read(count * dtype.itemsize + 1)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DatasetError(f"cannot read {path.name}: {exc}") from None
    if len(data) != count * dtype.itemsize:
        raise DatasetError(f"{path.name} declares {'×'.join(map(str, shape))} values but holds "
                           f"{'more' if len(data) > count * dtype.itemsize else 'fewer'} bytes")
    return np.frombuffer(data, dtype=dtype).reshape(shape)


def labels_path_for(images: Path) -> Path | None:
    """The labels file that sits next to an MNIST-style images file, if there is one."""
    name = images.name.replace("images", "labels").replace("idx3", "idx1")
    candidate = images.with_name(name)
    return candidate if name != images.name and candidate.is_file() else None


def read_idx(images: str | os.PathLike, labels: str | os.PathLike | None = None) -> Dataset:
    """MNIST-style images (each flattened to one row) with their class labels."""
    images = Path(images)
    labels = Path(labels) if labels else labels_path_for(images)
    if labels is None:
        raise DatasetError(f"no labels file found next to {images.name}; give it as the target "
                           "(nnstudio new … --target LABELS.idx)")
    pixels = read_idx_array(images)
    label_values = read_idx_array(labels)
    if label_values.ndim != 1 or len(label_values) != len(pixels):
        raise DatasetError(f"{labels.name} holds {label_values.shape} labels for {len(pixels)} images")
    Y, class_names = classes_from_labels(label_values)
    image_shape = (int(pixels.shape[1]), int(pixels.shape[2])) if pixels.ndim == 3 else None  # MNIST: 28 × 28
    X = pixels.reshape(len(pixels), -1).astype(np.float64)
    del pixels
    names = [f"p{i}" for i in range(X.shape[1])]
    return Dataset(X, Y, name=images.name.split(".")[0], input_names=names, output_names=list(class_names),
                   kind="classification", class_names=class_names, image_shape=image_shape)
