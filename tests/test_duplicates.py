"""One meaning of `duplicate` (curate.checks.duplicates): validate and the build keep the same
copy, the one with the smallest (source name, metadata digest), whatever the order of files,
rows or sources."""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

import curate
from curate.checks.duplicates import CopyIndex, dropped_copies
from curate.output_forms import as_records
from tests.builder.conftest import comparisons, write_jsonl, write_recipe

SAFE = {"chosen_safe": True, "rejected_safe": True}  # no other check fails
BASE = {**comparisons(1, source="x", seed=5)[0], **SAFE}


def _files(folder: Path, *, seed: int, web_first: bool) -> list[Path]:
    """One comparison delivered four times, plus distinct ones: `web` (a.jsonl) holds it once
    and an exact re-delivery of another row; `vendor` (b.jsonl) holds it twice with other
    metadata; `alpha` (c.jsonl) holds it as user data, so that copy is rejected for that."""
    more = [{**r, **SAFE} for r in comparisons(6, source="x", seed=6, start=1)]
    web = [{**BASE, "source": "web", "annotator": "w1"},
           *({**r, "source": "web"} for r in more[:3])]
    web.append(dict(web[1]))
    vendor = [{**BASE, "source": "vendor", "annotator": "v1"},
              {**BASE, "source": "vendor", "annotator": "v2", "degree": "better"},
              *({**r, "source": "vendor"} for r in more[3:])]
    alpha = [{**BASE, "source": "alpha", "is_user_data": True}]
    rng = random.Random(seed)
    for rows in (web, vendor):
        rng.shuffle(rows)
    paths = [write_jsonl(folder / "a.jsonl", web), write_jsonl(folder / "b.jsonl", vendor),
             write_jsonl(folder / "c.jsonl", alpha)]
    return paths if web_first else paths[::-1]


def _verdict(report, folder: Path) -> tuple:
    """Counts and which records (source, annotator) were called duplicates."""
    lines = {p.name: p.read_text().splitlines() for p in folder.glob("*.jsonl")}
    flagged = sorted((json.loads(lines[Path(e.file).name][e.line - 1])["source"],
                      json.loads(lines[Path(e.file).name][e.line - 1])["annotator"])
                     for e in report.errors if e.reason == "duplicate")
    by_file = {Path(f).name: counts for f, counts in report.rejected_by_file.items()}
    return (report.n_valid, report.rejected_by_reason, dict(sorted(by_file.items())), flagged)


@pytest.mark.parametrize("engine", ["native", "gx"])
def test_validate_keeps_the_same_copy_whatever_the_file_and_row_order(tmp_path, engine):
    verdicts = []
    for i, (seed, web_first) in enumerate([(0, True), (1, False), (2, True), (3, False)]):
        folder = tmp_path / str(i)
        report = curate.validate(_files(folder, seed=seed, web_first=web_first), engine=engine)
        verdicts.append(_verdict(report, folder))
    assert all(v == verdicts[0] for v in verdicts)
    n_valid, by_reason, by_file, flagged = verdicts[0]
    assert by_reason == {"duplicate": 3, "user_data": 1}
    assert by_file == {"a.jsonl": {"duplicate": 2}, "b.jsonl": {"duplicate": 1},
                       "c.jsonl": {"user_data": 1}}
    # vendor < web: a vendor copy is kept, though a.jsonl is read first in half the runs
    assert ("web", "w1") in flagged and len([f for f in flagged if f[0] == "vendor"]) == 1


def test_the_build_keeps_the_copy_validate_keeps_whatever_the_source_order(tmp_path):
    files = _files(tmp_path / "data", seed=0, web_first=True)
    report = curate.validate(files)
    flagged = {(Path(e.file).name, e.line) for e in report.errors if e.reason == "duplicate"}
    sources = {"web": {"path": str(files[0]), "format": "curate"},
               "vendor": {"path": str(files[1]), "format": "curate"}}
    shards = []
    for name, order in (("t", ["web", "vendor"]), ("u", ["vendor", "web"])):
        path = write_recipe(tmp_path, name=name, sources={s: sources[s] for s in order},
                            mix=[{"group": "all", "from": order, "take": "all"}],
                            exclude=["duplicate"])
        curate.build(path, out=tmp_path / "out", progress=False)
        version = tmp_path / "out" / name / "v1"
        shards.append([p.read_bytes() for p in sorted((version / "data").glob("*.parquet"))])
        rejects = pl.read_parquet(version / "rejects" / "records.parquet")
        dropped = rejects.filter(pl.col("reason") == "duplicate")
        assert {(Path(f).name, line) for f, line in dropped.select("file", "line").iter_rows()} \
            == flagged
    assert shards[0] == shards[1]
    kept = pl.concat([pl.from_arrow(pq.read_table(tmp_path / "out/t/v1/data" / p.name))
                      for p in sorted((tmp_path / "out/t/v1/data").glob("*.parquet"))])
    copies = as_records(kept).filter(pl.col("chosen") == BASE["chosen"])
    assert copies["source"].to_list() == ["vendor"]


def test_copies_equal_in_source_and_metadata_are_told_apart_by_position():
    rows = pl.DataFrame({"uid": ["u"] * 3, "source": ["s"] * 3, "_row_digest": [7, 7, 7],
                         "_line": [9, 2, 5]})
    assert sorted(dropped_copies(rows, identity=["uid"], position=["_line"])["_line"]) == [5, 9]


def test_the_copy_index_holds_fixed_width_columns_only():
    checked = pl.DataFrame({"uid": ["0123456789abcdef" * 2] * 2, "reason": [None, None],
                            "source": ["s", "s"], "_file": ["f", "f"], "_line": [1, 2],
                            "origin": [None, "vendor"]}, schema_overrides={"reason": pl.String})
    index = CopyIndex()
    index.add(checked, ["origin"])
    (part,) = index.parts
    assert all(dtype.is_numeric() for dtype in part.dtypes)  # 40 bytes a row, no strings
    assert index.dropped().height == 1
