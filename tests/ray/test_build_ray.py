"""`curate build --engine ray` on a real two-node cluster (tests/ray/cluster.py) gives the local
engine's bytes: shards, rejects, card and fingerprint, for any block size, on the shipped
recipe's sample data and on real data from ../shared/data, with a worker killed mid-build; a
build that cannot finish leaves no version."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

import curate
from curate.errors import InputError
from tests.builder.conftest import comparisons, write_jsonl, write_recipe

ray = pytest.importorskip("ray")

ROOT = Path(__file__).resolve().parents[2]


def _files(version) -> dict[str, bytes]:
    """Every file of a version but the manifest (which records the engine), by path."""
    root = Path(version.path)
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


def assert_same_version(local, on_ray, *, nodes: int = 2) -> None:
    assert on_ray.fingerprint == local.fingerprint
    assert _files(on_ray) == _files(local)  # shards, rejects, card (README.md), images
    a, b = local.manifest.model_dump(mode="json"), on_ray.manifest.model_dump(mode="json")
    assert b.pop("engine") == {"name": "ray", "nodes": nodes, "cpus": nodes}
    assert "engine" not in a and a == b  # the engine is the manifest's only difference
    assert "engine" not in (Path(local.path) / "manifest.json").read_text()


@pytest.fixture(scope="module")
def safety_local(tmp_path_factory):
    """safety_rm_v3 built locally; CURATE_HOME (the bundled samples, generated once) is set for
    the module's tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CURATE_HOME", str(tmp_path_factory.mktemp("home")))
        yield curate.build("safety_rm_v3", out=tmp_path_factory.mktemp("local"), progress=False)


def test_safety_rm_v3_on_two_nodes_is_byte_identical_to_the_local_build(
        safety_local, ray_cluster, tmp_path):
    on_ray = curate.build("safety_rm_v3", out=tmp_path, progress=False, engine="ray",
                          address=ray_cluster.address)
    assert len(safety_local.manifest.outputs) >= 2 and safety_local.manifest.rejects
    assert_same_version(safety_local, on_ray)


def build_killing_a_worker(cluster, recipe, out: Path, **options) -> tuple[curate.Version, str]:
    """Build on `cluster` while the first curate task seen running on its worker node is
    SIGKILLed (Ray retries it); the version and the killed process's title."""
    result: dict = {}

    def build() -> None:
        try:
            result["version"] = curate.build(recipe, out=out, progress=False, engine="ray",
                                             **options)  # on the connection made below
        except BaseException as exc:  # noqa: BLE001  (re-raised in the test's thread)
            result["error"] = exc

    with cluster.connect():
        thread = threading.Thread(target=build)
        thread.start()
        killed = None
        while killed is None and thread.is_alive():
            running = [p for p in cluster.worker_processes("worker")
                       if p.title.startswith("ray::curate_")]
            if running:
                os.kill(running[0].pid, signal.SIGKILL)
                killed = running[0].title
            time.sleep(0.02)
        thread.join(timeout=300)
    assert not thread.is_alive()
    if "error" in result:
        raise result["error"]
    assert killed, "the build ended before a task of it ran on the worker node"
    return result["version"], killed


def test_a_worker_killed_mid_build_is_retried_and_the_bytes_do_not_change(
        safety_local, ray_cluster, tmp_path):
    on_ray, killed = build_killing_a_worker(ray_cluster, "safety_rm_v3", tmp_path)
    assert killed.startswith("ray::curate_")
    assert_same_version(safety_local, on_ray)


def _native_parquet(tmp_path: Path, version) -> Path:
    """A version's train shard as native records in one Parquet file of many row groups."""
    [train] = [o for o in version.manifest.outputs if o.split == "train"]
    frame = curate.read(version.path / train.path, format="curate")
    path = tmp_path / "native" / "pairs.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(frame.to_arrow(), path, row_group_size=2_500)
    return path


def test_any_block_size_gives_the_same_bytes_as_the_local_engine(safety_local, ray_cluster,
                                                                 tmp_path):
    path = _native_parquet(tmp_path, safety_local)
    assert pq.read_metadata(path).num_row_groups >= 10
    recipe = write_recipe(
        tmp_path, sources={"pairs": {"path": str(path), "format": "curate"}},
        mix=[{"group": "all", "from": ["pairs"], "n_rows": 20_000}],
        exclude=["safety_category_4", "duplicate"], split={"test": {"otherwise": 0.05}},
        margin="large", rows_per_shard=7_000)
    local = curate.build(recipe, out=tmp_path / "local", progress=False)
    assert len(local.manifest.outputs) >= 4
    with ray_cluster.connect():
        for block_rows in (2_500, 10_000, 1_000_000):  # 15 blocks, 4, the whole file
            on_ray = curate.build(recipe, out=tmp_path / f"ray-{block_rows}", progress=False,
                                  engine="ray", block_rows=block_rows)
            assert_same_version(local, on_ray)


def test_a_recipe_over_real_data_from_shared_is_byte_identical_on_ray_also_with_a_worker_killed(
        shared_data, ray_cluster, tmp_path):
    """HH-RLHF (gzipped JSON Lines) and PKU-SafeRLHF in their published layouts, with copies
    (dropped as duplicates, into the rejects) and several shards per split."""
    pku = (shared_data / "pku-saferlhf/Alpaca-7B_test_sample7.jsonl").read_text()
    (tmp_path / "pku").mkdir()
    for i in range(3):  # copies across files: the kept copy must not depend on the engine
        (tmp_path / "pku" / f"part-{i}.jsonl").write_text(pku)
    recipe = write_recipe(
        tmp_path, sources={
            "harmless": {"path": str(shared_data / "hh-rlhf/harmless-base/test-first500.jsonl.gz"),
                         "format": "hh-rlhf", "set": {"criterion": "safety"}},
            "pku": {"path": "pku/*.jsonl", "format": "pku-saferlhf"}},
        mix=[{"group": "safety", "from": ["harmless"], "take": "all", "share": 0.9},
             {"group": "help", "from": ["pku"], "n_rows": 10}],
        exclude=["safety_category_4", "duplicate", "identical_pair", "empty_response"],
        split={"test": {"otherwise": 0.1}}, margin="large", rows_per_shard=150)
    local = curate.build(recipe, out=tmp_path / "local", progress=False)
    assert local.manifest.sources["pku"].rejected_by_reason.get("duplicate", 0) > 0
    assert len(local.manifest.outputs) >= 4
    on_ray = curate.build(recipe, out=tmp_path / "ray", progress=False, engine="ray",
                          address=ray_cluster.address)
    assert_same_version(local, on_ray)
    killed_once, _ = build_killing_a_worker(ray_cluster, recipe, tmp_path / "killed")
    assert_same_version(local, killed_once)


def test_an_empty_train_split_is_one_empty_shard_on_ray_too(ray_cluster, tmp_path):
    """Every comparison of a weekly batch goes to test (per_batch >= its size): train is one
    empty shard, whose stats have no rows."""
    write_jsonl(tmp_path / "a.jsonl", comparisons(12, source="a", batches=("2023-W01",)))
    recipe = write_recipe(tmp_path, sources={"a": {"path": "a.jsonl", "format": "curate"}},
                          mix=[{"group": "all", "from": ["a"], "take": "all"}],
                          split={"test": {"per_batch": 100}})
    local = curate.build(recipe, out=tmp_path / "local", progress=False)
    assert local.manifest.splits["train"] == 0 and local.manifest.splits["test"] >= 10
    on_ray = curate.build(recipe, out=tmp_path / "ray", progress=False, engine="ray",
                          address=ray_cluster.address)
    assert_same_version(local, on_ray)


def _damaged_parquet(path: Path) -> None:
    """A native Parquet file whose footer reads but whose second row group's pages do not."""
    rows = [{"prompt": [{"role": "user", "content": f"question {i}"}], "chosen": f"yes {i}",
             "rejected": f"no {i}", "criterion": "helpfulness"} for i in range(4_000)]
    pq.write_table(pl.DataFrame(rows).to_arrow(), path, row_group_size=2_000,
                   compression="zstd")
    meta = pq.read_metadata(path).row_group(1).column(1)
    data = bytearray(path.read_bytes())
    start = meta.data_page_offset
    data[start + 8:start + 200] = b"\xff" * 192
    path.write_bytes(bytes(data))


def test_a_build_that_fails_on_a_worker_leaves_no_version_and_says_which_file(
        ray_cluster, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text("".join(json.dumps({"prompt": [{"role": "user", "content": f"q{i}"}],
                                        "chosen": "a", "rejected": "b",
                                        "criterion": "helpfulness"}) + "\n" for i in range(50)))
    bad = tmp_path / "bad.parquet"
    _damaged_parquet(bad)
    recipe = write_recipe(
        tmp_path, sources={"good": {"path": str(good), "format": "curate"},
                           "bad": {"path": str(bad), "format": "curate"}},
        mix=[{"group": "all", "from": ["good", "bad"], "take": "all"}])
    out = tmp_path / "out"
    with pytest.raises(InputError, match=rf"{bad}: not a readable Parquet file"):
        curate.build(recipe, out=out, progress=False, engine="ray", address=ray_cluster.address,
                     block_rows=2_000)
    assert not (out / "t").exists()  # no version, not even an empty folder
    left = [p.relative_to(out) for p in out.rglob("*") if p.is_file()]
    assert left == [Path(".curate-scratch/.lock")]  # no scratch left (the lock file stays)


def test_the_cli_builds_on_a_cluster_and_a_bad_address_is_one_line_exit_2(
        safety_local, ray_cluster, tmp_path):
    env = dict(os.environ)  # with the module's CURATE_HOME
    run = subprocess.run([sys.executable, "-m", "curate", "build", "safety_rm_v3", "--engine",
                          "ray", "--address", ray_cluster.address, "--out", str(tmp_path)],
                         capture_output=True, text=True, env=env, timeout=300, cwd=ROOT,
                         check=False)
    assert run.returncode == 0, run.stderr
    assert f"fingerprint: {safety_local.fingerprint}" in run.stdout
    started = time.monotonic()
    bad = subprocess.run([sys.executable, "-m", "curate", "build", "safety_rm_v3", "--engine",
                          "ray", "--address", "127.0.0.1:9", "--out", str(tmp_path / "x")],
                         capture_output=True, text=True, env=env, timeout=120, cwd=ROOT,
                         check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith("error: cannot join the Ray cluster at 127.0.0.1:9: ")
    assert time.monotonic() - started < 60  # refused at once, not after Ray's minutes of retries
    assert not (tmp_path / "x" / "safety_rm").exists()
