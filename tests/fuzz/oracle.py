"""Which raw rows no correct reader may accept, decided from the row and the format's promises
(tests/fuzz/formats.py), never from curate's code.

A row must be rejected when it is not an object, holds invalid UTF-8, misses a required field,
has a non-text value (number, bool, object, bytes) where text belongs (records never coerce
types), or has unknown keys inside messages or, for native records, at the top level.
"""

from __future__ import annotations

from typing import Any

from tests.fuzz.formats import LIST_OK, Format
from tests.fuzz.mutate import Raw, is_text_with_raw

MESSAGE_KEYS = {"role", "content"}


def values_at(value: Any, pattern: tuple) -> list[Any]:
    """The values a path pattern reaches ("*" = every list item); none where the shape differs."""
    found = [value]
    for step in pattern:
        nxt = []
        for v in found:
            if step == "*" and isinstance(v, list):
                nxt += v
            elif isinstance(v, dict) and step in v:
                nxt.append(v[step])
        found = nxt
    return found


def has_bad_utf8(value: Any) -> bool:
    if is_text_with_raw(value) or isinstance(value, bytes):
        return True
    if isinstance(value, Raw):
        return False  # deep nesting: valid JSON
    if isinstance(value, str):
        return False
    if isinstance(value, dict):
        return any(has_bad_utf8(k) or has_bad_utf8(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_bad_utf8(v) for v in value)
    return False


def must_reject(spec: Format, row: Any, *, text_storage: bool) -> str | None:
    """Why `row` may never give a valid record, or None when it might."""
    if not isinstance(row, dict):
        return f"a JSON {type(row).__name__}, not an object"
    if text_storage and has_bad_utf8(row):
        return "invalid UTF-8"
    for path in spec.required:
        present = values_at(row, path)
        if not present or present[0] is None:
            return f"required `{'.'.join(map(str, path))}` missing or null"
    for pattern in spec.text_paths:
        list_ok = pattern[-1] == LIST_OK
        steps = pattern[:-1] if list_ok else pattern
        for v in values_at(row, steps):
            if v is None or isinstance(v, str) or (list_ok and isinstance(v, list)):
                continue
            if is_text_with_raw(v) and text_storage:
                continue  # counted as invalid UTF-8 above
            return f"{type(v).__name__} {_short(v)} where text belongs (`{'.'.join(map(str, steps))}`)"
    for name in spec.strict_messages:
        messages = row.get(name)
        for m in messages if isinstance(messages, list) else []:
            extra = {k for k, v in m.items() if v is not None} - MESSAGE_KEYS if isinstance(m, dict) else set()
            if extra:
                return f"unknown key(s) {sorted(extra)} inside a message of `{name}`"
    if spec.strict_top is not None:
        extra = {k for k, v in row.items() if v is not None} - set(spec.strict_top)
        if extra:
            return f"unknown field(s) {sorted(extra)} in a native record"
    return None


def _short(v: Any) -> str:
    return repr(v)[:40]
