"""Native files take the columnar readers (a row-by-row read of native JSON Lines was 10x
slower), and only native Parquet is read by row groups."""

from __future__ import annotations

import polars as pl
import pytest

import curate.reading as reading
from tests.builder.conftest import comparisons, write_jsonl


def _spied(monkeypatch, name: str) -> list:
    calls, real = [], getattr(reading, name)
    monkeypatch.setattr(reading, name, lambda *a, **k: (calls.append(a[0]), real(*a, **k))[1])
    return calls


def test_native_json_lines_and_parquet_take_their_columnar_readers(tmp_path, monkeypatch):
    jsonl = write_jsonl(tmp_path / "a.jsonl", comparisons(40, source="a"))
    parquet = tmp_path / "a.parquet"
    pl.read_ndjson(jsonl).write_parquet(parquet, row_group_size=10)
    on_jsonl, on_parquet = _spied(monkeypatch, "native_jsonl"), _spied(monkeypatch, "native_parquet")
    by_json = pl.concat(b.frame for b in reading.scan_batches(jsonl, kind="preference"))
    by_parquet = pl.concat(b.frame for b in reading.scan_batches(parquet, kind="preference"))
    assert (on_jsonl, on_parquet) == ([jsonl], [parquet])
    assert by_json["chosen"].to_list() == by_parquet["chosen"].to_list() and by_json.height == 40
    block = pl.concat(b.frame for b in reading.scan_batches(parquet, kind="preference",
                                                            row_groups=(1, 3)))
    assert block["chosen"].to_list() == by_parquet["chosen"].to_list()[10:30]
    assert block["_line"].to_list() == list(range(10, 30))  # rows numbered as in the file


def test_only_native_parquet_is_read_by_row_groups(tmp_path):
    jsonl = write_jsonl(tmp_path / "a.jsonl", comparisons(5, source="a"))
    with pytest.raises(ValueError, match="only native Parquet files are read by row groups"):
        list(reading.scan_batches(jsonl, kind="preference", row_groups=(0, 1)))
    assert reading.splittable_rows(jsonl, format=None, kind="preference") is None
