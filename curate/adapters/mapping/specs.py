"""The parts of a column mapping that are more than a column name: row filters, the preferred
side picked by a label, ranked candidates, message lists and plain turns.

Every value a rule compares is compared by its text (curate.adapters.mapping.paths.text_key):
1, 1.0 and "1" are the same value, true and false are booleans.

>>> c = Condition.model_validate({"column": "lang", "in": ["en", "de"]})
>>> c.describe(), c.holds("en"), c.holds("fr")
('lang in ["en", "de"]', True, False)
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from curate.adapters.mapping.paths import text_key
from curate.records import Role

Scalar = bool | int | float | str  # bool first: YAML `true` stays a boolean

# `from`, `in` and `not` are Python keywords: the models take and write them by alias, so
# `model_dump(mode="json")` is the same document a YAML file holds.
SPEC_CONFIG = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                         serialize_by_alias=True)


def _keys(values: Scalar | list[Scalar]) -> set[str | None]:
    return {text_key(v) for v in (values if isinstance(values, list) else [values])}


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


class Condition(BaseModel):
    """One test of a raw value; `where:` keeps a row when all its conditions hold."""

    model_config = SPEC_CONFIG

    column: str = Field(description="The raw column tested (dotted path for nested values).")
    equals: Scalar | None = Field(None, description="Holds when the value equals this one.")
    in_: list[Scalar] | None = Field(None, alias="in",
                                     description="Holds when the value is one of these.")
    is_null: bool | None = Field(None, description="true: holds when the value is null; "
                                                    "false: when it is not.")
    not_: bool = Field(False, alias="not", description="true: holds when the test does not.")

    @model_validator(mode="after")
    def check_one_test(self) -> Condition:
        given = [name for name, v in (("equals", self.equals), ("in", self.in_),
                                      ("is_null", self.is_null)) if v is not None]
        if len(given) != 1:
            raise ValueError(f"condition on `{self.column}` needs exactly one of equals, in, "
                             f"is_null (got {given or 'none'}); write several conditions "
                             "for several tests")
        return self

    def holds(self, value: Any) -> bool:
        if self.is_null is not None:
            result = (value is None) == self.is_null
        elif self.in_ is not None:
            result = value is not None and text_key(value) in _keys(self.in_)
        else:
            result = value is not None and text_key(value) == text_key(self.equals)
        return result != self.not_

    def describe(self) -> str:
        if self.is_null is not None:
            test = f"{self.column} is {'' if self.is_null else 'not '}null"
        elif self.in_ is not None:
            test = f"{self.column} in {_show(self.in_)}"
        else:
            test = f"{self.column} == {_show(self.equals)}"
        return f"not ({test})" if self.not_ else test


class PairSpec(BaseModel):
    """Two responses side by side and a label column saying which one is preferred."""

    model_config = SPEC_CONFIG

    a: str = Field(description="Column of the first response (e.g. output_1).")
    b: str = Field(description="Column of the second response (e.g. output_2).")
    preferred: str = Field(description="Label column saying which response is preferred.")
    a_when: Scalar | list[Scalar] = Field(
        description="Label value(s) meaning `a` is preferred (e.g. 1).")
    b_when: Scalar | list[Scalar] = Field(
        description="Label value(s) meaning `b` is preferred (e.g. 2). Any other label "
                    "(a tie, 1.5, null) rejects the row with reason no_preference.")
    sides: dict[str, tuple[str, str]] = Field(
        default_factory=dict,
        description="Per-response columns: `X: [column of a, column of b]` fills chosen_X "
                    "and rejected_X (e.g. `model: [generator_1, generator_2]`).")

    @model_validator(mode="after")
    def check_labels_differ(self) -> PairSpec:
        both = _keys(self.a_when) & _keys(self.b_when)
        if both:
            raise ValueError(f"pair: label value(s) {sorted(map(str, both))} are in both "
                             "a_when and b_when; each label must pick one side")
        return self

    def side_of(self, label: Any) -> Literal["a", "b"] | None:
        """Which side a label value prefers; None when neither."""
        key = text_key(label)
        if label is None or key is None:
            return None
        return "a" if key in _keys(self.a_when) else "b" if key in _keys(self.b_when) else None


class RankedSpec(BaseModel):
    """A list of scored candidates in one row, exploded into comparisons."""

    model_config = SPEC_CONFIG

    candidates: str = Field(description="Column holding the list of candidate objects.")
    text: str = Field(description="Key of a candidate's response text (dotted path).")
    score: str = Field(description="Key of a candidate's score or rank (a number; null: the "
                                   "candidate is not ranked).")
    higher_is_better: bool = Field(
        description="true for scores (UltraFeedback's overall_score), false for ranks "
                    "(OpenAssistant's rank 0 is the best, Nectar's rank 1).")
    pairs: Literal["all", "best_vs_others"] = Field(
        description="all: every two candidates with different scores; best_vs_others: each "
                    "candidate with the best score against each one scored lower.")
    sides: dict[str, str] = Field(
        default_factory=dict,
        description="Per-candidate keys: `X: key` fills chosen_X and rejected_X "
                    "(e.g. `model: model`).")
    where: list[Condition] = Field(
        default_factory=list,
        description="Conditions on each candidate (columns are keys of the candidate); "
                    "a candidate failing one is not ranked.")


class MessagesSpec(BaseModel):
    """A list of message objects with other key names and role names."""

    model_config = SPEC_CONFIG

    from_: str = Field(alias="from", description="Column holding the list of messages.")
    role: str = Field("role", description="Key of a message's role.")
    content: str = Field("content", description="Key of a message's text.")
    roles: dict[str, Role] = Field(
        default_factory=dict,
        description="Source role -> system, user or assistant (e.g. `prompter: user`); "
                    "empty: the roles are already those. A role not listed rejects the row.")
    into: str | None = Field(None, description="The record field filled; default the kind's "
                                               "dialogue (`messages` for SFT, `prompt` for "
                                               "comparisons).")


class TurnsSpec(BaseModel):
    """A list of plain strings, one per turn, the speakers alternating."""

    model_config = SPEC_CONFIG

    from_: str = Field(alias="from", description="Column holding the list of strings.")
    roles: list[Role] = Field(["user", "assistant"], min_length=1,
                              description="The speakers in turn, repeated (default user, "
                                          "assistant).")
    into: str | None = Field(None, description="The record field filled; default the kind's "
                                               "dialogue.")
