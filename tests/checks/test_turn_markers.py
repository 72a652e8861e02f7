"""`turn_marker_in_response`: which texts hold a marker (polars and Python `re` alike), a
warning in `curate validate` and the build, and excluded by a recipe that names it."""

from __future__ import annotations

import re

import polars as pl
import pytest

import curate
from curate.checks import apply_checks, reasons
from curate.checks.turn_markers import TURN_MARKER, contains_marker, has_marker
from curate.columns import conform
from tests.builder.conftest import comparisons, write_jsonl, write_recipe

# One text per marker of the documented list, each as it appears in its format.
MARKED = [
    "Sure, here it is.\n\nHuman: Thanks! And another?",  # HH-RLHF: the model wrote the next turn
    "Human: No, you are wrong.",  # HH-RLHF harmless-base test line 30: the response opens so
    "Fine.\n  Assistant: continuing",
    "Done.\n### Human: next question",  # Vicuna / Guanaco
    "Done.\n###Assistant: more",
    "Hello!<|im_end|>\n<|im_start|>user\nBye",  # ChatML
    "Yes. [/INST] And you? [INST] Me?",  # Llama 2 chat
    "<<SYS>>\nYou are helpful\n<</SYS>>",
    "Hi<|eot_id|><|start_header_id|>user<|end_header_id|>",  # Llama 3
    "Yes\n<|user|>\nAnd?",  # Tulu / Zephyr
    "Bye<end_of_turn>\n<start_of_turn>user",  # Gemma
    "Sure.\n<extra_id_1>User\nMore please",  # NeMo SteerLM / HelpSteer
]
# Prose a response may well hold: never a marker.
PROSE = [
    "The job title was Assistant: a role in the office.",
    "I am your assistant: ask me anything.",
    "human: lower case is not a speaker label",
    "USER: and ASSISTANT: are Vicuna v1.1's, left out",
    "Q: What is it?\nA: A test.",
    "H: hi\nA: hello",
    "Use [inst] or <im_start> in lower case or without bars.",
    "A ## Human: two hashes mid-line",
    "",
]


@pytest.mark.parametrize("text", MARKED)
def test_every_documented_marker_is_found_by_polars_and_by_python_re(text):
    assert has_marker(text) and re.search(TURN_MARKER, text)
    assert pl.select(contains_marker(pl.lit(text))).item()


@pytest.mark.parametrize("text", PROSE)
def test_prose_is_no_marker_in_either_engine(text):
    assert not has_marker(text) and not re.search(TURN_MARKER, text)
    assert not pl.select(contains_marker(pl.lit(text))).item()


def _pairs(chosen: list[str], rejected: list[str]) -> pl.DataFrame:
    return conform(pl.DataFrame({
        "prompt": [[{"role": "user", "content": f"q{i}"}] for i in range(len(chosen))],
        "chosen": chosen, "rejected": rejected, "criterion": ["helpfulness"] * len(chosen),
        "source": ["t"] * len(chosen)}), "preference")


def test_a_marker_in_either_response_is_a_warning_not_a_rejection():
    frame = _pairs(["ok", MARKED[0], "ok"], [MARKED[5], "fine", "fine"])
    checked = apply_checks(frame, "preference")
    assert checked["reason"].to_list() == [None, None, None]
    assert checked["warning"].to_list() == ["turn_marker_in_response"] * 2 + [None]


def test_a_warning_the_caller_enables_becomes_a_rejection():
    frame = _pairs(["ok", MARKED[0]], ["fine", "fine"])
    checked = apply_checks(frame, "preference", enabled=["turn_marker_in_response"])
    assert checked["reason"].to_list() == [None, "turn_marker_in_response"]
    assert checked["warning"].to_list() == [None, None]
    assert "turn_marker_in_response" in reasons("preference")
    assert "turn_marker_in_response" not in reasons("preference", severity="error")


def _sft_rows() -> list[dict]:
    def dialogue(user: str, assistant: str) -> dict:
        return {"messages": [{"role": "user", "content": user},
                             {"role": "assistant", "content": assistant}], "source": "t"}
    return [
        dialogue("Explain ChatML", "It looks like this: <|im_start|>user\nHi<|im_end|>"),
        dialogue("Say hi", "Hi!\n\nHuman: and now say bye"),
        dialogue("My transcript:\n\nHuman: hi\n\nAssistant: yo\n\nIs it HH?", "Yes, HH-RLHF."),
        {"messages": [{"role": "user", "content": "a"},
                      {"role": "assistant", "content": "[INST] early turn"},
                      {"role": "user", "content": "b"},
                      {"role": "assistant", "content": "clean last turn"}], "source": "t"},
        dialogue("Plain", "Plain answer."),
    ]


@pytest.mark.parametrize("engine", ["native", "gx"])
def test_sft_warns_on_assistant_turns_only_in_both_engines(tmp_path, engine):
    if engine == "gx":
        pytest.importorskip("great_expectations")
    path = write_jsonl(tmp_path / "sft.jsonl", _sft_rows())
    report = curate.validate(path, engine=engine)
    assert report.ok and report.n_valid == 5
    assert report.warnings_by_reason == {"turn_marker_in_response": 3}  # the user's quote: none


@pytest.mark.parametrize("engine", ["native", "gx"])
def test_preference_warnings_agree_in_both_engines(tmp_path, engine):
    if engine == "gx":
        pytest.importorskip("great_expectations")
    rows = comparisons(len(MARKED) + len(PROSE), source="t")
    for row, text in zip(rows, MARKED + PROSE):
        row["chosen_safe"], row["rejected_safe"] = True, False
        row["rejected" if len(text) % 2 else "chosen"] += "\n" + text
    path = write_jsonl(tmp_path / "pairs.jsonl", rows)
    report = curate.validate(path, engine=engine)
    assert report.ok and report.warnings_by_reason == {"turn_marker_in_response": len(MARKED)}


def test_real_hh_rlhf_harmless_responses_that_open_the_next_human_turn_warn(shared_data):
    report = curate.validate(shared_data / "hh-rlhf/harmless-base/test-first500.jsonl.gz")
    # 11 responses of 9 pairs open with "Human: ..." (counted with grep on the raw file: the
    # text after the last "\n\nAssistant: " starts with "Human:"); they stay valid.
    assert report.warnings_by_reason == {"turn_marker_in_response": 9}
    assert report.rejected_by_reason == {"empty_response": 1}


def _hh_recipe(folder, shared_data, **over):
    folder.mkdir()
    return write_recipe(folder, sources={"hh": {
        "path": str(shared_data / "hh-rlhf/harmless-base/test-first500.jsonl.gz"),
        "format": "hh-rlhf", "set": {"criterion": "safety"}}},
        mix=[{"group": "all", "from": ["hh"], "take": "all"}], **over)


def test_a_build_keeps_warned_records_unless_the_recipe_excludes_them(tmp_path, shared_data):
    kept = curate.build(_hh_recipe(tmp_path / "a", shared_data, exclude=["empty_response"]),
                        out=tmp_path / "out_a", progress=False)
    assert kept.manifest.sources["hh"].n_kept == 499
    dropped = curate.build(_hh_recipe(tmp_path / "b", shared_data, exclude=[
        "empty_response", "turn_marker_in_response"]), out=tmp_path / "out_b", progress=False)
    hh = dropped.manifest.sources["hh"]
    assert (hh.n_kept, hh.rejected_by_reason) == (490, {"empty_response": 1,
                                                        "turn_marker_in_response": 9})
    rejects = pl.read_parquet(dropped.path / "rejects/records.parquet")
    marked = rejects.filter(pl.col("reason") == "turn_marker_in_response")
    assert marked.height == 9
    texts = [m["content"] for side in ("chosen", "rejected") for ms in marked[side] for m in ms]
    assert sum(t.startswith("Human:") for t in texts) == 11


def test_exclude_still_refuses_an_unknown_reason(tmp_path):
    write_jsonl(tmp_path / "d/a.jsonl", comparisons(5, source="x"))
    recipe = write_recipe(tmp_path, sources={"a": {"path": "d/a.jsonl"}},
                          mix=[{"group": "all", "from": ["a"], "take": "all"}],
                          exclude=["turn_marker_in_responses"])
    with pytest.raises(curate.CurateError, match="unknown reasons.*turn_marker_in_responses"):
        curate.build(recipe, out=tmp_path / "out", progress=False)
