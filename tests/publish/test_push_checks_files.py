"""A push publishes exactly the files the manifest describes: each one's sha256 is checked first."""

from __future__ import annotations

import hashlib
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curate.errors import InputError
from curate.publish import push_to_hub
from tests.publish.version_folders import preference_rows, write_build

REPO = "my-org/safety-rm"
SHARD = "data/train-00000-of-00001.parquet"
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def build_v3(tmp_path):
    return write_build(tmp_path / "build", version=3, train=preference_rows(20),
                       test=preference_rows(4, start=100))


def edit_shard(version, rel=SHARD):
    """What a hand edit does: other rows, same file name; the manifest still has the old digest."""
    path = version / rel
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    pq.write_table(pa.Table.from_pylist(preference_rows(19)), path)
    return expected, hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(params=["hub", "registry"])
def target(request, tmp_path):
    """push_to_hub's keyword arguments for either target, and a function listing what it holds."""
    if request.param == "registry":
        registry = tmp_path / "registry"
        return {"local": registry}, lambda: sorted(p.name for p in registry.rglob("*"))
    hub = request.getfixturevalue("hub")
    return {"endpoint": hub.url}, lambda: sorted(hub.store.repos) + sorted(hub.store.lfs)


def test_shard_edited_after_the_build_is_refused_naming_file_and_both_digests(tmp_path, target):
    kwargs, held = target
    version = build_v3(tmp_path)
    expected, actual = edit_shard(version)
    with pytest.raises(InputError, match=rf"{SHARD}: sha256 {actual} but manifest.json says "
                                         rf"{expected}.*rebuild it with `curate build`"):
        push_to_hub(version, repo=REPO, **kwargs)
    assert held() == []  # nothing was written or uploaded


def test_shard_edited_after_its_push_is_refused_not_reported_as_nothing_to_do(tmp_path, target):
    kwargs, _ = target
    version = build_v3(tmp_path)
    assert push_to_hub(version, repo=REPO, **kwargs).status == "pushed"
    expected, actual = edit_shard(version)
    with pytest.raises(InputError, match=f"sha256 {actual} but manifest.json says {expected}"):
        push_to_hub(version, repo=REPO, **kwargs)


def test_rejects_file_edited_after_the_build_is_refused(tmp_path, target):
    kwargs, held = target
    version = build_v3(tmp_path)
    rejects = "rejects/rejects-00000-of-00001.parquet"
    pq.write_table(pa.Table.from_pylist([{"uid": "0" * 32, "reason": "edited"}]), version / rejects)
    with pytest.raises(InputError, match=f"{rejects}: sha256 .* but manifest.json says"):
        push_to_hub(version, repo=REPO, **kwargs)
    assert held() == []


def test_shard_listed_in_the_manifest_but_missing_is_refused(tmp_path, target):
    kwargs, held = target
    version = write_build(tmp_path / "build", version=3, train=preference_rows(20),
                          test=preference_rows(4), n_train_shards=2)
    (version / "data" / "train-00001-of-00002.parquet").unlink()
    with pytest.raises(InputError, match="train-00001-of-00002.parquet: listed in manifest.json .* but missing"):
        push_to_hub(version, repo=REPO, **kwargs)
    assert held() == []


def test_shard_the_manifest_does_not_list_is_refused(tmp_path, target):
    kwargs, held = target
    version = build_v3(tmp_path)
    pq.write_table(pa.Table.from_pylist(preference_rows(3)), version / "data" / "train-extra.parquet")
    with pytest.raises(InputError, match="data/train-extra.parquet: not among the outputs of manifest.json"):
        push_to_hub(version, repo=REPO, **kwargs)
    assert held() == []


def test_card_linked_to_a_file_outside_the_version_is_not_published(tmp_path, target):
    kwargs, held = target
    version = build_v3(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("hf_not_for_the_hub\n")
    (version / "README.md").unlink()
    (version / "README.md").symlink_to(secret)
    with pytest.raises(InputError, match=r"README.md: a link to .*secret.txt, outside the version folder"):
        push_to_hub(version, repo=REPO, **kwargs)
    assert held() == []


def test_manifest_path_that_leaves_the_version_folder_is_refused(tmp_path):
    version = build_v3(tmp_path)
    manifest = json.loads((version / "manifest.json").read_text())
    manifest["images"] = {"../../../etc/hostname": "0" * 64}
    (version / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="not a plain path inside the version folder"):
        push_to_hub(version, repo=REPO, local=tmp_path / "registry")
    assert not (tmp_path / "registry").exists()


def test_cli_push_of_an_edited_shard_exits_2_naming_the_file(tmp_path, monkeypatch, capsys):
    from tests.publish.test_cli_push import run_cli

    version = build_v3(tmp_path)
    edit_shard(version)
    assert run_cli(monkeypatch, "push", "safety_rm_v3", "--repo", REPO, "--from", str(version),
                   "--local") == 2
    err = capsys.readouterr().err
    assert f"{SHARD}: sha256" in err and "Traceback" not in err
    assert not (tmp_path / "curate_home").exists()
