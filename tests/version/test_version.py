"""curate.version: one Manifest, one way to name a version, one way to open it."""

from __future__ import annotations

import doctest
import importlib
import json

import pytest

import curate
from curate.errors import InputError
from curate.version import Manifest, open_version, parse_ref, read_manifest
from curate.version.refs import BuiltRef, FolderRef, PublishedRef
from tests.publish.version_folders import preference_rows, write_build

MODULES = ["curate.version", "curate.version.layout", "curate.version.manifest",
           "curate.version.refs", "curate.version.opening", "curate.publish.version"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and (result.attempted > 0 or name == "curate.version.opening")


def test_a_reference_is_a_folder_a_name_or_a_published_revision(tmp_path):
    folder = write_build(tmp_path, train=preference_rows(3), test=preference_rows(1, start=3))
    assert parse_ref(folder) == FolderRef(folder)
    assert parse_ref("safety_rm_v3", out=tmp_path) == BuiltRef("safety_rm", 3, folder)
    assert parse_ref("my-org/safety.rm@v12") == PublishedRef("my-org/safety.rm", "v12")
    commit = "0123456789abcdef0123456789abcdef01234567"
    assert parse_ref(f"my-org/rm@{commit}") == PublishedRef("my-org/rm", commit)
    for bad in ("", "Safety_v3", "org/rm@main", "org/rm@v", "a/b/c@v1", "rm_v"):
        with pytest.raises(InputError, match="not a version; pass a build folder"):
            parse_ref(bad)


def test_the_manifest_is_one_strict_definition(tmp_path):
    folder = write_build(tmp_path, train=preference_rows(3), test=preference_rows(1, start=3))
    data = json.loads((folder / "manifest.json").read_text())
    manifest = read_manifest(json.dumps(data).encode(), where="m")
    assert manifest.tag == "v3" and manifest.schema_version == 1
    assert json.loads(manifest.to_json()) == data  # what is read is what was written
    with pytest.raises(InputError, match=r"m: not a curate manifest \(color: Extra inputs"):
        read_manifest(json.dumps({**data, "color": "red"}).encode(), where="m")
    with pytest.raises(InputError, match=r"outputs.0.path: .*not a plain path inside"):
        bad = {**data, "outputs": [{**data["outputs"][0], "path": "../../etc/passwd"}]}
        read_manifest(json.dumps(bad).encode(), where="m")
    with pytest.raises(InputError, match="schema_version"):
        read_manifest(json.dumps({**data, "schema_version": 9}).encode(), where="m")
    assert set(Manifest.model_fields) >= {"fingerprint", "recipe", "outputs", "sources", "audit"}


def test_a_build_is_a_version_with_its_dataset(tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_HOME", str(tmp_path / "home"))
    version = curate.build("sft_v1", out=tmp_path / "out", progress=False)
    assert isinstance(version, curate.Version) and not version.unchanged
    again = open_version("sft_v1", out=tmp_path / "out")
    assert again.manifest == version.manifest and again.label == "sft_v1"
    dataset = version.dataset
    assert {split: dataset[split].num_rows for split in dataset} == version.manifest.splits
    assert set(version.published_files()) == {s.path for s in version.manifest.outputs} | {
        "manifest.json", "README.md", *version.manifest.images}
    assert version.rejects is not None and version.rejects.name == "records.parquet"
