"""What of a recipe can change a version's output: the part its fingerprint covers.

Every field of every recipe model is classified here, either COUNTED or NOT_COUNTED (with
the reason); tests/recipe/test_meaning.py fails when a model gains a field that is in
neither. An unclassified field still counts (the safe side) until it is classified.

The meaning is normalised so that what does not change the output does not change it:
lists whose order the build ignores are sorted (mix groups, a group's `from:`, the exclusion
lists), sources are keyed by name (declaration order is gone), and a field at its default
is left out (writing `uniform: pooled` equals omitting it, and a new field with a default
keeps the fingerprints of the recipes that do not use it).

>>> from curate.recipe.model import Recipe
>>> def recipe(**change):
...     return Recipe.model_validate({"name": "demo", "version": 1, "kind": "sft",
...         "sources": {"a": {"path": "a.jsonl"}, "b": {"path": "b.jsonl"}},
...         "mix": [{"group": "all", "from": ["a", "b"], "take": "all"}], **change})
>>> recipe_meaning(recipe(description="prose")) == recipe_meaning(recipe())
True
>>> recipe_meaning(recipe(mix=[{"group": "both", "from": ["b", "a"], "take": "all"}])) \\
...     == recipe_meaning(recipe())
True
>>> recipe_meaning(recipe(seed=1)) == recipe_meaning(recipe())
False
"""

from __future__ import annotations

import json
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from curate.recipe.model import (MixGroup, Output, Recipe, Requires, SourceSpec, Split,
                                 TestSplit)

_WHERE = ("where the records live: the same records from other files give the same version, "
          "and the records' content shows up through the output digests")
_HUB = ("where the records live; the fingerprint counts the commit this resolves to and the "
        "downloaded files' digests instead (curate.builder.manifest.fingerprint)")

# Fields that can change the output (or whether the build succeeds, as `requires` does).
COUNTED: dict[type[BaseModel], frozenset[str]] = {
    Recipe: frozenset({"name", "version", "kind", "seed", "sources", "mix", "exclude", "keep",
                       "split", "margin", "requires", "output", "rows_per_shard"}),
    SourceSpec: frozenset({"format", "format_options", "set"}),  # the source's name is its key in `sources`
    MixGroup: frozenset({"from_", "take", "share", "n_rows", "fraction", "uniform"}),
    Split: frozenset({"test", "seed"}),
    TestSplit: frozenset({"per_batch", "otherwise"}),
    Requires: frozenset({"latest_batch_from"}),
    Output: frozenset({"format"}),  # how the rows are written: the shards' columns
}

# Fields that cannot change the output rows, and why.
NOT_COUNTED: dict[type[BaseModel], dict[str, str]] = {
    Recipe: {"description": "prose for the dataset card",
             "publish": "where a built version is pushed, not what it holds"},
    SourceSpec: {"catalog": _WHERE, "path": _WHERE, "synth": _WHERE,
                 "hub": _HUB, "revision": _HUB, "files": _HUB,
                 "description": "prose for the catalog and the card",
                 "license": "recorded in the manifest and the card, not in the rows",
                 "sample": "marks bundled sample data for the card, not in the rows"},
    MixGroup: {"group": "a label in the manifest and the card: a group's rows follow from its "
                        "`from:` and its sizing"},
}

# Lists the build reads as sets: their order never changes the output.
UNORDERED: dict[type[BaseModel], frozenset[str]] = {
    Recipe: frozenset({"mix", "exclude", "keep"}),
    MixGroup: frozenset({"from_"}),
}


def recipe_meaning(recipe: Recipe) -> dict[str, Any]:
    """The counted fields of `recipe`, normalised, as plain JSON data (see the module doc)."""
    return _meaning(recipe)


def unclassified(root: type[BaseModel] = Recipe) -> dict[str, list[str]]:
    """{"MixGroup": ["new_field"], ...}: fields of the models reachable from `root` that are
    neither COUNTED nor NOT_COUNTED; a model missing from the tables lists all its fields."""
    missing = {}
    for model in models_of(root):
        known = _table(COUNTED, model, frozenset()) | set(_table(NOT_COUNTED, model, {}))
        fields = [name for name in model.model_fields if name not in known]
        if fields:
            missing[model.__name__] = fields
    return missing


def models_of(root: type[BaseModel]) -> list[type[BaseModel]]:
    """`root` and every model its fields hold, directly or in lists, dicts and unions."""
    found: list[type[BaseModel]] = []
    pending: list[Any] = [root]
    while pending:
        hint = pending.pop()
        if isinstance(hint, type) and issubclass(hint, BaseModel):
            if hint not in found:
                found.append(hint)
                pending.extend(f.annotation for f in hint.model_fields.values())
        elif typing.get_origin(hint) is not None:  # list[X], dict[K, V], X | None, Literal
            pending.extend(typing.get_args(hint))
    return found


def _table(table: dict[type[BaseModel], Any], model: type[BaseModel], empty: Any) -> Any:
    """The entry of `model` or of the nearest base class that has one (a subclass inherits its
    base's classification and must classify only the fields it adds)."""
    return next((table[cls] for cls in model.__mro__ if cls in table), empty)


def _meaning(value: Any) -> Any:
    if isinstance(value, BaseModel):
        model = type(value)
        skip, unordered = _table(NOT_COUNTED, model, {}), _table(UNORDERED, model, frozenset())
        out = {}
        for name, info in model.model_fields.items():
            field_value = getattr(value, name)
            if name in skip or field_value == info.get_default(call_default_factory=True):
                continue
            part = _meaning(field_value)
            if name in unordered:
                part = sorted(part, key=lambda item: json.dumps(item, sort_keys=True))
            out[info.alias or name] = part
        return out
    if isinstance(value, dict):
        return {str(key): _meaning(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_meaning(item) for item in value]
    return to_jsonable_python(value)
