"""The fast path for CSV files of plain numbers (an MNIST CSV): one NumPy parse of the bytes, X built in place.

:func:`number_block` reads the data rows below a header straight from the file's bytes with NumPy's C parser,
or gives None whenever the body is anything but clean numbers (quotes, text, empty or non-finite cells, ragged
rows), so that the careful reader in :mod:`nnstudio.core.csv_table` finds the cell at fault and names it.
:func:`keep_columns_in_place` turns that block into the input matrix without a second copy of it.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

import numpy as np

HEAD_BYTES = 1024 * 1024  # enough for the header and the rows that decide it, even for 784 columns


def head_of(raw: bytes) -> bytes:
    """The first whole lines of ``raw`` (at most :data:`HEAD_BYTES`; all of it for a small file)."""
    if len(raw) <= HEAD_BYTES:
        return raw
    end = raw.rfind(b"\n", 0, HEAD_BYTES)
    return raw[: end + 1] if end >= 0 else b""


def line_offset(raw: bytes, lines: int) -> int:
    """The byte offset just after the first ``lines`` line endings of ``raw``."""
    offset = 0
    for _ in range(lines):
        offset = raw.index(b"\n", offset) + 1
    return offset


def number_block(raw: bytes, offset: int, delimiter: str, width: int) -> np.ndarray | None:
    """The rows of ``raw`` after byte ``offset`` as a C-ordered float array ``width`` wide, or None if they are
    not all plain finite numbers (the caller then reads the file cell by cell)."""
    if raw.find(b'"', offset) >= 0:
        return None  # quoted cells may hold delimiters or line breaks: the csv module's business
    stream = io.BytesIO(raw)
    stream.seek(offset)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": None below, the caller says it clearly
            values = np.loadtxt(stream, delimiter=delimiter, comments=None, quotechar=None, ndmin=2,
                                dtype=np.float64, encoding="latin-1")
    except ValueError:
        return None
    if values.shape[0] == 0 or values.shape[1] != width or not np.isfinite(values).all():
        return None
    return values


def keep_columns_in_place(block: np.ndarray, keep: Sequence[int]) -> np.ndarray:
    """``block[:, keep]`` written over ``block``'s own memory, row chunk by row chunk (``block`` is spent).

    Row ``i`` of the result lands at or before where row ``i`` of ``block`` starts, so no unread row is
    overwritten; the result is C-contiguous and costs no second array of the data's size.
    """
    rows, width = block.shape
    columns = np.asarray(keep, dtype=np.intp)
    if np.array_equal(columns, np.arange(width)):
        return block
    if not block.flags.c_contiguous:
        return block[:, columns]
    flat = block.reshape(-1)
    kept = len(columns)
    step = max(1, 2**20 // max(width, 1))
    for start in range(0, rows, step):
        part = block[start:start + step][:, columns]  # fancy indexing: a copy, read before anything is written
        flat[start * kept:start * kept + part.size] = part.reshape(-1)
    return flat[: rows * kept].reshape(rows, kept)
