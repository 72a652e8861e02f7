"""What a check is: a stable snake_case reason, a vectorised failure test, words for people,
and the Great Expectations expectations that say the same (curate.expectations exports them)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from curate.records import ROLES

# Unicode White_Space, spelled out: Rust's `\s` (polars) and Python's `\s` (GX's pandas engine)
# differ on \x1c-\x1f, and both engines must call the same texts blank.
WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = f"[^{WHITESPACE}]"


@dataclass(frozen=True)
class Expect:
    """One GX expectation: its snake_case type and arguments. A row breaks it where the
    expectation lists it as unexpected. `derived` names the columns it reads that curate
    computes from the records (column -> polars expression), e.g. the roles of a dialogue."""

    type: str
    kwargs: dict[str, Any]
    derived: dict[str, pl.Expr] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """One rule. `fails(config)` is a polars expression that is True where a record breaks it;
    `expects(config)` the GX expectations that together fail exactly there."""

    reason: str
    field: str
    message: str  # the rule and the fix, in words
    fails: Callable[["CheckConfig"], pl.Expr]
    severity: Literal["error", "warning"] = "error"
    expects: Callable[["CheckConfig"], list[Expect]] = lambda c: []
    # Where the field to blame depends on the row (which response is empty): row -> field.
    field_of: Callable[[dict[str, Any]], str] | None = None

    def field_in(self, row: dict[str, Any]) -> str:
        return self.field_of(row) if self.field_of else self.field


def not_null(column: str) -> Expect:
    return Expect("expect_column_values_to_not_be_null", {"column": column})


def in_set(column: str, values, derived: pl.Expr | None = None) -> Expect:
    return Expect("expect_column_values_to_be_in_set", {"column": column,
                                                       "value_set": list(values)},
                  {column: derived} if derived is not None else {})


def matches(column: str, regex: str, derived: pl.Expr | None = None) -> Expect:
    return Expect("expect_column_values_to_match_regex", {"column": column, "regex": regex},
                  {column: derived} if derived is not None else {})


@dataclass(frozen=True)
class CheckConfig:
    """Tunable limits of the checks."""

    max_chars: int = 65_536  # ~16k Llama 2 tokens, 4x the 4,096 context: only runaway rows


def blank_text(text: str | None) -> bool:
    """`blank` for one value."""
    return text is None or re.search(NOT_BLANK, text) is None


def blank(expr: pl.Expr) -> pl.Expr:
    """Null or only whitespace."""
    # The search stops at the first non-space character; stripping would copy every text.
    return expr.is_null() | ~expr.str.contains(NOT_BLANK)


def roles(column: str) -> pl.Expr:
    """The roles of a dialogue column as one comma-joined string, e.g. "user,assistant,user"."""
    return pl.col(column).list.eval(pl.element().struct.field("role")).list.join(",")


def contents(column: str) -> pl.Expr:
    return pl.col(column).list.eval(pl.element().struct.field("content"))


def incomplete_messages(column: str) -> pl.Expr:
    """True where a message of the dialogue lacks its content or role, or has a role other
    than system, user or assistant (what the Message model forbids)."""
    bad = pl.element().struct.field("content").is_null() | ~pl.element().struct.field(
        "role").is_in(ROLES).fill_null(False)
    return pl.col(column).list.eval(bad).list.any().fill_null(False)


def n_chars(column: str) -> pl.Expr:
    """Characters in all message contents of a dialogue column."""
    return contents(column).list.eval(pl.element().str.len_chars()).list.sum().fill_null(0)
