"""ultrafeedback: raw completions -> best overall_score vs each lower one; binarized pairs."""

import json

import polars as pl
import pytest

import curate
from curate.adapters import Reject, Skip, detect, get_adapter
from curate.reading import scan_batches
from tests.conftest import FIXTURES

UF = FIXTURES / "ultrafeedback"


def _pairs(frame):
    return frame.select("chosen_model", "rejected_model").rows()


def test_raw_completions_pair_the_best_score_against_each_lower_one():
    (batch,) = list(scan_batches(UF / "evol_instruct.jsonl"))
    assert batch.source_format == "ultrafeedback"
    first = batch.frame.filter(pl.col("_line") == 1)
    # overall 7.5, 9.0, 7.5, 3.0: gpt-4 (9.0) against the three others, the two 7.5 never paired
    assert _pairs(first) == [("gpt-4", "alpaca-7b"), ("gpt-4", "vicuna-33b"),
                             ("gpt-4", "falcon-40b-instruct")]
    assert first["chosen"].unique().to_list() == [
        "A prime number is a whole number greater than 1 whose only divisors are 1 and itself."]
    assert first["rejected"].to_list()[2] == "A prime is an even number."
    assert first["prompt"].to_list()[0] == [
        {"role": "user", "content": "Explain what a prime number is in one sentence."}]
    assert set(batch.frame["criterion"]) == {"helpfulness"}


def test_tied_best_scores_are_both_chosen_against_lower_ones_and_a_null_score_is_left_out():
    (batch,) = list(scan_batches(UF / "evol_instruct.jsonl"))
    second = batch.frame.filter(pl.col("_line") == 2)
    assert _pairs(second) == [("gpt-3.5-turbo", "llama-2-7b-chat"),
                              ("ultralm-65b", "llama-2-7b-chat")]  # bard has no overall_score


def test_a_row_whose_scores_all_tie_is_skipped_as_no_preference():
    (batch,) = list(scan_batches(UF / "evol_instruct.jsonl"))
    assert batch.n_read == 6 and batch.frame.height == 5
    (tie,) = batch.problems
    assert (tie.line, tie.field, tie.reason, tie.skipped) == (3, "completions", "no_preference",
                                                              True)


def test_binarized_pairs_split_the_shared_user_turn_and_skip_ties(tmp_path):
    rows = [json.loads(line) for line in (UF / "train_prefs.jsonl").read_text().splitlines()]
    parquet = tmp_path / "train_prefs-00000-of-00001.parquet"  # the split's real storage
    pl.DataFrame(rows).write_parquet(parquet)
    for path in (UF / "train_prefs.jsonl", parquet):
        (batch,) = list(scan_batches(path))
        assert batch.source_format == "ultrafeedback"
        (record,) = batch.frame.to_dicts()
        assert record["prompt"] == [{"role": "user", "content": "Name the largest planet."}]
        assert (record["chosen"], record["rejected"]) == (
            "Jupiter is the largest planet in the Solar System.", "Saturn.")
        assert record["criterion"] == "helpfulness"
        (tie,) = batch.problems
        assert (tie.field, tie.reason, tie.skipped) == ("score_chosen", "no_preference", True)


def test_binarized_rows_are_not_taken_for_trl_rows():
    row = json.loads((UF / "train_prefs.jsonl").read_text().splitlines()[0])
    assert detect(row, where="x").name == "ultrafeedback"


def test_a_lower_score_chosen_contradicts_the_label_and_is_rejected_not_skipped():
    row = json.loads((UF / "train_prefs.jsonl").read_text().splitlines()[0])
    row["score_chosen"], row["score_rejected"] = 2.0, 8.0
    with pytest.raises(Reject, match="contradict") as caught:
        get_adapter("ultrafeedback").convert(row)
    assert not isinstance(caught.value, Skip)


def test_validate_detects_both_layouts_and_lists_the_unread_columns_once():
    report = curate.validate(UF)
    assert report.formats == ["ultrafeedback"]
    assert (report.n_read, report.n_valid) == (8, 6)
    assert report.ok and report.skipped_by_reason == {"no_preference": 2}
    assert report.ignored_columns == ["correct_answers", "incorrect_answers", "messages", "models",
                                      "prompt_id", "source"]
    named = curate.validate(UF, format="ultrafeedback")
    assert (named.n_read, named.n_valid, named.ignored_columns) == (
        8, 6, report.ignored_columns)


def _raw_row(*scores) -> dict:
    return {"source": "evol_instruct", "instruction": "Name a prime.", "models": [],
            "completions": [{"model": f"m{i}", "response": f"answer {i}", "overall_score": s}
                            for i, s in enumerate(scores)]}


@pytest.mark.parametrize("score", ["high", "8.5", True, [8.5], {"value": 8.5}])
def test_a_score_of_the_wrong_type_is_a_bad_field_naming_it_not_a_tie(score):
    with pytest.raises(Reject) as caught:
        get_adapter("ultrafeedback").convert(_raw_row(9.0, score))
    assert not isinstance(caught.value, Skip)
    assert (caught.value.reason, caught.value.field) == ("bad_field",
                                                         "completions[1].overall_score")
    assert "`completions[1].overall_score` is " in caught.value.message
    assert "a number (or null when the completion was not rated)" in caught.value.message


@pytest.mark.parametrize("absent", [None, float("nan"), "missing"])
def test_only_a_tied_or_absent_score_is_no_preference(absent):
    row = _raw_row(7.0, 7.0, None if absent == "missing" else absent)
    if absent == "missing":
        del row["completions"][2]["overall_score"]
    with pytest.raises(Skip) as caught:
        get_adapter("ultrafeedback").convert(row)
    assert caught.value.reason == "no_preference"
