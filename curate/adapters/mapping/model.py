"""ColumnMapping: the one pydantic model of a column mapping, each key documented once.

`model_dump(mode="json", exclude_defaults=True)` is its canonical form: the same document
for the same meaning (value-map keys are kept as their text), and enough to rebuild it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (BaseModel, ConfigDict, Field, ValidationError, field_validator,
                      model_validator)

from curate.adapters.mapping.paths import text_key
from curate.adapters.mapping.specs import (Condition, MessagesSpec, PairSpec,
                                           RankedSpec, Scalar, TurnsSpec)
from curate.adapters.mapping.template import Template
from curate.errors import InputError
from curate.io.yamlsafe import load_text, read_text, validation_message
from curate.kinds import kind_spec

if TYPE_CHECKING:
    from curate.adapters.mapping.adapter import MappedAdapter

# Targets that are not record fields: SFT turns assembled into `messages`.
SFT_PARTS = ("prompt", "completion")
DIALOGUE_PARTS = {"sft": SFT_PARTS}  # kind -> what may stand in for its dialogue column
PAIRED = ("chosen", "rejected")  # what `pair:` and `ranked:` fill, with chosen_X / rejected_X


class ColumnMapping(BaseModel):
    """How the columns of some file become curate records (docs/mapping.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["preference", "sft"] = Field(description="The records produced.")
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="Record field -> source column (dotted path for nested values, a number "
                    "for a list item: `answers.0.text`).")
    templates: dict[str, str] = Field(
        default_factory=dict,
        description="Record field -> text joining columns, `{column}` for each (e.g. "
                    "\"{instruction}\\n\\n{input}\"); a part between blank lines whose "
                    "columns are all empty is left out.")
    values: dict[str, dict[str, Scalar | None]] = Field(
        default_factory=dict,
        description="Record field -> {source value: record value}, applied to what its "
                    "column gives (`degree: {3: significantly_better}`); keys compare as "
                    "text. A value not listed rejects the row (reason unmapped_value); null "
                    "stays null.")
    pair: PairSpec | None = Field(
        None, description="chosen and rejected picked from two columns by a label column.")
    ranked: RankedSpec | None = Field(
        None, description="chosen and rejected from a list of scored candidates: one row "
                          "gives a comparison per pair.")
    messages: MessagesSpec | None = Field(
        None, description="A dialogue from message objects with other key and role names.")
    turns: TurnsSpec | None = Field(
        None, description="A dialogue from a list of strings, the speakers alternating.")
    where: list[Condition] = Field(
        default_factory=list,
        description="Row filter: a row is kept when every condition holds, else left out "
                    "and counted with reason `filtered` (not an invalid record).")
    set: dict[str, Any] = Field(default_factory=dict,
                                description="Record field -> constant value for every row.")
    name: str = Field("mapping", description="Format name in reports, and the records' "
                                             "`source` (a recipe's source name replaces it).")

    @field_validator("values", mode="before")
    @classmethod
    def keys_as_text(cls, value: Any) -> Any:
        """YAML's `3:` and JSON's `"3"` are one key (as 3, 3.0 and "3" in the data are)."""
        if not isinstance(value, dict):
            return value
        out = {}
        for field, table in value.items():
            if not isinstance(table, dict):
                out[field] = table  # pydantic names the wrong type
                continue
            keys = [text_key(k) for k in table]
            if None in keys:
                raise ValueError(f"values.{field}: keys must be text, numbers or booleans "
                                 "(null stays null without a key)")
            out[field] = dict(zip(keys, table.values()))
        return out

    @field_validator("templates")
    @classmethod
    def templates_parse(cls, value: dict[str, str]) -> dict[str, str]:
        for field, text in value.items():
            try:
                Template.parse(text)
            except ValueError as exc:
                raise ValueError(f"templates.{field}: {exc}") from None
        return value

    @model_validator(mode="after")
    def check_fields_exist(self) -> ColumnMapping:
        if (self.pair or self.ranked) and not kind_spec(self.kind).responses:
            raise ValueError("pair and ranked make comparisons: use them with kind: preference")
        spec, parts = kind_spec(self.kind), DIALOGUE_PARTS.get(self.kind, ())
        allowed = set(spec.model.model_fields) | set(parts)
        sources = self.field_sources()
        for origin in dict.fromkeys(sources.values()):
            unknown = sorted(f for f, o in sources.items() if o == origin and f not in allowed)
            if unknown:
                raise ValueError(f"{origin} names {unknown}, not fields of {self.kind} records; "
                                 f"use some of: {', '.join(sorted(allowed))}")
        taken = {f for f, o in sources.items() if o in ("columns", "pair.sides", "ranked.sides")}
        loose = sorted(set(self.values) - taken)
        if loose:
            raise ValueError(f"values maps {loose}, which no column gives; take the field from "
                             "a column (columns:, pair.sides, ranked.sides)")
        given = set(sources)
        texts = set(spec.text_columns)
        if parts and spec.dialogue not in given:
            texts = texts - {spec.dialogue} | set(parts)
        needed = texts - given
        if needed:
            how = f" (or `{spec.dialogue}`)" if parts else ""
            raise ValueError(f"a {self.kind} mapping must map {sorted(needed)}{how}")
        return self

    def field_sources(self) -> dict[str, str]:
        """Record field -> the key of the mapping that fills it; ValueError when two do."""
        sources: dict[str, str] = {}

        def give(fields: Any, origin: str) -> None:
            for f in fields:
                if f in sources:
                    raise ValueError(f"`{f}` is given by both {sources[f]} and {origin}; "
                                     "keep one")
                sources[f] = origin

        give(self.columns, "columns")
        give(self.templates, "templates")
        for origin, spec in (("pair", self.pair), ("ranked", self.ranked)):
            if spec is not None:
                give(PAIRED, origin)
                give([f"{side}_{x}" for x in spec.sides for side in PAIRED], f"{origin}.sides")
        dialogue = kind_spec(self.kind).dialogue
        for origin, spec in (("messages", self.messages), ("turns", self.turns)):
            if spec is not None:
                give([spec.into or dialogue], origin)
        give(self.set, "set")
        return sources

    @classmethod
    def read_yaml(cls, path: str | Path) -> ColumnMapping:
        """Load a mapping from a YAML file holding the same keys."""
        text = read_text(path, what="column mapping")
        data = load_text(text, where=str(path))
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            keys = ", ".join(cls.model_fields)
            raise InputError(f"{path}: not a valid column mapping: "
                             f"{validation_message(exc, text=text)}; expected keys {keys} "
                             "(docs/mapping.md)") from exc

    def adapter(self) -> MappedAdapter:
        # imported here: curate.adapters.mapping.adapter imports this module
        from curate.adapters.mapping.adapter import MappedAdapter

        return MappedAdapter(self)
