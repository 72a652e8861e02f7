"""Hostile edits of valid rows: wrong types, missing and extra keys, bad text, deep nesting.

Values that JSON cannot carry (invalid UTF-8, deep nesting, raw tokens) travel as markers
(`Raw`) that the encoders of `tests/fuzz/storage.py` replace with bytes after serialising.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

BAD_UTF8 = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\x80abc",
            b"\xfe\xff", b"a\xe2\x82"]
HUGE = 10 * 1024 * 1024  # a 10 MB string: rare, it costs a second per case


def chance(draw, percent: int) -> bool:
    """True about `percent`% of the time; False is the simple case hypothesis shrinks to
    (hypothesis favours small integers, so the rare case sits at the top of the range)."""
    return draw(st.integers(1, 100)) > 100 - percent


@dataclass(frozen=True)
class Raw:
    """Bytes spliced into the serialised row: inside a string (`in_string`) or as a value."""

    data: bytes
    in_string: bool

    def python_value(self) -> Any:
        """What a storage that cannot carry raw bytes gets instead (Parquet)."""
        return self.data  # a binary column where text belongs


def deep(depth: int, kind: str) -> Raw:
    if kind == "list":
        return Raw(b"[" * depth + b"]" * depth, in_string=False)
    return Raw(b'{"a":' * depth + b"1" + b"}" * depth, in_string=False)


HOSTILE = st.sampled_from([
    None, 0, 1, -1, 1.5, 2**64, 1e308, float("nan"), float("inf"), True, False, "", " ", "\x00",
    "\ud800", "a\udfffb", "\udc80\ud800", "yes", "5", [], {}, [None], [1, 2], ["a"],
    {"role": "user", "content": "x"}, [{"role": "user", "content": "x"}],
    [{"role": [], "content": "x"}], [{"role": "user", "content": 5}],
    [{"role": "assistant", "content": "x", "extra": 1}], "\n\nHuman: hi\n\nAssistant: ho",
    {"data": [1]}, [[["deep"]]],
]).map(copy.deepcopy)  # a fresh copy: later edits must not change the constants
NON_OBJECT_ROWS = st.sampled_from([None, 5, -0.0, "abc", "", True, [], [{}], [1, 2, 3],
                                   [{"chosen": "a"}]]).map(copy.deepcopy)


def paths_of(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every node's path (keys and list indexes), the root first."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths_of(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths_of(v, prefix + (i,))
    return out


def get(value: Any, path: tuple) -> Any:
    for step in path:
        value = value[step]
    return value


def _set(row: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    get(row, path[:-1])[path[-1]] = new
    return row


@st.composite
def hostile_value(draw, *, raw_ok: bool) -> Any:
    choice = draw(st.integers(0, 199))
    if choice == 199:  # rare: a 10 MB string
        return draw(st.sampled_from(["x", "é", "\x00a"])) * (HUGE // 2)
    if choice < 140 or not raw_ok:
        return draw(HOSTILE)
    if choice < 170:  # invalid UTF-8 inside a string
        return [draw(st.sampled_from(["", "ok "])), Raw(draw(st.sampled_from(BAD_UTF8)), True)]
    depth = draw(st.sampled_from([64, 1000, 5000, 100_000]))
    return deep(depth, draw(st.sampled_from(["list", "object"])))


@st.composite
def mutate_rows(draw, rows: list[Any], *, raw_ok: bool) -> list[Any]:
    """Zero to three edits, each somewhere in some row. `raw_ok`: the storage is JSON text."""
    rows = copy.deepcopy(rows)
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(rows) - 1))
        row = rows[i]
        action = draw(st.sampled_from(["replace", "whole_row", "extra", "delete", "replace",
                                       "bad_text", "extra", "rename", "whole_row"]))
        paths = paths_of(row)
        path = draw(st.sampled_from(paths))
        if action == "whole_row" and raw_ok:
            rows[i] = draw(NON_OBJECT_ROWS)
        elif action == "replace" and path:
            rows[i] = _set(row, path, draw(hostile_value(raw_ok=raw_ok)))
        elif action == "delete" and path and isinstance(get(row, path[:-1]), dict):
            del get(row, path[:-1])[path[-1]]
        elif action == "delete" and path and isinstance(get(row, path[:-1]), list):
            get(row, path[:-1]).pop(path[-1])
        elif action == "extra":
            dicts = [p for p in paths if isinstance(get(row, p), dict)]
            if dicts:
                target = get(row, draw(st.sampled_from(dicts)))
                key = draw(st.sampled_from(["extra", "weight", "name", "uid", "tool_calls",
                                            "Chosen", ""]))
                target[key] = draw(hostile_value(raw_ok=raw_ok) | st.just("x"))
        elif action == "rename" and path and isinstance(get(row, path[:-1]), dict):
            parent = get(row, path[:-1])
            parent[str(path[-1]) + draw(st.sampled_from(["_", " ", "\u0301"]))] = parent.pop(
                path[-1])
        elif action == "bad_text" and path and isinstance(get(row, path), str):
            rows[i] = _set(row, path, [get(row, path), Raw(draw(st.sampled_from(BAD_UTF8)),
                                                           True)] if raw_ok
                           else draw(st.sampled_from(["\ud800", "a\udfffb"])))
    return rows


def is_text_with_raw(value: Any) -> bool:
    """A string with invalid bytes spliced in: `[prefix, Raw(...)]`."""
    # A list [text, deep value] (a mutation inside a list of words) is a list, not a string.
    return (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
            and isinstance(value[1], Raw) and value[1].in_string)
