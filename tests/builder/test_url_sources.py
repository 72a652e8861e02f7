"""Recipe sources named by fsspec URLs (file://, memory://, any installed protocol): copied once
into $CURATE_HOME/remote, built like local files, named by their URLs in the manifest and the
rejects; a Ray worker whose node lacks the driver's copy fetches the URL itself."""

from __future__ import annotations

import json
from pathlib import Path

import fsspec
import polars as pl
import pytest
from fsspec.implementations.memory import MemoryFileSystem

import curate
from curate.builder.index import FileBlock, Keying
from curate.builder.ray_tasks import BlockTask, scan_block, unpacked
from curate.builder.sources import resolve_sources
from curate.errors import InputError
from curate.recipe import read_recipe
from tests.builder.conftest import comparisons, write_jsonl, write_recipe
from tests.test_cli_errors import run_main

MIX = [{"group": "all", "from": ["pairs"], "take": "all"}]


class OwnMemoryFileSystem(MemoryFileSystem):
    """fsspec's in-memory filesystem under a protocol (and a store) of its own."""

    protocol = "ownmem"
    store: dict = {}
    pseudo_dirs = [""]

    @classmethod
    def _strip_protocol(cls, path):
        return super()._strip_protocol(path.removeprefix(f"{cls.protocol}://"))


class CountingFileSystem(OwnMemoryFileSystem):
    """Counts the files copied out of it."""

    protocol = "countingmem"
    n_get_file = 0

    def get_file(self, rpath, lpath, **kwargs):
        type(self).n_get_file += 1
        return super().get_file(rpath, lpath, **kwargs)


class DeniedFileSystem(OwnMemoryFileSystem):
    """Lists its files but refuses to read them, as s3fs does on AccessDenied."""

    protocol = "deniedmem"

    def get_file(self, rpath, lpath, **kwargs):
        raise PermissionError(f"Access Denied: {rpath}")


fsspec.register_implementation("countingmem", CountingFileSystem, clobber=True)
fsspec.register_implementation("deniedmem", DeniedFileSystem, clobber=True)
# a known protocol whose package is not installed, as s3:// is without s3fs
fsspec.register_implementation("needspkg", "curate_no_such_pkg.FileSystem", clobber=True,
                               errtxt="Install curate_no_such_pkg to access needspkg")


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CURATE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _data(folder: Path) -> Path:
    write_jsonl(folder / "first.jsonl", comparisons(40, source="pairs"))
    write_jsonl(folder / "more" / "a.jsonl", comparisons(30, source="pairs", start=100))
    write_jsonl(folder / "more" / "b.jsonl", comparisons(25, source="pairs", start=200))
    return folder


def _manifest(version: Path) -> dict:
    return json.loads((version / "manifest.json").read_text())


def test_file_urls_build_the_shards_and_fingerprint_of_the_same_local_paths(tmp_path):
    data = _data(tmp_path / "data")
    (tmp_path / "local").mkdir(), (tmp_path / "remote").mkdir()
    local = write_recipe(tmp_path / "local", sources={"pairs": {
        "path": [str(data / "first.jsonl"), str(data / "more" / "*.jsonl")]}}, mix=MIX)
    urls = [f"file://{data}/first.jsonl", f"file://{data}/more/*.jsonl"]
    remote = write_recipe(tmp_path / "remote", sources={"pairs": {"path": urls}}, mix=MIX)
    built = [_manifest(curate.build(r, out=r.parent / "out", progress=False).path)
             for r in (local, remote)]
    assert built[1]["fingerprint"] == built[0]["fingerprint"]
    assert [o["sha256"] for o in built[1]["outputs"]] == [o["sha256"] for o in built[0]["outputs"]]
    files = built[1]["sources"]["pairs"]["files"]
    names = [f"file://{data}/first.jsonl", f"file://{data}/more/a.jsonl",
             f"file://{data}/more/b.jsonl"]
    assert [f["path"] for f in files] == names
    assert [f["xxh3"] for f in files] == [f["xxh3"] for f in built[0]["sources"]["pairs"]["files"]]
    rejects = pl.read_parquet(remote.parent / "out/t/v1/rejects/records.parquet")
    assert sorted(set(rejects["file"])) == names  # safety category 4 pairs, named as the manifest


def test_a_second_build_reuses_the_copies_and_a_changed_file_is_copied_again(tmp_path, capsys):
    fs = CountingFileSystem()
    fs.pipe_file("/second/pairs/a.jsonl", json.dumps(comparisons(1, source="pairs")[0]).encode())
    fs.pipe_file("/second/pairs/b.jsonl", b"".join(
        json.dumps(r).encode() + b"\n" for r in comparisons(20, source="pairs", start=10)))
    recipe = write_recipe(tmp_path, sources={"pairs": {"path": "countingmem://second/pairs/*"}},
                          mix=MIX)
    CountingFileSystem.n_get_file = 0

    def build() -> dict:
        version = curate.build(recipe, out=tmp_path / "out", progress=True, force=True)
        return _manifest(version.path)

    first = build()
    assert CountingFileSystem.n_get_file == 2
    assert "downloaded 2 files" in capsys.readouterr().err
    second = build()
    assert CountingFileSystem.n_get_file == 2  # both copies re-used: nothing downloaded
    assert "downloaded" not in capsys.readouterr().err
    assert second["fingerprint"] == first["fingerprint"]
    fs.pipe_file("/second/pairs/a.jsonl", json.dumps(comparisons(1, source="other")[0]).encode())
    third = build()
    assert CountingFileSystem.n_get_file == 3  # only the changed file again
    assert "downloaded 1 file (0.0 MB) of countingmem://second/pairs/*, 1 in the cache" in (
        capsys.readouterr().err)
    assert third["fingerprint"] != first["fingerprint"]
    assert [f["path"] for f in third["sources"]["pairs"]["files"]] == [
        "countingmem:///second/pairs/a.jsonl", "countingmem:///second/pairs/b.jsonl"]


@pytest.mark.parametrize(("path", "says"), [
    ("zzzunknown://b/pairs.jsonl", "unknown protocol zzzunknown://; use a local path, hf://, or"),
    ("needspkg://b/pairs.jsonl",
     "reading needspkg:// needs the curate_no_such_pkg package; `pip install curate_no_such_pkg`"),
    ("memory://nowhere/pairs.jsonl", "memory://nowhere/pairs.jsonl: no such file; check the URL"),
    ("memory://nowhere/*.jsonl", "memory://nowhere/*.jsonl: the glob matches no file"),
    ("deniedmem://locked/pairs.jsonl", "permission denied (Access Denied: /locked/pairs.jsonl); "
                                       "check the credentials deniedmem:// uses"),
])
def test_an_unusable_url_is_one_line_naming_it_and_the_fix(tmp_path, monkeypatch, capsys,
                                                            path, says):
    DeniedFileSystem().pipe_file("/locked/pairs.jsonl", b"{}\n")
    recipe = write_recipe(tmp_path, sources={"pairs": {"path": path}}, mix=MIX)
    code, out, err = run_main(monkeypatch, capsys, "build", str(recipe), "--out",
                              str(tmp_path / "out"))
    assert code == 2
    assert err.startswith(f"error: {recipe}: source pairs: ") and says in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def _block_of(tmp_path, url: str, rows: bytes) -> tuple[BlockTask, Path]:
    """A pass-1 block over `url` as the driver plans it, and the driver's cached copy."""
    MemoryFileSystem().pipe_file(url.removeprefix("memory:/"), rows)
    recipe = write_recipe(tmp_path, sources={"pairs": {"path": url}}, mix=MIX)
    [source] = resolve_sources(*read_recipe(recipe), progress=False)
    [driver_copy] = source.files
    return BlockTask(source, str(driver_copy), str(driver_copy), FileBlock(0)), driver_copy


def test_a_ray_worker_whose_node_lacks_the_copy_fetches_the_url_and_names_it_as_the_driver(
        tmp_path, monkeypatch):
    """The worker side alone (curate.builder.ray_tasks, no cluster): the driver's copy is not
    on this node, so the block's URL is fetched into this node's cache and checked."""
    rows = comparisons(12, source="pairs")
    data = b"".join(json.dumps(r).encode() + b"\n" for r in rows) + b"{not json\n"
    task, driver_copy = _block_of(tmp_path, "memory://worker/pairs.jsonl", data)
    driver_copy.unlink()
    monkeypatch.setenv("CURATE_HOME", str(tmp_path / "node_home"))  # this "node's" cache
    (tally, index, _), *buckets = scan_block(task, Keying.of("preference", 3, 0, []), 0, 1, 1)
    assert (tally.n_read, index.height) == (13, 12)
    assert (tmp_path / "node_home/remote/memory/worker/pairs.jsonl").read_bytes() == data
    problems = pl.from_arrow(unpacked([buckets[-1]])[0])
    assert problems["file"].to_list() == [str(driver_copy)]  # as the driver names the file
    assert {pl.from_arrow(t)["_file"][0] for t in unpacked([buckets[0]])} == {str(driver_copy)}


def test_a_ray_worker_refuses_a_url_changed_since_the_driver_read_it(tmp_path, monkeypatch):
    task, driver_copy = _block_of(tmp_path, "memory://changed/pairs.jsonl",
                                  json.dumps(comparisons(1, source="pairs")[0]).encode())
    driver_copy.unlink()
    MemoryFileSystem().pipe_file("/changed/pairs.jsonl", b"{}\n")
    monkeypatch.setenv("CURATE_HOME", str(tmp_path / "node_home"))
    with pytest.raises(InputError, match=r"memory:///changed/pairs.jsonl: the copy fetched on a "
                                         r"Ray node .* is not the file the driver read"):
        scan_block(task, Keying.of("preference", 3, 0, []), 0, 1, 1)


def test_a_stale_copy_in_a_nodes_cache_is_fetched_again(tmp_path, monkeypatch):
    """Same path on the node as on the driver (same CURATE_HOME), other bytes: not read."""
    rows = b"".join(json.dumps(r).encode() + b"\n" for r in comparisons(5, source="pairs"))
    task, driver_copy = _block_of(tmp_path, "memory://stale/pairs.jsonl", rows)
    driver_copy.write_bytes(rows.replace(b"good answer", b"GOOD ANSWER"))  # same size, stale
    (tally, index, _), *_ = scan_block(task, Keying.of("preference", 3, 0, []), 0, 1, 1)
    assert index.height == 5 and driver_copy.read_bytes() == rows
