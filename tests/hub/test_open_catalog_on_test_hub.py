"""The catalog's HH-RLHF entries read a repo laid out as Anthropic/hh-rlhf publishes it (served
by the test Hub under that name): harmless-base judged for safety, the three helpful-* subsets
for helpfulness, red-team-attempts (transcripts, not pairs) left alone."""

from __future__ import annotations

import shutil

import pytest
from huggingface_hub import CommitOperationAdd

import curate
from curate.recipe import CATALOG_FILE, SHIPPED_RECIPES
from tests.builder.conftest import write_recipe
from tests.hub.conftest import hh_rows, jsonl_gz

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

LAYOUT = {"harmless-base": 12, "helpful-base": 5, "helpful-online": 4,
          "helpful-rejection-sampled": 3}


def test_hh_rlhf_catalog_entries_take_their_subsets_with_their_criteria(tmp_path, api):
    api.create_repo("Anthropic/hh-rlhf", repo_type="dataset")
    files, start = {}, 0
    for subset, n in LAYOUT.items():
        for split, k in (("train", n), ("test", 2)):
            files[f"{subset}/{split}.jsonl.gz"] = jsonl_gz(hh_rows(k, start=start))
            start += 1000
    files["red-team-attempts/red_team_attempts.jsonl.gz"] = jsonl_gz(
        [{"transcript": "\n\nHuman: hi\n\nAssistant: hello", "rating": 0}])
    api.create_commit("Anthropic/hh-rlhf", [CommitOperationAdd(p, d) for p, d in files.items()],
                      commit_message="layout", repo_type="dataset")
    shutil.copy(SHIPPED_RECIPES / CATALOG_FILE, tmp_path / CATALOG_FILE)
    recipe = write_recipe(tmp_path, sources={"harmless": {"catalog": "hh_rlhf_harmless"},
                                             "helpful": {"catalog": "hh_rlhf_helpful"}},
                          mix=[{"group": "all", "from": ["harmless", "helpful"], "take": "all"}])
    built = curate.build(recipe, out=tmp_path / "out", progress=False)
    taken = {name: sorted(f.hub.file for f in s.files) for name, s in
             built.manifest.sources.items()}
    assert taken == {"harmless": ["harmless-base/test.jsonl.gz", "harmless-base/train.jsonl.gz"],
                     "helpful": sorted(p for p in files if p.startswith("helpful-"))}
    assert built.manifest.sources["harmless"].n_kept == 14
    assert built.manifest.sources["helpful"].n_kept == 5 + 4 + 3 + 3 * 2
    rows = built.dataset["train"].to_polars()
    assert set(rows.select("source", "criterion").unique().iter_rows()) == {
        ("harmless", "safety"), ("helpful", "helpfulness")}
