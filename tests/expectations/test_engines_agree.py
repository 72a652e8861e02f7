"""The GX engine and the native engine agree: pass or fail, reasons, lines, counts."""

from __future__ import annotations

import subprocess
import sys

import pytest

import curate
from curate.errors import CurateError
from tests.conftest import EXAMPLES, FIXTURES
from tests.expectations.conftest import PLANTED

FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*") if p.is_file()
                       and p.parent.name not in ("mapping", "self-instruct"))


def _outcome(path, **options):
    try:
        report = curate.validate(path, **options)
    except CurateError as exc:
        return ("error", str(exc))
    return (report.ok, report.n_read, report.n_valid, report.rejected_by_reason,
            report.warnings_by_reason, report.rejected_by_file,
            [(e.file, e.line, e.reason, e.field) for e in report.errors])


def test_planted_bad_batch_fails_in_both_engines_with_the_same_reasons_and_lines(bad_batch):
    native = curate.validate(bad_batch)
    gx = curate.validate(bad_batch, engine="gx")
    for report in (native, gx):
        assert not report.ok
        assert {e.line: e.reason for e in report.errors} == PLANTED
        assert report.rejected_by_reason == {r: 1 for r in PLANTED.values()}
    assert _outcome(bad_batch) == _outcome(bad_batch, engine="gx")
    assert gx.engine == "gx" and native.engine == "native"


def test_clean_batch_passes_in_both_engines(clean_batch):
    assert curate.validate(clean_batch).ok and curate.validate(clean_batch, engine="gx").ok


def test_a_copy_in_another_file_is_a_duplicate_in_both_engines(bad_batch, clean_batch):
    """Files are separate batches: GX never sees the two copies together."""
    text = clean_batch.read_text()
    clean_batch.write_text(text + bad_batch.read_text().splitlines(keepends=True)[0])
    native = _outcome([bad_batch, clean_batch])
    assert native == _outcome([bad_batch, clean_batch], engine="gx")
    assert native[3]["duplicate"] == 2


@pytest.mark.parametrize("path", FIXTURE_FILES + [EXAMPLES / "preference_sample.jsonl"],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_engines_agree_on_every_fixture(path):
    fmt = path.parent.name if path.parent != EXAMPLES else None
    assert _outcome(path, format=fmt) == _outcome(path, format=fmt, engine="gx")


def test_engines_agree_on_real_hh_rlhf(shared_data):
    path = shared_data / "hh-rlhf/harmless-base/test-first500.jsonl.gz"
    native = _outcome(path, format="hh-rlhf")
    assert native == _outcome(path, format="hh-rlhf", engine="gx")
    assert native[3] == {"empty_response": 1}


def test_data_docs_are_written(bad_batch, tmp_path):
    report = curate.validate(bad_batch, engine="gx", data_docs=tmp_path / "docs")
    index = tmp_path / "docs" / "index.html"
    assert report.data_docs == str(index) and index.is_file()
    pages = list((tmp_path / "docs" / "validations").rglob("*.html"))
    assert pages and "curate_preference" in pages[0].read_text()


def test_without_great_expectations_the_gx_engine_says_how_to_install_it(bad_batch):
    """Run where the package cannot be imported (None in sys.modules blocks the import)."""
    code = ("import sys; sys.modules['great_expectations'] = None; "
            "from curate.cli import main; main()")
    result = subprocess.run([sys.executable, "-c", code, "validate", "--engine", "gx",
                             str(bad_batch)], capture_output=True, text=True)
    assert result.returncode == 2
    assert 'pip install "curate[gx]"' in result.stderr and "Traceback" not in result.stderr
    native = subprocess.run([sys.executable, "-c", code, "validate", str(bad_batch)],
                            capture_output=True, text=True)
    assert native.returncode == 1  # the native engine never needs it
