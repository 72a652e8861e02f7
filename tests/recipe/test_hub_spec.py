"""A source on the Hub: `hub: ORG/NAME` with `revision:` and `files:`, a fourth origin."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from curate.recipe import RecipeError, SourceSpec, load_catalog, load_recipe


def test_a_hub_source_names_a_repo_and_optionally_a_revision_and_globs():
    spec = SourceSpec.model_validate({"hub": "Anthropic/hh-rlhf", "revision": "v1.0",
                                      "files": ["harmless-base/*.jsonl.gz"], "format": "hh-rlhf"})
    assert (spec.hub, spec.revision, spec.files) == ("Anthropic/hh-rlhf", "v1.0",
                                                     ["harmless-base/*.jsonl.gz"])
    assert SourceSpec(hub="org/name").revision is None  # main, resolved by the build


@pytest.mark.parametrize("spec, message", [
    ({"hub": "org/x", "path": "a.jsonl"}, r"exactly one of catalog, path, synth or hub"),
    ({"hub": "org/x", "catalog": "a"}, r"exactly one of catalog, path, synth or hub"),
    ({"path": "a.jsonl", "revision": "v1"}, r"revision go with `hub: ORG/NAME` only"),
    ({"catalog": "a", "files": "*.jsonl"}, r"files go with `hub: ORG/NAME` only"),
    ({"hub": "hh-rlhf"}, r"not a dataset repo id: write ORG/NAME"),
    ({"hub": "org/../x"}, r"not a dataset repo id"),
    ({"hub": "org/x", "files": "../secrets/*.jsonl"}, r"not a glob inside the repo"),
    ({"hub": "org/x", "files": ["/abs/*.jsonl"]}, r"not a glob inside the repo"),
    # Empty values are refused, not read as the defaults (main, every data file):
    ({"hub": "org/x", "revision": ""}, (r"revision is empty: write a branch, tag or commit "
                                        r"\(e.g. revision: main\), or leave `revision:` out")),
    ({"hub": "org/x", "revision": "  "}, r"revision is empty"),
    ({"hub": "org/x", "files": []}, (r"files is an empty list: write globs inside the repo "
                                     r"\(e.g. files: \[data/\*.jsonl\]\), or leave `files:` out")),
])
def test_a_malformed_hub_source_is_refused_with_the_fix(spec, message):
    with pytest.raises(ValidationError, match=message):
        SourceSpec.model_validate(spec)


RECIPE = ("name: t\nversion: 1\nkind: preference\nseed: 1\nsources:\n  harmless: {SOURCE}\n"
          "mix: [{group: all, from: [harmless], take: all}]\n")


@pytest.mark.parametrize("source, message", [
    ('{path: "hf://datasets/org", format: hh-rlhf}', r"not a Hub dataset path"),
    ('{path: [a.jsonl, "hf://datasets/org/name@/x"], format: hh-rlhf}', r"not a Hub dataset path"),
    ('{hub: org/x, revision: ""}', r"revision is empty"),
    ('{hub: org/x, files: []}', r"files is an empty list"),
])
def test_a_malformed_source_is_refused_naming_the_recipe_and_the_source(tmp_path, source,
                                                                         message):
    recipe = tmp_path / "t_v1.yaml"
    recipe.write_text(RECIPE.replace("{SOURCE}", source))
    with pytest.raises(RecipeError, match=rf"^{recipe}: invalid recipe: line 6: "
                                          rf"sources\.harmless\.\w+: .*{message}") as caught:
        load_recipe(recipe)
    assert "\n" not in str(caught.value)


def test_a_catalog_entry_with_a_malformed_hf_path_names_the_catalog_and_the_entry(tmp_path):
    (tmp_path / "catalog.yaml").write_text('sources:\n  hh: {path: "hf://datasets/org"}\n')
    expected = (rf"^{tmp_path / 'catalog.yaml'}: invalid catalog entry: line 2: sources\.hh\.path: "
                r".*hf://datasets/org.*not a Hub dataset path; write hf://datasets/ORG/NAME")
    with pytest.raises(RecipeError, match=expected):
        load_catalog(tmp_path)
