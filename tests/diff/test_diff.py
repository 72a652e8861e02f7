"""`curate diff`: rows added and removed per source, with reasons, between two real builds."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest

from curate.diff import diff_versions
from curate.errors import InputError
from tests.diff.builds import build_v1, build_v2, recipe, rejected, uids

import curate


@pytest.fixture
def versions(tmp_path):
    return build_v1(tmp_path), build_v2(tmp_path)


def _nonzero(counts: dict) -> dict:
    return {k: v for k, v in counts.items() if v}


def test_new_batch_rows_are_added_as_new_batch_with_the_batch_name(versions):
    v1, v2 = versions
    diff = diff_versions(v1.path, v2.path)
    a = diff.sources["a"]
    added = uids(v2, "a") - uids(v1, "a")
    # W03: 50 rows, 10 of category 4 and 5 identical pairs rejected: 35 kept.
    assert a.n_added == len(added) == 35
    assert a.added == {"new_batch": 35} and a.new_batches == {"2023-W03": 35}


def test_rows_rejected_by_a_new_exclusion_are_newly_rejected_with_the_reason(versions):
    v1, v2 = versions
    diff = diff_versions(v1.path, v2.path)
    identical = rejected(v2, "identical_pair")
    removed_a = uids(v1, "a") - uids(v2, "a")
    assert removed_a and removed_a <= identical  # a is taken in full: only the new rule drops rows
    assert diff.sources["a"].removed == {"newly_rejected": len(removed_a)} == {"newly_rejected": 20}
    assert diff.sources["a"].rejected_by_reason == {"identical_pair": 20}


def test_a_changed_seed_resamples_the_sampled_source_as_a_recipe_change(versions):
    v1, v2 = versions
    diff = diff_versions(v1.path, v2.path)
    b = diff.sources["b"]
    removed, added = uids(v1, "b") - uids(v2, "b"), uids(v2, "b") - uids(v1, "b")
    identical = rejected(v2, "identical_pair")
    assert b.removed == _nonzero({"newly_rejected": len(removed & identical),
                                  "recipe_change": len(removed - identical)})
    assert b.added == {"recipe_change": len(added)} and len(added) > 0
    assert (b.n_a, b.n_b) == (100, 100)
    keys = [c.key for c in diff.recipe_changes]
    assert keys == ["exclude", "seed"]
    assert [(c.a, c.b) for c in diff.recipe_changes if c.key == "seed"] == [(3, 4)]


def test_totals_add_up_to_the_row_counts_of_both_versions(versions):
    v1, v2 = versions
    diff = diff_versions(v1.path, v2.path)
    assert diff.a.n_rows == sum(v1.manifest.splits.values())
    assert diff.b.n_rows == diff.a.n_rows + diff.n_added - diff.n_removed
    assert diff.n_added == sum(s.n_added for s in diff.sources.values())
    for s in diff.sources.values():
        assert s.n_b == s.n_a + s.n_added - s.n_removed


def _moved(*builds) -> set[str]:
    split_of = [{}, {}]
    for side, build in enumerate(builds):
        for o in build.manifest.outputs:
            for uid in pl.read_parquet(build.path / o.path, columns=["uid"])["uid"]:
                split_of[side][uid] = o.split
    return {u for u in split_of[0].keys() & split_of[1].keys() if split_of[0][u] != split_of[1][u]}


def test_rejecting_test_rows_of_a_batch_moves_no_train_row_into_test(versions):
    # Regression: v2 rejects 3 of week W02's test rows (identical pairs). The split ranks every
    # record of the batch, rejected ones included, so no row v1 trained on moves into test.
    v1, v2 = versions
    diff = diff_versions(v1.path, v2.path)
    assert _moved(v1, v2) == set()
    assert diff.n_moved_split == 0


def test_rows_that_changed_split_are_counted_per_source(tmp_path):
    v1 = build_v1(tmp_path)
    v2 = curate.build(recipe(tmp_path, version=2, seed=3, exclude=["duplicate"],
                             split={"test": {"per_batch": 5, "otherwise": 0.1}}),
                      out=tmp_path / "out", progress=False)
    diff = diff_versions(v1.path, v2.path)
    moved = _moved(v1, v2)
    assert diff.n_moved_split == len(moved) == diff.sources["a"].n_moved_split > 0
    assert diff.sources["b"].n_moved_split == 0


def test_same_recipe_with_a_file_gone_reports_input_removed(tmp_path):
    v1 = build_v1(tmp_path)
    (tmp_path / "a/w1.jsonl").write_text("".join(
        line for i, line in enumerate((tmp_path / "a/w1.jsonl").read_text().splitlines(True))
        if i % 2 == 0))
    v2 = curate.build(recipe(tmp_path, version=2, seed=3, exclude=["duplicate"]),
                      out=tmp_path / "out", progress=False)
    diff = diff_versions(v1.path, v2.path)
    gone = uids(v1, "a") - uids(v2, "a")
    assert diff.sources["a"].removed == {"input_removed": len(gone)} and len(gone) == 80
    assert diff.sources["b"].n_added == diff.sources["b"].n_removed == 0
    assert diff.recipe_changes == []


def test_name_vn_resolves_under_out_and_a_missing_version_says_how_to_build_it(versions, tmp_path):
    diff = diff_versions("t_v1", "t_v2", out=tmp_path / "out")
    assert diff.a.label == "t_v1" and diff.n_added == diff_versions(*(v.path for v in versions)).n_added
    with pytest.raises(InputError, match=r"t_v7: no built version at .*curate build t_v7"):
        diff_versions("t_v1", "t_v7", out=tmp_path / "out")
    with pytest.raises(InputError, match="not a version"):
        diff_versions("t_v1", "no-version-here", out=tmp_path / "out")


def test_registry_versions_compare_like_folders_without_rejects(versions, tmp_path):
    v1, v2 = versions
    registry = tmp_path / "registry"
    for v in versions:
        v.push_to_hub("org/t", local=registry, progress=False)
    published = diff_versions("org/t@v1", "org/t@v2", registry=registry)
    local = diff_versions(v1.path, v2.path)
    assert {n: (s.n_added, s.n_removed) for n, s in published.sources.items()} == \
        {n: (s.n_added, s.n_removed) for n, s in local.sources.items()}
    assert published.sources["a"].added == {"new_batch": 35}
    # rejects are never published: B's rejections cannot be named, and the diff says so
    assert "newly_rejected" not in published.sources["a"].removed
    assert any("no rejects" in n for n in published.notes)
    with pytest.raises(InputError, match=r"no tag or commit v9 .*tags: v1, v2"):
        diff_versions("org/t@v1", "org/t@v9", registry=registry)


def test_cli_prints_a_table_and_writes_json(versions, tmp_path):
    v1, v2 = versions
    out = tmp_path / "diff.json"
    result = subprocess.run(
        [sys.executable, "-c", "from curate.cli import main; main()", "diff", str(v1.path),
         str(v2.path), "--json", str(out)], capture_output=True, text=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "new_batch 35 (2023-W03 35)" in result.stdout
    assert "newly_rejected 20 (identical_pair 20)" in result.stdout
    data = json.loads(out.read_text())
    assert data["sources"]["a"]["new_batches"] == {"2023-W03": 35}
    assert data["recipe_changes"][1] == {"key": "seed", "a": 3, "b": 4}
    missing = subprocess.run(
        [sys.executable, "-c", "from curate.cli import main; main()", "diff", "x_v1", "x_v2",
         "--out", str(tmp_path)], capture_output=True, text=True)
    assert missing.returncode == 2 and missing.stderr.startswith("error: x_v1: no built version")
