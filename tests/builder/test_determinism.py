"""Same records, same bytes: whatever the file order, chunking, line order or bucket count."""

from __future__ import annotations

import gzip
import json
import random

import curate
from curate.builder import index as index_module
from tests.builder.conftest import write_recipe


def _shuffled_chunks(lines: list[str], folder, n_chunks: int, seed: int) -> None:
    rng = random.Random(seed)
    lines = lines[:]
    rng.shuffle(lines)
    folder.mkdir(parents=True)
    size = -(-len(lines) // n_chunks)
    for i in range(n_chunks):
        part = "".join(lines[i * size:(i + 1) * size])
        if i % 2:
            (folder / f"part-{i}.jsonl.gz").write_bytes(gzip.compress(part.encode()))
        else:
            (folder / f"part-{i}.jsonl").write_text(part)


def _recipe(folder, harmless, pku, help_size=None):
    return write_recipe(
        folder, sources={
            "harmless": {"path": harmless, "format": "hh-rlhf", "set": {"criterion": "safety"}},
            "pku": {"path": pku, "format": "pku-saferlhf"}},
        mix=[{"group": "safety", "from": ["harmless"], "take": "all", "share": 0.9},
             {"group": "help", "from": ["pku"], **(help_size or {"n_rows": 10})}],
        exclude=["safety_category_4", "duplicate", "identical_pair", "empty_response"],
        split={"test": {"otherwise": 0.1}}, margin="large", rows_per_shard=150)


def test_same_records_in_other_files_chunks_and_line_order_give_identical_shards(
        tmp_path, shared_data, monkeypatch):
    hh = gzip.decompress((shared_data / "hh-rlhf/harmless-base/test-first500.jsonl.gz")
                         .read_bytes()).decode().splitlines(keepends=True)
    pku = (shared_data / "pku-saferlhf/Alpaca-7B_test_sample7.jsonl").read_text() \
        .splitlines(keepends=True)
    pku = pku * 8  # copies are duplicates: the kept copy must not depend on the order either
    a, b = tmp_path / "a", tmp_path / "b"
    _shuffled_chunks(hh, a / "hh", 1, seed=0)
    _shuffled_chunks(pku, a / "pku", 1, seed=0)
    _shuffled_chunks(hh, b / "hh", 5, seed=1)
    _shuffled_chunks(pku, b / "pku", 3, seed=2)
    first = curate.build(_recipe(a, "hh/*", "pku/*"), out=tmp_path / "out-a", progress=False)
    monkeypatch.setattr(index_module, "bucket_bits_for", lambda total: 3)  # 8 spill buckets
    second = curate.build(_recipe(b, "hh/*", "pku/*"), out=tmp_path / "out-b", progress=False)
    outputs_a, outputs_b = first.manifest.outputs, second.manifest.outputs
    assert len(outputs_a) >= 4  # several shards per split: boundaries are part of the claim
    assert outputs_a == outputs_b
    for o in outputs_a:
        assert (first.path / o.path).read_bytes() == (second.path / o.path).read_bytes()
    assert first.fingerprint == second.fingerprint
    assert first.manifest.sources["pku"].rejected_by_reason["duplicate"] == 14 * 7


def test_building_twice_gives_the_same_shards_and_fingerprint(tmp_path, shared_data):
    recipe = _recipe(tmp_path, str(shared_data / "hh-rlhf/harmless-base/test-first500.jsonl.gz"),
                     str(shared_data / "pku-saferlhf/*.jsonl"))
    one = curate.build(recipe, out=tmp_path / "one", progress=False).manifest
    two = curate.build(recipe, out=tmp_path / "two", progress=False).manifest
    assert [o.sha256 for o in one.outputs] == [o.sha256 for o in two.outputs]
    assert one.fingerprint == two.fingerprint
    json.loads(one.to_json())  # the manifest is plain JSON


def test_reading_sampled_sources_twice_gives_the_bytes_of_spilling_them(tmp_path, shared_data,
                                                                       monkeypatch):
    """Sources of sampled groups are not spilled in pass 1; their chosen rows and dropped
    duplicates are read again. Spilling everything instead must give the same version."""
    hh = gzip.decompress((shared_data / "hh-rlhf/harmless-base/test-first500.jsonl.gz")
                         .read_bytes()).decode().splitlines(keepends=True)
    pku = (shared_data / "pku-saferlhf/Alpaca-7B_test_sample7.jsonl").read_text() \
        .splitlines(keepends=True) * 3
    _shuffled_chunks(hh, tmp_path / "hh", 2, seed=0)
    _shuffled_chunks(pku, tmp_path / "pku", 2, seed=0)
    recipe = _recipe(tmp_path, "hh/*", "pku/*")
    reread = curate.build(recipe, out=tmp_path / "reread", progress=False)
    monkeypatch.setattr(curate.builder, "sampled_sources", lambda recipe: set())
    spilled = curate.build(recipe, out=tmp_path / "spilled", progress=False)
    assert reread.manifest.sources["pku"].rejected_by_reason["duplicate"] == 14 * 2
    for name in ("outputs", "rejects", "sources", "fingerprint"):
        assert getattr(reread.manifest, name) == getattr(spilled.manifest, name), name
    for entry in reread.manifest.outputs + reread.manifest.rejects:
        assert (reread.path / entry.path).read_bytes() == (spilled.path / entry.path).read_bytes()


def test_copies_kept_when_duplicates_are_not_excluded_come_out_in_the_same_order(
        tmp_path, shared_data, monkeypatch):
    """Without `duplicate` in exclude, two sources holding the same comparisons both reach the
    output: copies tie on (key, uid), and their order must not follow the input's."""
    hh = gzip.decompress((shared_data / "hh-rlhf/harmless-base/test-first500.jsonl.gz")
                         .read_bytes()).decode().splitlines(keepends=True)
    builds = []
    for name, seed, bits in (("a", 0, 0), ("b", 1, 3)):
        for source in ("left", "right"):
            _shuffled_chunks(hh, tmp_path / name / source, 2 + seed, seed=seed + len(source))
        recipe = write_recipe(
            tmp_path / name, sources={
                s: {"path": f"{s}/*", "format": "hh-rlhf", "set": {"criterion": "safety"}}
                for s in ("left", "right")},
            mix=[{"group": "all", "from": ["left", "right"], "take": "all"}],
            exclude=["empty_response"], split={"test": {"otherwise": 0.1}}, margin="large",
            rows_per_shard=150)
        monkeypatch.setattr(index_module, "bucket_bits_for", lambda total, bits=bits: bits)
        builds.append(curate.build(recipe, out=tmp_path / f"out-{name}", progress=False))
    first, second = builds
    assert first.manifest.groups["all"].n_rows == 2 * 499  # every copy kept
    assert first.manifest.outputs == second.manifest.outputs
