"""Reading a CSV file into typed columns: encoding, delimiter and header are found, text columns become categories.

:func:`read_table` gives a :class:`Table` of number and category columns; :func:`encode` turns it into input
and target matrices (categories one-hot).  Every problem raises :class:`DatasetError` with one message naming
the line and column, and hostile files are stopped early by the limits below, which still admit a
60,000 × 785 MNIST CSV.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .csv_numbers import head_of, is_number, keep_columns_in_place, line_offset, number_block
from .dataset_error import DatasetError

MAX_BYTES = 1024 * 1024 * 1024
MAX_COLUMNS = 20_000
MAX_CELL_CHARS = 100_000
MAX_CATEGORIES = 1000
DELIMITERS = (",", ";", "\t", "|")
_CHUNK_ROWS = 4096
_PROBE_ROWS = 64  # rows a header is judged on (it looks at 50 below it)
_SNIFF_LINES = 20


@dataclass
class Column:
    """One column: float values for numbers, or integer codes into ``categories`` for text."""

    name: str
    values: np.ndarray
    categories: list[str] | None = None

    @property
    def is_category(self) -> bool:
        return self.categories is not None


@dataclass
class Table:
    """The columns of a file; ``numbers`` is the one array they all view when every cell was a number."""

    columns: list[Column]
    delimiter: str = ","
    has_header: bool = True
    numbers: np.ndarray | None = None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass
class Encoded:
    """A table as numbers: inputs and targets, their column names, and the class names of a categorical target."""

    X: np.ndarray
    Y: np.ndarray
    input_names: list[str]
    output_names: list[str]
    class_names: list[str] = field(default_factory=list)
    kind: str = "regression"


# -- text ------------------------------------------------------------------------------
def decode(raw: bytes) -> str:
    """The text of a CSV file: UTF-8 with or without a byte-order mark, else latin-1; binary and UTF-16 refused."""
    head = raw[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 4 and _utf16_like(head)):
        raise DatasetError("the file is UTF-16 text; save it as UTF-8 (\"CSV UTF-8\") and load it again")
    zero = raw.find(b"\x00")
    if zero >= 0:
        raise DatasetError(f"the file is not text: it holds binary data (a zero byte at byte {zero})")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > max(2, len(sample) // 100):
        raise DatasetError("the file is not text: it holds binary data (control characters)")
    return text


def _utf16_like(head: bytes) -> bool:
    even, odd = head[0::2], head[1::2]
    return max(even.count(0), odd.count(0)) > len(odd) // 3


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, equally many, cells (a comma if none does)."""
    lines = [line for line in text[:262144].splitlines()[:_SNIFF_LINES] if line.strip()]
    best, best_width = ",", 1
    for delimiter in DELIMITERS:
        try:
            widths = {len(row) for row in csv.reader(lines, delimiter=delimiter)}
        except csv.Error:
            continue
        if len(widths) == 1 and (width := widths.pop()) > best_width:
            best, best_width = delimiter, width
    return best


# -- reading ---------------------------------------------------------------------------
def read_table(source: str | Path | bytes | io.TextIOBase) -> Table:
    """The columns of a CSV file, path, bytes or text stream; see the module doc."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise DatasetError(f"{path.name} is larger than {MAX_BYTES // 2**20} MB")
            raw = path.read_bytes()
        except OSError as exc:
            raise DatasetError(f"cannot read {path}: {exc.strerror or exc}") from None
    elif isinstance(source, bytes):
        raw = source
    else:
        return _with_cell_limit(_parse, source.read())
    table = _with_cell_limit(_numeric_table, raw)
    if table is not None:
        return table
    quoted = b'"' in raw  # without quotes the fast path has seen all NumPy could read: no second try below
    text = decode(raw)
    del raw  # the bytes of a big file are not kept beside its text
    return _with_cell_limit(lambda t: _parse(t, numbers_at_once=quoted), text)


def _with_cell_limit(parse, content):
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL_CHARS)
    try:
        return parse(content)
    finally:
        csv.field_size_limit(limit)


def _lines(text: str):
    """The lines of ``text`` with their endings, one at a time (``io.StringIO`` would hold 4 bytes a character)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


def _numeric_table(raw: bytes) -> Table | None:
    """A file of plain numbers under an optional header, parsed at once (see :mod:`.csv_numbers`); None for
    anything else, which :func:`_parse` then reads and, if it is at fault, names the line and column."""
    head = head_of(raw)
    try:
        text = decode(head)
        delimiter = sniff_delimiter(text)
        rows_in = _Rows(csv.reader(_lines(text), delimiter=delimiter))
        rows, _ = rows_in.chunk(_PROBE_ROWS)
        if not rows or (len(head) < len(raw) and len(rows) < _PROBE_ROWS):
            return None
        has_header = _looks_like_header(rows)
        names = _header_names(rows[0]) if has_header else [f"column {i + 1}" for i in range(len(rows[0]))]
    except DatasetError:
        return None
    offset = line_offset(raw, rows_in.first_line) if has_header else 0
    block = number_block(raw, offset, delimiter, names, first_line=rows_in.first_line + 1 if has_header else 1,
                         width_line=rows_in.first_line, first_part=_CHUNK_ROWS - 1 if has_header else _CHUNK_ROWS,
                         part_rows=_CHUNK_ROWS, max_cell=MAX_CELL_CHARS)
    if block is None:
        return None
    return Table([Column(name, block[:, j]) for j, name in enumerate(names)], delimiter, has_header, block)


class _Rows:
    """Non-blank records with their line numbers, in chunks, each checked against the header's width."""

    def __init__(self, reader, width: int | None = None):
        self.reader, self.width, self.line_no, self.first_line = reader, width, 0, 0

    def chunk(self, size: int) -> tuple[list[list[str]], list[int]]:
        rows: list[list[str]] = []
        lines: list[int] = []
        while len(rows) < size:
            try:
                row = next(self.reader)
            except StopIteration:
                break
            except csv.Error as exc:
                line = self.reader.line_num
                if "field larger than field limit" in str(exc):
                    raise DatasetError(f"line {line}: a cell is longer than {MAX_CELL_CHARS} characters; "
                                       "this is not a table of data") from None
                raise DatasetError(f"line {line}: not readable as CSV ({exc})") from None
            self.line_no = self.reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if self.width is None:
                self.width, self.first_line = len(row), self.line_no
                if self.width > MAX_COLUMNS:
                    raise DatasetError(f"line {self.line_no} has {self.width} columns; at most {MAX_COLUMNS} "
                                       "are supported")
            elif len(row) != self.width:
                raise DatasetError(f"line {self.line_no} has {len(row)} cells, line {self.first_line} has {self.width}")
            rows.append(row)
            lines.append(self.line_no)
        return rows, lines


def _parse(text: str, numbers_at_once: bool = True) -> Table:
    delimiter = sniff_delimiter(text)
    rows_in = _Rows(csv.reader(_lines(text), delimiter=delimiter))
    rows, lines = rows_in.chunk(_CHUNK_ROWS)
    if not rows:
        raise DatasetError("the file holds no rows of data")
    has_header = _looks_like_header(rows)
    if has_header:
        names = _header_names(rows[0])
        rows, lines = rows[1:], lines[1:]
        if not rows:
            raise DatasetError("a CSV dataset needs a header row and at least one data row")
    else:
        names = [f"column {i + 1}" for i in range(len(rows[0]))]
    first = np.array(rows, dtype=str)
    commas = _decimal_comma_columns(first) if delimiter != "," else []
    _point_decimals(first, commas)
    kinds = [_column_kind(first[:, j], names[j], lines) for j in range(len(names))]
    numeric = [j for j, k in enumerate(kinds) if k == "number"]
    texts = [j for j, k in enumerate(kinds) if k == "category"]
    if numbers_at_once and not texts and not commas:
        skip = rows_in.first_line if has_header else rows_in.first_line - 1
        values = _all_numbers(text, delimiter, skip, len(names))
        if values is not None:
            return Table([Column(name, values[:, j]) for j, name in enumerate(names)], delimiter, has_header)
    number_parts, text_parts = [], []
    block = first
    while True:
        number_parts.append(_numbers(block, numeric, names, lines))
        text_parts.append(_texts(block, texts, names, lines))
        rows, lines = rows_in.chunk(_CHUNK_ROWS)
        if not rows:
            break
        block = np.array(rows, dtype=str)
        _point_decimals(block, commas)
    numbers = np.concatenate(number_parts)
    columns: list[Column | None] = [None] * len(names)
    for k, j in enumerate(numeric):
        columns[j] = Column(names[j], numbers[:, k])
    for k, j in enumerate(texts):
        strings = np.concatenate([part[:, k] for part in text_parts])
        categories, codes = np.unique(strings, return_inverse=True)
        if len(categories) > MAX_CATEGORIES:
            raise DatasetError(f"column {names[j]!r} has {len(categories)} different texts; a category column may "
                               f"have at most {MAX_CATEGORIES} (is it a column of names or ids?)")
        order = sorted(range(len(categories)), key=lambda i: _natural_key(str(categories[i])))
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        columns[j] = Column(names[j], rank[codes], [str(categories[i]) for i in order])
    return Table([c for c in columns if c is not None], delimiter, has_header)


def _all_numbers(text: str, delimiter: str, skip: int, width: int) -> np.ndarray | None:
    """A table of numbers read by NumPy's fast parser; None when it does not parse cleanly (the slow path then
    finds the cell at fault)."""
    lines = text.splitlines()
    try:
        values = np.loadtxt(lines, delimiter=delimiter, skiprows=skip, ndmin=2, comments=None, quotechar='"',
                            dtype=np.float64)
    except ValueError:
        return None
    rows = sum(1 for line in lines[skip:] if line.strip())  # every data line became one row (no line was split)
    return values if values.shape == (rows, width) and np.isfinite(values).all() else None


def _decimal_comma_columns(cells: np.ndarray) -> list[int]:
    """Columns that are numbers once a decimal comma is read as a point (as in ``1,5;2,25``)."""
    found = []
    for j in range(cells.shape[1]):
        if not all(map(is_number, cells[:, j])) and all(is_number(c.replace(",", ".")) for c in cells[:, j]):
            found.append(j)
    return found


def _point_decimals(block: np.ndarray, columns: list[int]) -> None:
    if columns:
        block[:, columns] = np.char.replace(block[:, columns], ",", ".")


def _looks_like_header(rows: list[list[str]]) -> bool:
    """The first row is a header when a cell of it is text above numbers, or all its cells are text seen only there."""
    first, rest = rows[0], rows[1:51]
    if not rest:
        return not all(is_number(c) for c in first)
    for j, cell in enumerate(first):
        below = [row[j] for row in rest]
        if not is_number(cell) and sum(map(is_number, below)) * 2 > len(below):
            return True
    return all(not is_number(c) for c in first) and all(
        first[j].strip() not in {row[j].strip() for row in rest} for j in range(len(first))
    )


def _header_names(row: list[str]) -> list[str]:
    names = [cell.strip() or f"column {j + 1}" for j, cell in enumerate(row)]
    seen: dict[str, int] = {}
    for j, name in enumerate(names):
        if name in seen:
            raise DatasetError(f"the header names column {name!r} twice (columns {seen[name] + 1} and {j + 1}); "
                               "rename one")
        seen[name] = j
    return names


def _column_kind(cells: np.ndarray, name: str, lines: list[int]) -> str:
    """"number" when every cell is one; "category" when at least half are text; else the first odd cell is an error."""
    try:
        cells.astype(np.float64)
        return "number"
    except ValueError:
        pass
    text = [i for i, cell in enumerate(cells) if not is_number(cell)]
    if any(not cells[i].strip() for i in text):
        _cell_error(cells, name, lines, text)
    if len(text) * 2 >= len(cells):
        return "category"
    _cell_error(cells, name, lines, text)
    return "number"


def _cell_error(cells: np.ndarray, name: str, lines: list[int], bad: list[int]) -> None:
    i = next((i for i in bad if not cells[i].strip()), bad[0])
    if not cells[i].strip():
        raise DatasetError(f"line {lines[i]}, column {name!r}: the cell is empty (missing values are not supported)")
    raise DatasetError(f"line {lines[i]}, column {name!r}: {str(cells[i])!r} is not a number")


def _numbers(block: np.ndarray, numeric: list[int], names: list[str], lines: list[int]) -> np.ndarray:
    if not numeric:
        return np.empty((len(block), 0))
    part = block[:, numeric]
    try:
        values = part.astype(np.float64)
    except ValueError:
        for k, j in enumerate(numeric):
            bad = [i for i, cell in enumerate(part[:, k]) if not is_number(cell)]
            if bad:
                _cell_error(part[:, k], names[j], lines, bad)
        raise
    if not np.isfinite(values).all():
        i, k = map(int, np.argwhere(~np.isfinite(values))[0])
        raise DatasetError(f"line {lines[i]}, column {names[numeric[k]]!r}: {str(part[i, k])!r} is not a finite number")
    return values


def _texts(block: np.ndarray, texts: list[int], names: list[str], lines: list[int]) -> np.ndarray:
    if not texts:
        return np.empty((len(block), 0), dtype=str)
    part = np.char.strip(block[:, texts])
    empty = np.argwhere(part == "")
    if len(empty):
        i, k = map(int, empty[0])
        raise DatasetError(f"line {lines[i]}, column {names[texts[k]]!r}: the cell is empty "
                           "(missing values are not supported)")
    return part


def _natural_key(text: str) -> tuple:
    try:
        number = float(text)
    except ValueError:
        return (1, math.inf, text)
    return (0, number, text)


# -- encoding --------------------------------------------------------------------------
def target_indices(table: Table, targets: Sequence[str] | int) -> list[int]:
    """Column positions of the targets: names (or 1-based numbers), or a count of last columns."""
    names = table.names
    if isinstance(targets, int):
        if not 1 <= targets < len(names):
            raise DatasetError(f"cannot take {targets} target column(s) from {len(names)} columns")
        return list(range(len(names) - targets, len(names)))
    chosen = []
    for target in targets:
        if target in names:
            chosen.append(names.index(target))
        elif target.isdigit() and 1 <= int(target) <= len(names):
            chosen.append(int(target) - 1)
        else:
            raise DatasetError(f"no column named {target!r}; the columns are {', '.join(names)}")
    if len(set(chosen)) != len(chosen):
        raise DatasetError("a target column is named twice")
    if len(chosen) == len(names):
        raise DatasetError("every column is a target: at least one input column is needed")
    return chosen


def encode(table: Table, targets: Sequence[str] | int = 1, classes: bool = False, consume: bool = False) -> Encoded:
    """Inputs and targets as float matrices; category columns one-hot, a single categorical target's classes kept.

    ``classes`` makes numeric target columns class labels too (a ``digit`` column of 0…9 becomes 10 classes).
    ``consume`` lets the inputs be built over the table's own number array (no second copy of a big file);
    the table must not be used afterwards.
    """
    target_cols = target_indices(table, targets)
    inputs = [c for j, c in enumerate(table.columns) if j not in target_cols]
    outputs = [table.columns[j] for j in target_cols]
    if classes:
        outputs = [c if c.is_category else _as_category(c) for c in outputs]
    Y, output_names = _one_hot(outputs, prefix_always=len(outputs) > 1)  # a copy: made before X may reuse memory
    labels = all(c.is_category or len(np.unique(c.values)) <= 2 for c in outputs)
    if consume and table.numbers is not None:
        X = keep_columns_in_place(table.numbers, [j for j in range(len(table.columns)) if j not in target_cols])
        input_names = [c.name for c in inputs]
    else:
        X, input_names = _one_hot(inputs, prefix_always=True)
    if X.shape[1] > MAX_COLUMNS:
        raise DatasetError(f"the categories make {X.shape[1]} input columns; at most {MAX_COLUMNS} are supported")
    class_names = list(outputs[0].categories or []) if len(outputs) == 1 else []
    return Encoded(X, Y, input_names, output_names, class_names, "classification" if labels else "regression")


def _as_category(column: Column) -> Column:
    values, codes = np.unique(column.values, return_inverse=True)
    if len(values) > MAX_CATEGORIES:
        raise DatasetError(f"column {column.name!r} has {len(values)} different values; a class column may have "
                           f"at most {MAX_CATEGORIES}")
    return Column(column.name, codes.reshape(-1), [f"{v:g}" for v in values.tolist()])


def _one_hot(columns: list[Column], prefix_always: bool) -> tuple[np.ndarray, list[str]]:
    parts, names = [], []
    for col in columns:
        if col.categories is not None:
            parts.append((col.values[:, None] == np.arange(len(col.categories))).astype(np.float64))
            names += [f"{col.name}={c}" if prefix_always else c for c in col.categories]
        else:
            parts.append(col.values[:, None])
            names.append(col.name)
    return np.hstack(parts), names
