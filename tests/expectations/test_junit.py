"""`curate validate --junit`: one test case per check and file, failures counted right."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from curate.checks import checks_for
from tests.expectations.conftest import PLANTED, valid_rows
from tests.expectations.test_suite import _cli

ERRORS = [c.reason for c in checks_for("preference") if c.severity == "error"]


@pytest.mark.parametrize("engine", ["native", "gx"])
def test_junit_has_a_case_per_check_and_file_and_counts_failures(bad_batch, clean_batch,
                                                                  tmp_path, engine):
    junit = tmp_path / "junit.xml"
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(valid_rows(1, seed=9)[0]) + "\n{not json\n")
    result = _cli("validate", str(bad_batch), str(clean_batch), str(broken), "--junit",
                  str(junit), "--engine", engine)
    assert result.returncode == 1, result.stderr
    root = ET.parse(junit).getroot()
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == [str(bad_batch), str(clean_batch), str(broken)]
    bad = suites[str(bad_batch)]
    assert [c.get("name") for c in bad.iter("testcase")] == ERRORS
    failed = {c.get("name"): c.find("failure") for c in bad.iter("testcase")
              if c.find("failure") is not None}
    assert set(failed) == set(PLANTED.values()) and bad.get("failures") == "4"
    for line, reason in PLANTED.items():
        assert f"lines: {line}" in failed[reason].text
    assert suites[str(clean_batch)].get("failures") == "0"
    unreadable = [c for c in suites[str(broken)].iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in unreadable] == ["bad_json"]
    assert "lines: 2" in unreadable[0].find("failure").text
    assert root.get("failures") == "5"
    assert root.get("tests") == str(3 * len(ERRORS) + 1)
