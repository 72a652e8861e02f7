"""A recipe over a Hub source: built from the test Hub, pinned by `curate lock`, rebuilt to the
same bytes after main moves and offline from the HF cache."""

from __future__ import annotations

import hashlib

import pytest
import yaml

import curate
from curate.builder.locking import lock_recipe
from curate.errors import InputError
from curate.recipe.lock import read_lock
from tests.hub.conftest import REPO, commit, hh_rows, jsonl_gz
from tests.hub.recipes import HARMLESS, hub_recipe

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def _bytes(version) -> dict[str, str]:
    """What must not change: each shard's sha256 and the fingerprint."""
    return {"fingerprint": version.fingerprint,
            **{o.path: o.sha256 for o in version.manifest.outputs}}


def test_a_hub_source_builds_and_the_manifest_records_repo_revision_commit_and_digests(
        tmp_path, hub_env, hh_repo):
    built = curate.build(hub_recipe(tmp_path / "r"), out=tmp_path / "out", progress=False)
    assert hub_env.unrouted == []  # the test Hub answers every request a download makes
    resolved = {path.rsplit("/", 2)[-2:][0] for name, path in hub_env.calls if name == "resolve"}
    assert resolved == {"harmless-base"}  # only the file the glob takes was downloaded
    source = built.manifest.sources["harmless"]
    assert (source.n_read, source.n_kept + source.n_rejected + source.n_not_selected) == (40, 40)
    [file] = source.files
    data = jsonl_gz(hh_rows(40))
    assert file.path == f"hf://datasets/{REPO}@{hh_repo}/harmless-base/train.jsonl.gz"
    assert file.hub.model_dump() == {"repo": REPO, "revision": "main", "commit": hh_repo,
                                     "file": "harmless-base/train.jsonl.gz",
                                     "sha256": hashlib.sha256(data).hexdigest()}
    assert file.bytes == len(data)
    assert str(tmp_path) not in (built.path / "manifest.json").read_text()  # no machine paths


def test_the_lock_pins_main_so_a_rebuild_after_main_moved_gives_the_same_bytes_and_says_so(
        tmp_path, api, hh_repo, capfd):
    recipe = hub_recipe(tmp_path / "r")
    locked = lock_recipe(recipe)
    assert locked.path == tmp_path / "r" / "t_v1.lock"
    [entry] = read_lock(recipe).hub
    assert (entry.repo, entry.revision, entry.commit, entry.sources) == (REPO, "main", hh_repo,
                                                                          ["harmless"])
    assert list(entry.files) == ["harmless-base/train.jsonl.gz"]
    first = curate.build(recipe, out=tmp_path / "one", progress=False)

    moved = commit(api, {"harmless-base/train.jsonl.gz": jsonl_gz(hh_rows(55))})
    capfd.readouterr()
    again = curate.build(recipe, out=tmp_path / "two", progress=False)
    assert _bytes(again) == _bytes(first)
    assert again.manifest.sources["harmless"].files[0].hub.commit == hh_repo
    line = f"{REPO}@main moved since t_v1.lock (locked {hh_repo[:12]}, now {moved[:12]})"
    [said] = [said for said in capfd.readouterr().err.splitlines() if line in said]
    assert said.startswith(f"curate: {recipe}: source harmless: ")  # one line, naming the recipe
    # The manifest is a function of the inputs: not of where main points now, nor of where
    # the recipe lies on this machine.
    manifest = (again.path / "manifest.json").read_bytes()
    assert manifest == (first.path / "manifest.json").read_bytes()
    assert str(tmp_path).encode() not in manifest and moved[:12].encode() not in manifest

    unlocked = hub_recipe(tmp_path / "no_lock")  # the same recipe without a lock: main as it is
    fresh = curate.build(unlocked, out=tmp_path / "three", progress=False)
    assert fresh.manifest.sources["harmless"].n_read == 55
    assert fresh.fingerprint != first.fingerprint

    relocked = lock_recipe(recipe)  # locking again moves to the new commit
    assert relocked.lock.hub[0].commit == moved and relocked.was(relocked.lock.hub[0]) == hh_repo


def test_offline_the_locked_build_reads_the_hf_cache_and_gives_the_same_bytes(
        tmp_path, hub_env, hh_repo, monkeypatch):
    recipe = hub_recipe(tmp_path / "r")
    lock_recipe(recipe)
    online = curate.build(recipe, out=tmp_path / "online", progress=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    n_requests = len(hub_env.calls) + len(hub_env.unrouted)
    offline = curate.build(recipe, out=tmp_path / "offline", progress=False)
    assert _bytes(offline) == _bytes(online)
    assert len(hub_env.calls) + len(hub_env.unrouted) == n_requests  # nothing asked the Hub
    assert offline.manifest.sources["harmless"].files == online.manifest.sources["harmless"].files


def test_offline_a_file_not_in_the_cache_is_a_clear_error(tmp_path, api, hh_repo, monkeypatch):
    recipe = hub_recipe(tmp_path / "r")
    lock_recipe(recipe)  # resolves, downloads nothing
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(InputError, match=rf"HF_HUB_OFFLINE is set and harmless-base/train.jsonl"
                       rf".gz of {REPO}@{hh_repo[:12]} is not in the HF cache .*build once online"):
        curate.build(recipe, out=tmp_path / "out", progress=False)


def test_offline_without_a_lock_a_branch_is_unknown_and_the_error_says_to_lock(
        tmp_path, api, hh_repo, monkeypatch):
    recipe = hub_recipe(tmp_path / "r")
    curate.build(recipe, out=tmp_path / "online", progress=False)  # cached at the commit only
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(InputError, match=rf"HF_HUB_OFFLINE is set and the HF cache .* knows no "
                       rf"commit of {REPO}@main; run `curate lock` on the recipe"):
        curate.build(recipe, out=tmp_path / "offline", progress=False)
    pinned = hub_recipe(tmp_path / "pinned", {**HARMLESS, "revision": hh_repo})
    assert curate.build(pinned, out=tmp_path / "offline", progress=False).manifest.sources[
        "harmless"].n_read == 40  # a commit needs no lock: it is in the cache as it is


def test_a_catalog_entry_can_be_a_hub_source_and_is_locked_under_the_recipes_source_name(
        tmp_path, api, hh_repo):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "catalog.yaml").write_text(yaml.safe_dump({"sources": {"hh_harmless": HARMLESS}}))
    recipe = hub_recipe(folder, {"catalog": "hh_harmless"})
    assert lock_recipe(recipe).lock.hub[0].sources == ["harmless"]
    built = curate.build(recipe, out=tmp_path / "out", progress=False)
    assert built.manifest.sources["harmless"].catalog == "hh_harmless"
    assert built.manifest.sources["harmless"].files[0].hub.commit == hh_repo
