"""The adapter a ColumnMapping describes: one raw row -> its records, the rules applied in
one order: the row filter, the pair's label, columns (through their value maps), templates,
dialogues, constants, then the pair or the ranked candidates that give chosen and rejected."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.adapters.base import Adapter, Reject, Skip, assistant_turn
from curate.adapters.dialogue import parse_messages, prompt_turns, response_text
from curate.adapters.mapping.model import DIALOGUE_PARTS, PAIRED, ColumnMapping
from curate.adapters.mapping.paths import lookup, shown, text_key
from curate.adapters.mapping.specs import (Condition, MessagesSpec, PairSpec, RankedSpec,
                                           TurnsSpec)
from curate.adapters.mapping.template import Template
from curate.adapters.mapping.turns import alternating_turns, renamed_messages
from curate.adapters.ranked import no_preference_skip, ranked_pairs
from curate.kinds import kind_spec
from curate.preview import preview


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
        self.templates = {f: Template.parse(t) for f, t in mapping.templates.items()}

    def sniff(self, row: Mapping[str, Any]) -> bool:
        return False

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        m = self.mapping
        _keep_or_skip(row, m.where)
        # a label that prefers neither side skips the row before anything else is read
        side = _preferred(row, m.pair) if m.pair is not None else None
        record: dict[str, Any] = {"source": self.name}
        for target, path in m.columns.items():
            record[target] = self._take(target, lookup(row, path), path)
        for target, template in self.templates.items():
            record[target] = _shape(target, template.render(row, field=target), target)
        for spec, read in ((m.messages, self._renamed), (m.turns, self._alternating)):
            if spec is not None:
                target = spec.into or self.dialogue
                record[target] = _shape(target, read(row, spec), spec.from_)
        record.update(m.set)
        if self.parts and self.dialogue not in record:  # SFT_PARTS: prompt and completion
            completion = record.pop("completion")
            turns = ([assistant_turn(completion)] if isinstance(completion, str)
                     else parse_messages(completion, field="completion"))
            record[self.dialogue] = prompt_turns(record.pop("prompt"), field="prompt") + turns
        if m.pair is not None and side is not None:
            return [record | self._pair_fields(row, m.pair, side)]
        if m.ranked is not None:
            return [record | paired for paired in self._ranked(row, m.ranked)]
        return [record]

    def _take(self, target: str, value: Any, path: str) -> Any:
        """A column's value as the field `target`: through its value map, then shaped."""
        if target in self.mapping.values and value is not None:
            value = _mapped(self.mapping.values[target], value, target, path)
        if value is None and target in self.texts:
            raise Reject(f"column `{path}` (mapped to `{target}`) is null", field=path)
        return _shape(target, value, path)

    def _renamed(self, row: Mapping[str, Any], spec: MessagesSpec) -> list[dict[str, str]]:
        return renamed_messages(lookup(row, spec.from_), role=spec.role, content=spec.content,
                                roles=spec.roles, field=spec.from_)

    def _alternating(self, row: Mapping[str, Any], spec: TurnsSpec) -> list[dict[str, str]]:
        return alternating_turns(lookup(row, spec.from_), roles=spec.roles, field=spec.from_)

    def _pair_fields(self, row: Mapping[str, Any], pair: PairSpec, side: str) -> dict[str, Any]:
        columns = {"a": {"": pair.a}, "b": {"": pair.b}}
        for x, (a, b) in pair.sides.items():
            columns["a"][x], columns["b"][x] = a, b
        other = "b" if side == "a" else "a"
        return {**self._side(row, "chosen", columns[side]),
                **self._side(row, "rejected", columns[other])}

    def _side(self, row: Mapping[str, Any], prefix: str, columns: dict[str, str]) -> dict:
        """chosen (or rejected) and its chosen_X fields, from one side's columns ("" -> text)."""
        out = {}
        for x, path in columns.items():
            target = f"{prefix}_{x}" if x else prefix
            out[target] = self._take(target, lookup(row, path), path)
        return out

    def _ranked(self, row: Mapping[str, Any], spec: RankedSpec) -> list[dict[str, Any]]:
        found = lookup(row, spec.candidates)
        if not isinstance(found, list) or not all(isinstance(c, Mapping) for c in found):
            raise Reject(f"`{spec.candidates}` should be a list of candidate objects, got "
                         f"{preview(found, 60)}", field=spec.candidates)
        kept, scores = [], []
        for i, candidate in enumerate(found):
            if not all(c.holds(lookup(candidate, c.column)) for c in spec.where):
                continue
            score, text = lookup(candidate, spec.score), lookup(candidate, spec.text)
            if score is None or text is None:
                continue  # not ranked
            if isinstance(score, bool) or not isinstance(score, (int, float)):
                raise Reject(f"`{spec.candidates}.{i}.{spec.score}` should be a number, got "
                             f"{shown(score)}", field=spec.candidates)
            kept.append({"": f"{spec.candidates}.{i}.{spec.text}",
                         **{x: f"{spec.candidates}.{i}.{key}" for x, key in spec.sides.items()}})
            scores.append(score)
        pairs = ranked_pairs(scores, pairs=spec.pairs, higher_is_better=spec.higher_is_better)
        if not pairs:
            raise no_preference_skip(
                f"`{spec.candidates}`: {len(kept)} ranked candidate(s) with score(s) "
                f"{sorted(set(scores))}; a comparison needs two different scores",
                field=spec.candidates)
        return [{**self._side(row, "chosen", kept[better]),
                 **self._side(row, "rejected", kept[worse])} for better, worse in pairs]


def _preferred(row: Mapping[str, Any], pair: PairSpec) -> str:
    """"a" or "b", the side the label column prefers; any other label (a tie, 1.5 from a
    weighted annotator, null) names no better response: the row is skipped as
    `no_preference`, as the built-in formats do (curate.adapters.ranked)."""
    label = lookup(row, pair.preferred)
    side = pair.side_of(label)
    if side is None:
        raise no_preference_skip(
            f"`{pair.preferred}` is {shown(label)}: neither a_when ({_listed(pair.a_when)}) "
            f"nor b_when ({_listed(pair.b_when)}), so no response is preferred (a tie or an "
            "unclear label)", field=pair.preferred)
    return side


def _keep_or_skip(row: Mapping[str, Any], where: list[Condition]) -> None:
    for condition in where:
        value = lookup(row, condition.column)
        if not condition.holds(value):
            raise Skip(f"left out by `where`: {condition.describe()} does not hold "
                       f"(`{condition.column}` is {shown(value)})",
                       field=condition.column, reason="filtered")


def _mapped(table: dict[str, Any], value: Any, target: str, path: str) -> Any:
    key = text_key(value)
    if key is None or key not in table:
        raise Reject(f"`{target}`: value {shown(value)} of column `{path}` is not in its "
                     f"value map (keys: {', '.join(table)}); add it under `values.{target}`",
                     field=path, reason="unmapped_value")
    return table[key]


def _listed(values: Any) -> str:
    return ", ".join(str(text_key(v)) for v in (values if isinstance(values, list) else [values]))


def _shape(target: str, value: Any, path: str) -> Any:
    """Turn-shaped targets accept text or messages; everything else passes as is."""
    if target == "prompt" and value is not None:
        return prompt_turns(value, field=path)
    if target in PAIRED:
        return response_text(value, field=path)
    if target == "messages":
        return parse_messages(value, field=path)
    return value
