"""Reading a recipe file and the source catalog beside it: YAML in, validated models out.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "demo_v1.yaml").write_text(
...     "name: demo\\nversion: 1\\nkind: sft\\nsources: {a: {catalog: a}}\\n"
...     "mix: [{group: all, from: [a], take: all}]\\n")
>>> _ = (folder / CATALOG_FILE).write_text("sources:\\n  a: {path: a.jsonl, format: alpaca}\\n")
>>> load_recipe(folder / "demo_v1.yaml").id, load_catalog(folder)["a"].format
('demo_v1', 'alpaca')
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from curate.io.yamlsafe import load_text, loads, read_text, validation_message
from curate.recipe.model import Recipe, RecipeError, SourceSpec

CATALOG_FILE = "catalog.yaml"  # beside the recipes that name its entries with `{catalog: NAME}`

_FREE_TEXT = re.compile(r"^(description:[ \t]+)([^'\"|>\[{].*: .*)$", re.MULTILINE)


def _quote_free_text(text: str) -> str:
    return _FREE_TEXT.sub(lambda m: m.group(1) + json.dumps(m.group(2).strip()), text)


def parse_yaml(text: str) -> Any:
    """Plain YAML data (curate.io.yamlsafe: no tags, bounded), accepting one thing people
    write in recipes that YAML rejects: an unquoted `description:` whose text holds ": "
    ("... Harmless : helpfulness = 90 : 10")."""
    try:
        return loads(text)
    except yaml.YAMLError:
        quoted = _quote_free_text(text)
        if quoted == text:
            raise
        return loads(quoted)


def load_recipe(path: Path) -> Recipe:
    """Read and validate a recipe file; one-line errors name the file, line and field."""
    text = read_text(path, what="recipe")
    data = load_text(text, where=str(path), parse=parse_yaml)
    if not isinstance(data, dict):
        raise RecipeError(f"{path}: a recipe is a YAML mapping (name:, version:, sources:, "
                          f"mix:, ...), not {type(data).__name__}; see `curate recipes` for "
                          "the ones curate ships")
    try:
        return Recipe.model_validate(data)
    except ValidationError as exc:
        raise RecipeError(f"{path}: invalid recipe: "
                          f"{validation_message(exc, text=_quote_free_text(text))}") from exc


def load_catalog(folder: Path) -> dict[str, SourceSpec]:
    """The entries of `folder`/catalog.yaml by name; {} when the folder has none."""
    path = folder / CATALOG_FILE
    if not path.is_file():
        return {}
    text = read_text(path, what="catalog")
    data = load_text(text, where=str(path)) or {}
    entries = data.get("sources") or {} if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise RecipeError(f"{path}: the catalog is a mapping `sources: {{NAME: {{path: ...}}}}`; "
                          "see curate/recipe/shipped/catalog.yaml, the shipped one")
    catalog = {}
    for name, spec in entries.items():
        try:
            catalog[str(name)] = SourceSpec.model_validate(spec)
        except ValidationError as exc:
            problem = validation_message(exc, text=text, prefix=("sources", name))
            raise RecipeError(f"{path}: invalid catalog entry: {problem}") from exc
    return catalog
