"""The rejects name input files as the manifest does, never by this machine's paths: the same
recipe and data in two folders give byte-identical rejects files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

import curate

ROWS = [
    {"prompt": [{"role": "user", "content": "Hi"}], "chosen": "Hello!", "rejected": "Go away.",
     "criterion": "helpfulness", "source": "x"},
    {"prompt": [{"role": "user", "content": "Hi"}], "chosen": "Same", "rejected": "Same",
     "criterion": "helpfulness", "source": "x"},  # identical_pair: a rejected record
]


def _build(folder: Path) -> Path:
    (folder / "data").mkdir(parents=True)
    lines = [json.dumps(r) for r in ROWS] + ["{not json"]  # the last: an unreadable row
    (folder / "data" / "pairs.jsonl").write_text("\n".join(lines) + "\n")
    recipe = folder / "r_v1.yaml"
    recipe.write_text("name: r\nversion: 1\nkind: preference\n"
                      "sources: {pairs: {path: data/pairs.jsonl, format: curate}}\n"
                      "exclude: [identical_pair]\n"
                      "mix: [{group: all, from: [pairs], take: all}]\n")
    return curate.build(recipe, out=folder / "out", progress=False).path


def test_rejects_hold_no_machine_paths(tmp_path: Path):
    first, second = _build(tmp_path / "a"), _build(tmp_path / "elsewhere" / "b")
    for name in ("records.parquet", "unreadable.parquet"):
        assert (first / "rejects" / name).read_bytes() == (second / "rejects" / name).read_bytes()
        assert pl.read_parquet(first / "rejects" / name)["file"].to_list() == ["data/pairs.jsonl"]
    assert (first / "manifest.json").read_bytes() == (second / "manifest.json").read_bytes()
