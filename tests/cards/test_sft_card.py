"""An SFT build's card: the SFT template, examples instead of comparisons, user/assistant lengths."""

from __future__ import annotations

from collections import Counter

import polars as pl
from huggingface_hub import DatasetCard

import curate
from tests.builder.conftest import write_recipe
from tests.conftest import FIXTURES


def test_sft_card_counts_examples_turns_and_origins(tmp_path, monkeypatch):
    monkeypatch.delenv("CURATE_TOKENIZER", raising=False)
    path = write_recipe(
        tmp_path, name="sft", kind="sft",
        sources={"alpaca": {"path": str(FIXTURES / "alpaca/alpaca_data.json"), "format": "alpaca",
                               "set": {"origin": "third_party"}},
                 "chat": {"path": str(FIXTURES / "openai-chat/train.jsonl"),
                          "format": "openai-chat"}},
        mix=[{"group": "all", "from": ["alpaca", "chat"], "take": "all"}],
        exclude=["duplicate", "empty_prompt", "empty_response", "bad_role_order"])
    build = curate.build(path, out=tmp_path / "out", progress=False)
    rows = pl.concat([pl.read_parquet(build.path / o.path) for o in build.manifest.outputs])
    card = (build.path / "README.md").read_text()
    assert "SFT dialogues" in card and "| source | examples | turns / dialogue |" in card
    for source, part in rows.group_by("source"):
        turns = part["messages"].list.eval(pl.element().struct.field("role") == "user").list.sum()
        assert f"| {source[0]} | {part.height:,} | {turns.mean():,.1f} | - | - | - |" in card
    for origin, n in Counter(rows["origin"]).items():
        assert f"| {origin or 'unknown'} | {n:,} |" in card  # the chat file names no origin
    series = {s["series"] for s in build.manifest.table6["lengths"]["series"]}
    assert series == {"user messages", "assistant messages"}
    assert "sft" in DatasetCard.load(build.path / "README.md").data.tags
