"""JUnit XML of a validation: one test case per check and file, so CI systems show failures
natively (GitHub, GitLab, Jenkins and Buildkite all read this format).

>>> from curate.validate import ValidationReport
>>> report = ValidationReport(files=["a.jsonl"], kinds=["sft"], n_read=2, n_valid=1,
...     n_rejected=1, rejected_by_reason={"empty_response": 1},
...     rejected_by_file={"a.jsonl": {"empty_response": 1}}, errors=[{"file": "a.jsonl",
...     "line": 2, "field": "messages", "reason": "empty_response", "message": "no text"}])
>>> xml = junit_xml(report)
>>> xml.count("<testcase"), xml.count("<failure")
(7, 1)
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from curate.checks import checks_for
from curate.validate import ValidationReport

SHOWN_LINES = 20


def junit_xml(report: ValidationReport) -> str:
    """Test cases per file: every check of the kinds read, and any reading problem met."""
    checks = {c.reason: c for kind in report.kinds or ["preference"] for c in checks_for(kind)}
    suites = ET.Element("testsuites", name="curate validate")
    total = failures = 0
    for file in report.files:
        counts = report.rejected_by_file.get(file, {})
        reasons = [r for r, c in checks.items() if c.severity == "error"]
        reasons += sorted(r for r in counts if r not in checks)  # bad_json, missing_field, ...
        suite = ET.SubElement(suites, "testsuite", name=file, tests=str(len(reasons)),
                              failures=str(sum(1 for r in reasons if counts.get(r))))
        for reason in reasons:
            case = ET.SubElement(suite, "testcase", classname=file, name=reason)
            if counts.get(reason):
                lines = [e.line for e in report.errors if e.file == file and e.reason == reason]
                shown = ", ".join(str(n) for n in lines[:SHOWN_LINES])
                more = " ..." if counts[reason] > len(lines[:SHOWN_LINES]) else ""
                failure = ET.SubElement(case, "failure", type=reason, message=(
                    f"{counts[reason]} record(s) rejected: {reason}"))
                message = checks[reason].message if reason in checks else ""
                failure.text = f"{message}\nlines: {shown}{more}".strip()
        total += len(reasons)
        failures += int(suite.get("failures"))
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode")


def write_junit(report: ValidationReport, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(junit_xml(report) + "\n")
    return path
