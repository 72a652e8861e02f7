"""Text that is not Unicode: invalid UTF-8 bytes and lone surrogate escapes, found and named.

Such text must never reach a shard (Arrow would store it, polars would panic on it), and the
person who fixes the file needs the line and the field, not "not valid JSON".
"""

from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

# Invalid bytes decoded with "surrogateescape" and JSON's "\ud800" escapes both land here.
_SURROGATE = re.compile("[\ud800-\udfff]")


def encoding_problem(text: bytes) -> tuple[str | None, str] | None:
    """(field or None, message) when a line that orjson refused is an encoding problem, else None.

    orjson refuses invalid UTF-8 and lone surrogates without saying where; the standard
    library parser accepts both (after a lossless decode), which finds the field.
    """
    try:
        text.decode("utf-8")
        bad_byte = None
    except UnicodeDecodeError as exc:
        bad_byte = f"byte 0x{text[exc.start]:02x} at offset {exc.start}"
    try:
        obj = lenient_json(text)
    except (ValueError, RecursionError):
        if bad_byte is None:
            return None  # valid UTF-8 that is not JSON: a JSON problem
        return None, (f"the line is not valid UTF-8 ({bad_byte}) nor valid JSON; re-encode the "
                      "file as UTF-8")
    return text_problem(obj, bad_byte)


def lenient_json(data: bytes) -> Any:
    """Parse JSON whose text may hold invalid UTF-8 (kept as surrogate escapes), as deep as
    orjson reads (1,024 levels), which the standard parser's default stack limit is not."""
    with _stack_for_json():
        return json.loads(data.decode("utf-8", "surrogateescape"))


@contextmanager
def _stack_for_json():
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 3_000))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def text_problem(obj: Any, bad_byte: str | None = None) -> tuple[str | None, str] | None:
    """(field or None, message) for the first text of a parsed object that is not Unicode
    (parsed with the standard library from a "surrogateescape" decode), else None."""
    found = _surrogate_path(obj, "")
    if found is None:
        return None
    path, text = found
    path = printable(path)  # a key may hold the bad bytes; the report must stay UTF-8
    where = f" in `{path}`" if path else ""
    if bad_byte or re.search("[\udc80-\udcff]", text):
        what = f"invalid UTF-8 ({bad_byte})" if bad_byte else "invalid UTF-8"
        return path or None, f"{what}{where}; re-encode the file as UTF-8"
    return path or None, (f"a lone surrogate escape (e.g. \\ud800){where} is not a Unicode "
                          "character; fix the program that wrote the file")


def printable(text: str) -> str:
    """Text with any surrogate written as an escape (\\udcff), so it can be stored as UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _surrogate_path(obj: Any, path: str) -> tuple[str, str] | None:
    stack = [(obj, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return where, value
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                name = f"{where}.{key}" if where else str(key)
                if _SURROGATE.search(str(key)):
                    return name, str(key)
                stack.append((item, name))
        elif isinstance(value, list):
            stack.extend((item, f"{where}.{i}" if where else str(i))
                         for i, item in reversed(list(enumerate(value))))
    return None


def invalid_utf8_rows(table: pa.Table | pa.RecordBatch) -> dict[int, str]:
    """row -> column for the rows whose text is not valid UTF-8 (empty when all are)."""
    try:
        table.validate(full=True)
        return {}
    except pa.ArrowInvalid:
        pass
    bad: dict[int, str] = {}
    for name in table.schema.names:
        column = table.column(name)
        try:
            column.validate(full=True)
            continue
        except pa.ArrowInvalid:
            pass
        for row in range(len(column)):  # rare: only a column that failed is looked at
            if row not in bad:
                try:
                    column.slice(row, 1).validate(full=True)
                except pa.ArrowInvalid:
                    bad[row] = name
    return bad
