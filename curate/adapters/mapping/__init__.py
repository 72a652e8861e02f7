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
Beyond renaming: `pair` (the preferred side by a label), `values` (value maps), `templates`
(fields joined), `messages` (other keys and role names), `turns` (a list of strings),
`where` (row filters) and `ranked` (candidates exploded into pairs); docs/mapping.md shows
each. The same model loads from YAML (`ColumnMapping.read_yaml(path)`) and is accepted
wherever a format name is: `curate.read(path, format=mapping)` or `--format mapping.yaml`.

Modules: `model` (the pydantic model), `specs` (its structured parts), `paths` (dotted
lookups and how values compare), `template`, `turns` (dialogues in other shapes), `adapter`
(one row -> records; ranked candidates are paired by curate.adapters.ranked).
"""

from curate.adapters.mapping.adapter import MappedAdapter
from curate.adapters.mapping.model import ColumnMapping
from curate.adapters.mapping.paths import lookup, text_key
from curate.adapters.mapping.specs import (Condition, MessagesSpec, PairSpec, RankedSpec,
                                           TurnsSpec)
from curate.adapters.mapping.template import Template
from curate.adapters.mapping.turns import alternating_turns, renamed_messages

__all__ = ["ColumnMapping", "Condition", "MappedAdapter", "MessagesSpec", "PairSpec",
           "RankedSpec", "Template", "TurnsSpec", "alternating_turns", "lookup",
           "renamed_messages", "text_key"]
