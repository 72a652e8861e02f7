"""Versions in TRL's dataset formats (recipe `output: {format: ...}`): the shards' columns, what
TRL makes of them, and everything curate reads from a version reading them back as records."""

from __future__ import annotations

import polars as pl
import pyarrow.parquet as pq
import pytest

import curate
from curate.builder.card_stats import (dialogue_stats, length_summary, read_version_frame,
                                       version_stats)
from curate.output_forms import as_records, render_transcript
from curate.stats import compute_stats, compute_table6
from tests.builder.conftest import comparisons, write_jsonl, write_recipe
from tests.stats.conftest import Words

ASSISTANT = "assistant"


def _preference_data(folder):
    rows = comparisons(120, source="x", batches=("2023-W01", "2023-W02"))
    rows[0]["prompt"] = [{"role": "system", "content": "Answer briefly."},
                         {"role": "user", "content": "Hi"},
                         {"role": "assistant", "content": "Hello."},
                         {"role": "user", "content": "And then?"}]
    rows[1]["chosen"] = ""  # empty_response: a reject, written like the kept rows
    write_jsonl(folder / "prefs.jsonl", rows)
    return folder / "prefs.jsonl"


def _sft_data(folder):
    rows = [{"messages": [{"role": "user", "content": f"question {i}"},
                          {"role": "assistant", "content": f"answer {i}"}]
             + ([{"role": "user", "content": "more?"}, {"role": "assistant", "content": "no"}]
                if i % 3 == 0 else []),
             "source": "lima", "origin": "third_party"} for i in range(60)]
    rows[0]["messages"].insert(0, {"role": "system", "content": "Be kind."})
    write_jsonl(folder / "sft.jsonl", rows)
    return folder / "sft.jsonl"


def _build(folder, kind: str, name: str, **recipe):
    data = _preference_data(folder) if kind == "preference" else _sft_data(folder)
    if kind == "preference":
        recipe["exclude"] = ["empty_response"]
    path = write_recipe(folder, name=name, kind=kind,
                        sources={"s": {"path": data.name, "format": "curate"}},
                        mix=[{"group": "all", "from": ["s"], "take": "all"}],
                        split={"test": {"per_batch": 10, "otherwise": 0.2}}, **recipe)
    return curate.build(path, out=folder / "out", progress=False)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """One build per kind and format, from the same records."""
    out = {}
    for kind in ("preference", "sft"):
        folder = tmp_path_factory.mktemp(kind)
        out[kind, "conversational"] = _build(folder, kind, "conv")
        out[kind, "standard"] = _build(folder, kind, "std", output={"format": "standard"})
    return out


def _shards(version) -> pl.DataFrame:
    return pl.concat([pl.read_parquet(version.path / o.path) for o in version.manifest.outputs])


def _inputs(version, kind: str) -> pl.DataFrame:
    """The records the version was built from, as the build sets them: named by the recipe's
    source, with the margin of its margin table (none: 0)."""
    folder = version.path.parents[2]
    data = folder / ("prefs.jsonl" if kind == "preference" else "sft.jsonl")
    records = curate.read(data, format="curate", kind=kind).drop("is_user_data")
    records = records.with_columns(source=pl.lit("s"))
    return records.with_columns(margin=pl.lit(0.0)) if kind == "preference" else records


def test_a_preference_version_is_trls_conversational_preference_format(builds):
    version = builds["preference", "conversational"]
    rows = _shards(version)
    assert rows.schema["prompt"] == rows.schema["chosen"] == rows.schema["rejected"]
    records = _inputs(version, "preference").select("uid", "chosen", "rejected")
    joined = rows.join(records, on="uid", suffix="_text")
    assert joined.height == rows.height
    for row in joined.iter_rows(named=True):
        assert row["chosen"] == [{"role": ASSISTANT, "content": row["chosen_text"]}]
        assert row["rejected"] == [{"role": ASSISTANT, "content": row["rejected_text"]}]
    assert rows["margin"].is_not_null().all() and "criterion" in rows.columns
    # rejects/ reads like the kept rows: the empty response, as an assistant message too
    rejects = pl.read_parquet(version.path / "rejects/records.parquet")
    empty = rejects.filter(pl.col("reason") == "empty_response")
    assert empty["chosen"].to_list() == [[{"role": ASSISTANT, "content": ""}]]


def test_trl_sees_a_built_preference_version_as_conversational(builds):
    data_utils = pytest.importorskip("trl.data_utils")
    train = builds["preference", "conversational"].dataset["train"]
    for row in train.select(range(5)):
        # one key at a time: is_conversational looks at an arbitrary one of the keys it knows
        for key in ("prompt", "chosen", "rejected"):
            assert data_utils.is_conversational({key: row[key]}), key
        assert data_utils.maybe_extract_prompt(row) is row  # explicit prompt: taken as is


@pytest.mark.parametrize("format", ["conversational", "standard"])
@pytest.mark.parametrize("kind", ["preference", "sft"])
def test_a_built_shard_reads_back_as_the_records_it_was_written_from(builds, kind, format):
    version = builds[kind, format]
    shard = version.path / version.manifest.outputs[0].path
    read = curate.read(shard).drop("is_user_data")
    records = _inputs(version, kind)
    assert read.columns == records.columns
    assert read.sort("uid").equals(records.filter(pl.col("uid").is_in(read["uid"].implode()))
                                   .sort("uid"))
    # the uid curate.read derives from the texts is the one the shard carries
    assert read["uid"].to_list() == pq.read_table(shard, columns=["uid"])["uid"].to_pylist()
    assert curate.validate(shard).n_rejected == 0


def test_a_response_of_several_messages_in_a_shard_is_a_problem_row(builds, tmp_path):
    version = builds["preference", "conversational"]
    rows = _shards(version).head(3)
    odd = rows.with_columns(pl.when(pl.int_range(pl.len()) == 1).then(
        pl.col("chosen").list.concat(pl.col("rejected"))).otherwise(pl.col("chosen"))
        .alias("chosen"))
    odd.write_parquet(tmp_path / "odd.parquet")
    report = curate.validate(tmp_path / "odd.parquet")
    assert (report.n_read, report.n_valid) == (3, 2)
    assert report.rejected_by_reason == {"multi_message_response": 1}
    with pytest.raises(curate.RecordError, match="exactly one assistant message"):
        curate.read(tmp_path / "odd.parquet")


def test_output_standard_writes_trls_standard_preference_strings(builds):
    conv, std = builds["preference", "conversational"], builds["preference", "standard"]
    rows = _shards(std)
    assert rows.schema["prompt"] == rows.schema["chosen"] == pl.String
    records = _inputs(std, "preference")
    joined = rows.join(records, on="uid", suffix="_record")
    for row in joined.iter_rows(named=True):
        assert row["prompt"] == render_transcript(row["prompt_record"])
        assert (row["chosen"], row["rejected"]) == (row["chosen_record"], row["rejected_record"])
    system = joined.filter(pl.col("prompt_record").list.len() == 4)["prompt"].item()
    assert system == ("Answer briefly.\n\nHuman: Hi\n\nAssistant: Hello.\n\nHuman: And then?"
                      "\n\nAssistant:")
    # the same rows, selection and stats; another format, so another fingerprint
    assert as_records(rows).equals(as_records(_shards(conv)))
    assert std.fingerprint != conv.fingerprint
    assert std.manifest.stats == conv.manifest.stats
    assert std.manifest.model_dump()["table6"] == conv.manifest.model_dump()["table6"]
    assert std.manifest.recipe.output.format == "standard"
    assert conv.manifest.recipe.output.format == "conversational"  # the card reads it here
    rejects = pl.read_parquet(std.path / "rejects/records.parquet")
    assert rejects.schema["prompt"] == pl.String


def test_an_sft_version_is_conversational_language_modeling_or_standard_prompt_completion(builds):
    conv, std = builds["sft", "conversational"], builds["sft", "standard"]
    rows = _shards(conv)
    assert rows.columns[0] == "messages" and "prompt" not in rows.columns
    prompt_completion = _shards(std)
    assert prompt_completion.columns[:2] == ["prompt", "completion"]
    joined = prompt_completion.join(rows, on="uid")
    for row in joined.iter_rows(named=True):
        assert row["prompt"] == render_transcript(row["messages"][:-1])
        assert row["completion"] == row["messages"][-1]["content"]
    assert joined.filter(pl.col("prompt").str.starts_with("Be kind.\n\nHuman: ")).height == 1
    assert as_records(prompt_completion).equals(rows)
    assert std.manifest.stats == conv.manifest.stats


@pytest.mark.parametrize("format", ["conversational", "standard"])
@pytest.mark.parametrize("kind", ["preference", "sft"])
def test_the_cards_stats_read_the_shards_as_records(builds, kind, format):
    version = builds[kind, format]
    data = version.path / "data"
    records = as_records(_shards(version)).select(*read_version_frame(data, kind).columns)
    assert read_version_frame(data, kind).equals(records)
    words = Words()
    for tokenizer in (None, words):
        from_shards = version_stats(data, kind, tokenizer=tokenizer)  # the streaming scan too
        from_records = dialogue_stats(records, tokenizer=tokenizer)
        assert from_shards.table6 == from_records.table6
        assert {k: v.tolist() for k, v in from_shards.lengths.items()} \
            == {k: v.tolist() for k, v in from_records.lengths.items()}
    # the build counted the rows as it wrote them (records' columns): the same numbers
    scanned = version_stats(data, kind, tokenizer=None)
    assert version.manifest.model_dump()["table6"] == {**scanned.table6, "lengths": {
        "unit": "characters", "series": length_summary(scanned.lengths)}}


@pytest.mark.parametrize("format", ["conversational", "standard"])
def test_curate_stats_of_a_version_counts_its_records(builds, format):
    version = builds["preference", format]
    records = _inputs(version, "preference")
    kept = _shards(version).select("uid").join(records, on="uid", maintain_order="left")
    words = Words()
    assert compute_stats(version.path, tokenizer=words) == compute_table6(kept, tokenizer=words)
