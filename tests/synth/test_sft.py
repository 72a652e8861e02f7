"""Vendor SFT batches and the committed third-party set."""

from __future__ import annotations

from pathlib import Path

import curate
from curate.synth import write_sft
from tests.conftest import ROOT


def test_vendor_sft_batches_validate_with_their_injected_defects(tmp_path: Path) -> None:
    files = write_sft(tmp_path)
    data = [p for p in files if p.suffix == ".gz"]
    assert [p.name for p in data] == [f"2023-W0{w}.jsonl.gz" for w in range(1, 7)]
    report = curate.validate(data)
    assert report.n_read == 3_000 and report.formats == ["curate"]
    assert report.rejected_by_reason == {"duplicate": 3, "empty_response": 3}
    frame = curate.read(data)
    assert frame["origin"].unique().to_list() == ["vendor"]
    assert not frame["is_user_data"].any()
    assert frame["messages"].list.len().mean() > 2  # some dialogues are multi-turn


def test_vendor_sft_is_reproducible(tmp_path: Path) -> None:
    a = write_sft(tmp_path / "a", seed=3, n_per_batch=50, n_weeks=2)
    b = write_sft(tmp_path / "b", seed=3, n_per_batch=50, n_weeks=2)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_third_party_alpaca_takes_its_origin_from_the_reader() -> None:
    frame = curate.read(ROOT / "curate/recipe/shipped/samples/third_party_sft/alpaca.json",
                        format="alpaca", set_fields={"origin": "third_party"})
    assert frame.height == 2_000 and frame["origin"].unique().to_list() == ["third_party"]
    # third-party answers are shorter than vendor ones: the reason a recipe caps them
    answers = frame["messages"].list.last().struct.field("content").str.len_chars()
    assert answers.mean() < 600
