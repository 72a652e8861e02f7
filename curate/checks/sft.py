"""Checks of SFT dialogues (SFTRecord), in the order a reason is assigned."""

from __future__ import annotations

import polars as pl

from curate.checks.base import Check, blank, contents, n_chars, roles

ORIGINS = ("vendor", "third_party", "model")
# [system,] user, assistant, user, assistant, ..., ending with the assistant turn to learn.
DIALOGUE_ROLES = r"^(system,)?user,assistant(,user,assistant)*$"


def _bad_field(_config) -> pl.Expr:
    missing = pl.col("messages").is_null() | pl.col("source").is_null()
    bad_origin = pl.col("origin").is_not_null() & ~pl.col("origin").is_in(ORIGINS)
    null_content = contents("messages").list.eval(pl.element().is_null()).list.any().fill_null(False)
    return missing | bad_origin | null_content


def _no_user_text(_config) -> pl.Expr:
    user_texts = pl.col("messages").list.eval(
        pl.element().filter(pl.element().struct.field("role") == "user")
        .struct.field("content").str.contains(r"\S").fill_null(False).any())
    return ~user_texts.list.first().fill_null(False)


SFT_CHECKS: tuple[Check, ...] = (
    Check("bad_field", "(record)", "a required field is missing or holds a value outside the "
          "schema; see `curate schema export` for the contract", _bad_field),
    Check("user_data", "is_user_data", "user data is never used for training (Llama 2 used "
          "none); remove the record upstream", lambda c: pl.col("is_user_data").fill_null(False)),
    Check("empty_prompt", "messages", "the dialogue has no user turn with text", _no_user_text),
    Check("bad_role_order", "messages", "the dialogue must be [system,] user, assistant, ... "
          "alternating and end with the assistant turn to learn",
          lambda c: ~roles("messages").str.contains(DIALOGUE_ROLES)),
    Check("empty_response", "messages", "the final assistant turn has no text",
          lambda c: blank(pl.col("messages").list.last().struct.field("content"))),
    Check("too_long", "messages", "the dialogue is longer than the configured max_chars; raise "
          "the limit or drop the record", lambda c: n_chars("messages") > c.max_chars),
)
