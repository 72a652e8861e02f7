"""A Ray worker reads a Hub source through the Hub when the driver's copy is not on its node."""

from __future__ import annotations

import polars as pl
import pytest

from curate.builder.index import FileBlock, Keying
from curate.builder.ray_tasks import BlockTask, scan_block, unpacked
from curate.builder.sources import resolve_sources
from curate.recipe import read_recipe
from tests.builder.conftest import write_recipe
from tests.hub.conftest import REPO, commit, hh_rows, jsonl_gz

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def test_hub_files_missing_on_a_worker_are_downloaded_there_at_the_pinned_commit(
        tmp_path, monkeypatch, api, hub_env):
    """The Ray engine's worker side alone (curate.builder.ray_tasks, no cluster): a block whose Hub file is not at the driver's path
    on this node is fetched from the Hub at the locked commit, checked, and named as the
    driver names it."""
    rows = hh_rows(30)
    rows.append(rows[0] | {"chosen": 5})  # a bad row: its reject names the file
    sha = commit(api, {"harmless-base/train.jsonl.gz": jsonl_gz(rows)})
    recipe = write_recipe(
        tmp_path, sources={"h": {"hub": REPO, "revision": sha,
                                 "files": ["harmless-base/*.jsonl.gz"],
                                 "format": "hh-rlhf", "set": {"criterion": "safety"}}},
        mix=[{"group": "all", "from": ["h"], "take": "all"}])
    recipe_obj, recipe_path = read_recipe(recipe)
    [source] = resolve_sources(recipe_obj, recipe_path, progress=False)
    [driver_path] = source.files
    task = BlockTask(source, str(driver_path), str(tmp_path / "elsewhere/train.jsonl.gz"),
                     FileBlock(0), endpoint=hub_env.url)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "worker_hf"))  # this "node's" cache
    keying = Keying.of("preference", 3, 0, [])
    (tally, index, _), *buckets = scan_block(task, keying, 0, 1, 1)
    assert (tally.n_read, index.height) == (31, 30)
    [fetched] = (tmp_path / "worker_hf").rglob("train.jsonl.gz")
    assert fetched.parent.parent.name == sha  # snapshots/<commit>/harmless-base/...
    problems = pl.from_arrow(unpacked([buckets[-1]])[0])
    assert problems["file"].to_list() == [str(driver_path)]  # as the driver names the file
    assert buckets[0] is not None and {pl.from_arrow(t)["_file"][0] for t in unpacked([buckets[0]])} == {
        str(driver_path)}


def test_a_hub_source_builds_on_a_two_node_cluster_to_the_local_bytes(tmp_path, hh_repo,
                                                                      ray_cluster):
    pytest.importorskip("ray")
    from tests.hub.recipes import hub_recipe
    from tests.ray.test_build_ray import assert_same_version

    import curate

    recipe = hub_recipe(tmp_path / "r")
    local = curate.build(recipe, out=tmp_path / "local", progress=False)
    on_ray = curate.build(recipe, out=tmp_path / "ray", progress=False, engine="ray",
                          address=ray_cluster.address)
    assert_same_version(local, on_ray)
    [file] = on_ray.manifest.sources["harmless"].files
    assert file.path.startswith(f"hf://datasets/{REPO}@{hh_repo}/")
