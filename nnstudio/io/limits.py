"""Limits on the files nnstudio reads, and a JSON reader that enforces them before anything is built.

:func:`read_json` parses bytes into plain JSON values and refuses, with a
:class:`JsonLimitError` naming the place at fault, what no nnstudio file holds:
more values than the largest real project, nesting deeper than
:data:`MAX_JSON_DEPTH`, numbers beyond the float range (``10**400``), ``NaN``
and ``Infinity``, and strings that are not valid Unicode (lone surrogates).
Every limit, with its reason, is listed in ``docs/project-format.md``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ..core.limits import (  # noqa: F401  (re-exported: one place to read every limit)
    MAX_CONNECTIONS,
    MAX_DATASET_CELLS,
    MAX_LAYER_SIZE,
    MAX_LAYERS,
    MAX_PARAMETERS,
)

MAX_PROJECT_BYTES = 2**30  # an MNIST-sized project (70,000 × 784 rows in blocks, 784-512-512-10) is ~580 MB
MAX_IMPORT_BYTES = 64 * 2**20  # Synaptic.js / brain.js files: a network of a million synapses is ~60 MB
MAX_WEIGHTS_BYTES = 512 * 2**20  # weights JSON or .npz of MAX_PARAMETERS numbers is ~270 MB as JSON
# values in one JSON document: the largest dataset and network, their history and snapshots, with room
MAX_JSON_VALUES = MAX_DATASET_CELLS + MAX_PARAMETERS + 6_000_000
MAX_JSON_DEPTH = 64  # the deepest nnstudio section nests 6 levels
MAX_NAME_CHARS = 256  # layer, dataset, column and project names, ids
MAX_TEXT_CHARS = 100_000  # the project description
MAX_INT = 2**31 - 1  # seeds, epochs, patience: what the GUI's spin boxes (32-bit) can show
_FLOAT_MAX = sys.float_info.max
_SCALARS = frozenset({int, float, bool, type(None)})


class JsonLimitError(ValueError):
    """JSON that is not valid or breaks a limit; ``where`` is the path of the part at fault ("" = the file)."""

    def __init__(self, where: str, message: str):
        self.where, self.message = where, message
        super().__init__(f"{where}: {message}" if where else message)


def read_json(raw: bytes) -> Any:
    """Parse UTF-8 JSON (a byte-order mark is allowed) within the limits above; raises :class:`JsonLimitError`."""
    return parse_json_text(json_text_of(raw))


def json_text_of(raw: bytes) -> str:
    """The text of a UTF-8 JSON file (a byte-order mark is allowed); :class:`JsonLimitError` if it has none."""
    if not raw.strip():
        raise JsonLimitError("", "the file is empty")
    try:
        return raw.decode("utf-8-sig")  # editors on Windows may add a byte-order mark
    except UnicodeDecodeError:
        raise JsonLimitError("", "the file is not text (not UTF-8 JSON)") from None


def parse_json_text(text: str) -> Any:
    """The JSON values of ``text`` within the limits above (see :func:`read_json`)."""
    # every value but the last is followed by a comma: this bounds the values before any is built
    values = text.count(",") + 1
    if values > MAX_JSON_VALUES:
        raise JsonLimitError("", f"the file holds about {values:,} values; the limit is {MAX_JSON_VALUES:,} "
                                 "(MAX_JSON_VALUES)")
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        what = exc.msg.removesuffix(" starting at").lower()  # json's "Unterminated string starting at"
        raise JsonLimitError("", f"not valid JSON: {what} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise JsonLimitError("", f"the JSON is nested too deeply (the limit is {MAX_JSON_DEPTH} levels)") from None
    check_tree(data)
    return data


def _refuse_constant(name: str) -> None:
    raise JsonLimitError("", f"{name} is not allowed: numbers must be finite")


def _bounded_int(text: str) -> int:
    # 309 digits already exceed the float range; longer ones would also hit Python's 4300-digit guard
    if len(text.lstrip("-")) > 309 or abs(value := int(text)) > _FLOAT_MAX:
        raise JsonLimitError("", f"the number {text[:20]}… is beyond the range of floating-point numbers")
    return value


def check_tree(data: Any) -> None:
    """Depth, number range and Unicode of every value under ``data`` (a parsed JSON document)."""
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        node, where, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            section = where.split(".")[0].split("[")[0]  # the full path would be as deep as the nesting
            raise JsonLimitError(section, f"nested too deeply (the limit is {MAX_JSON_DEPTH} levels)")
        if isinstance(node, dict):
            for key, value in node.items():
                path = f"{where}.{key}" if where else str(key)
                _check_string(key, where)
                stack.append((value, path, depth + 1))
        elif isinstance(node, list):
            kinds = set(map(type, node))
            if kinds <= _SCALARS:  # a row of numbers: checked at C speed
                numbers = [v for v in node if v is not None] if type(None) in kinds else node
                if numbers and (max(numbers) > _FLOAT_MAX or min(numbers) < -_FLOAT_MAX):
                    raise JsonLimitError(where, "a number is beyond the range of floating-point numbers")
                continue
            for i, value in enumerate(node):
                stack.append((value, f"{where}[{i}]", depth + 1))
        elif isinstance(node, str):
            _check_string(node, where)
        elif isinstance(node, float) and not -_FLOAT_MAX <= node <= _FLOAT_MAX:
            raise JsonLimitError(where, "a number is beyond the range of floating-point numbers")


def _check_string(text: str, where: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise JsonLimitError(where, "contains a lone surrogate (\\ud800–\\udfff): not valid Unicode") from None


def check_name(value: str, where: str, limit: int = MAX_NAME_CHARS) -> str:
    """``value`` when it is at most ``limit`` characters; a :class:`JsonLimitError` otherwise."""
    if len(value) > limit:
        raise JsonLimitError(where, f"{len(value):,} characters; the limit is {limit:,}")
    return value
