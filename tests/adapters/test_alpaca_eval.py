"""alpaca-eval: preference 1 chooses output_1 and 2 output_2, never inverted; others skipped."""

import json
import os
import subprocess
import sys

import pytest

import curate
from curate.adapters import Skip, get_adapter
from curate.reading import scan_batches
from tests.conftest import FIXTURES

ALPACA_EVAL = FIXTURES / "alpaca-eval"


def test_preference_1_chooses_output_1_and_2_chooses_output_2_never_inverted():
    (batch,) = list(scan_batches(ALPACA_EVAL / "annotations.json"))
    assert batch.source_format == "alpaca-eval"
    rows = json.loads((ALPACA_EVAL / "annotations.json").read_text())
    first, second = batch.frame.to_dicts()
    assert rows[0]["preference"] == 1.0
    assert (first["chosen"], first["rejected"]) == (rows[0]["output_1"], rows[0]["output_2"])
    assert (first["chosen_model"], first["rejected_model"]) == ("text_davinci_003", "tiny-chat-7b")
    assert rows[1]["preference"] == 2.0
    assert (second["chosen"], second["rejected"]) == (rows[1]["output_2"], rows[1]["output_1"])
    assert (second["chosen_model"], second["rejected_model"]) == ("tiny-chat-7b", "text_davinci_003")
    assert first["prompt"] == [{"role": "user", "content": rows[0]["instruction"]}]
    assert {first["criterion"], second["criterion"]} == {"helpfulness"}
    assert first["annotator"] == "alpaca_eval_gpt4" and first["degree"] is None


def test_weighted_ties_and_failed_annotations_are_skipped_as_no_preference():
    (batch,) = list(scan_batches(ALPACA_EVAL / "annotations.json"))
    assert [(p.line, p.field, p.reason, p.skipped) for p in batch.problems] == [
        (3, "preference", "no_preference", True),  # 1.4593660117, a weighted judge
        (4, "preference", "no_preference", True),  # 1.5, a tie
        (5, "preference", "no_preference", True)]  # null
    assert "1.4593660117" in batch.problems[0].message


@pytest.mark.parametrize("preference", [0, 1.5, 3, 1.99, "1.0", "one", True, None])
def test_only_exactly_1_or_2_names_a_chosen_output(preference):
    row = {"instruction": "i", "output_1": "a", "output_2": "b", "preference": preference}
    with pytest.raises(Skip, match="only 1 .* or 2"):
        get_adapter("alpaca-eval", kind="preference").convert(row)


@pytest.mark.parametrize("preference, chosen", [(1, "a"), (1.0, "a"), ("1", "a"),
                                                (2, "b"), (2.0, "b"), ("2", "b")])
def test_a_label_reads_as_the_column_mapping_reads_it_so_a_text_1_or_2_chooses_too(preference,
                                                                                   chosen):
    """A CSV or text export writes the label as "1" / "2"; the adapter agrees with a mapping's
    `pair: {a_when: 1, b_when: 2}`, which compares labels by their text."""
    from curate.adapters.mapping import ColumnMapping

    row = {"instruction": "i", "output_1": "a", "output_2": "b", "preference": preference}
    (record,) = get_adapter("alpaca-eval", kind="preference").convert(row)
    mapping = ColumnMapping(kind="preference", columns={"prompt": "instruction"},
                            pair={"a": "output_1", "b": "output_2", "preferred": "preference",
                                  "a_when": 1, "b_when": 2})
    (mapped,) = mapping.adapter().convert(row)
    assert record["chosen"] == mapped["chosen"] == chosen


def test_alpacafarm_integer_preferences_join_the_input_after_a_blank_line():
    df = curate.read(ALPACA_EVAL / "alpaca_gpt4_preference.json")
    first, second = df.to_dicts()
    assert first["prompt"][0]["content"] == ("Rewrite the sentence in the passive voice.\n\n"
                                             "The cat chased the mouse.")
    assert first["chosen"] == "The mouse was chased by the cat."  # preference 1
    assert second["prompt"][0]["content"] == "Give three tips for staying healthy."  # input ""
    assert second["chosen"].startswith("Eat vegetables")  # preference 2
    assert first["chosen_model"] is None


def test_model_outputs_are_sft_dialogues_from_a_model():
    df = curate.read(ALPACA_EVAL / "model_outputs.json")
    assert df["messages"].to_list()[1] == [
        {"role": "user", "content": "Write a haiku about rain."},
        {"role": "assistant",
         "content": "Soft rain on the roof\nthe garden drinks in silence\nsnails come out to play"}]
    assert df["origin"].to_list() == ["model", "model"]
    assert df["source"].to_list() == ["alpaca-eval", "alpaca-eval"]


def test_one_name_two_kinds_the_row_picks_which():
    outputs = json.loads((ALPACA_EVAL / "model_outputs.json").read_text())[0]
    pairs = json.loads((ALPACA_EVAL / "annotations.json").read_text())[0]
    assert get_adapter("alpaca-eval", row=outputs).kind == "sft"
    assert get_adapter("alpaca-eval", row=pairs).kind == "preference"


def test_validate_reports_the_ignored_columns_once():
    report = curate.validate(ALPACA_EVAL / "model_outputs.json")
    assert report.formats == ["alpaca-eval"] and report.ok
    assert report.ignored_columns == ["dataset", "datasplit", "generator"]
    report = curate.validate(ALPACA_EVAL, format="alpaca-eval")
    assert report.n_read == 9 and report.n_valid == 6
    assert report.ok and report.skipped_by_reason == {"no_preference": 3}  # skipped, not invalid
    assert report.ignored_columns == ["dataset", "datasplit", "generator", "price_per_example",
                                      "raw_completion", "time_per_example"]


@pytest.mark.parametrize("options", [[], ["--format", "alpaca-eval"]])
def test_cli_validates_model_outputs_detected_or_named(options):
    out = subprocess.run([sys.executable, "-m", "curate", "validate",
                          str(ALPACA_EVAL / "model_outputs.json"), *options],
                         capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:2] == [
        "valid: 2 records read, 2 valid, 0 rejected (alpaca-eval)",
        "ignored columns (not read by the format): dataset, datasplit, generator"]


def test_alpaca_reads_the_outputs_when_named_and_lists_what_it_ignores():
    report = curate.validate(ALPACA_EVAL / "model_outputs.json", format="alpaca")
    assert report.ok and report.formats == ["alpaca"]
    assert report.ignored_columns == ["dataset", "datasplit", "generator"]
