"""Templates that join raw columns into one text, dropping the parts whose columns are empty.

A template is text with `{column}` placeholders (dotted paths; `{{` and `}}` are literal
braces). It is cut into parts at its blank lines; a part whose placeholders are all null or
empty is left out with its blank line, so AlpacaFarm's empty `input` leaves no trace. Each
value is trimmed, and so is the result.

>>> t = Template.parse("{instruction}\\n\\n{input}")
>>> t.render({"instruction": "Fix the grammar. ", "input": "i has a cat"})
'Fix the grammar.\\n\\ni has a cat'
>>> t.render({"instruction": "Tell a joke.", "input": ""})
'Tell a joke.'
>>> Template.parse("### Input:\\n{input}\\n\\n### Response:").render({"input": None})
'### Response:'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from curate.adapters.base import Reject
from curate.adapters.mapping.paths import lookup, text_key
from curate.preview import preview

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_BLANK_LINES = re.compile(r"(\n[ \t]*\n\s*)")


@dataclass(frozen=True)
class _Part:
    separator: str  # the blank line(s) before this part ("" for the first)
    pieces: tuple[str | tuple[str], ...]  # literal text, or (column,) for a placeholder

    @property
    def columns(self) -> list[str]:
        return [p[0] for p in self.pieces if isinstance(p, tuple)]


@dataclass(frozen=True)
class Template:
    parts: tuple[_Part, ...]

    @classmethod
    def parse(cls, text: str) -> Template:
        """ValueError (naming the problem) for a stray brace or an empty placeholder."""
        chunks = _BLANK_LINES.split(text)
        parts = []
        for i in range(0, len(chunks), 2):
            parts.append(_Part(chunks[i - 1] if i else "", _pieces(chunks[i])))
        template = cls(tuple(parts))
        if not template.columns:
            raise ValueError(f"template {text!r} names no column; write `{{column}}` where a "
                             "column's text goes (or use `set:` for a constant)")
        return template

    @property
    def columns(self) -> list[str]:
        return [c for part in self.parts for c in part.columns]

    def render(self, row: Mapping[str, Any], *, field: str = "template") -> str:
        out: list[str] = []
        for part in self.parts:
            values = {c: _text(row, c, field) for c in part.columns}
            if part.columns and not any(values.values()):
                continue  # every column of this part is empty: drop it with its blank line
            text = "".join(p if isinstance(p, str) else values[p[0]] for p in part.pieces)
            out.append((part.separator if out else "") + text)
        return "".join(out).strip()


def _pieces(text: str) -> tuple[str | tuple[str], ...]:
    pieces: list[str | tuple[str]] = []
    at = 0
    for match in _TOKEN.finditer(text):
        pieces.append(text[at:match.start()])
        token, column = match.group(0), match.group(1)
        if token in ("{{", "}}"):
            pieces.append(token[0])
        elif column is None:
            raise ValueError(f"template has a lone `{token}` in {text!r}; write `{token * 2}` "
                             "for a literal brace")
        elif not column.strip():
            raise ValueError(f"template has an empty placeholder `{{}}` in {text!r}; name a "
                             "column inside the braces")
        else:
            pieces.append((column.strip(),))
        at = match.end()
    pieces.append(text[at:])
    return tuple(p for p in pieces if p != "")


def _text(row: Mapping[str, Any], column: str, field: str) -> str:
    value = lookup(row, column)
    if value is None:
        return ""
    text = text_key(value)
    if text is None:
        raise Reject(f"template for `{field}`: `{{{column}}}` is {type(value).__name__} "
                     f"{preview(value, 60)}; a template joins text, numbers or booleans",
                     field=column)
    return text.strip()
