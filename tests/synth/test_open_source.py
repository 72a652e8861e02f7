"""The committed samples under curate/recipe/shipped/samples/ are exactly what the generator
writes, and each reads through its real-format adapter with the expected count."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

import curate
from curate.synth import write_open_source
from tests.conftest import ROOT

SAMPLES = ROOT / "curate" / "recipe" / "shipped" / "samples"
EXPECTED = {  # folder/file: (curate format, records)
    "anthropic_harmless/train.jsonl.gz": ("hh-rlhf", 2_000),
    "anthropic_helpful/train.jsonl.gz": ("hh-rlhf", 3_000),
    "stanford_shp/train.json": ("stanford-shp", 1_500),
    "openai_webgpt/comparisons.jsonl.gz": ("openai-webgpt", 500),
    "stack_exchange_paired/train.jsonl.gz": ("stack-exchange-paired", 500),
    "synthetic_gptj/train.jsonl.gz": ("gptj-pairwise", 500),
    "third_party_sft/alpaca.json": ("alpaca", 2_000),
}


def _payload(path: Path) -> bytes:
    # gzip is compared by its content: another zlib build may pick other (equally valid)
    # deflate bytes for the same text, and the text is what must never drift
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("open_source")
    write_open_source(out)
    return out


def test_committed_samples_equal_the_generator_output(regenerated: Path) -> None:
    committed = sorted(p.relative_to(SAMPLES) for p in SAMPLES.rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(regenerated) for p in regenerated.rglob("*") if p.is_file())
    assert committed == fresh
    for relative in committed:
        assert _payload(SAMPLES / relative) == _payload(regenerated / relative), relative


def test_each_sample_reads_with_its_format_and_count() -> None:
    for relative, (fmt, n) in EXPECTED.items():
        frame = curate.read(SAMPLES / relative, format=fmt)
        assert frame.height == n, relative
        assert frame["uid"].n_unique() == n, relative  # no accidental duplicates


def test_formats_are_detected_without_being_named() -> None:
    for relative, (fmt, _) in EXPECTED.items():
        if fmt == "gptj-pairwise":  # its rows are TRL's standard format: named, never detected
            continue
        report = curate.validate(SAMPLES / relative)
        assert report.formats == [fmt] and report.n_rejected == 0, relative


def test_hh_criterion_follows_the_subset_and_transcripts_share_the_prompt() -> None:
    harmless = curate.read(SAMPLES / "anthropic_harmless/train.jsonl.gz")
    helpful = curate.read(SAMPLES / "anthropic_helpful/train.jsonl.gz")
    assert harmless["criterion"].unique().to_list() == ["safety"]
    assert helpful["criterion"].unique().to_list() == ["helpfulness"]
    assert harmless["prompt"].list.len().mean() > 3  # multi-turn, as HH-RLHF is


def test_committed_total_stays_small() -> None:
    total = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file())
    assert total < 6_000_000
    assert all("SAMPLE DATA" in (p.parent / "README.md").read_text()
               for p in SAMPLES.rglob("*") if p.is_file() and p.name != "README.md")
