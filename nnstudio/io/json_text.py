"""JSON text for saved files: indented structure, number tables one row per line, written at C speed.

``json.dumps(indent=...)`` formats every number on its own line in pure
Python.  :func:`readable_chunks` indents only the structure and writes each
list of numbers, or each row of a table of numbers (lists or NumPy arrays),
with the C encoder, one piece at a time, so a large table is never held as
one string; long strings and a dataset's base64 block (made as it is written,
:class:`~nnstudio.io.number_blocks.Base64Pieces`) are written in pieces too.
The result is the same JSON value.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import numpy as np

from .number_blocks import Base64Pieces

_NUMBER_TYPES = frozenset({int, float})
_LONG_STRING = 2**20  # characters: strings longer than this are written a piece at a time


def _is_numbers(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and set(map(type, value)) <= _NUMBER_TYPES


def _is_table(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_numbers(row) for row in value)


def _row(values: Any) -> str:
    return json.dumps(values.tolist() if isinstance(values, np.ndarray) else values, allow_nan=False)


def _table_chunks(table: Any) -> Iterator[str]:
    if isinstance(table, Base64Pieces):  # base64 needs no escaping
        yield '"'
        yield from table.pieces()
        yield '"'
        return
    if isinstance(table, str):
        yield '"'
        for start in range(0, len(table), _LONG_STRING):  # escaping is per character: pieces join to the whole
            yield json.dumps(table[start:start + _LONG_STRING])[1:-1]
        yield '"'
        return
    if isinstance(table, np.ndarray) and table.ndim == 1 or _is_numbers(table):
        yield _row(table)
        return
    yield "[\n"
    for i, row in enumerate(table):
        yield (",\n" if i else "") + _row(row)
    yield "\n]"


def readable_chunks(data: Any) -> Iterator[str]:
    """The pieces of ``data`` as indented JSON with compact number rows (NaN and infinities are refused)."""
    marker = f"@@table-{secrets.token_hex(8)}-"  # a string no document holds by chance
    tables: list[Any] = []

    def swap(node: Any) -> Any:
        if (isinstance(node, np.ndarray) and node.ndim in (1, 2) and node.size or _is_numbers(node) or _is_table(node)
                or isinstance(node, str) and len(node) > _LONG_STRING or isinstance(node, Base64Pieces)):
            tables.append(node)
            return f"{marker}{len(tables) - 1}"
        if isinstance(node, np.ndarray):
            return node.tolist()
        if isinstance(node, dict):
            return {key: swap(value) for key, value in node.items()}
        if isinstance(node, list):
            return [swap(value) for value in node]
        return node

    parts = json.dumps(swap(data), indent=1, allow_nan=False).split(f'"{marker}')
    yield parts[0]
    for part in parts[1:]:
        number, _, rest = part.partition('"')
        yield from _table_chunks(tables[int(number)])
        yield rest


def dumps_readable(data: Any) -> str:
    """``data`` as one string of :func:`readable_chunks`."""
    return "".join(readable_chunks(data))


def write_readable(data: Any, fh: Any, end: str = "") -> None:
    """Write :func:`readable_chunks` of ``data`` (then ``end``) as UTF-8 to the binary file ``fh``."""
    for chunk in readable_chunks(data):
        fh.write(chunk.encode("utf-8"))
    fh.write(end.encode("utf-8"))
