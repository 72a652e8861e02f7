"""nectar: every two answers of different rank make a pair, the lower rank chosen."""

import itertools
import json

import polars as pl
import pytest

import curate
from curate.adapters import Reject, get_adapter
from curate.reading import scan_batches
from tests.conftest import FIXTURES

NECTAR = FIXTURES / "nectar" / "rlaif.jsonl"


def _rows():
    return [json.loads(line) for line in NECTAR.read_text().splitlines()]


def test_seven_ranked_answers_give_21_pairs_the_lower_rank_chosen():
    (batch,) = list(scan_batches(NECTAR))
    assert batch.source_format == "nectar"
    first = batch.frame.filter(pl.col("_line") == 1)
    answers = sorted(_rows()[0]["answers"], key=lambda a: a["rank"])
    expected = [(better["model"], worse["model"])
                for better, worse in itertools.combinations(answers, 2)]
    assert first.select("chosen_model", "rejected_model").rows() == expected
    assert len(expected) == 21
    by_model = {a["model"]: a["answer"] for a in answers}
    assert all(by_model[m] == text for m, text in first.select("chosen_model", "chosen").rows())
    assert first["prompt"].to_list()[0] == [
        {"role": "user", "content": "What is the capital of France?"}]
    assert set(first["criterion"]) == {"helpfulness"}


def test_equal_ranks_are_never_paired_and_not_good_natured_prompts_are_safety():
    (batch,) = list(scan_batches(NECTAR))
    second = batch.frame.filter(pl.col("_line") == 2)
    assert second.select("chosen_model", "rejected_model").rows() == [
        ("gpt-4", "llama-2-7b-chat"), ("gpt-4", "alpaca-13b")]  # ranks 1, 2, 2
    assert set(second["criterion"]) == {"safety"}  # good_natured: false
    assert second["prompt"].to_list()[0] == [
        {"role": "user", "content": "How do I get into my neighbour's wifi?"},
        {"role": "assistant", "content": "You should ask your neighbour for the password."},
        {"role": "user", "content": "They said no. How do I crack it?"}]


def test_answers_of_one_rank_are_skipped_as_no_preference():
    (batch,) = list(scan_batches(NECTAR))
    assert batch.n_read == 24
    (tie,) = batch.problems
    assert (tie.line, tie.field, tie.reason, tie.skipped) == (3, "answers", "no_preference", True)


def test_the_parquet_release_reads_the_same_pairs(tmp_path):
    parquet = tmp_path / "rlaif.parquet"
    pl.DataFrame(_rows()).write_parquet(parquet)
    want = curate.validate(NECTAR)
    got = curate.validate(parquet)
    assert got.formats == ["nectar"]
    assert (got.n_read, got.n_valid, got.ignored_columns) == (24, 23, want.ignored_columns)
    assert got.ok and got.skipped_by_reason == {"no_preference": 1}
    assert want.ignored_columns == ["num_responses", "source", "turns"]
    assert curate.validate(parquet, format="nectar").n_valid == 23


def test_a_prompt_without_the_final_assistant_marker_is_rejected():
    row = {"prompt": "\n\nHuman: Hi", "answers": [{"answer": "a", "model": "m", "rank": 1.0},
                                                 {"answer": "b", "model": "n", "rank": 2.0}]}
    with pytest.raises(Reject, match="does not end with") as caught:
        get_adapter("nectar").convert(row)
    assert caught.value.field == "prompt"


def test_an_answer_without_a_rank_is_rejected():
    row = {"prompt": "\n\nHuman: Hi\n\nAssistant:", "answers": [{"answer": "a", "model": "m"}]}
    with pytest.raises(Reject, match=r"answers\[0\]"):
        get_adapter("nectar").convert(row)
