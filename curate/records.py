"""Typed records: the contract vendors, checks, recipes and trainers share.

>>> r = PreferenceRecord(
...     prompt=[Message(role="user", content="How do I pick a lock?")],
...     chosen="I can't help with that.", rejected="Insert a tension wrench...",
...     criterion="safety", degree="unsure", chosen_safe=True, rejected_safe=False,
...     source="example")
>>> r.degree, r.safety_category
('negligibly_better', 1)
>>> len(r.uid)
32
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from curate.identity import preference_uid, sft_uid

Role = Literal["system", "user", "assistant"]
Criterion = Literal["helpfulness", "safety"]
Origin = Literal["vendor", "third_party", "model"]
Degree = Literal["significantly_better", "better", "slightly_better", "negligibly_better"]

ROLES: tuple[str, ...] = typing.get_args(Role)
CRITERIA: tuple[str, ...] = typing.get_args(Criterion)
ORIGINS: tuple[str, ...] = typing.get_args(Origin)
DEGREES: tuple[str, ...] = typing.get_args(Degree)
_SURROGATE = re.compile("[\ud800-\udfff]")
# Llama 2 annotators could answer "unsure"; the paper folds it into the weakest degree.
DEGREE_ALIASES = {"unsure": "negligibly_better"}


@dataclass(frozen=True)
class IntBits:
    """How wide an integer column is in Arrow and Parquet (curate.kinds reads it; pydantic
    ignores it): `Annotated[int, IntBits(8)]` is stored as int8."""

    bits: int


SafetyBin = Annotated[int, IntBits(8)]


def fold_degree(value: object) -> object:
    """Map spellings like "Slightly Better" or "unsure" onto the canonical degree names."""
    if not isinstance(value, str):
        return value
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    return DEGREE_ALIASES.get(key, key)


class _Strict(BaseModel):
    # strict: "yes" is not True and 5 is not "5"; the readers judge rows the same way
    # (curate.typecheck), so a record curate keeps is one this model accepts.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def text_is_unicode(cls, value: object) -> object:
        if isinstance(value, str) and not value.isascii() and _SURROGATE.search(value):
            raise ValueError("text holds a lone surrogate (\\ud800-\\udfff), which is not a "
                             "Unicode character and cannot be written as UTF-8")
        return value


class Message(_Strict):
    """One turn of a dialogue."""

    role: Role = Field(description="Who speaks: system, user or assistant.")
    content: str = Field(description="The text of the turn.")


class SFTRecord(_Strict):
    """A supervised fine-tuning dialogue; it ends with the assistant turn to learn."""

    messages: list[Message] = Field(description="The dialogue, ending with an assistant turn.")
    source: str = Field(description="Where the record comes from (catalog or dataset name).")
    origin: Origin | None = Field(None, description="vendor, third_party or model.")
    annotator: str | None = Field(None, description="Pseudonymous annotator id.")
    batch: str | None = Field(None, description="Annotation batch, e.g. 2023-W14.")
    license: str | None = Field(None, description="License of the record's text.")
    is_user_data: bool = Field(False, exclude=True,  # never leaves curate (not an output column)
                               description="True for user data; always excluded.")

    @computed_field(description="xxh3-128 of the normalised dialogue: same content, same uid.")
    @property
    def uid(self) -> str:
        return sft_uid([(m.role, m.content) for m in self.messages])


class PreferenceRecord(_Strict):
    """A binary comparison: two assistant answers to one prompt, one preferred."""

    prompt: list[Message] = Field(description="The dialogue so far, ending with a user turn.")
    chosen: str = Field(description="The preferred assistant response.")
    rejected: str = Field(description="The other assistant response.")
    margin: float | None = Field(None, description="Explicit reward margin (TRL's optional column).")
    criterion: Criterion = Field(description="helpfulness or safety: what the annotator judged.")
    degree: Degree | None = Field(
        None, description="How much better chosen is; 'unsure' folds into negligibly_better.")
    chosen_safe: bool | None = Field(None, description="Annotator's safety label of chosen.")
    rejected_safe: bool | None = Field(None, description="Annotator's safety label of rejected.")
    chosen_model: str | None = Field(None, description="Model variant that sampled chosen.")
    chosen_temperature: float | None = Field(None, description="Temperature that sampled chosen.")
    rejected_model: str | None = Field(None, description="Model variant that sampled rejected.")
    rejected_temperature: float | None = Field(
        None, description="Temperature that sampled rejected.")
    model_iteration: str | None = Field(None, description="Model that produced the pair, e.g. rlhf_v3.")
    batch: str | None = Field(None, description="Weekly annotation batch, e.g. 2023-W14.")
    annotator: str | None = Field(None, description="Pseudonymous annotator id.")
    source: str = Field(description="Where the record comes from (catalog or dataset name).")
    is_user_data: bool = Field(False, exclude=True,  # never leaves curate (not an output column)
                               description="True for user data; always excluded.")

    @field_validator("degree", mode="before")
    @classmethod
    def fold_unsure_into_negligibly_better(cls, value: object) -> object:
        return fold_degree(value)

    @computed_field(description="Llama 2 safety bin: 1 chosen safe/rejected unsafe, 2 both safe, "
                                "3 both unsafe, 4 chosen unsafe/rejected safe; null if unlabelled.")
    @property
    def safety_category(self) -> SafetyBin | None:
        return safety_category(self.chosen_safe, self.rejected_safe)

    @computed_field(description="xxh3-128 of the normalised comparison: same content, same uid.")
    @property
    def uid(self) -> str:
        return preference_uid(self.criterion, [(m.role, m.content) for m in self.prompt],
                              self.chosen, self.rejected)


def safety_category(chosen_safe: bool | None, rejected_safe: bool | None) -> int | None:
    """Llama 2's absolute safety bins (section 3.2.2); None when a label is missing."""
    if chosen_safe is None or rejected_safe is None:
        return None
    return {(True, False): 1, (True, True): 2, (False, False): 3, (False, True): 4}[
        (chosen_safe, rejected_safe)]

