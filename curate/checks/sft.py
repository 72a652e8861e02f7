"""Checks of SFT dialogues (SFTRecord), in the order a reason is assigned."""

from __future__ import annotations

import polars as pl

from curate.checks.base import (NOT_BLANK, Check, Expect, blank, contents, in_set,
                                incomplete_messages, matches, n_chars, not_null, roles)
from curate.checks.turn_markers import MESSAGE as TURN_MARKER_MESSAGE
from curate.checks.turn_markers import REASON as TURN_MARKER_REASON
from curate.checks.turn_markers import TURN_MARKER, contains_marker
from curate.records import ORIGINS

# [system,] user, assistant, user, assistant, ..., ending with the assistant turn to learn.
DIALOGUE_ROLES = r"^(?:system,)?user,assistant(?:,user,assistant)*$"


def _bad_field(_config) -> pl.Expr:
    missing = pl.col("messages").is_null() | pl.col("source").is_null()
    bad_origin = pl.col("origin").is_not_null() & ~pl.col("origin").is_in(ORIGINS)
    return missing | bad_origin | _null_content()


def _null_content() -> pl.Expr:
    return incomplete_messages("messages")


def _has_user_text() -> pl.Expr:
    user_texts = pl.col("messages").list.eval(
        pl.element().filter(pl.element().struct.field("role") == "user")
        .struct.field("content").str.contains(NOT_BLANK).fill_null(False).any())
    return user_texts.list.first().fill_null(False)


def _last_content() -> pl.Expr:
    return pl.col("messages").list.last().struct.field("content")


def _assistant_marker(_config) -> pl.Expr:
    turn = pl.element().struct
    return pl.col("messages").list.eval((turn.field("role") == "assistant").fill_null(False)
                                        & contains_marker(turn.field("content"))
                                        ).list.any().fill_null(False)


def _assistant_text() -> pl.Expr:
    """The assistant turns as one text for GX, each opening a line (as `^` sees them)."""
    return pl.col("messages").list.eval(
        pl.element().filter(pl.element().struct.field("role") == "assistant")
        .struct.field("content")).list.join("\n", ignore_nulls=True)


SFT_CHECKS: tuple[Check, ...] = (
    Check("bad_field", "(record)", "a required field is missing or holds a value outside the "
          "schema; see `curate schema export` for the contract", _bad_field,
          expects=lambda c: [not_null("messages"), not_null("source"), in_set("origin", ORIGINS),
                             in_set("messages_messages_complete", [True], ~_null_content())]),
    Check("user_data", "is_user_data", "user data is never used for training (Llama 2 used "
          "none); remove the record upstream", lambda c: pl.col("is_user_data").fill_null(False),
          expects=lambda c: [in_set("is_user_data", [False])]),
    Check("empty_prompt", "messages", "the dialogue has no user turn with text",
          lambda c: ~_has_user_text(),
          expects=lambda c: [in_set("has_user_text", [True], _has_user_text())]),
    Check("bad_role_order", "messages", "the dialogue must be [system,] user, assistant, ... "
          "alternating and end with the assistant turn to learn",
          lambda c: ~roles("messages").str.contains(DIALOGUE_ROLES),
          expects=lambda c: [matches("messages_roles", DIALOGUE_ROLES, roles("messages"))]),
    Check("empty_response", "messages", "the final assistant turn has no text",
          lambda c: blank(_last_content()),
          expects=lambda c: [not_null("messages_last_content"),
                             matches("messages_last_content", NOT_BLANK, _last_content())]),
    Check("too_long", "messages", "the dialogue is longer than the configured max_chars; raise "
          "the limit or drop the record", lambda c: n_chars("messages") > c.max_chars,
          expects=lambda c: [Expect("expect_column_values_to_be_between",
                                    {"column": "dialogue_chars", "max_value": c.max_chars},
                                    {"dialogue_chars": n_chars("messages")})]),
    Check(TURN_MARKER_REASON, "messages", TURN_MARKER_MESSAGE, _assistant_marker,
          severity="warning",
          expects=lambda c: [Expect("expect_column_values_to_not_match_regex",
                                    {"column": "assistant_text", "regex": TURN_MARKER},
                                    {"assistant_text": _assistant_text()})]),
)
