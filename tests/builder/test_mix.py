"""Mix semantics, exclusions, accounting, split stability, margins, freshness, atomicity."""

from __future__ import annotations

import polars as pl
import pytest

import curate
from curate.builder import write as write_module
from curate.recipe import RecipeError
from tests.builder.conftest import comparisons, write_jsonl, write_recipe

EXCLUDE = ["safety_category_4", "user_data", "duplicate", "identical_pair", "empty_response"]


def _data(folder):
    write_jsonl(folder / "meta_safety/w.jsonl", comparisons(
        1000, source="x", batches=("2023-W01", "2023-W02")))
    write_jsonl(folder / "meta_help/w.jsonl", comparisons(
        800, source="x", criterion="helpfulness", batches=("2023-W01", "2023-W02"), seed=1))
    write_jsonl(folder / "open/a.jsonl", comparisons(300, source="x", criterion="helpfulness",
                                                     batches=(None,), seed=2, start=5000))


def _safety_recipe(folder, **over):
    recipe = dict(
        sources={"meta_safety": {"path": "meta_safety/*.jsonl"},
                 "meta_help": {"path": "meta_help/*.jsonl"}, "open": {"path": "open/*.jsonl"}},
        mix=[{"group": "safety", "from": ["meta_safety"], "take": "all", "share": 0.9},
             {"group": "helpfulness", "from": ["meta_help", "open"], "uniform": "pooled",
              "share": 0.1}],
        exclude=EXCLUDE, split={"test": {"per_batch": 50, "otherwise": 0.1}}, margin="large")
    return write_recipe(folder, **{**recipe, **over})


def _rows(build) -> pl.DataFrame:
    return pl.concat([pl.read_parquet(build.path / o.path) for o in build.manifest.outputs])


def test_safety_mix_is_90_10_without_category_4_and_counts_add_up(tmp_path):
    _data(tmp_path)
    build = curate.build(_safety_recipe(tmp_path), out=tmp_path / "out", progress=False)
    rows, m = _rows(build), build.manifest
    assert rows.filter(pl.col("safety_category") == 4).is_empty()
    share = rows.filter(pl.col("source") == "meta_safety").height / rows.height
    assert abs(share - 0.9) <= 0.005
    for name, s in m.sources.items():
        assert s.n_read == s.n_kept + s.n_rejected + s.n_not_selected, name
    assert m.sources["meta_safety"].rejected_by_reason == {"safety_category_4": 200}
    assert sum(o.n_rows for o in m.outputs) == rows.height
    rejects = pl.read_parquet(build.path / "rejects/records.parquet")
    assert rejects["reason"].value_counts().rows() == [("safety_category_4", 200 + 160 + 60)]


def test_per_source_uniform_takes_equal_parts(tmp_path):
    _data(tmp_path)
    recipe = _safety_recipe(tmp_path, mix=[
        {"group": "safety", "from": ["meta_safety"], "take": "all"},
        {"group": "helpfulness", "from": ["meta_help", "open"], "uniform": "per_source",
         "n_rows": 301}])
    rows = _rows(curate.build(recipe, out=tmp_path / "out", progress=False))
    counts = dict(rows["source"].value_counts().iter_rows())
    assert (counts["meta_help"], counts["open"]) == (151, 150)  # remainder to the first name


def test_per_source_uniform_fails_when_a_source_cannot_give_its_part(tmp_path):
    _data(tmp_path)
    recipe = _safety_recipe(tmp_path, mix=[
        {"group": "safety", "from": ["meta_safety"], "take": "all"},
        {"group": "helpfulness", "from": ["meta_help", "open"], "uniform": "per_source",
         "n_rows": 600}])  # 640 + 240 rows after exclusions: 880 in all, but open holds 240
    with pytest.raises(RecipeError, match=r"takes 300 rows from each source \(uniform: "
                                          r"per_source\) but open holds 240"):
        curate.build(recipe, out=tmp_path / "out", progress=False)


def test_selection_keeps_the_smallest_keys(tmp_path):
    _data(tmp_path)
    build = curate.build(_safety_recipe(tmp_path), out=tmp_path / "out", progress=False)
    rows = _rows(build)
    pool = curate.read([tmp_path / "meta_help/w.jsonl", tmp_path / "open/a.jsonl"])
    pool = pool.filter(pl.col("safety_category") != 4).with_columns(
        pl.col("uid").nchash.xxh3_64(seed=3).alias("key")).sort("key", "uid")
    picked = rows.filter(pl.col("source") != "meta_safety")
    assert set(picked["uid"]) == set(pool.head(picked.height)["uid"])
    for split in ("train", "test"):  # output order is the key order
        part = pl.read_parquet(build.path / f"data/{split}-00000-of-00001.parquet")
        keys = part.select(pl.col("uid").nchash.xxh3_64(seed=3))["uid"].to_list()
        assert keys == sorted(keys)


def test_split_holds_out_per_batch_and_a_record_keeps_its_split_in_the_next_version(tmp_path):
    _data(tmp_path)
    v1 = _rows(curate.build(_safety_recipe(tmp_path), out=tmp_path / "out", progress=False))
    v1_test = pl.read_parquet(tmp_path / "out/t/v1/data/test-00000-of-00001.parquet")
    per_batch = v1_test.filter(pl.col("source") == "meta_safety")["batch"].value_counts()
    assert all(n <= 50 for n in per_batch["count"])
    # v2: a new week arrives and the seed changes; v1's records keep their split.
    write_jsonl(tmp_path / "meta_safety/w3.jsonl", comparisons(
        500, source="x", batches=("2023-W03",), seed=9, start=20_000))
    v2 = curate.build(_safety_recipe(tmp_path, version=2, seed=99), out=tmp_path / "out",
                      progress=False)
    v2_test = pl.read_parquet(v2.path / "data/test-00000-of-00001.parquet")
    v2_train = pl.read_parquet(v2.path / "data/train-00000-of-00001.parquet")
    v1_train_uids = set(v1["uid"]) - set(v1_test["uid"])
    assert not (set(v1_test["uid"]) & set(v2_train["uid"]))
    assert not (v1_train_uids & set(v2_test["uid"]))


def test_margin_follows_table_27(tmp_path):
    _data(tmp_path)
    for table, want in (("large", {"significantly_better": 3.0, "better": 2.0,
                                   "slightly_better": 1.0, "negligibly_better": 0.0}),
                        ("small", {"significantly_better": 1.0, "better": 2 / 3,
                                   "slightly_better": 1 / 3, "negligibly_better": 0.0})):
        rows = _rows(curate.build(_safety_recipe(tmp_path, margin=table, name=table),
                                  out=tmp_path / "out", progress=False))
        got = dict(rows.select("degree", "margin").unique().iter_rows())
        assert got == want


def test_an_unmeetable_recipe_fails_with_the_numbers_and_writes_nothing(tmp_path):
    _data(tmp_path)
    recipe = _safety_recipe(tmp_path, mix=[
        {"group": "safety", "from": ["meta_safety"], "take": "all", "share": 0.3},
        {"group": "helpfulness", "from": ["meta_help", "open"], "share": 0.7}])
    # 800 safety rows are 30%, so helpfulness needs 1,867; it holds 640 + 240 after exclusions.
    with pytest.raises(RecipeError, match=r"group helpfulness needs 1,867 rows \(share 0.7 of a "
                                          r"2,667-row mix\) .* hold 880"):
        curate.build(recipe, out=tmp_path / "out", progress=False)
    assert not (tmp_path / "out/t").exists()  # scratch only, under out/.curate-scratch/
    assert [p.name for p in (tmp_path / "out/.curate-scratch").iterdir()] == [".lock"]


def test_freshness_rule_names_the_batch_and_the_iteration(tmp_path):
    _data(tmp_path)
    write_jsonl(tmp_path / "meta_safety/w9.jsonl", comparisons(
        10, source="x", batches=("2023-W10",), iteration="rlhf_v2", seed=5, start=9000))
    recipe = _safety_recipe(tmp_path, requires={"latest_batch_from": "rlhf_v3"})
    with pytest.raises(RecipeError, match=r"newest batch of meta_safety \(2023-W10\) was "
                                          r"sampled from rlhf_v2.*requires rlhf_v3"):
        curate.build(recipe, out=tmp_path / "out", progress=False)


def test_a_crash_leaves_no_version_folder(tmp_path, monkeypatch):
    _data(tmp_path)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(write_module, "sha256_of", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        curate.build(_safety_recipe(tmp_path), out=tmp_path / "out", progress=False)
    assert not (tmp_path / "out/t").exists()  # and its scratch is gone:
    assert [p.name for p in (tmp_path / "out/.curate-scratch").iterdir()] == [".lock"]
