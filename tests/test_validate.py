"""curate.validate on real files, the bundled example and broken inputs."""

import gzip
import json

import polars as pl
import pytest

import curate
from curate.errors import InputError
from tests.conftest import EXAMPLES, FIXTURES


def test_hh_rlhf_harmless_sample_rejects_only_the_empty_final_turn(shared_data):
    report = curate.validate(shared_data / "hh-rlhf/harmless-base/test-first500.jsonl.gz")
    assert (report.n_read, report.n_valid, report.n_rejected) == (500, 499, 1)
    assert report.rejected_by_reason == {"empty_response": 1}
    assert report.by_criterion == {"helpfulness": 0, "safety": 500, "unknown": 0}
    (error,) = report.errors
    assert (error.line, error.field, error.reason) == (87, "chosen", "empty_response")


def test_pku_saferlhf_rows_count_twice_with_their_safety_bins(shared_data):
    report = curate.validate(shared_data / "pku-saferlhf/Alpaca-7B_test_sample7.jsonl")
    assert (report.n_read, report.n_valid, report.n_rejected) == (14, 14, 0)
    assert report.by_criterion == {"helpfulness": 7, "safety": 7, "unknown": 0}
    # Counted by hand from the 7 rows: see tests/adapters/test_pku_saferlhf.py for the pairs.
    assert report.by_safety_category == {"1": 4, "2": 8, "3": 2, "4": 0, "unknown": 0}


def test_pku_pair_whose_better_response_is_unsafe_is_category_4():
    report = curate.validate(FIXTURES / "pku-saferlhf/sample.jsonl")
    # Row 1: better = the unsafe response 0, safer = 1 -> helpfulness pair is category 4.
    assert report.rejected_by_reason == {"safety_category_4": 1}
    assert report.errors[0].line == 1
    assert report.by_safety_category == {"1": 1, "2": 2, "3": 2, "4": 1, "unknown": 0}


def test_bundled_example_shows_each_kind_of_rejection():
    report = curate.validate(EXAMPLES / "preference_sample.jsonl")
    assert report.n_read == 5 and report.n_valid == 2
    assert report.rejected_by_reason == {"identical_pair": 1, "safety_category_4": 1,
                                         "user_data": 1}
    assert [e.line for e in report.errors] == [3, 4, 5]


def test_same_sampler_is_a_warning_not_a_rejection(tmp_path):
    row = json.loads((EXAMPLES / "preference_sample.jsonl").read_text().splitlines()[0])
    row.update(rejected_model=row["chosen_model"], rejected_temperature=row["chosen_temperature"])
    path = tmp_path / "same.jsonl"
    path.write_text(json.dumps(row) + "\n")
    report = curate.validate(path)
    assert report.ok and report.warnings_by_reason == {"same_sampler": 1}


def test_duplicates_across_files_count_every_copy_but_one(tmp_path):
    text = (FIXTURES / "hh-rlhf/harmless-sample.jsonl").read_text()
    for name in ("a-harmless.jsonl", "b-harmless.jsonl"):
        (tmp_path / name).write_text(text)
    report = curate.validate([tmp_path / "a-harmless.jsonl", tmp_path / "b-harmless.jsonl"])
    assert report.n_read == 8
    assert report.rejected_by_reason == {"duplicate": 3, "empty_response": 2}


def test_bad_lines_are_counted_and_named_with_file_line_and_field(tmp_path):
    good = json.loads((EXAMPLES / "preference_sample.jsonl").read_text().splitlines()[0])
    wrong_type = {**good, "chosen_temperature": "hot", "chosen": "other"}
    unknown = {**good, "temperature": 0.7, "chosen": "third"}
    path = tmp_path / "vendor.jsonl"
    path.write_text("\n".join([json.dumps(good), "{not json", "", json.dumps(wrong_type),
                               json.dumps(unknown)]) + "\n")
    report = curate.validate(path)
    assert report.n_read == 4 and report.n_valid == 1
    assert [(e.line, e.reason, e.field) for e in report.errors] == [
        (2, "bad_json", None), (4, "bad_field", "chosen_temperature"),
        (5, "bad_field", "temperature")]


def test_missing_criterion_says_how_to_fill_it(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text((FIXTURES / "hh-rlhf/harmless-sample.jsonl").read_text())
    report = curate.validate(path)  # the file name does not say harmless or helpful
    assert report.rejected_by_reason == {"bad_field": 4}
    assert "--set criterion=" in report.errors[0].message
    filled = curate.validate(path, set_fields={"criterion": "helpfulness"})
    assert filled.rejected_by_reason == {"empty_response": 1}


def test_truncated_gzip_is_unusable_input(tmp_path, shared_data):
    data = (shared_data / "hh-rlhf/harmless-base/test-first500.jsonl.gz").read_bytes()
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="cut.jsonl.gz.*truncated"):
        curate.validate(path)


def test_native_fast_path_and_row_path_agree(tmp_path):
    """Parquet (vectorised) and JSONL with one bad line (row-by-row block) give the same records."""
    rows = (EXAMPLES / "preference_sample.jsonl").read_text()
    frame = curate.read(EXAMPLES / "preference_sample.jsonl")
    parquet = tmp_path / "same.parquet"
    frame.drop("uid", "safety_category").write_parquet(parquet)
    slow = tmp_path / "slow.jsonl"
    slow.write_text(rows + "oops\n")
    a = curate.validate(parquet)
    b = curate.validate(slow)
    assert a.rejected_by_reason == {k: v for k, v in b.rejected_by_reason.items() if k != "bad_json"}
    assert curate.read(parquet)["uid"].to_list() == frame["uid"].to_list()


def test_gzip_jsonl_reads_like_plain(tmp_path):
    plain = FIXTURES / "hh-rlhf/harmless-sample.jsonl"
    packed = tmp_path / "harmless.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert curate.read(packed).equals(curate.read(plain))


def test_read_raises_on_the_first_contract_error_with_its_position(tmp_path):
    path = tmp_path / "x-harmless.jsonl"
    path.write_text('{"chosen": 1, "rejected": "\\n\\nHuman: a\\n\\nAssistant: b"}\n')
    with pytest.raises(curate.RecordError, match=r"x-harmless.jsonl:1: .*chosen"):
        curate.read(path, format="hh-rlhf")


def test_read_returns_the_schema_columns_with_uid_and_safety_category():
    frame = curate.read(EXAMPLES / "preference_sample.jsonl")
    assert isinstance(frame, pl.DataFrame)
    assert frame.columns[:3] == ["prompt", "chosen", "rejected"]
    assert {"uid", "safety_category"} <= set(frame.columns)
    assert frame["degree"].to_list()[:4] == ["better", "significantly_better", "slightly_better",
                                             "negligibly_better"]


def test_an_empty_rejected_response_is_named_as_the_field(tmp_path):
    rows = [json.loads(line) for line in
            (EXAMPLES / "preference_sample.jsonl").read_text().splitlines()[:2]]
    rows[0]["rejected"], rows[1]["chosen"] = " \n", ""
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = curate.validate(path)
    assert [(e.line, e.field, e.reason) for e in report.errors] == [
        (1, "rejected", "empty_response"), (2, "chosen", "empty_response")]
