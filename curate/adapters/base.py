"""What an adapter is: a pure mapping from one raw source row to zero or more record dicts.

An adapter never reads files (curate.io does) and never drops a row silently: it returns
records, or raises `Reject` with a stable reason, the offending field and a fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from curate.preview import preview


class Reject(Exception):
    """A raw row that cannot become a record (it is counted and reported, not dropped)."""

    def __init__(self, message: str, *, field: str | None = None, reason: str = "bad_field") -> None:
        super().__init__(message)
        self.message, self.field, self.reason = message, field, reason


class Adapter:
    """Base class: subclasses set `name`, `kind` and `fields`, and implement `convert`."""

    name: ClassVar[str]
    kind: ClassVar[str]  # "preference" or "sft"
    fields: ClassVar[tuple[str, ...]] = ()  # raw fields that identify the format (for sniffing)
    description: ClassVar[str] = ""

    def sniff(self, row: Mapping[str, Any]) -> bool:
        """True when a raw row looks like this format (all identifying fields present)."""
        return bool(self.fields) and all(f in row for f in self.fields)

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        raise NotImplementedError


def require(row: Mapping[str, Any], field: str, kind: type | tuple[type, ...] = str,
            *, format_name: str = "") -> Any:
    """A raw field's value, or a Reject naming the field and what was expected."""
    if field not in row or row[field] is None:
        have = ", ".join(sorted(row)) or "none"
        raise Reject(f"missing field `{field}` required by format {format_name} "
                     f"(fields present: {have})", field=field)
    value = row[field]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise Reject(f"field `{field}` should be {names}, got {type(value).__name__} "
                     f"{preview(value)}", field=field)
    return value


def optional(row: Mapping[str, Any], field: str, kind: type, empty: Any) -> Any:
    """A raw field that may be absent or null (then `empty`), else of `kind`: 0 or false is
    never taken for "absent"."""
    value = row.get(field)
    if value is None:
        return empty
    if not isinstance(value, kind):
        raise Reject(f"field `{field}` should be {kind.__name__}, got {type(value).__name__} "
                     f"{preview(value)}", field=field)
    return value


def user_turn(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def assistant_turn(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


def instruction_prompt(instruction: str, input_text: str | None) -> str:
    """The alpaca-style user turn.

    >>> instruction_prompt("Fix the grammar. ", "i has a cat\\n")
    'Fix the grammar.\\n\\ni has a cat'
    >>> instruction_prompt("Tell a joke.\\n", "")
    'Tell a joke.'
    """
    instruction, input_text = instruction.strip(), (input_text or "").strip()
    return f"{instruction}\n\n{input_text}" if input_text else instruction

