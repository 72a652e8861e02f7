"""helpsteer2-preference: the sign of preference_strength chooses, its size is the degree."""

import pytest

import curate
from curate.adapters import Reject, get_adapter
from curate.reading import scan_batches
from tests.conftest import FIXTURES

HELPSTEER2 = FIXTURES / "helpsteer2-preference" / "preference.jsonl"


def test_negative_strength_chooses_response_1_and_its_size_is_the_degree():
    (batch,) = list(scan_batches(HELPSTEER2))
    assert batch.source_format == "helpsteer2-preference"
    got = batch.frame.select("_line", "chosen", "rejected", "degree").rows()
    assert got == [
        (1, "Water boils at 100 degrees Celsius (212 degrees Fahrenheit) at sea level.",
         "It boils when it gets hot.", "significantly_better"),  # -3
        (2, "Mittens, or Luna if she is calm.", "Whiskers.", "better"),  # 2
        (3, "Fresh from our oven to your table.", "We bake bread.", "slightly_better"),  # -1
        (5, "The capital of Italy is Rome.", "Italy is in Europe.", "significantly_better")]  # 3
    assert set(batch.frame["criterion"]) == {"helpfulness"}


def test_strength_0_has_no_chosen_side_and_is_skipped():
    (batch,) = list(scan_batches(HELPSTEER2))
    (same,) = batch.problems
    assert (same.line, same.field, same.reason, same.skipped) == (
        4, "preference_strength", "no_preference", True)


def test_an_extra_id_transcript_becomes_alternating_turns():
    (batch,) = list(scan_batches(HELPSTEER2, format="helpsteer2-preference"))
    prompts = batch.frame["prompt"].to_list()
    assert prompts[-1] == [
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": "The capital of France is Paris."},
        {"role": "user", "content": "And of Italy?"}]
    assert prompts[0] == [
        {"role": "user", "content": "What is the boiling point of water at sea level?"}]


@pytest.mark.parametrize(("prompt", "match"), [
    ("Hi\n<extra_id_1>Assistant\nHello", "ends with the user's"),
    ("Hi\n<extra_id_1>User\nAgain", "alternates")])
def test_a_transcript_out_of_turn_is_rejected(prompt, match):
    row = {"prompt": prompt, "response_1": "a", "response_2": "b", "preference_strength": 1}
    with pytest.raises(Reject, match=match):
        get_adapter("helpsteer2-preference").convert(row)


def test_a_strength_outside_the_scale_is_rejected():
    row = {"prompt": "p", "response_1": "a", "response_2": "b", "preference_strength": -4}
    with pytest.raises(Reject, match="-3..3"):
        get_adapter("helpsteer2-preference").convert(row)


def test_validate_detects_it_and_lists_the_unread_columns():
    for report in (curate.validate(HELPSTEER2),
                   curate.validate(HELPSTEER2, format="helpsteer2-preference")):
        assert report.formats == ["helpsteer2-preference"]
        assert (report.n_read, report.n_valid) == (5, 4)
        assert report.ok and report.skipped_by_reason == {"no_preference": 1}
        assert report.ignored_columns == [
            "all_preferences_unprocessed", "preference_elaboration", "preference_statement",
            "split", "three_most_similar_preferences"]
