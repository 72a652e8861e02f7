"""A column mapping named by a recipe's `format:` is read from the recipe's folder, and its
content is recorded: in the manifest, in the fingerprint, and as the reason `curate diff` gives."""

from __future__ import annotations

import json

import yaml

import curate
from curate.builder.manifest import fingerprint
from curate.builder.sources import resolve_sources
from curate.diff import diff_versions
from curate.recipe import load_recipe
from tests.builder.conftest import write_jsonl, write_recipe

MAPPING = {"kind": "preference", "set": {"criterion": "helpfulness"},
           "columns": {"prompt": "question", "chosen": "good", "rejected": "bad"}}


def _project(folder, mapping: dict) -> None:
    write_jsonl(folder / "data/pairs.jsonl", [
        {"question": f"question {i}?", "good": f"a good answer {i}", "bad": f"a bad one {i}"}
        for i in range(30)])
    (folder / "mappings").mkdir(exist_ok=True)
    (folder / "mappings/pairs.yaml").write_text(yaml.safe_dump(mapping))


def _recipe(folder, version: int):
    return write_recipe(folder, version=version,
                        sources={"pairs": {"path": "data/pairs.jsonl",
                                           "format": "mappings/pairs.yaml"}},
                        mix=[{"group": "all", "from": ["pairs"], "take": "all"}])


def test_a_mapping_is_read_from_the_recipes_folder_and_its_content_is_in_the_manifest(
        tmp_path, monkeypatch):
    _project(tmp_path / "project", MAPPING)
    monkeypatch.chdir(tmp_path)  # not the recipe's folder: the mapping is found all the same
    built = curate.build(_recipe(tmp_path / "project", 1), out=tmp_path / "out", progress=False)
    source = built.manifest.sources["pairs"]
    assert source.format == "mappings/pairs.yaml" and source.n_kept == 30
    assert source.mapping == MAPPING
    written = json.loads((built.path / "manifest.json").read_text())["sources"]["pairs"]
    assert written["mapping"] == MAPPING


def test_the_mapping_content_is_in_the_fingerprint(tmp_path):
    _project(tmp_path, MAPPING)
    recipe_path = _recipe(tmp_path, 1)
    recipe = load_recipe(recipe_path)
    before = resolve_sources(recipe, recipe_path, progress=False)
    (tmp_path / "mappings/pairs.yaml").write_text(yaml.safe_dump({**MAPPING, "name": "vendor"}))
    after = resolve_sources(recipe, recipe_path, progress=False)
    assert after[0].mapping == {**MAPPING, "name": "vendor"}
    assert fingerprint(recipe, [], before) != fingerprint(recipe, [], after)
    (tmp_path / "mappings/pairs.yaml").write_text(yaml.safe_dump(MAPPING, sort_keys=False))
    again = resolve_sources(recipe, recipe_path, progress=False)  # same content, other bytes
    assert fingerprint(recipe, [], again) == fingerprint(recipe, [], before)


def test_diff_names_a_flipped_mapping_as_the_reason_not_new_input(tmp_path):
    _project(tmp_path, MAPPING)
    v1 = curate.build(_recipe(tmp_path, 1), out=tmp_path / "out", progress=False)
    flipped = {**MAPPING, "columns": {**MAPPING["columns"], "chosen": "bad", "rejected": "good"}}
    (tmp_path / "mappings/pairs.yaml").write_text(yaml.safe_dump(flipped))
    v2 = curate.build(_recipe(tmp_path, 2), out=tmp_path / "out", progress=False)
    diff = diff_versions(v1.path, v2.path)
    assert diff.recipe_changes == []
    assert [c.key for c in diff.mapping_changes] == ["sources.pairs.mapping.columns"]
    assert diff.mapping_changes[0].b["chosen"] == "bad"
    assert diff.sources["pairs"].added == {"mapping_change": 30}
    assert diff.sources["pairs"].removed == {"mapping_change": 30}
