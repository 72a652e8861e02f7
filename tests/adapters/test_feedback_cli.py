"""`curate validate FIXTURE` reads each feedback set detected and named alike; skips are not invalid."""

import os
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES

FIRST_LINES = {
    "alpaca-eval": "valid: 9 records read, 6 valid, 0 rejected, 3 skipped (alpaca-eval)",
    "ultrafeedback": "valid: 8 records read, 6 valid, 0 rejected, 2 skipped (ultrafeedback)",
    "helpsteer2-preference": ("valid: 5 records read, 4 valid, 0 rejected, 1 skipped "
                              "(helpsteer2-preference)"),
    "nectar": "valid: 24 records read, 23 valid, 0 rejected, 1 skipped (nectar)",
}


@pytest.mark.parametrize("named", [False, True], ids=["detected", "named"])
@pytest.mark.parametrize("name", FIRST_LINES)
def test_validate_reads_the_fixture_folder_and_exits_0(name, named):
    options = ["--format", name] if named else []
    out = subprocess.run([sys.executable, "-m", "curate", "validate", str(FIXTURES / name),
                          *options], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "300"})
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == FIRST_LINES[name]
    assert lines[1].startswith("ignored columns (not read by the format): ")
    assert "no_preference" in out.stdout and "skipped" in out.stdout
