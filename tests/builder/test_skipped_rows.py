"""A build counts the rows a mapping's `where:` leaves out like every other exclusion: in the
source's rejected_by_reason (reason `filtered`) and in rejects/unreadable.parquet."""

import json

import polars as pl

import curate
from tests.builder.conftest import write_recipe
from tests.test_validate_skipped import MAPPING  # keeps rows whose lang is en


def test_filtered_rows_are_counted_and_written_with_their_reason(tmp_path, no_progress):
    (tmp_path / "mapping.yaml").write_text(MAPPING)
    rows = [{"question": f"question {i}", "good": f"good {i}", "bad": f"bad {i}",
             "lang": "en" if i % 4 else "fr"} for i in range(40)]
    (tmp_path / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    recipe = write_recipe(tmp_path, sources={"s": {"path": "rows.jsonl",
                                                   "format": str(tmp_path / "mapping.yaml")}},
                          mix=[{"group": "all", "from": ["s"], "take": "all"}],
                          split={"test": {"otherwise": 0.2}})
    version = curate.build(recipe, out=tmp_path / "out", progress=False)
    counts = version.manifest.sources["s"]
    assert (counts.n_read, counts.n_kept, counts.n_rejected) == (40, 30, 10)
    assert counts.rejected_by_reason == {"filtered": 10}
    skipped = pl.read_parquet(version.path / "rejects" / "unreadable.parquet")
    assert skipped["reason"].unique().to_list() == ["filtered"]
    assert sorted(skipped["line"].to_list()) == [i + 1 for i in range(40) if i % 4 == 0]
    assert skipped["message"][0] == ('left out by `where`: lang == "en" does not hold '
                                     "(`lang` is 'fr')")
