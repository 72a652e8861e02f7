"""Checks of binary comparisons (PreferenceRecord), in the order a reason is assigned."""

from __future__ import annotations

import polars as pl

from curate.checks.base import (NOT_BLANK, Check, Expect, blank, blank_text, contents, in_set,
                                incomplete_messages, matches, n_chars, not_null, roles)
from curate.checks.turn_markers import MESSAGE as TURN_MARKER_MESSAGE
from curate.checks.turn_markers import REASON as TURN_MARKER_REASON
from curate.checks.turn_markers import TURN_MARKER, contains_marker, has_marker
from curate.records import CRITERIA, DEGREES

# A prompt may open with a system turn, then alternates user/assistant and ends with a user turn.
PROMPT_ROLES = r"^(?:system,)?user(?:,assistant,user)*$"
REQUIRED = ("prompt", "chosen", "rejected", "criterion", "source")


def _bad_field(_config) -> pl.Expr:
    missing = pl.any_horizontal([pl.col(c).is_null() for c in REQUIRED])
    bad_criterion = pl.col("criterion").is_not_null() & ~pl.col("criterion").is_in(CRITERIA)
    return missing | bad_criterion | _null_content()


def _null_content() -> pl.Expr:
    return incomplete_messages("prompt")


def _last_content() -> pl.Expr:
    return pl.col("prompt").list.last().struct.field("content")


def _last_user_blank(_config) -> pl.Expr:
    return (pl.col("prompt").list.len() == 0) | blank(_last_content())


def _dialogue_chars(config) -> pl.Expr:
    return (n_chars("prompt") + pl.max_horizontal(pl.col("chosen").str.len_chars(),
                                                  pl.col("rejected").str.len_chars()).fill_null(0))


def _same_sampler(_config) -> pl.Expr:
    return ((pl.col("chosen_model") == pl.col("rejected_model")).fill_null(False)
            & (pl.col("chosen_temperature") == pl.col("rejected_temperature")).fill_null(False))


def _turn_marker(_config) -> pl.Expr:
    return contains_marker(pl.col("chosen")) | contains_marker(pl.col("rejected"))


# safety_category 1-3 as (chosen_safe, rejected_safe); 4 is (False, True)
SAFE_PAIRS = [[True, False], [True, True], [False, False]]


PREFERENCE_CHECKS: tuple[Check, ...] = (
    Check("bad_field", "(record)", "a required field is missing or holds a value outside the "
          "schema; see `curate schema export` for the contract", _bad_field,
          expects=lambda c: [*(not_null(col) for col in REQUIRED), in_set("criterion", CRITERIA),
                             in_set("prompt_messages_complete", [True], ~_null_content())]),
    Check("user_data", "is_user_data", "user data is never used for training (Llama 2 used "
          "none); remove the record upstream", lambda c: pl.col("is_user_data").fill_null(False),
          expects=lambda c: [in_set("is_user_data", [False])]),
    Check("unknown_degree", "degree", "degree must be one of " + ", ".join(DEGREES) +
          " (or 'unsure'); map the vendor's labels onto these",
          lambda c: pl.col("degree").is_not_null() & ~pl.col("degree").is_in(DEGREES),
          expects=lambda c: [in_set("degree", DEGREES)]),
    Check("empty_prompt", "prompt", "the prompt has no user turn with text; the pair "
          "answers nothing", _last_user_blank,
          expects=lambda c: [not_null("prompt_last_content"),
                             matches("prompt_last_content", NOT_BLANK, _last_content())]),
    Check("bad_role_order", "prompt", "the prompt must be [system,] user, assistant, ..., user "
          "(alternating, ending with the user turn the responses answer)",
          lambda c: ~roles("prompt").str.contains(PROMPT_ROLES),
          expects=lambda c: [matches("prompt_roles", PROMPT_ROLES, roles("prompt"))]),
    Check("empty_response", "chosen", "chosen and rejected must both hold text",
          lambda c: blank(pl.col("chosen")) | blank(pl.col("rejected")),
          expects=lambda c: [matches("chosen", NOT_BLANK), matches("rejected", NOT_BLANK)],
          field_of=lambda row: "chosen" if blank_text(row.get("chosen")) else "rejected"),
    Check("identical_pair", "rejected", "chosen and rejected are the same text once normalised: "
          "there is nothing to prefer",
          lambda c: pl.col("_identical"),  # computed with the uid (curate.identity)
          expects=lambda c: [in_set("identical_pair", [False], pl.col("_identical"))]),
    Check("too_long", "prompt", "the dialogue is longer than the configured max_chars; raise "
          "the limit or drop the record", lambda c: _dialogue_chars(c) > c.max_chars,
          expects=lambda c: [Expect("expect_column_values_to_be_between",
                                    {"column": "dialogue_chars", "max_value": c.max_chars},
                                    {"dialogue_chars": _dialogue_chars(c)})]),
    Check("safety_category_4", "chosen_safe", "the chosen response is unsafe while the rejected "
          "one is safe; Llama 2 excludes these pairs (section 3.2.2)",
          lambda c: pl.col("chosen_safe").eq(False) & pl.col("rejected_safe").eq(True),
          expects=lambda c: [Expect("expect_column_pair_values_to_be_in_set", {
              "column_A": "chosen_safe", "column_B": "rejected_safe",
              "value_pairs_set": SAFE_PAIRS, "ignore_row_if": "either_value_is_missing"})]),
    Check("same_sampler", "chosen_model", "both responses come from the same model variant and "
          "temperature; Llama 2 sampled them from two different ones", _same_sampler,
          severity="warning",
          expects=lambda c: [in_set("same_sampler", [False], _same_sampler(c))]),
    Check(TURN_MARKER_REASON, "chosen", TURN_MARKER_MESSAGE, _turn_marker, severity="warning",
          expects=lambda c: [Expect("expect_column_values_to_not_match_regex",
                                    {"column": side, "regex": TURN_MARKER})
                             for side in ("chosen", "rejected")],
          field_of=lambda row: "chosen" if has_marker(row.get("chosen")) else "rejected"),
)
