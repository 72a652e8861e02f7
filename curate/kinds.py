"""One spec per record kind: everything that differs between comparisons and SFT dialogues.

A kind is its pydantic model (curate.records) and the data the pipeline needs about it: its
checks, the columns that make its dialogue and its metadata, what the manifest counts, and
its card. The Arrow schemas are derived from the model, never written by hand: the output
columns are the model's fields in declaration order, less those marked
`Field(exclude=True)` (they never leave curate), then its computed fields.

>>> spec = kind_spec("preference")
>>> spec.model.__name__, spec.dialogue, spec.count_name
('PreferenceRecord', 'prompt', 'n_comparisons')
>>> spec.output_schema.names[:4], spec.output_schema.names[-2:]
(['prompt', 'chosen', 'rejected', 'margin'], ['safety_category', 'uid'])
>>> kind_spec("sft").output_schema.field("messages").type
ListType(list<item: struct<role: string, content: string>>)
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from functools import cache

import pyarrow as pa
from pydantic import BaseModel

from curate.checks.base import Check
from curate.checks.duplicates import DUPLICATE
from curate.checks.preference import PREFERENCE_CHECKS
from curate.checks.sft import SFT_CHECKS
from curate.errors import InputError
from curate.records import CRITERIA, IntBits, Message, PreferenceRecord, SFTRecord

MESSAGE_TYPE = pa.struct([("role", pa.string()), ("content", pa.string())])
_SCALARS = {str: pa.string(), float: pa.float64(), bool: pa.bool_(), int: pa.int64()}
_INTS = {8: pa.int8(), 16: pa.int16(), 32: pa.int32(), 64: pa.int64()}


def arrow_type(annotation: object) -> pa.DataType:
    """The Arrow type of a field annotation: Optional[X] is X (every column is nullable),
    a Literal of texts is a string, list[Message] a list of {role, content}, and
    `Annotated[int, IntBits(8)]` an int8."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        return arrow_type(inner)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        bits = [e.bits for e in extra if isinstance(e, IntBits)]
        return _INTS[bits[0]] if inner is int and bits else arrow_type(inner)
    if origin is typing.Literal and all(isinstance(a, str) for a in typing.get_args(annotation)):
        return pa.string()
    if origin is list and typing.get_args(annotation) == (Message,):
        return pa.list_(MESSAGE_TYPE)
    if annotation in _SCALARS:
        return _SCALARS[annotation]  # type: ignore[index]
    raise TypeError(f"no Arrow type for the annotation {annotation!r}; use str, float, bool, "
                    "int, a Literal of texts, list[Message] or an Optional of one of them")


@cache
def stored_schema(model: type[BaseModel]) -> pa.Schema:
    """The columns curate reads and checks: every field of the model, in declaration order."""
    return pa.schema([(name, arrow_type(f.annotation)) for name, f in model.model_fields.items()])


@cache
def output_schema(model: type[BaseModel]) -> pa.Schema:
    """The columns of a built version's shards: the fields that leave curate, then the
    computed fields (safety_category, uid), each in declaration order."""
    fields = [(name, arrow_type(f.annotation)) for name, f in model.model_fields.items()
              if not f.exclude]
    computed = [(name, arrow_type(f.return_type))
                for name, f in model.model_computed_fields.items()]
    return pa.schema(fields + computed)


@dataclass(frozen=True)
class KindSpec:
    """What differs by record kind. Columns are named as in the model."""

    name: str
    model: type[BaseModel]
    checks: tuple[Check, ...]  # in the order a reason is assigned; `duplicate` last
    dialogue: str  # the list of messages
    # Response columns beside the dialogue: the first ends the dialogue Table 6 counts (the
    # chosen answer), the others are counted as length series of their own.
    responses: tuple[str, ...]
    # Metadata that may differ between two copies of the same content (criterion is part of
    # the uid too): their digest picks the copy kept (curate.checks.duplicates). Order matters:
    # it is the digest's.
    metadata: tuple[str, ...]
    categories: tuple[str, ...]  # columns counted per value in the manifest and the card
    report_values: dict[str, tuple[str, ...]]  # validate counts these per value, else unknown
    count_name: str  # the count in Table 6 and the card's stats
    count_label: str  # its column header
    dialogue_label: str  # what Table 6 counts turns of
    card_template: str  # file name of the card template
    card_tags: tuple[str, ...] = field(default=())

    @property
    def output_schema(self) -> pa.Schema:
        return output_schema(self.model)

    @property
    def stored_schema(self) -> pa.Schema:
        return stored_schema(self.model)

    @property
    def final_response(self) -> tuple[str, ...]:
        """The response that ends the dialogue Table 6 counts: ("chosen",), or () for SFT."""
        return self.responses[:1]

    @property
    def other_responses(self) -> tuple[str, ...]:
        """Responses counted as length series of their own: ("rejected",), or ()."""
        return self.responses[1:]

    @property
    def text_columns(self) -> list[str]:
        """The dialogue and the responses: what Table 6 and the lengths read."""
        return [self.dialogue, *self.responses]


KINDS: dict[str, KindSpec] = {spec.name: spec for spec in (
    KindSpec(
        name="preference", model=PreferenceRecord, checks=PREFERENCE_CHECKS + (DUPLICATE,),
        dialogue="prompt", responses=("chosen", "rejected"),
        metadata=("criterion", "degree", "chosen_safe", "rejected_safe", "chosen_model",
                  "chosen_temperature", "rejected_model", "rejected_temperature",
                  "model_iteration", "batch", "annotator", "margin"),
        categories=("source", "criterion", "degree", "safety_category"),
        report_values={"safety_category": ("1", "2", "3", "4"), "criterion": CRITERIA},
        count_name="n_comparisons", count_label="Comparisons", dialogue_label="chosen dialogue",
        card_template="preference.md.j2", card_tags=("rlhf", "preference", "reward-modeling")),
    KindSpec(
        name="sft", model=SFTRecord, checks=SFT_CHECKS + (DUPLICATE,),
        dialogue="messages", responses=(), metadata=("origin", "annotator", "batch", "license"),
        categories=("source", "origin"), report_values={},
        count_name="n_examples", count_label="Examples", dialogue_label="dialogue",
        card_template="sft.md.j2", card_tags=("sft",)),
)}


def kind_spec(name: str) -> KindSpec:
    """The spec of a record kind; InputError naming the kinds for any other name."""
    try:
        return KINDS[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown record kind {name!r}; use one of: "
                         f"{', '.join(KINDS)}") from None


def kind_of_columns(columns: typing.Iterable[str]) -> KindSpec | None:
    """The kind whose dialogue and first response are among `columns` (None if none)."""
    have = set(columns)
    return next((spec for spec in KINDS.values()
                 if {spec.dialogue, *spec.final_response} <= have), None)
