"""Large tables of numbers in a project file: one base64 string of little-endian float64 instead of rows of text.

A 60,000 × 784 dataset as JSON rows is ~540 MB that the parser turns into 47 million Python floats (several GB,
minutes); as a block it is one string the parser copies at C speed and that decodes straight into the array.
Tables of at most :data:`LIST_CELLS` numbers stay readable rows, so teaching datasets remain diffable text.

    {"dtype": "float64", "shape": [60000, 784], "base64": "AAAAAAAA8D8..."}

:func:`decode_table` checks the declared shape against the limits and the string's length before it allocates,
so a small file cannot ask for gigabytes.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

LIST_CELLS = 10_000  # tables up to this many numbers are written as rows (XOR, iris); larger ones as blocks
BLOCK_KEYS = frozenset({"dtype", "shape", "base64"})
_DTYPE = np.dtype("<f8")
_PIECE_CHARS = 4 * 2**20  # base64 decoded a piece at a time into the array (a multiple of 4 characters)
_ENCODE_PIECE_BYTES = 3 * 2**18  # bytes encoded at a time (a multiple of 3)


class BlockError(ValueError):
    """A block that is not one; the message says what is wrong (the caller adds the field)."""


def encode_table(values: np.ndarray) -> list | dict:
    """``values`` (a 2-D float array) as JSON: rows of numbers when small, else a base64 block."""
    block = encode_table_in_pieces(values)
    if isinstance(block, dict):
        block["base64"] = "".join(block["base64"].pieces())
    return block


class Base64Pieces:
    """The base64 text of an array, made a piece at a time as a file is written (never one string in memory).

    Each piece holds the interpreter lock for a moment only, so a save on a worker thread leaves the GUI
    thread free; pieces of a multiple of 3 bytes join to the base64 of the whole.
    """

    def __init__(self, values: np.ndarray):
        self.memory = np.ascontiguousarray(values, dtype=_DTYPE).data.cast("B")  # the array's own memory

    def pieces(self) -> Iterator[str]:
        for start in range(0, len(self.memory), _ENCODE_PIECE_BYTES):
            yield base64.b64encode(self.memory[start:start + _ENCODE_PIECE_BYTES]).decode("ascii")


def encode_table_in_pieces(values: np.ndarray) -> list | dict:
    """As :func:`encode_table`, with the block's text as :class:`Base64Pieces` (for the file writer only)."""
    values = np.asarray(values, dtype=float)
    if values.size <= LIST_CELLS:
        return values.tolist()
    return {"dtype": "float64", "shape": list(values.shape), "base64": Base64Pieces(values)}


def is_block(value: Any) -> bool:
    return isinstance(value, dict)


def block_cells(value: Any) -> int:
    """How many numbers a block declares (its shape checked first), before anything is decoded."""
    return math.prod(_shape(value))


def _shape(value: Any) -> tuple[int, int]:
    if not isinstance(value, dict) or set(value) != BLOCK_KEYS:
        keys = ", ".join(sorted(map(str, value))) if isinstance(value, dict) else type(value).__name__
        raise BlockError(f"expected rows of numbers or a block with keys base64, dtype, shape (got {keys})")
    if value["dtype"] != "float64":
        raise BlockError(f"dtype must be \"float64\", not {value['dtype']!r}")
    shape = value["shape"]
    if not (isinstance(shape, list) and len(shape) == 2 and all(
            isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 2**40 for n in shape)):
        raise BlockError("shape must be [rows, columns], two whole numbers")
    if not isinstance(value["base64"], str):
        raise BlockError("base64 must be a string")
    return shape[0], shape[1]


def decode_table(value: Any) -> np.ndarray:
    """The float array of a block; its length is checked against the shape before the array is made."""
    rows, columns = _shape(value)
    text: str = value["base64"]
    expected = rows * columns * _DTYPE.itemsize
    if len(text) != 4 * math.ceil(expected / 3):
        raise BlockError(f"a {rows}×{columns} block needs {expected:,} bytes; the base64 text holds about "
                         f"{len(text) * 3 // 4:,}")
    out = np.empty((rows, columns), dtype=_DTYPE)
    target = out.reshape(-1).view(np.uint8)
    written = 0
    try:
        for start in range(0, len(text), _PIECE_CHARS):
            piece = binascii.a2b_base64(text[start:start + _PIECE_CHARS], strict_mode=True)
            target[written:written + len(piece)] = np.frombuffer(piece, dtype=np.uint8)
            written += len(piece)
    except (binascii.Error, ValueError) as exc:
        raise BlockError(f"not valid base64 ({exc})") from None
    if written != expected:
        raise BlockError(f"the base64 text decodes to {written:,} bytes, not {expected:,}")
    if not np.isfinite(out).all():
        raise BlockError("contains NaN or infinite values")
    return out.astype(float, copy=False)
