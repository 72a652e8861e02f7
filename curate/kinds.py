"""One spec per record kind: everything that differs between comparisons and SFT dialogues.

A kind is its pydantic model (curate.records) and the data the pipeline needs about it: its
checks, the columns that make its dialogue and its metadata, what the manifest counts, and
its card. The Arrow schemas are derived from the model, never written by hand: the output
columns are the model's fields in declaration order, less those marked
`Field(exclude=True)` (they never leave curate), then its computed fields.

A version is written in one of TRL's two dataset formats (recipe `output: {format: ...}`):
`conversational` (the default) or `standard`. Each kind declares which of its fields a format
writes in another form than the record's own (`Written`, forms in FORMS, written and read
back by curate.output_forms); every other column is the field as it is.
- preference, conversational: `prompt` as is, `chosen` and `rejected` each one assistant
  message `[{"role": "assistant", "content": text}]` (TRL's conversational preference);
  standard: `prompt` one text (the transcript, curate.output_forms.render_transcript),
  `chosen` and `rejected` the response texts (TRL's standard preference).
- sft, conversational: `messages` as is (TRL's conversational language modeling); standard:
  `prompt` the transcript of the dialogue before its final answer and `completion` that
  answer's text (TRL's standard prompt-completion).

>>> spec = kind_spec("preference")
>>> spec.model.__name__, spec.dialogue, spec.count_name
('PreferenceRecord', 'prompt', 'n_comparisons')
>>> spec.output_schema.names[:4], spec.output_schema.names[-2:]
(['prompt', 'chosen', 'rejected', 'margin'], ['safety_category', 'uid'])
>>> spec.output_schema.field("chosen").type
ListType(list<item: struct<role: string, content: string>>)
>>> spec.output_schema_for("standard").field("prompt").type
DataType(string)
>>> kind_spec("sft").output_schema.field("messages").type
ListType(list<item: struct<role: string, content: string>>)
>>> kind_spec("sft").output_schema_for("standard").names[:3]
['prompt', 'completion', 'source']
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


OUTPUT_FORMATS = ("conversational", "standard")  # TRL's two dataset formats
DEFAULT_OUTPUT_FORMAT = "conversational"

# How a field can be written in a format, and the Arrow type it then has.
FORMS: dict[str, pa.DataType] = {
    # a response text as one assistant message: [{"role": "assistant", "content": text}]
    "assistant_message": pa.list_(MESSAGE_TYPE),
    # a dialogue as one text: curate.output_forms.render_transcript
    "transcript": pa.string(),
    # a dialogue less its final (assistant) message, as a transcript
    "transcript_before_answer": pa.string(),
    # the text of a dialogue's final message
    "answer_text": pa.string(),
}


@dataclass(frozen=True)
class Written:
    """An output column written from a record field in another form than the field's own."""

    column: str  # its name in the shards
    field: str  # the record field it is written from
    form: str  # a key of FORMS


@cache
def output_schema(model: type[BaseModel], written: tuple[Written, ...] = ()) -> pa.Schema:
    """The columns of a built version's shards: the fields that leave curate, then the
    computed fields (safety_category, uid), each in declaration order; a field in `written`
    is replaced, in its place, by the columns written from it."""
    by_field: dict[str, list[Written]] = {}
    for column in written:
        by_field.setdefault(column.field, []).append(column)
    fields = []
    for name, f in model.model_fields.items():
        if not f.exclude:
            fields += ([(w.column, FORMS[w.form]) for w in by_field[name]] if name in by_field
                       else [(name, arrow_type(f.annotation))])
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
    # Per output format, the fields written in another form than the record's own.
    output_forms: dict[str, tuple[Written, ...]] = field(default_factory=dict)
    card_tags: tuple[str, ...] = field(default=())
    # The Hub's tasks (huggingface.js tasks/src/pipelines.ts) a version of this kind trains.
    task_categories: tuple[str, ...] = field(default=())

    def written(self, format: str) -> tuple[Written, ...]:
        """The columns `format` writes in another form; InputError for an unknown format."""
        if format not in OUTPUT_FORMATS:
            raise InputError(f"unknown output format {format!r}; use one of: "
                             f"{', '.join(OUTPUT_FORMATS)}")
        return self.output_forms.get(format, ())

    def output_schema_for(self, format: str) -> pa.Schema:
        """The columns of the shards of a version written in `format`."""
        return output_schema(self.model, self.written(format))

    @property
    def output_schema(self) -> pa.Schema:
        """The shards' columns in the default format (conversational)."""
        return self.output_schema_for(DEFAULT_OUTPUT_FORMAT)

    def text_output_columns(self, format: str) -> list[str]:
        """The dialogue and response columns as `format` writes them."""
        written = self.written(format)
        out = []
        for name in self.text_columns:
            out += [w.column for w in written if w.field == name] or [name]
        return list(dict.fromkeys(out))

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
        card_template="preference.md.j2",
        output_forms={"conversational": (Written("chosen", "chosen", "assistant_message"),
                                         Written("rejected", "rejected", "assistant_message")),
                      "standard": (Written("prompt", "prompt", "transcript"),)},
        card_tags=("rlhf", "preference", "reward-modeling"),
        # a reward model (TRL's RewardTrainer: a sequence classifier fit to rank chosen over
        # rejected) or a policy by DPO
        task_categories=("text-ranking", "text-classification")),
    KindSpec(
        name="sft", model=SFTRecord, checks=SFT_CHECKS + (DUPLICATE,),
        dialogue="messages", responses=(), metadata=("origin", "annotator", "batch", "license"),
        categories=("source", "origin"), report_values={},
        count_name="n_examples", count_label="Examples", dialogue_label="dialogue",
        card_template="sft.md.j2",
        output_forms={"standard": (Written("prompt", "messages", "transcript_before_answer"),
                                   Written("completion", "messages", "answer_text"))},
        card_tags=("sft",), task_categories=("text-generation",)),
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


def kind_of_output(columns: typing.Iterable[str]) -> KindSpec | None:
    """The kind of a version's shards with `columns`, in either output format (None if none)."""
    have = set(columns)
    return next((spec for spec in KINDS.values() for format in OUTPUT_FORMATS
                 if set(spec.text_output_columns(format)) <= have), None)
