"""Rows a rule leaves out on purpose (adapters.Skip: a mapping's `where:`) are counted apart
from invalid ones: validate exits 0 for them, reports them by reason, lists no error for them."""

import json
import subprocess
import sys

import curate
from curate.junit import junit_xml

MAPPING = """\
kind: preference
columns: {prompt: question, chosen: good, rejected: bad}
where:
  - {column: lang, equals: en}
set: {criterion: helpfulness}
"""
ROWS = [
    {"question": "2+2?", "good": "4", "bad": "5", "lang": "en"},
    {"question": "2+3?", "good": "cinq", "bad": "six", "lang": "fr"},
    {"question": "2+4?", "good": "6", "bad": "7", "lang": "en"},
    {"question": "2+5?", "good": "sept", "bad": "huit", "lang": "fr"},
]


def write(tmp_path, rows=ROWS):
    (tmp_path / "mapping.yaml").write_text(MAPPING)
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return data, tmp_path / "mapping.yaml"


def cli(*args):
    return subprocess.run([sys.executable, "-c", "from curate.cli import main; main()", *args],
                          capture_output=True, text=True, check=False)


def test_filtered_rows_are_skipped_not_rejected(tmp_path):
    data, mapping = write(tmp_path)
    report = curate.validate(data, format=str(mapping))
    assert (report.n_read, report.n_valid, report.n_rejected, report.n_skipped) == (4, 2, 0, 2)
    assert report.skipped_by_reason == {"filtered": 2}
    assert report.rejected_by_reason == {} and report.errors == [] and report.ok
    assert "<failure" not in junit_xml(report)


def test_the_cli_exits_0_and_shows_the_skipped_rows_in_its_table_and_report(tmp_path):
    data, mapping = write(tmp_path)
    result = cli("validate", str(data), "--format", str(mapping), "--report",
                 str(tmp_path / "report.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid: 4 records read, 2 valid, 0 rejected, 2 skipped (mapping)" in result.stdout
    assert any(line.split("│")[1:4] == [" filtered ", " 2       ", " skipped "]
               for line in result.stdout.splitlines() if "filtered" in line), result.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    assert (report["n_skipped"], report["skipped_by_reason"]) == (2, {"filtered": 2})


def test_an_invalid_row_still_fails_and_only_it_is_listed(tmp_path):
    data, mapping = write(tmp_path, ROWS + [{"question": "2+6?", "good": None, "bad": "9",
                                             "lang": "en"}])
    result = cli("validate", str(data), "--format", str(mapping))
    assert result.returncode == 1
    assert "5 records read, 2 valid, 1 rejected, 2 skipped" in result.stdout
    report = curate.validate(data, format=str(mapping))
    assert [(e.line, e.reason) for e in report.errors] == [(5, "bad_field")]
    assert report.n_read == report.n_valid + report.n_rejected + report.n_skipped


def test_read_leaves_skipped_rows_out_and_returns_the_records(tmp_path):
    data, mapping = write(tmp_path)
    df = curate.read(data, format=str(mapping))
    assert df["chosen"].to_list() == ["4", "6"]
