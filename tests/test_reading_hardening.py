"""Broken and hostile input files: every row is a record, a reject with a reason and a place,
or one exit-2 cause; never a crash, a coercion or a verdict that depends on other rows."""

import gzip
import json
import subprocess
import sys

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import curate
from curate.errors import InputError, RecordError

ROW = {"prompt": [{"role": "user", "content": "hi"}], "chosen": "a", "rejected": "b",
       "criterion": "helpfulness", "source": "s"}


def line(**changes) -> bytes:
    return json.dumps({**ROW, **changes}).encode() + b"\n"


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def errors_of(report):
    return [(e.line, e.field, e.reason) for e in report.errors]


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "curate", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd)


# --- invalid text --------------------------------------------------------------------

def test_invalid_utf8_byte_in_a_curate_string_is_bad_encoding_not_valid(tmp_path):
    path = write(tmp_path, "v.jsonl", line() + line(annotator="a").replace(b'"a"}', b'"a\xff"}'))
    report = curate.validate(path, format="curate")
    assert (report.n_read, report.n_valid) == (2, 1)
    assert errors_of(report) == [(2, "annotator", "bad_encoding")]
    assert "0xff" in report.errors[0].message and "UTF-8" in report.errors[0].message


def test_invalid_utf8_in_a_message_and_in_another_format_names_the_field(tmp_path):
    bad = line().replace(b'"hi"', b'"h\xc3i"')
    report = curate.validate(write(tmp_path, "m.jsonl", bad), format="curate")
    assert errors_of(report) == [(1, "prompt.0.content", "bad_encoding")]
    hh = json.dumps({"chosen": "\n\nHuman: Hi\n\nAssistant: ok", "rejected": "\n\nHuman: Hi"
                     "\n\nAssistant: X"}).encode().replace(b"X", b"\xfe") + b"\n"
    report = curate.validate(write(tmp_path, "hh.jsonl", hh), format="hh-rlhf")
    assert errors_of(report) == [(1, "rejected", "bad_encoding")]


def test_lone_surrogate_escape_is_bad_encoding(tmp_path):
    path = write(tmp_path, "s.jsonl", line(annotator="X").replace(b'"X"', b'"\\ud800"'))
    report = curate.validate(path, format="curate")
    assert errors_of(report) == [(1, "annotator", "bad_encoding")]


def test_invalid_utf8_in_parquet_is_bad_encoding_not_a_panic(tmp_path):
    texts = pa.array([b"fine", b"bro\xffken"], pa.binary()).view(pa.string())
    table = pa.table({"prompt": [ROW["prompt"]] * 2, "chosen": texts, "rejected": ["b", "c"],
                      "criterion": ["safety"] * 2, "source": ["s"] * 2})
    pq.write_table(table, tmp_path / "p.parquet")
    report = curate.validate(tmp_path / "p.parquet", format="curate")
    assert (report.n_read, report.n_valid) == (2, 1)
    assert errors_of(report) == [(1, "chosen", "bad_encoding")]


def test_text_that_is_not_unicode_is_refused_by_the_model():
    with pytest.raises(ValueError, match="surrogate"):
        curate.PreferenceRecord(prompt=[{"role": "user", "content": "x"}], chosen="\ud800",
                                rejected="b", criterion="safety", source="s")


# --- crashes that were tracebacks or signals -----------------------------------------------

def test_null_first_line_of_a_curate_file_is_bad_json_not_a_segfault(tmp_path):
    path = write(tmp_path, "n.jsonl", b"null\n" + line())
    result = cli("validate", path, "--format", "curate")  # a child: a segfault must not kill us
    assert result.returncode == 1, result.stderr
    assert "n.jsonl:1: bad_json" in result.stdout
    assert "1 valid" in result.stdout


@pytest.mark.parametrize("content, what", [(b"5", "number"), (b'"abc"', "string"),
                                           (b"null", "null")])
def test_json_file_holding_a_scalar_is_unusable_input(tmp_path, content, what):
    with pytest.raises(InputError, match=f"holds .*{what}"):
        curate.validate(write(tmp_path, "x.json", content))


def test_corrupt_deflate_in_json_gz_is_exit_2_like_jsonl_gz(tmp_path):
    data = gzip.compress(json.dumps([ROW]).encode())
    corrupt = data[:12] + b"garbage!" * 4 + data[-8:]
    for name in ("c.json.gz", "c.jsonl.gz"):
        result = cli("validate", write(tmp_path, name, corrupt), "--format", "curate")
        assert result.returncode == 2, (name, result.stderr)
        assert "corrupt" in result.stderr and "Traceback" not in result.stderr


def test_openai_chat_role_that_is_a_list_is_rejected_not_a_crash(tmp_path):
    path = write(tmp_path, "c.jsonl", b'{"messages": [{"role": [], "content": "x"}]}\n')
    report = curate.validate(path, format="openai-chat")
    assert (report.n_read, report.n_rejected) == (1, 1)
    assert report.errors[0].line == 1


def test_chosen_safe_yes_is_bad_field_not_a_polars_error(tmp_path):
    report = curate.validate(write(tmp_path, "y.jsonl", line(chosen_safe="yes")), format="curate")
    assert errors_of(report) == [(1, "chosen_safe", "bad_field")]


# --- per-row verdicts, no coercion -----------------------------------------------------------

@pytest.mark.parametrize("neighbour", [b"", b"{broken\n"])
def test_number_where_text_belongs_is_bad_field_whatever_its_neighbours(tmp_path, neighbour):
    path = write(tmp_path, "n.jsonl", line() + neighbour + line(chosen=5))
    report = curate.validate(path, format="curate")
    bad = [(f, r) for _, f, r in errors_of(report) if r != "bad_json"]
    assert bad == [("chosen", "bad_field")]
    assert report.n_valid == 1


def test_unknown_key_inside_a_message_is_bad_field(tmp_path):
    path = write(tmp_path, "k.jsonl", line(prompt=[{"role": "user", "content": "hi", "name": "x"}]))
    report = curate.validate(path, format="curate")
    assert errors_of(report) == [(1, "prompt.0.name", "bad_field")]


def test_line_numbers_stay_right_after_a_long_whitespace_line(tmp_path):
    path = write(tmp_path, "w.jsonl", line() + b" \t" * 8 + b"\n" + b"\r\n" + b"{oops\n")
    report = curate.validate(path, format="curate")
    assert errors_of(report) == [(4, None, "bad_json")]


def test_bom_and_crlf_lines_are_read(tmp_path):
    path = write(tmp_path, "b.jsonl", b"\xef\xbb\xbf" + line().replace(b"\n", b"\r\n") * 2)
    report = curate.validate(path)
    assert (report.n_read, report.n_valid, report.formats) == (2, 1, ["curate"])  # a duplicate


# --- empty files and curate.read --------------------------------------------------------------

def test_read_of_an_empty_file_raises_instead_of_a_null_row(tmp_path):
    path = write(tmp_path, "e.jsonl", b"")
    with pytest.raises(InputError, match="empty file"):
        curate.read(path, format="alpaca")
    frame = curate.read(path, format="alpaca", allow_empty=True)
    assert frame.height == 0
    assert "messages" in frame.columns and "chosen" not in frame.columns


@pytest.mark.parametrize("args", [["--format", "curate"], []])
def test_empty_curate_file_is_exit_2_saying_empty(tmp_path, args):
    path = write(tmp_path, "e.jsonl", b"\n  \n")
    result = cli("validate", path, *args)
    assert result.returncode == 2
    assert "empty file" in result.stderr and "--format" not in result.stderr
    assert cli("validate", path, *args, "--allow-empty").returncode == 0


@pytest.mark.parametrize("changes, field, reason", [
    ({"criterion": "harm"}, "criterion", "bad_field"),
    ({"degree": "much better"}, "degree", "unknown_degree"),
    ({"prompt": None}, "prompt", "bad_field"),
    ({"prompt": [{"role": "bot", "content": "hi"}]}, "prompt.0.role", "bad_field"),
])
def test_read_refuses_rows_that_break_the_contract(tmp_path, changes, field, reason):
    path = write(tmp_path, "c.jsonl", line() + line(**changes))
    with pytest.raises(RecordError) as info:
        curate.read(path, format="curate")
    assert (info.value.line, info.value.field, info.value.reason) == (2, field, reason)


def test_rows_read_are_records_the_model_accepts(tmp_path):
    path = write(tmp_path, "ok.jsonl", line(chosen_temperature=1, degree="Slightly Better"))
    (row,) = curate.read(path, format="curate").drop("uid", "safety_category").to_dicts()
    record = curate.PreferenceRecord.model_validate(row)
    assert (record.degree, record.chosen_temperature) == ("slightly_better", 1.0)


def test_set_value_of_the_wrong_type_is_unusable_input(tmp_path):
    path = write(tmp_path, "s.jsonl", line())
    with pytest.raises(InputError, match="cannot set `chosen_safe`"):
        curate.validate(path, format="curate", set_fields={"chosen_safe": [1, 2]})
    frame = curate.read(path, format="curate", set_fields={"batch": "2023-W14"})
    assert frame["batch"].to_list() == ["2023-W14"]
    assert pl.Series(frame["uid"]).n_unique() == 1


def test_value_nested_thousands_deep_is_rejected_not_a_recursion_error(tmp_path):
    deep = '{"a":' * 1020 + "1" + "}" * 1020  # orjson reads up to 1024 levels
    path = write(tmp_path, "d.jsonl", f'{{"prompt": "hi", "chosen": {deep}, "rejected": "b"}}\n'
                 .encode())
    report = curate.validate(path, format="gptj-pairwise")
    assert errors_of(report) == [(1, "chosen", "bad_field")]
    assert len(report.errors[0].message) < 200


def test_corrupt_parquet_page_is_unusable_input_not_an_os_error(tmp_path):
    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"instruction": ["a"] * 100, "output": ["b"] * 100}), path)
    offset = pq.ParquetFile(path).metadata.row_group(0).column(0).data_page_offset
    data = bytearray(path.read_bytes())
    data[offset:offset + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="not a readable Parquet file"):
        curate.validate(path, format="alpaca")


@pytest.mark.parametrize("path, message", [("/dev/null", "not a regular file"),
                                           ("", "empty path")])
def test_device_or_empty_path_is_named_as_such(path, message):
    with pytest.raises(InputError, match=message):
        curate.validate(path)


@pytest.mark.parametrize("format, row", [
    ("trl", {"messages": [{"role": "user", "content": "Hi", "name": "a"},
                          {"role": "assistant", "content": "Yo"}]}),
    ("trl", {"prompt": [{"role": "user", "content": "Hi", "id": 1}], "chosen": "a",
             "rejected": "b"}),
])
def test_unknown_key_inside_a_message_of_another_format_is_rejected(tmp_path, format, row):
    path = write(tmp_path, "t.jsonl", json.dumps(row).encode() + b"\n")
    report = curate.validate(path, format=format, set_fields=None)
    assert (report.n_read, report.n_rejected) == (1, 1)
    assert "unknown key" in report.errors[0].message


def test_role_nested_deep_is_rejected_not_a_recursion_error(tmp_path):
    role = '{"a":' * 1020 + "1" + "}" * 1020
    text = f'{{"messages": [{{"role": {role}, "content": "x"}}]}}\n'
    report = curate.validate(write(tmp_path, "r.jsonl", text.encode()), format="openai-chat")
    assert (report.n_read, report.n_rejected) == (1, 1)


def test_key_holding_invalid_utf8_is_rejected_and_the_build_writes_its_reject(tmp_path):
    from tests.builder.conftest import write_recipe

    good = [line(chosen=f"answer {i}") for i in range(3)]
    write(tmp_path, "k.jsonl", b"".join(good) + line(**{"note": 1}).replace(b'"note"', b'"n\xc3"'))
    recipe = write_recipe(tmp_path, sources={"k": {"path": "k.jsonl", "format": "curate"}},
                          mix=[{"group": "all", "from": ["k"], "take": "all"}])
    build = curate.build(recipe, out=tmp_path / "out", progress=False)
    rejects = pl.read_parquet(build.path / "rejects" / "unreadable.parquet")
    assert rejects.select("line", "field", "reason").rows() == [(4, "n\\udcc3", "bad_encoding")]
    pq.read_table(build.path / "rejects" / "unreadable.parquet").validate(full=True)


def test_criterion_outside_the_allowed_ones_counts_as_unknown(tmp_path):
    report = curate.validate(write(tmp_path, "h.jsonl", line(criterion="harm")), format="curate")
    assert report.by_criterion == {"helpfulness": 0, "safety": 0, "unknown": 1}


def test_openai_summarize_title_that_is_a_number_is_bad_field(tmp_path):
    row = {"info": {"id": "x", "post": "A post.", "title": 0, "subreddit": "r"},
           "summaries": [{"text": "one", "policy": "a"}, {"text": "two", "policy": "b"}],
           "choice": 0, "worker": "w", "batch": "b", "split": "train"}
    report = curate.validate(write(tmp_path, "s.jsonl", json.dumps(row).encode() + b"\n"),
                             format="openai-summarize")
    assert errors_of(report) == [(1, "info.title", "bad_field")]


def test_unusable_input_is_one_line_even_when_its_cause_is_not(tmp_path):
    path = write(tmp_path, "t.parquet", b"PAR1" + b"\x15\x04" * 40 + b"PAR1")
    with pytest.raises(InputError) as info:
        curate.validate(path, format="curate")
    assert "\n" not in str(info.value)
    assert "\n" not in str(InputError("first\nsecond"))


@pytest.mark.parametrize("format, row", [
    ("self-instruct", {"id": "0", "instruction": "Say it.", "motivation_app": "x",
                       "instances": [{"input": 0, "output": "ok"}]}),
    ("alpaca", {"instruction": "Say it.", "input": 0, "output": "ok"}),
    ("alpaca", {"instruction": "Say it.", "history": 0, "output": "ok"}),
])
def test_a_zero_where_text_belongs_is_not_taken_for_absent(tmp_path, format, row):
    report = curate.validate(write(tmp_path, "z.jsonl", json.dumps(row).encode() + b"\n"),
                             format=format)
    assert (report.n_read, report.n_rejected) == (1, 1)
    assert report.errors[0].reason == "bad_field"


def test_a_self_instruct_task_without_instances_is_rejected_not_lost(tmp_path):
    row = {"id": "0", "instances": [], "motivation_app": "x", "instruction": "Do it."}
    report = curate.validate(write(tmp_path, "e.jsonl", json.dumps(row).encode() + b"\nnull\n"),
                             format="self-instruct")
    assert (report.n_read, report.n_rejected) == (2, 2)
    assert errors_of(report)[0] == (1, "instances", "bad_field")


@pytest.mark.parametrize("item", [b"null", b"5"])
def test_a_null_item_in_a_json_wrapper_is_one_bad_row(tmp_path, item):
    data = b'{"data": [' + item + b', {"prompt": "Hi", "chosen": "a", "rejected": "b"}]}'
    report = curate.validate(write(tmp_path, "w.json", data), format="trl",
                             set_fields={"criterion": "helpfulness"})
    assert (report.n_read, report.n_valid) == (2, 1)
    assert errors_of(report) == [(1, None, "bad_json")]
