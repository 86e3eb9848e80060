"""The fast path for CSV files of plain numbers (an MNIST CSV): NumPy parses the bytes, X is built in place.

:func:`number_block` reads the data rows below a header straight from the file's bytes with NumPy's C parser,
chunk by chunk.  Text in the first chunk (categories), quotes or anything it cannot name give None, and the
careful reader in :mod:`nnstudio.core.csv_table` reads the file; a bad cell or row further down is named here
with the careful reader's own message, so a truncated 130 MB download is refused in seconds.
:func:`keep_columns_in_place` turns that block into the input matrix without a second copy of it.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

import numpy as np

from .dataset_error import DatasetError

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


def number_block(raw: bytes, offset: int, delimiter: str, names: Sequence[str], *, first_line: int,
                 width_line: int, first_part: int, part_rows: int, max_cell: int) -> np.ndarray | None:
    """The rows of ``raw`` after byte ``offset`` (line ``first_line``) as a C-ordered float array, one column
    per name, or None if they are not all plain numbers and the careful reader must look.

    When the one parse of all rows fails, they are parsed again in the careful reader's chunks (``first_part``
    rows, then ``part_rows``), so that a bad cell far down a big file is found in its chunk and named as that
    reader names it (line, column; a ragged row against line ``width_line``) without reading the whole file
    cell by cell.
    """
    if raw.find(b'"', offset) >= 0:
        return None  # quoted cells may hold delimiters or line breaks: the csv module's business
    stream = io.BytesIO(raw)
    stream.seek(offset)
    values = _parse(stream, delimiter, len(names))
    if values is None:
        _by_chunks(raw, _line_spans(raw, offset, first_line), delimiter, names, width_line, first_part, part_rows,
                   max_cell)
        return None
    finite = np.isfinite(values)
    if not finite.all():  # "inf" and "nan" parse; the careful reader refuses them
        _not_finite(raw, _line_spans(raw, offset, first_line), finite, delimiter, names)
    return values if len(values) else None


def _by_chunks(raw: bytes, spans: list[tuple[int, int, int]], delimiter: str, names: Sequence[str], width_line: int,
               first_part: int, part_rows: int, max_cell: int) -> None:
    """Raise the careful reader's message for the first chunk that does not parse; None when there is nothing
    to name here (text in the first chunk makes categories; a line of spaces is skipped by the careful reader)."""
    done = 0
    while done < len(spans):
        part = spans[done:done + (first_part if done == 0 else part_rows)]
        values = _parse(io.BytesIO(raw[part[0][1]:part[-1][2]]), delimiter, len(names))
        if values is None or len(values) != len(part):
            if done:
                _explain(raw, part, delimiter, names, width_line, max_cell)
            return None
        finite = np.isfinite(values)
        if not finite.all():
            _not_finite(raw, part, finite, delimiter, names)
        done += len(part)
    return None


def _not_finite(raw: bytes, spans: list[tuple[int, int, int]], finite: np.ndarray, delimiter: str,
                names: Sequence[str]) -> None:
    row, column = map(int, np.argwhere(~finite)[0])
    line, begin, stop = spans[row]
    cell = _cells(raw, begin, stop, delimiter)[column]
    raise DatasetError(f"line {line}, column {names[column]!r}: {cell!r} is not a finite number")


def _line_spans(raw: bytes, offset: int, first_line: int) -> list[tuple[int, int, int]]:
    """(line number, start, end) of each non-blank line from ``offset``; ``end`` includes the line break."""
    spans, line, start, size = [], first_line, offset, len(raw)
    while start < size:
        stop = raw.find(b"\n", start)
        stop = size if stop < 0 else stop + 1
        if stop - start > 2 or raw[start:stop].strip(b"\r\n"):  # a blank line is at most "\r\n"
            spans.append((line, start, stop))
        line, start = line + 1, stop
    return spans


def _parse(stream: io.BytesIO, delimiter: str, width: int) -> np.ndarray | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": None, the caller says it clearly
            values = np.loadtxt(stream, delimiter=delimiter, comments=None, quotechar=None, ndmin=2,
                                dtype=np.float64, encoding="latin-1")
    except ValueError:
        return None
    return values if values.shape[1] == width else None


def _cells(raw: bytes, start: int, stop: int, delimiter: str) -> list[str]:
    return raw[start:stop].rstrip(b"\r\n").decode("latin-1").split(delimiter)


def _explain(raw: bytes, part: list[tuple[int, int, int]], delimiter: str, names: Sequence[str], width_line: int,
             max_cell: int) -> None:
    """Raise what the careful reader raises for this chunk of rows: a too-long cell or a ragged row (the first,
    in line order), else the first column with a cell that is not a number (its first empty cell, else its first
    bad one).  Returns when it finds nothing it can name."""
    bad_rows = []
    for line, start, stop in part:
        cells = _cells(raw, start, stop, delimiter)
        if max(map(len, cells)) > max_cell:
            raise DatasetError(f"line {line}: a cell is longer than {max_cell} characters; this is not a table of "
                               "data")
        if all(not cell.strip() for cell in cells):
            return
        if len(cells) != len(names):
            raise DatasetError(f"line {line} has {len(cells)} cells, line {width_line} has {len(names)}")
        try:
            list(map(float, cells))
        except ValueError:
            bad_rows.append((line, cells))
    bad = [(column, line, cells[column]) for line, cells in bad_rows for column in range(len(names))
           if not is_number(cells[column])]
    if bad:
        first_column = min(column for column, _, _ in bad)
        in_column = [(line, cell) for column, line, cell in bad if column == first_column]
        line, cell = next(((ln, c) for ln, c in in_column if not c.strip()), in_column[0])
        name = names[first_column]
        if not cell.strip():
            raise DatasetError(f"line {line}, column {name!r}: the cell is empty (missing values are not supported)")
        raise DatasetError(f"line {line}, column {name!r}: {cell!r} is not a number")


def is_number(cell: str) -> bool:
    """Whether Python reads ``cell`` as a float (as the careful reader does)."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


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
