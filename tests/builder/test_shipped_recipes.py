"""The shipped recipes build from the bundled samples on a fresh machine, reproducibly."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest

import curate
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def safety_rm_v3(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    mp = pytest.MonkeyPatch()
    mp.setenv("CURATE_HOME", str(home))
    try:
        first = curate.build("safety_rm_v3", out=tmp_path_factory.mktemp("a"), progress=False)
        second = curate.build("safety_rm_v3", out=tmp_path_factory.mktemp("b"), progress=False)
    finally:
        mp.undo()
    return first, second


def test_safety_rm_v3_builds_twice_to_the_same_shards_and_fingerprint(safety_rm_v3):
    first, second = safety_rm_v3
    assert first.manifest.outputs == second.manifest.outputs
    assert first.fingerprint == second.fingerprint
    # no machine paths: two output folders, one manifest
    assert (first.path / "manifest.json").read_bytes() == (second.path / "manifest.json").read_bytes()


def test_safety_rm_v3_is_90_10_without_category_4_and_its_counts_add_up(safety_rm_v3):
    build, _ = safety_rm_v3
    m = build.manifest
    rows = pl.concat([pl.read_parquet(build.path / o.path) for o in m.outputs])
    assert rows.filter(pl.col("safety_category") == 4).is_empty()
    safety = rows.filter(pl.col("source").is_in(["meta_safety", "anthropic_harmless"])).height
    assert abs(safety / rows.height - 0.9) <= 0.005
    for name, s in m.sources.items():
        assert s.n_read == s.n_kept + s.n_rejected + s.n_not_selected, name
    assert m.sources["meta_safety"].rejected_by_reason["safety_category_4"] > 0
    test = rows.filter(pl.col("source") == "meta_safety")  # per_batch: 1,000 per weekly batch
    assert m.splits["test"] >= 8 * 1000 and test.height > 0
    assert set(rows["margin"].unique()) <= {0.0, 1.0, 2.0, 3.0}
    assert "Sample data" in (build.path / "README.md").read_text()


def test_reward_trainer_runs_on_the_built_version(safety_rm_v3, tmp_path):
    pytest.importorskip("torch")
    if not (ROOT.parent / "shared" / "data" / "tokenizers").is_dir():
        pytest.skip("../shared/data/tokenizers is not beside the repository")
    build, _ = safety_rm_v3
    out = tmp_path / "rm"
    result = subprocess.run([sys.executable, str(ROOT / "trainers/reward.py"), "--dataset",
                             str(build.path), "--model", "tiny", "--max-steps", "2",
                             "--batch-size", "4", "--micro-batch-size", "4", "--max-test-pairs", "16",
                             "--output-dir", str(out), "--no-save-model"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n_test"] == 16 and metrics["steps"] == 2 and 0.0 <= metrics["accuracy"] <= 1.0
    assert set(metrics["accuracy_by_safety_category"]) <= {"1", "2", "3", "none"}
