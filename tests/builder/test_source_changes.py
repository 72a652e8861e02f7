"""A source that changes while a build reads it fails the build, naming the file, and nothing
is written: the rows, counts and digests of a version all come from one state of each file.

Each test changes the real file at the real moment: between pass 1 and the re-read of the
sampled rows, during pass 1, or after the last read, by wrapping the build's own step."""

from __future__ import annotations

import os

import pytest

import curate
import curate.builder
import curate.builder.index
from curate.builder.index import Keying
from curate.errors import InputError
from curate.io.digest import xxh3_file
from tests.builder.conftest import comparisons, write_jsonl, write_recipe


def _recipe(folder):
    """`all` takes every row of a/; `sampled` 40 rows of b/, which pass 1 does not spill and
    the build reads a second time for the rows it chose."""
    write_jsonl(folder / "a/w.jsonl", comparisons(300, source="a"))
    write_jsonl(folder / "b/w.jsonl", comparisons(200, source="b", criterion="helpfulness",
                                                  seed=1))
    return write_recipe(folder, sources={"a": {"path": "a/*.jsonl"}, "b": {"path": "b/*.jsonl"}},
                        mix=[{"group": "all", "from": ["a"], "take": "all"},
                             {"group": "sampled", "from": ["b"], "n_rows": 40}])


def _before(monkeypatch, name, change):
    """Run `change()` just before the build's step `name` (a function of curate.builder)."""
    step = getattr(curate.builder, name)

    def changed_first(*args, **kwargs):
        change()
        return step(*args, **kwargs)

    monkeypatch.setattr(curate.builder, name, changed_first)


def _nothing_written(out):
    return not list(out.rglob("manifest.json")) and not list(out.rglob("*.parquet"))


def test_sampled_source_rewritten_between_passes_fails_the_build_and_writes_nothing(
        tmp_path, monkeypatch):
    recipe, out, source = _recipe(tmp_path), tmp_path / "out", tmp_path / "b/w.jsonl"
    _before(monkeypatch, "spill_deferred", lambda: write_jsonl(source, comparisons(
        201, source="b", criterion="helpfulness", seed=2)))
    with pytest.raises(InputError, match=rf"^{source}: changed while the build was reading it: "
                                         r"size [\d,]+ -> [\d,]+ bytes; rebuild once it is "
                                         "stable"):
        curate.build(recipe, out=out, progress=False)
    assert _nothing_written(out)


def test_sampled_source_rewritten_in_a_many_bucket_build_names_the_file_not_a_curate_bug(
        tmp_path, monkeypatch):
    """A large build spills into many buckets (one per 16 MB of input); 16 here on small data.
    Before: "a chosen row was missing from the spill; please report this curate bug"."""
    monkeypatch.setattr(curate.builder.index, "bucket_bits_for", lambda total_bytes: 4)
    recipe, out, source = _recipe(tmp_path), tmp_path / "out", tmp_path / "b/w.jsonl"
    _before(monkeypatch, "spill_deferred", lambda: write_jsonl(source, comparisons(
        200, source="b", criterion="helpfulness", seed=2)))
    with pytest.raises(InputError, match=rf"{source}: changed while the build was reading it"):
        curate.build(recipe, out=out, progress=False)
    assert _nothing_written(out)


def test_rows_appended_to_a_sampled_source_between_passes_fail_the_build(tmp_path, monkeypatch):
    """Before: the version had the appended file's digest but pass 1's n_read."""
    recipe, out, source = _recipe(tmp_path), tmp_path / "out", tmp_path / "b/w.jsonl"
    extra = comparisons(10, source="b", criterion="helpfulness", seed=3, start=1000)
    _before(monkeypatch, "spill_deferred",
            lambda: write_jsonl(source, comparisons(200, source="b", criterion="helpfulness",
                                                    seed=1) + extra))
    with pytest.raises(InputError, match=rf"{source}: changed while the build was reading it"):
        curate.build(recipe, out=out, progress=False)
    assert _nothing_written(out)


def test_sampled_source_rewritten_with_its_old_size_and_mtime_is_caught_by_its_rows(
        tmp_path, monkeypatch):
    """Same size, mtime put back (as `cp -p` or rsync could): the rows read again are not the
    ones pass 1 chose, and their keys say so."""
    recipe, out, source = _recipe(tmp_path), tmp_path / "out", tmp_path / "b/w.jsonl"

    def rewrite_keeping_stat():
        st = source.stat()
        source.write_text(source.read_text().replace("question", "questioN"))
        os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert source.stat().st_size == st.st_size

    _before(monkeypatch, "spill_deferred", rewrite_keeping_stat)
    with pytest.raises(InputError, match=rf"{source}: changed while the build was reading it: "
                                         r"its record \d+ differs from the one read first"):
        curate.build(recipe, out=out, progress=False)
    assert _nothing_written(out)


def test_sampled_source_truncated_with_its_old_mtime_is_caught(tmp_path, monkeypatch):
    recipe, out, source = _recipe(tmp_path), tmp_path / "out", tmp_path / "b/w.jsonl"

    def truncate_keeping_mtime():
        st = source.stat()
        write_jsonl(source, comparisons(200, source="b", criterion="helpfulness", seed=1)[:20])
        os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns))

    _before(monkeypatch, "spill_deferred", truncate_keeping_mtime)
    with pytest.raises(InputError, match=rf"{source}: changed while the build was reading it: "
                                         r"size [\d,]+ -> [\d,]+ bytes"):
        curate.build(recipe, out=out, progress=False)
    assert _nothing_written(out)


def test_sampled_source_replaced_by_a_copy_with_its_size_and_mtime_is_caught(tmp_path,
                                                                               monkeypatch):
    """An atomic writer renames a new file over the old one; this one has other records but
    the old size and mtime."""
    recipe, out, source = _recipe(tmp_path), tmp_path / "out", tmp_path / "b/w.jsonl"

    def replace_keeping_stat():
        copy = source.with_name("w.jsonl.tmp")
        copy.write_text(source.read_text().replace("question", "questioN"))
        st = source.stat()
        os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns))
        os.replace(copy, source)

    _before(monkeypatch, "spill_deferred", replace_keeping_stat)
    with pytest.raises(InputError, match=rf"{source}: changed while the build was reading it: "
                                         "replaced by another file of the same size and mtime"):
        curate.build(recipe, out=out, progress=False)
    assert _nothing_written(out)


def test_source_changed_after_the_last_read_fails_before_the_version_is_written(
        tmp_path, monkeypatch):
    """`a` is read once (pass 1) and spilled; changing it during pass 2 must not give a version
    whose manifest describes the new file."""
    recipe, out, source = _recipe(tmp_path), tmp_path / "out", tmp_path / "a/w.jsonl"
    _before(monkeypatch, "write_version",
            lambda: source.write_text(source.read_text() + source.read_text()[:300] + "\n"))
    with pytest.raises(InputError, match=rf"{source}: changed while the build was reading it"):
        curate.build(recipe, out=out, progress=False)
    assert _nothing_written(out)


def test_source_changed_while_pass_1_reads_it_fails_the_build(tmp_path, monkeypatch):
    recipe, out, source = _recipe(tmp_path), tmp_path / "out", tmp_path / "a/w.jsonl"
    batches = Keying.batches

    def append_after_reading(self, resolved, path, **options):
        yield from batches(self, resolved, path, **options)
        if path == source:
            with open(source, "a") as fh:
                fh.write(source.read_text().splitlines()[0] + "\n")

    monkeypatch.setattr(Keying, "batches", append_after_reading)
    with pytest.raises(InputError, match=rf"{source}: changed while the build was reading it: "
                                         "size"):
        curate.build(recipe, out=out, progress=False)
    assert _nothing_written(out)


def test_manifest_files_hold_the_size_and_digest_of_what_was_read(tmp_path):
    build = curate.build(_recipe(tmp_path), out=tmp_path / "out", progress=False)
    for name in ("a", "b"):
        (entry,) = build.manifest.sources[name].files
        path = tmp_path / name / "w.jsonl"
        assert entry.bytes == path.stat().st_size and entry.xxh3 == xxh3_file(path)
        assert entry.path == f"{name}/w.jsonl"  # relative to the recipe: no machine paths
    assert build.manifest.sources["b"].n_kept == 40
