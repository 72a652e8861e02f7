"""Exact types of a record dict before it becomes a row: nothing is coerced silently.

Building a polars frame from dicts would turn `"chosen": 5` into "5" and drop a key inside a
message; pydantic's lax mode would take "yes" as True. Rows that reach a frame have passed
this check, so a row's verdict never depends on the other rows of its batch. Values (the
literals, required fields) are the checks' business; this only asks "is it the right type".
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import pyarrow as pa

from curate.columns import MESSAGE_TYPE, arrow_schema
from curate.preview import preview

_MESSAGE_KEYS = frozenset(MESSAGE_TYPE.names)


@cache
def _expected(kind: str) -> dict[str, str]:
    """field -> 'text' | 'bool' | 'number' | 'integer' | 'messages'."""
    names = {pa.string(): "text", pa.bool_(): "bool", pa.float64(): "number",
             pa.int64(): "integer", pa.list_(MESSAGE_TYPE): "messages"}
    return {f.name: names[f.type] for f in arrow_schema(kind)}


# Exact types that are always right, for a fast first test (bool is not an int here).
_FAST = {"text": {str}, "bool": {bool}, "number": {int, float}, "integer": {int}}
_TEXT_OR_NONE = {str, type(None)}


def type_error(record: Mapping[str, Any], kind: str) -> tuple[str, str] | None:
    """(field, message) for the first value of the wrong type or unknown key, else None."""
    expected = _expected(kind)
    for key, value in record.items():
        want = expected.get(key)
        if want is None:
            return str(key), (f"unknown field `{key}`; {kind} records have the fields "
                              f"{', '.join(expected)}: rename or drop it, or use a column mapping")
        if value is None:
            continue
        if want == "messages":
            if type(value) is list and all(_plain_message(m) for m in value):
                continue
            problem = _messages_error(key, value)
            if problem:
                return problem
            continue
        if type(value) in _FAST[want]:
            continue
        problem = _scalar_error(want, value)
        if problem:
            return key, f"`{key}` {problem}"
    return None


def _plain_message(message: Any) -> bool:
    return (type(message) is dict and message.keys() <= _MESSAGE_KEYS
            and type(message.get("role")) in _TEXT_OR_NONE
            and type(message.get("content")) in _TEXT_OR_NONE)


def _scalar_error(want: str, value: Any) -> str | None:
    if want == "text":
        ok = isinstance(value, str)
    elif want == "bool":
        ok = isinstance(value, bool)
    elif want == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:  # a JSON number: int or float, never a bool or a string holding digits
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return None if ok else f"should be {_WORDS[want]}, got {_describe(value)}"


def _messages_error(key: str, value: Any) -> tuple[str, str] | None:
    if not isinstance(value, list):
        return key, f"`{key}` should be a list of messages, got {_describe(value)}"
    for i, message in enumerate(value):
        where = f"{key}.{i}"
        if not isinstance(message, dict):
            return where, (f"`{where}` should be a message object {{role, content}}, "
                           f"got {_describe(message)}")
        extra = sorted(str(k) for k in message if k not in _MESSAGE_KEYS)
        if extra:
            return f"{where}.{extra[0]}", (f"`{where}` has unknown key(s) {extra}; a message has "
                                           "only `role` and `content`: drop them or map them")
        for part in ("role", "content"):
            if message.get(part) is not None and not isinstance(message[part], str):
                return f"{where}.{part}", (f"`{where}.{part}` should be text, got "
                                           f"{_describe(message[part])}")
    return None


_WORDS = {"text": "text (a JSON string)", "bool": "true or false",
          "number": "a number", "integer": "an integer"}


def _describe(value: Any) -> str:
    kind = {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)
    return f"{kind} {preview(value)}"
