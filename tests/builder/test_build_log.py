"""What a build says when its output is a log (CI, a notebook): one line per stage with its
counts, where the version went (an absolute path), and when it generates the sample data."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import curate
from curate.synth import GENERATOR_VERSION
from tests.builder.conftest import comparisons, write_jsonl, write_recipe
from tests.conftest import ROOT

TIMING = r" in \d+\.\d s( \([\d,]+/s\))?$"


def curate_cli(*args, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    """`curate` with stdout and stderr captured: neither is a terminal."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("TTY_COMPATIBLE", "FORCE_COLOR", "CURATE_TOKENIZER", "CURATE_TIMINGS")}
    return subprocess.run([sys.executable, "-m", "curate", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True,
                          env={**env, "PYTHONPATH": str(ROOT), "CURATE_HOME": str(home)})


def stage_lines(stderr: str) -> list[str]:
    """The build's stage lines without their timings (which vary)."""
    return [re.sub(TIMING, "", line) for line in stderr.splitlines()
            if line.startswith("curate build: ")]


def test_a_build_into_a_log_prints_each_stage_with_its_counts_and_the_absolute_path(tmp_path):
    home = tmp_path / "home"
    first = curate_cli("build", "sft_v1", "--out", "out", cwd=tmp_path, home=home)
    assert first.returncode == 0, first.stderr
    version = curate.open_version(tmp_path / "out" / "sft" / "v1")
    m = version.manifest
    n_read = sum(s.n_read for s in m.sources.values())
    n_rejects = sum(r.n_rows for r in m.rejects)
    lines = stage_lines(first.stderr)
    assert lines[0] == f"curate build: read {n_read:,} records from {len(m.sources)} sources"
    assert lines[1].startswith(f"curate build: selected {sum(m.splits.values()):,} records "
                               f"(train {m.splits['train']:,}, test {m.splits['test']:,}), ")
    assert re.fullmatch(r"curate build: re-read [\d,]+ sampled records from 1 source", lines[2])
    assert lines[3:] == [
        f"curate build: wrote {sum(o.n_rows for o in m.outputs):,} records in "
        f"{len(m.outputs)} shards and {n_rejects:,} rejects",
        "curate build: wrote manifest.json and the card (README.md)"]
    for line in first.stderr.splitlines():  # every stage line ends with its time
        assert not line.startswith("curate build: ") or re.search(TIMING, line), line
    folder = (tmp_path / "out" / "sft" / "v1").resolve()
    assert f"built sft v1 into {folder}\n" in first.stdout  # absolute though --out was relative
    assert "curate build:" not in first.stdout  # progress on stderr, results on stdout


def test_the_sample_data_is_announced_when_generated_and_not_again(tmp_path):
    home = tmp_path / "empty_home"
    first = curate_cli("build", "sft_v1", "--out", "a", cwd=tmp_path, home=home)
    second = curate_cli("build", "sft_v1", "--out", "b", cwd=tmp_path, home=home)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    notes = [line for line in first.stderr.splitlines() if "sample data" in line]
    assert notes == [f"curate: generating the bundled sample data (3,000 SFT dialogues) into "
                     f"{home / 'samples' / GENERATOR_VERSION / 'sft'}, once"]
    assert "sample data" not in second.stderr
    assert len(stage_lines(second.stderr)) == 5


def _two_sources(folder: Path) -> Path:
    """Source a taken in full, b sampled (so read again for its chosen rows)."""
    write_jsonl(folder / "a.jsonl", comparisons(120, source="a"))
    write_jsonl(folder / "b.jsonl", comparisons(200, source="b", seed=1, start=1000))
    return write_recipe(folder, sources={"a": {"path": "a.jsonl"}, "b": {"path": "b.jsonl"}},
                        mix=[{"group": "all", "from": ["a"], "take": "all"},
                             {"group": "some", "from": ["b"], "n_rows": 50}],
                        split={"test": {"otherwise": 0.1}})


def test_progress_false_is_quiet_and_progress_true_logs_the_stages(tmp_path, capfd):
    recipe = _two_sources(tmp_path)
    curate.build(recipe, out=tmp_path / "quiet", progress=False)
    quiet = capfd.readouterr()
    assert quiet.err == "" and quiet.out == ""
    version = curate.build(recipe, out=tmp_path / "logged")
    logged = capfd.readouterr()
    assert logged.out == ""
    lines = stage_lines(logged.err)
    assert lines[0] == "curate build: read 320 records from 2 sources"
    assert re.fullmatch(r"curate build: re-read [\d,]+ sampled records from 1 source", lines[2])
    n_rows = sum(o.n_rows for o in version.manifest.outputs)
    assert lines[3].startswith(f"curate build: wrote {n_rows:,} records in ")
