"""What `curate stats` reads: raw files through the adapters, or a built version's shards."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import curate
from curate.errors import InputError
from curate.stats import compute_stats, compute_table6
from curate.stats.inputs import is_build, read_dataset
from tests.conftest import FIXTURES


def _write_build(root: Path) -> pl.DataFrame:
    """A version folder in the Hub layout: a train shard and a test shard of two sources."""
    harmless = curate.read(FIXTURES / "hh-rlhf" / "harmless-sample.jsonl", format="hh-rlhf")
    helpful = curate.read(FIXTURES / "hh-rlhf" / "helpful-sample.jsonl.gz", format="hh-rlhf")
    harmless = harmless.with_columns(source=pl.lit("hh-harmless"))
    helpful = helpful.with_columns(source=pl.lit("hh-helpful"))
    (root / "data").mkdir(parents=True)
    (root / "rejects").mkdir()
    train = pl.concat([harmless.head(3), helpful])
    train.write_parquet(root / "data" / "train-00000-of-00001.parquet")
    harmless.tail(-3).write_parquet(root / "data" / "test-00000-of-00001.parquet")
    harmless.write_parquet(root / "rejects" / "rejects.parquet")  # must not be counted
    return pl.concat([harmless, helpful])


def test_build_folder_reads_train_and_test_shards_not_rejects(tmp_path, words):
    records = _write_build(tmp_path / "v1")
    assert is_build(tmp_path / "v1")
    from_build = compute_stats(tmp_path / "v1", tokenizer=words)
    assert from_build == compute_table6(records, tokenizer=words)
    assert from_build.total.n_rows == records.height
    assert list(from_build.groups) == ["hh-harmless", "hh-helpful"]  # sorted by name


def test_build_folder_with_a_format_is_refused(tmp_path):
    _write_build(tmp_path / "v1")
    with pytest.raises(InputError, match="applies to raw files only"):
        read_dataset(tmp_path / "v1", format="hh-rlhf")


def test_build_folder_without_shards_is_refused(tmp_path):
    (tmp_path / "v1" / "data").mkdir(parents=True)
    with pytest.raises(InputError, match="holds no .parquet shard"):
        read_dataset(tmp_path / "v1")


def test_raw_file_is_read_through_its_adapter(words):
    frame = read_dataset(FIXTURES / "hh-rlhf" / "harmless-sample.jsonl", format="hh-rlhf")
    assert frame["source"].unique().to_list() == ["hh-rlhf"]
    assert compute_stats(frame, tokenizer=words) == compute_stats(
        FIXTURES / "hh-rlhf" / "harmless-sample.jsonl", format="hh-rlhf", tokenizer=words)


def test_a_published_version_is_read_from_the_registry_like_its_folder(tmp_path, words,
                                                                       monkeypatch):
    from curate.publish import push_to_hub
    from tests.version_fixtures import write_manifest

    folder = tmp_path / "build" / "hh" / "v1"
    _write_build(folder)
    write_manifest(folder, name="hh", version=1)
    (folder / "README.md").write_text("# hh v1\n")
    monkeypatch.setenv("CURATE_HOME", str(tmp_path / "home"))
    push_to_hub(folder, repo="org/hh", local=True, progress=False)
    assert compute_stats("org/hh@v1", tokenizer=words) == compute_stats(folder, tokenizer=words)
    monkeypatch.chdir(tmp_path)
    assert compute_stats("hh_v1", tokenizer=words) == compute_stats(folder, tokenizer=words)
    with pytest.raises(InputError, match="no tag or commit v2"):
        compute_stats("org/hh@v2", tokenizer=words)
