"""A declarative column mapping: read any JSON/Parquet layout without writing an adapter.

>>> from curate.adapters.mapping import ColumnMapping
>>> m = ColumnMapping(kind="preference", set={"criterion": "helpfulness"},
...                   columns={"prompt": "q.text", "chosen": "good", "rejected": "bad"})
>>> r = m.adapter().convert({"q": {"text": "2+2?"}, "good": "4", "bad": "5"})[0]
>>> r["prompt"], r["chosen"], r["criterion"], r["source"]
([{'role': 'user', 'content': '2+2?'}], '4', 'helpfulness', 'mapping')

`columns` maps a record field to a source column; a dotted path reaches into nested
objects, and a number into lists (`summaries.0.text`). A text prompt becomes one user turn,
a list of {role, content} stays a dialogue. SFT mappings give `messages`, or `prompt` and
`completion` (which become a user turn and an assistant turn). `set` gives constant values.
The same model loads from YAML (`ColumnMapping.read_yaml(path)`) and is accepted wherever
a format name is: `curate.read(path, format=mapping)` or `--format mapping.yaml`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from curate.adapters.base import Adapter, Reject, assistant_turn
from curate.adapters.dialogue import parse_messages, prompt_turns, response_text
from curate.errors import InputError
from curate.io.yamlsafe import load_text, read_text, validation_message
from curate.kinds import kind_spec

# Targets that are not record fields: SFT turns assembled into `messages`.
SFT_PARTS = ("prompt", "completion")
DIALOGUE_PARTS = {"sft": SFT_PARTS}  # kind -> what may stand in for its dialogue column


def lookup(row: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path; a Reject names the step that failed and what is there."""
    value: Any = row
    for i, step in enumerate(path.split(".")):
        where = ".".join(path.split(".")[:i]) or "the row"
        if isinstance(value, Mapping):
            if step not in value:
                have = ", ".join(sorted(map(str, value))) or "none"
                raise Reject(f"column `{path}`: {where} has no key `{step}`; available: {have}; "
                             "fix the column mapping", field=path, reason="missing_column")
            value = value[step]
        elif isinstance(value, list) and step.isdigit():
            if int(step) >= len(value):
                raise Reject(f"column `{path}`: {where} has {len(value)} item(s), no index "
                             f"{step}", field=path, reason="missing_column")
            value = value[int(step)]
        else:
            raise Reject(f"column `{path}`: {where} is {type(value).__name__}, cannot take "
                         f"`{step}` from it", field=path, reason="missing_column")
    return value


class ColumnMapping(BaseModel):
    """How the columns of some file become curate records."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["preference", "sft"] = Field(description="The records produced.")
    columns: dict[str, str] = Field(
        description="Record field -> source column (dotted path for nested values).")
    set: dict[str, Any] = Field(default_factory=dict,
                                description="Record field -> constant value for every row.")
    name: str = Field("mapping", description="Format name in reports; default `source`.")

    @model_validator(mode="after")
    def check_fields_exist(self) -> ColumnMapping:
        spec, parts = kind_spec(self.kind), DIALOGUE_PARTS.get(self.kind, ())
        allowed = set(spec.model.model_fields) | set(parts)
        for origin, keys in (("columns", self.columns), ("set", self.set)):
            unknown = sorted(set(keys) - allowed)
            if unknown:
                raise ValueError(f"{origin} names {unknown}, not fields of {self.kind} records; "
                                 f"use some of: {', '.join(sorted(allowed))}")
        given = set(self.columns) | set(self.set)
        texts = set(spec.text_columns)
        if parts and spec.dialogue not in given:
            texts = texts - {spec.dialogue} | set(parts)
        needed = texts - given
        if needed:
            how = f" (or `{spec.dialogue}`)" if parts else ""
            raise ValueError(f"a {self.kind} mapping must map {sorted(needed)}{how}")
        return self

    @classmethod
    def read_yaml(cls, path: str | Path) -> ColumnMapping:
        """Load a mapping from a YAML file holding the same keys."""
        text = read_text(path, what="column mapping")
        data = load_text(text, where=str(path))
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InputError(f"{path}: not a valid column mapping: "
                             f"{validation_message(exc, text=text)}; expected keys kind, "
                             "columns, set, name") from exc

    def adapter(self) -> MappedAdapter:
        return MappedAdapter(self)


class MappedAdapter(Adapter):
    """The adapter a ColumnMapping describes (never chosen by detection)."""

    name = "mapping"
    kind = "preference"
    priority = None

    def __init__(self, mapping: ColumnMapping) -> None:
        self.mapping = mapping
        self.name, self.kind = mapping.name, mapping.kind  # type: ignore[misc]
        self.dialogue = kind_spec(mapping.kind).dialogue
        self.parts = DIALOGUE_PARTS.get(mapping.kind, ())
        self.texts = {*kind_spec(mapping.kind).text_columns, *self.parts}  # never null

    def sniff(self, row: Mapping[str, Any]) -> bool:
        return False

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        record: dict[str, Any] = {"source": self.name}
        for target, path in self.mapping.columns.items():
            value = lookup(row, path)
            if value is None and target in self.texts:
                raise Reject(f"column `{path}` (mapped to `{target}`) is null", field=path)
            record[target] = _shape(target, value, path)
        record.update(self.mapping.set)
        if self.parts and self.dialogue not in record:  # SFT_PARTS: prompt and completion
            completion = record.pop("completion")
            turns = ([assistant_turn(completion)] if isinstance(completion, str)
                     else parse_messages(completion, field="completion"))
            record[self.dialogue] = prompt_turns(record.pop("prompt"), field="prompt") + turns
        return [record]


def _shape(target: str, value: Any, path: str) -> Any:
    """Turn-shaped targets accept text or messages; everything else passes as is."""
    if target == "prompt" and value is not None:
        return prompt_turns(value, field=path)
    if target in ("chosen", "rejected"):
        return response_text(value, field=path)
    if target == "messages":
        return parse_messages(value, field=path)
    return value
