"""A version's rows in TRL's dataset formats: records to shard columns, and shard columns back.

curate.kinds declares, per kind and output format, which fields are written in another form
(`Written`, FORMS). This module writes each form as a polars expression (`to_output`) and
reads it back (`as_records`), so everything that reads a version's shards (the card's stats,
`curate stats`, `curate.read` of a shard) sees the records' own columns whatever the format,
and versions built before the formats existed (responses as text) read the same way.

The transcript of the standard format (one text for a dialogue, Anthropic HH-RLHF's style):
each message in order, a user turn as "\\n\\nHuman: " + text, an assistant turn as
"\\n\\nAssistant: " + text, a system turn as its text as is (so a system prompt comes first,
bare); then the cue "\\n\\nAssistant:" the answer follows. The response texts are not
changed: `prompt + " " + chosen` is the HH-RLHF transcript of the comparison. Reading a
transcript back is exact unless a message's text itself holds "\\n\\nHuman: " or
"\\n\\nAssistant: ", or a system turn is empty or not first.

>>> import polars as pl
>>> records = pl.DataFrame({"prompt": [[{"role": "user", "content": "Hi"}]],
...     "chosen": ["Hello!"], "rejected": ["Go away."], "source": ["x"]})
>>> to_output(records, "preference", "conversational").row(0, named=True)["chosen"]
[{'role': 'assistant', 'content': 'Hello!'}]
>>> to_output(records, "preference", "standard").row(0, named=True)["prompt"]
'\\n\\nHuman: Hi\\n\\nAssistant:'
>>> as_records(to_output(records, "preference", "standard")).equals(records)
True
"""

from __future__ import annotations

import re
from typing import TypeVar

import polars as pl

from curate.errors import InputError
from curate.kinds import KindSpec, Written, kind_of_output, kind_spec

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

ANSWER_CUE = "\n\nAssistant:"
_PREFIX = {"user": "\n\nHuman: ", "assistant": "\n\nAssistant: ", "system": ""}
_TURN = re.compile(r"\n\n(Human|Assistant): ")
_ROLE_OF = {"Human": "user", "Assistant": "assistant"}
_MESSAGES = pl.List(pl.Struct({"role": pl.String, "content": pl.String}))


def render_transcript(messages: list[dict[str, str]]) -> str:
    """A dialogue as one text, ending with the cue its answer follows (the module doc's rule).

    >>> render_transcript([{"role": "system", "content": "Be brief."},
    ...                    {"role": "user", "content": "Hi"}])
    'Be brief.\\n\\nHuman: Hi\\n\\nAssistant:'
    """
    return "".join(_PREFIX[m["role"]] + m["content"] for m in messages) + ANSWER_CUE


def parse_transcript(text: str) -> list[dict[str, str]]:
    """The messages of a transcript render_transcript wrote.

    >>> parse_transcript('Be brief.\\n\\nHuman: Hi\\n\\nAssistant: Hello\\n\\nHuman: Bye\\n\\nAssistant:')
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'role': 'system', 'content': 'Be brief.'}, {'role': 'user', 'content': 'Hi'},
     {'role': 'assistant', 'content': 'Hello'}, {'role': 'user', 'content': 'Bye'}]
    """
    parts = _TURN.split(text.removesuffix(ANSWER_CUE))
    system = [{"role": "system", "content": parts[0]}] if parts[0] else []
    return system + [{"role": _ROLE_OF[who], "content": content}
                     for who, content in zip(parts[1::2], parts[2::2])]


def _transcript(messages: pl.Expr) -> pl.Expr:
    role, content = pl.element().struct.field("role"), pl.element().struct.field("content")
    prefix = (pl.when(role == "user").then(pl.lit(_PREFIX["user"]))
              .when(role == "assistant").then(pl.lit(_PREFIX["assistant"])).otherwise(pl.lit("")))
    return messages.list.eval(prefix + content).list.join("") + ANSWER_CUE


def _assistant_message(text: pl.Expr) -> pl.Expr:
    message = pl.struct(pl.lit("assistant").alias("role"), text.alias("content"))
    return pl.when(text.is_not_null()).then(pl.concat_list(message))


def _write(column: Written) -> pl.Expr:
    source = pl.col(column.field)
    if column.form == "assistant_message":
        expr = _assistant_message(source)
    elif column.form == "transcript":
        expr = _transcript(source)
    elif column.form == "transcript_before_answer":
        expr = _transcript(source.list.slice(0, source.list.len() - 1))
    elif column.form == "answer_text":
        expr = source.list.last().struct.field("content")
    else:
        raise ValueError(f"no writer for the output form {column.form!r}")
    return expr.alias(column.column)


def to_output(frame: Frame, kind: str, format: str) -> Frame:
    """`frame` (records' columns) with each field `format` writes in another form replaced,
    in its place, by the columns written from it; other columns are left as they are."""
    written = kind_spec(kind).written(format)
    if not written:
        return frame
    exprs: list[pl.Expr] = []
    for name in frame.collect_schema().names():
        exprs += [_write(w) for w in written if w.field == name] or [pl.col(name)]
    return frame.select(exprs)


def _parsed(text: pl.Expr) -> pl.Expr:
    return text.map_elements(parse_transcript, return_dtype=_MESSAGES)


def as_records(frame: Frame, kind: str | None = None) -> Frame:
    """A version's rows with the records' own dialogue and response columns, whichever format
    they were written in (told by the columns and their types; a frame already in the
    records' form is returned as it is). `kind` is told by the columns when None."""
    schema = frame.collect_schema()
    spec = kind_spec(kind) if kind else kind_of_output(schema.names())
    if spec is None:
        raise InputError(f"columns {schema.names()[:12]} are no version's rows: expected "
                         "prompt, chosen, rejected (preference) or messages, or prompt and "
                         "completion (sft)")
    return frame.select(_record_columns(spec, schema))


def _record_columns(spec: KindSpec, schema: pl.Schema) -> list[pl.Expr]:
    names = schema.names()
    if spec.dialogue not in names and {"prompt", "completion"} <= set(names):
        # the standard prompt-completion form of a dialogue: its transcript, then its answer
        answer = pl.struct(pl.lit("assistant").alias("role"), pl.col("completion").alias("content"))
        dialogue = pl.concat_list(_parsed(pl.col("prompt")), answer).alias(spec.dialogue)
        return [dialogue if n == "prompt" else pl.col(n) for n in names if n != "completion"]
    out = []
    for name in names:
        if name == spec.dialogue and schema[name] == pl.String:
            out.append(_parsed(pl.col(name)).alias(name))
        elif name in spec.responses and isinstance(schema[name], pl.List):
            out.append(pl.col(name).list.first().struct.field("content").alias(name))
        else:
            out.append(pl.col(name))
    return out


def not_one_assistant_message(column: str) -> pl.Expr:
    """True where a response column holds something else than one assistant message (a shard
    curate wrote never does; a TRL file may): such rows are not comparisons of two answers."""
    messages = pl.col(column)
    return (messages.list.len() != 1) | (
        messages.list.first().struct.field("role") != "assistant")


__all__ = ["ANSWER_CUE", "as_records", "not_one_assistant_message", "parse_transcript",
           "render_transcript", "to_output"]
