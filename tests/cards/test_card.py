"""Dataset cards of real small builds: Hub-valid YAML, sections with the build's numbers,
Table 6 with and without a tokenizer, lineage, audit results, deterministic images."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import huggingface_hub.constants as hf_constants
import polars as pl
import pytest
from huggingface_hub import DatasetCard, HfApi

import curate
from curate.audit.attach import END, START, attach_score
from curate.audit.score import AuditScore
from curate.builder.card import render_card
from curate.diff import diff_versions
from curate.errors import InputError
from curate.recipe import Recipe
from tests.diff.builds import build_v1, build_v2, recipe


class Words:
    """One token per whitespace-separated word: a count anyone can redo by hand."""

    name = "words"

    def encode_batch(self, texts):
        return [t.split() for t in texts]


def _rows(build) -> pl.DataFrame:
    """The shards' rows with chosen / rejected as text, in whichever of TRL's formats they are."""
    rows = pl.concat([pl.read_parquet(build.path / o.path) for o in build.manifest.outputs])
    return rows.with_columns(pl.col(c).list.first().struct.field("content").alias(c)
                             for c in ("chosen", "rejected") if rows.schema[c] != pl.String)


def _card(build) -> str:
    return (build.path / "README.md").read_text()


def test_card_yaml_parses_as_dataset_card_data_and_passes_the_hubs_validate_yaml(
        tmp_path, hub, monkeypatch):
    build = build_v1(tmp_path)
    card = DatasetCard.load(build.path / "README.md")
    data, m = card.data.to_dict(), build.manifest
    assert data["license"] == "unknown" and data["size_categories"] == ["n<1K"]
    assert data["configs"][0]["data_files"] == [
        {"split": "train", "path": "data/train-*.parquet"},
        {"split": "test", "path": "data/test-*.parquet"}]
    info = data["dataset_info"]
    assert {s["name"]: s["num_examples"] for s in info["splits"]} == m.splits
    assert info["download_size"] == sum((build.path / o.path).stat().st_size for o in m.outputs)
    assert [f["name"] for f in info["features"]] == _rows(build).columns
    assert {"name": "prompt", "list": [{"name": "role", "dtype": "string"},
                                       {"name": "content", "dtype": "string"}]} in info["features"]
    monkeypatch.setattr(hf_constants, "ENDPOINT", hub.url)
    card.validate(repo_type="dataset")  # POST /api/validate-yaml on the test Hub
    assert hub.count("validate_yaml") == 1
    broken = DatasetCard(str(card).replace("- n<1K", "- tiny"))
    with pytest.raises(ValueError, match="size_categories"):
        broken.validate(repo_type="dataset")
    # and the Hub takes the whole version, card images included
    build.push_to_hub("org/t", endpoint=hub.url, progress=False)
    files = HfApi(endpoint=hub.url, token=hub.token).list_repo_files("org/t", repo_type="dataset",
                                                                     revision="v1")
    assert {"README.md", "composition.png", "lengths.png"} <= set(files)


def test_card_sections_carry_the_builds_numbers_without_a_tokenizer(tmp_path, monkeypatch):
    monkeypatch.delenv("CURATE_TOKENIZER", raising=False)
    build = build_v1(tmp_path)
    card, rows, m = _card(build), _rows(build), build.manifest
    total = rows.height
    for source, n in Counter(rows["source"]).items():
        group = "weekly" if source == "a" else "open"
        assert f"| {source} | {group} | {n:,} | {100 * n / total:.1f}% |" in card
        assert f"| {source} | {n:,} | 1.0 | - | - | - |" in card  # Table 6: no invented tokens
    assert "Token counts need a tokenizer" in card and m.table6["tokenizer"] is None
    for degree, n in Counter(rows["degree"]).items():
        assert f"| {degree} | {n:,} | {100 * n / total:.1f}% |" in card
    bins = Counter(rows["safety_category"])
    assert f"| 2 | both safe | {bins[2]:,} | {100 * bins[2] / total:.1f}% | 47.0% |" in card
    assert "| 4 | chosen unsafe" not in card  # excluded, so no row
    rejects = pl.read_parquet(build.path / "rejects/records.parquet")
    for reason, n in Counter(rejects["reason"]).items():
        assert f"| {reason} | {n:,} |" in card
    lengths = {s["series"]: s for s in m.table6["lengths"]["series"]}
    assert lengths["rejected responses"]["n"] == total and m.table6["lengths"]["unit"] == "characters"
    assert lengths["rejected responses"]["max"] == rows["rejected"].str.len_chars().max()
    assert 'ds = load_dataset("parquet", data_files={' in card and "ORG/NAME" not in card
    assert "First version" in card and m.lineage == {"previous": None}
    assert "seed: 3" in card.split("## Recipe")[1]
    assert "![Rows per source](composition.png)" in card and "![Message lengths](lengths.png)" in card


def test_table6_with_a_tokenizer_matches_a_count_by_hand(tmp_path):
    build = build_v1(tmp_path, tokenizer=Words())
    rows = _rows(build)
    per_example = [sum(len(m["content"].split()) for m in prompt) + len(chosen.split())
                   for prompt, chosen in zip(rows["prompt"].to_list(), rows["chosen"])]
    total = build.manifest.table6["total"]
    assert total["n_comparisons"] == rows.height and build.manifest.table6["tokenizer"] == "words"
    assert total["tokens_per_example"] == pytest.approx(sum(per_example) / len(per_example))
    assert total["tokens_response"] == pytest.approx(
        sum(len(c.split()) for c in rows["chosen"]) / rows.height)
    expected = (f"| **total** | {rows.height:,} | 1.0 | {total['tokens_per_example']:,.1f} | "
                f"{total['tokens_prompt']:,.1f} | {total['tokens_response']:,.1f} |")
    card = _card(build)
    assert expected in card and "Tokenizer: `words`" in card and "need a tokenizer" not in card
    assert build.manifest.table6["lengths"]["unit"] == "tokens"


def test_curate_tokenizer_environment_variable_is_used_and_a_bad_one_fails_first(
        tmp_path, monkeypatch):
    import tokenizers

    model = tokenizers.Tokenizer(tokenizers.models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    model.pre_tokenizer = tokenizers.pre_tokenizers.WhitespaceSplit()
    model.save(str(tmp_path / "tokenizer.json"))
    monkeypatch.setenv("CURATE_TOKENIZER", str(tmp_path / "tokenizer.json"))
    build = build_v1(tmp_path)
    table = build.manifest.table6
    assert table["tokenizer"].endswith("tokenizer.json")
    assert table["total"]["tokens_response"] == pytest.approx(  # "good answer 12": 3 words
        _rows(build)["chosen"].str.split(" ").list.len().mean())
    monkeypatch.setenv("CURATE_TOKENIZER", str(tmp_path / "missing.model"))
    with pytest.raises(InputError):
        curate.build(recipe(tmp_path, version=5, seed=3, exclude=[]), out=tmp_path / "out",
                     progress=False)
    assert not (tmp_path / "out/t/v5").exists()


def test_lineage_of_v2_records_rows_added_and_removed_per_source_with_reasons(tmp_path):
    v1, v2 = build_v1(tmp_path), build_v2(tmp_path)
    lineage = v2.manifest.lineage
    diff = diff_versions(v1.path, v2.path)
    assert lineage["previous"]["version"] == 1 and lineage["previous"]["path"] == "../v1"
    assert lineage["previous"]["fingerprint"] == v1.fingerprint
    assert lineage["recipe_changes"] == ["exclude", "seed"]
    assert lineage["sources"]["a"]["added"] == {"new_batch": 35}
    assert lineage["sources"]["a"]["removed"] == {"newly_rejected": 20}
    assert {n: (s["n_added"], s["n_removed"]) for n, s in lineage["sources"].items()} == \
        {n: (s.n_added, s.n_removed) for n, s in diff.sources.items()}
    card = _card(v2)
    assert ("| a | 160 | 175 | 35 | 20 | new_batch 35 (2023-W03 35) | "
            "newly_rejected 20 (identical_pair 20) |") in card
    b = lineage["sources"]["b"]
    assert f"| b | 100 | 100 | {b['n_added']} | {b['n_removed']} |" in card
    # v3 next to v1 and v2 compares with v2, the highest below it
    v3 = curate.build(recipe(tmp_path, version=3, seed=4, exclude=["duplicate", "identical_pair"]),
                      out=tmp_path / "out", progress=False)
    assert v3.manifest.lineage["previous"]["version"] == 2
    assert v3.manifest.lineage["n_added"] == v3.manifest.lineage["n_removed"] == 0


def test_card_images_are_byte_identical_across_builds_and_follow_the_data(tmp_path):
    first = build_v1(tmp_path / "one")
    second = build_v1(tmp_path / "two")
    for name in ("composition.png", "lengths.png"):
        data = (first.path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and b"Software" not in data
        assert data == (second.path / name).read_bytes()
        assert first.manifest.images[name] == hashlib.sha256(data).hexdigest()
    v2 = build_v2(tmp_path / "one")
    assert (v2.path / "composition.png").read_bytes() != (first.path / "composition.png").read_bytes()
    from PIL import Image

    width, height = Image.open(first.path / "lengths.png").size
    assert (width, height) == (750, 380)


def test_audit_results_render_between_the_markers_and_attach_replaces_them(tmp_path):
    build = build_v1(tmp_path)
    row = {"n": 4, "model_wins": 3, "human_wins": 1, "ties": 0, "both_bad": 0,
           "model_win_rate": 0.75, "model_win_rate_ci95": [0.3, 0.954]}
    score = AuditScore(packet_id="p1", n_items=5, overall=row, strata={"coding": row},
                       packet={"seed": 7})
    manifest = {**build.manifest.model_dump(mode="json"), "audit": score.as_dict()}
    card = render_card(build.manifest.recipe, manifest)
    assert card.count(START) == card.count(END) == 1
    assert "| coding | 4 | 3 | 1 | 0 | 0 | 75.0% (30.0% to 95.4%) |" in card
    assert card.index(END) < card.index("## Recipe")
    (build.path / "README.md").write_text(card)
    attach_score(build.path, AuditScore(packet_id="p2", n_items=5, overall={**row, "n": 5},
                                        packet={"seed": 8}))
    again = _card(build)
    assert again.count(START) == 1 and "packet p2" in again and "packet p1" not in again
    assert re.search(r"## Recipe\n", again)


def test_composition_follows_mix_order_not_the_manifests_per_group_source_order(tmp_path):
    # Regression: identical builds of safety_rm_v3 listed a group's sources in different orders
    # in manifest.json, which changed composition.png's bytes.
    from curate.builder.card import composition_rows
    from curate.builder.card_images import write_composition_png

    manifest = {"splits": {"train": 90, "test": 10}, "groups": {
        "safety": {"n_rows": 60, "sources": {"s": 60}},
        "help": {"n_rows": 40, "sources": {"b": 10, "a": 30}}}}
    shuffled = {**manifest, "groups": {**manifest["groups"], "help": {
        "n_rows": 40, "sources": {"a": 30, "b": 10}}}}
    rows = composition_rows(manifest)
    assert [(r["group"], r["source"]) for r in rows] == [("safety", "s"), ("help", "a"), ("help", "b")]
    assert rows == composition_rows(shuffled)
    write_composition_png(tmp_path / "one.png", rows)
    write_composition_png(tmp_path / "two.png", composition_rows(shuffled))
    assert (tmp_path / "one.png").read_bytes() == (tmp_path / "two.png").read_bytes()


def test_streaming_length_stats_equal_the_stats_of_the_loaded_version(tmp_path):
    """Without a tokenizer the card scans only lengths (bounded memory); same numbers."""
    from curate.builder.card_stats import dialogue_stats, read_version_frame, version_stats

    build = build_v1(tmp_path)
    streamed = version_stats(build.path / "data", "preference", tokenizer=None)
    loaded = dialogue_stats(read_version_frame(build.path / "data", "preference"), tokenizer=None)
    assert streamed.table6 == loaded.table6
    assert streamed.lengths.keys() == loaded.lengths.keys()
    for name, values in loaded.lengths.items():
        assert sorted(streamed.lengths[name].tolist()) == sorted(values.tolist()), name
