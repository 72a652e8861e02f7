"""What a check is: a stable snake_case reason, a vectorised failure test and words for people."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import polars as pl


@dataclass(frozen=True)
class Check:
    """One rule. `fails(config)` is a polars expression that is True where a record breaks it."""

    reason: str
    field: str
    message: str  # the rule and the fix, in words
    fails: Callable[["CheckConfig"], pl.Expr]
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True)
class CheckConfig:
    """Tunable limits of the checks."""

    max_chars: int = 65_536  # ~16k Llama 2 tokens, 4x the 4,096 context: only runaway rows


def blank(expr: pl.Expr) -> pl.Expr:
    """Null or only whitespace."""
    # A regex anchored at the start stops at the first non-space character; stripping would
    # copy every text. `\s` is Unicode White_Space, what strip_chars() strips.
    return expr.is_null() | expr.str.contains(r"^\s*$")


def roles(column: str) -> pl.Expr:
    """The roles of a dialogue column as one comma-joined string, e.g. "user,assistant,user"."""
    return pl.col(column).list.eval(pl.element().struct.field("role")).list.join(",")


def contents(column: str) -> pl.Expr:
    return pl.col(column).list.eval(pl.element().struct.field("content"))


def n_chars(column: str) -> pl.Expr:
    """Characters in all message contents of a dialogue column."""
    return contents(column).list.eval(pl.element().str.len_chars()).list.sum().fill_null(0)
