"""curate.output_forms: records written in TRL's formats and read back, on real records."""

from __future__ import annotations

import gzip
import json

import polars as pl
import pytest

import curate
from curate.errors import InputError
from curate.kinds import OUTPUT_FORMATS, kind_spec
from curate.output_forms import as_records, parse_transcript, render_transcript, to_output
from tests.conftest import FIXTURES

HH = FIXTURES / "hh-rlhf"


def _hh() -> tuple[pl.DataFrame, list[dict]]:
    """The HH-RLHF fixtures as records, and their raw rows."""
    frames, raw = [], []
    for path, criterion in ((HH / "harmless-sample.jsonl", "safety"),
                            (HH / "helpful-sample.jsonl.gz", "helpfulness")):
        frames.append(curate.read(path, format="hh-rlhf", set_fields={"criterion": criterion}))
        raw += [json.loads(line) for line in gzip.open(path, "rt")] if path.suffix == ".gz" \
            else [json.loads(line) for line in path.open()]
    return pl.concat(frames), raw


def _chats() -> pl.DataFrame:
    return curate.read(FIXTURES / "openai-chat" / "train.jsonl")  # system prompts, 1-2 turns


def test_the_standard_prompt_and_a_response_make_the_hh_transcript_they_came_from():
    records, raw = _hh()
    rows = to_output(records, "preference", "standard")
    for row, original in zip(rows.iter_rows(named=True), raw, strict=True):
        assert row["prompt"] + " " + row["chosen"] == original["chosen"]
        assert row["prompt"] + " " + row["rejected"] == original["rejected"]


def test_a_system_turn_comes_first_as_it_is():
    chats = _chats()
    for messages in chats["messages"].to_list():
        text = render_transcript(messages[:-1])
        assert text.startswith(messages[0]["content"] + "\n\nHuman: ")
        assert text.endswith("\n\nAssistant:")
        assert parse_transcript(text) == messages[:-1]


@pytest.mark.parametrize("format", OUTPUT_FORMATS)
def test_both_kinds_read_back_from_either_format_as_the_same_records(format):
    records, _ = _hh()
    for kind, frame in (("preference", records), ("sft", _chats())):
        written = to_output(frame, kind, format)
        text_columns = kind_spec(kind).text_output_columns(format)
        assert written.columns[:len(text_columns)] == text_columns  # in the dialogue's place
        assert as_records(written).equals(frame)
        assert as_records(written.lazy(), kind).collect().equals(frame)


def test_records_and_versions_built_before_the_formats_read_as_they_are():
    records, _ = _hh()
    assert as_records(records).equals(records)  # responses as text: the old shards' form


def test_a_frame_of_no_kind_is_refused_naming_the_columns_expected():
    with pytest.raises(InputError, match=r"columns \['text'\] are no version's rows"):
        as_records(pl.DataFrame({"text": ["The sky is blue."]}))


def test_a_transcript_reads_back_exactly_unless_a_text_holds_a_turn_marker():
    dialogue = [{"role": "user", "content": "Say \n\nHuman: twice"}]
    assert parse_transcript(render_transcript(dialogue)) != dialogue  # the documented limit
    plain = [{"role": "user", "content": "Line one\n\nline two: Human"},
             {"role": "assistant", "content": ""}, {"role": "user", "content": " spaced "}]
    assert parse_transcript(render_transcript(plain)) == plain
