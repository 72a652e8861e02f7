"""What of a recipe the fingerprint covers: every field classified, order the build ignores
normalised away, and each counted field seen when it changes."""

from __future__ import annotations

import copy

import pytest

from curate.recipe import MixGroup, Recipe, recipe_meaning
from curate.recipe.meaning import COUNTED, NOT_COUNTED, models_of, unclassified

BASE = {
    "name": "demo", "version": 2, "kind": "preference", "seed": 7,
    "sources": {"safe": {"path": "safe/*.jsonl", "format": "hh-rlhf",
                         "set": {"criterion": "safety"}},
                "vendor": {"catalog": "meta_safety"},
                "help": {"synth": "meta_helpfulness", "license": "mit"}},
    "mix": [{"group": "safety", "from": ["vendor", "safe"], "take": "all", "share": 0.9},
            {"group": "help", "from": ["help"], "share": 0.1}],
    "exclude": ["duplicate", "identical_pair"], "keep": [],
    "split": {"test": {"per_batch": 100, "otherwise": 0.02}, "seed": 1},
    "margin": "large", "requires": {"latest_batch_from": "rlhf_v3"}, "rows_per_shard": 1000,
}


def _meaning(edit=None) -> dict:
    data = copy.deepcopy(BASE)
    if edit:
        edit(data)
    return recipe_meaning(Recipe.model_validate(data))


def test_every_field_of_every_recipe_model_is_counted_or_not_counted_never_both():
    models = models_of(Recipe)
    assert {m.__name__ for m in models} == {"Recipe", "SourceSpec", "MixGroup", "Split",
                                            "TestSplit", "Requires", "Output"}
    assert unclassified() == {}
    for model in models:
        assert not COUNTED[model] & set(NOT_COUNTED.get(model, {})), model.__name__
    assert set(COUNTED) | set(NOT_COUNTED) <= set(models)  # no stale entries


def test_a_field_added_to_a_recipe_model_without_a_class_is_reported_and_still_counts():
    class WeightedGroup(MixGroup):
        weight: float = 1.0

    class WeightedRecipe(Recipe):
        mix: list[WeightedGroup]

    assert unclassified(WeightedRecipe) == {"WeightedGroup": ["weight"]}
    heavy = copy.deepcopy(BASE)
    heavy["mix"][1]["weight"] = 2.0
    assert recipe_meaning(WeightedRecipe.model_validate(heavy)) \
        != recipe_meaning(WeightedRecipe.model_validate(BASE))


def _reverse_sources(d):
    d["sources"] = dict(reversed(d["sources"].items()))


SAME_OUTPUT = {
    "source declaration order": _reverse_sources,
    "mix group order": lambda d: d["mix"].reverse(),
    "from: order": lambda d: d["mix"][0]["from"].reverse(),
    "exclude order": lambda d: d["exclude"].reverse(),
    "a default written out": lambda d: d["mix"][1].update(uniform="pooled"),
    "the default output format written out": lambda d: d.update(
        output={"format": "conversational"}),
    "description": lambda d: d.update(description="Llama 2 safety RM : 90 : 10"),
    "publish": lambda d: d.update(publish={"repo": "org/demo"}),
    "group label": lambda d: d["mix"][0].update(group="harmless"),
    "source path": lambda d: d["sources"]["safe"].update(path=["a.jsonl", "b/*.jsonl.gz"]),
    "source catalog entry": lambda d: d["sources"]["vendor"].update(catalog="other"),
    "source synth set": lambda d: d["sources"]["help"].update(synth="meta_safety"),
    "source license, description, sample": lambda d: d["sources"]["help"].update(
        license="cc-by-4.0", description="prose", sample=True),
    # The commit a Hub revision resolves to and the files' digests are counted by the build.
    "source on the Hub at a revision": lambda d: d["sources"].update(
        safe={"hub": "Anthropic/hh-rlhf", "revision": "v1.0", "files": "harmless-base/*.gz",
              "format": "hh-rlhf", "set": {"criterion": "safety"}}),
}


@pytest.mark.parametrize("edit", SAME_OUTPUT.values(), ids=SAME_OUTPUT.keys())
def test_what_cannot_change_the_output_does_not_change_the_meaning(edit):
    assert _meaning(edit) == _meaning()


def _rename_source(d):
    d["sources"]["helpful"] = d["sources"].pop("help")
    d["mix"][1]["from"] = ["helpful"]


def _move_source(d):
    d["mix"][0]["from"].remove("safe")
    d["mix"][1]["from"].append("safe")


# (model, field) -> an edit of that field alone; every counted field has one.
CHANGES = {
    ("Recipe", "name"): lambda d: d.update(name="other"),
    ("Recipe", "version"): lambda d: d.update(version=3),
    ("Recipe", "kind"): lambda d: d.update(kind="sft"),
    ("Recipe", "seed"): lambda d: d.update(seed=8),
    ("Recipe", "sources"): _rename_source,
    ("Recipe", "mix"): lambda d: d["mix"][1].update(share=0.2),
    ("Recipe", "exclude"): lambda d: d["exclude"].append("empty_response"),
    ("Recipe", "keep"): lambda d: d.update(keep=["safety_category_4"]),
    ("Recipe", "split"): lambda d: d["split"].update(seed=2),
    ("Recipe", "margin"): lambda d: d.update(margin="small"),
    ("Recipe", "requires"): lambda d: d.update(requires={}),
    ("Recipe", "rows_per_shard"): lambda d: d.update(rows_per_shard=999),
    ("Recipe", "output"): lambda d: d.update(output={"format": "standard"}),
    ("Output", "format"): lambda d: d.update(output={"format": "standard"}),
    ("SourceSpec", "format"): lambda d: d["sources"]["safe"].update(format="curate"),
    ("SourceSpec", "format_options"): lambda d: d["sources"]["safe"].update(format_options={"lang": "en"}),
    ("SourceSpec", "set"): lambda d: d["sources"]["safe"].update(set={"criterion": "helpfulness"}),
    ("MixGroup", "from_"): _move_source,
    ("MixGroup", "take"): lambda d: d["mix"][0].pop("take"),
    ("MixGroup", "share"): lambda d: d["mix"][0].update(share=0.8),
    ("MixGroup", "n_rows"): lambda d: (d["mix"][1].pop("share"), d["mix"][1].update(n_rows=5)),
    ("MixGroup", "fraction"): lambda d: (d["mix"][1].pop("share"),
                                         d["mix"][1].update(fraction=0.5)),
    ("MixGroup", "uniform"): lambda d: d["mix"][1].update(uniform="per_source"),
    ("Split", "test"): lambda d: d["split"].update(test={}),
    ("Split", "seed"): lambda d: d["split"].update(seed=5),
    ("TestSplit", "per_batch"): lambda d: d["split"]["test"].update(per_batch=10),
    ("TestSplit", "otherwise"): lambda d: d["split"]["test"].update(otherwise=0.05),
    ("Requires", "latest_batch_from"): lambda d: d["requires"].update(latest_batch_from="v2"),
}


def test_every_counted_field_has_a_change_below():
    counted = {(model.__name__, name) for model, names in COUNTED.items() for name in names}
    assert counted == set(CHANGES)


@pytest.mark.parametrize("edit", CHANGES.values(), ids=[f"{m}.{f}" for m, f in CHANGES])
def test_each_counted_field_changes_the_meaning(edit):
    assert _meaning(edit) != _meaning()
