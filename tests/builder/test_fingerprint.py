"""The fingerprint follows what can change the output, not how the recipe is written down."""

from __future__ import annotations

import json

import curate
from tests.builder.conftest import comparisons, write_jsonl, write_recipe


def _data(folder, names=("safety", "help", "open")):
    for i, name in enumerate(names):
        write_jsonl(folder / f"{name}.jsonl", comparisons(
            300, source="x", criterion="safety" if i == 0 else "helpfulness", seed=i,
            start=1000 * i, batches=("2023-W01", None)))


def _recipe(folder, *, files=("safety", "help", "open"), reverse=False, **over):
    sources = {name: {"path": f"{file}.jsonl"}
               for name, file in zip(("safety", "help", "open"), files)}
    mix = [{"group": "safety", "from": ["safety"], "take": "all", "share": 0.8},
           {"group": "helpfulness", "from": ["help", "open"], "share": 0.2}]
    exclude = ["duplicate", "safety_category_4", "identical_pair"]
    if reverse:  # the same recipe, written down in the other order everywhere
        sources, mix = dict(reversed(sources.items())), mix[::-1]
        mix[0] = {**mix[0], "from": mix[0]["from"][::-1]}
        exclude = exclude[::-1]
    recipe = dict(sources=sources, mix=mix, exclude=exclude, split={"test": {"otherwise": 0.1}},
                  rows_per_shard=100)
    return write_recipe(folder, **{**recipe, **over})


def _build(recipe, out) -> tuple[object, dict]:
    """The built version and its manifest.json."""
    version = curate.build(recipe, out=out, progress=False)
    return version, json.loads((version.path / "manifest.json").read_text())


def test_order_file_names_and_prose_change_neither_the_shards_nor_the_fingerprint(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _data(a)
    _data(b, names=("s", "h", "o"))
    first, first_manifest = _build(_recipe(a), tmp_path / "out-a")
    second, second_manifest = _build(_recipe(b, files=("s", "h", "o"), reverse=True,
                                             description="the same mix, the other way round",
                                             publish={"repo": "org/t"}), tmp_path / "out-b")
    assert len(first_manifest["outputs"]) >= 3
    for o in first_manifest["outputs"]:
        assert (first.path / o["path"]).read_bytes() == (second.path / o["path"]).read_bytes()
    assert first_manifest["fingerprint"] == second_manifest["fingerprint"]


def test_a_counted_field_changes_the_fingerprint_even_when_the_shards_stay(tmp_path):
    _data(tmp_path)
    _, plain = _build(_recipe(tmp_path), tmp_path / "plain")
    more = ["duplicate", "safety_category_4", "identical_pair", "empty_response"]
    _, stricter = _build(_recipe(tmp_path, exclude=more), tmp_path / "stricter")  # none empty
    assert stricter["outputs"] == plain["outputs"]
    assert stricter["fingerprint"] != plain["fingerprint"]
