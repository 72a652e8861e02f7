"""The card by the Hub's conventions, read back with huggingface_hub's own DatasetCard: licenses
from the sources, task categories per kind, the split rule with its numbers, the catalog's sample
flags, the output format, and a load snippet that runs as written (folder, then Hub repo)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml
from huggingface_hub import DatasetCard

import curate
from curate.builder.card import card_for_repo, render_card
from curate.builder.card_license import card_license
from curate.builder.card_text import output_format
from tests.builder.conftest import comparisons, write_jsonl, write_recipe
from tests.conftest import FIXTURES
from tests.diff.builds import build_v1, recipe


def _card(build) -> DatasetCard:
    return DatasetCard((build.path / "README.md").read_text())


def _licensed_build(tmp_path: Path, licenses: dict[str, str | None], **recipe):
    """A preference version from catalog entries (samples), one per source, with these licenses."""
    entries = {}
    for i, (name, license) in enumerate(licenses.items()):
        write_jsonl(tmp_path / f"{name}.jsonl", comparisons(
            30, source=name, batches=(None,), seed=i, start=100 * i))
        entries[name] = {"path": f"{name}.jsonl", "sample": True, "description": name,
                         **({"license": license} if license else {})}
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump({"sources": entries}))
    path = write_recipe(tmp_path, sources={n: {"catalog": n} for n in licenses},
                        mix=[{"group": "all", "from": list(licenses), "take": "all"}], **recipe)
    return curate.build(path, out=tmp_path / "out", progress=False)


def test_license_rules_follow_the_hubs_ids():
    assert card_license(["mit", "mit"]) == {"license": "mit"}
    assert card_license(["Apache-2.0", "cc-by-sa-4.0"]) == {"license": ["apache-2.0",
                                                                       "cc-by-sa-4.0"]}
    assert card_license([None, None]) == card_license([]) == {"license": "unknown"}
    assert card_license(["mit", None]) == {"license": ["mit", "unknown"]}
    assert card_license(["Llama 2 Community License"]) == {
        "license": "other", "license_name": "llama-2-community-license",
        "license_link": "README.md#sources"}
    # `other` alone names no license: it still needs a name
    assert card_license(["other"])["license_name"] == "other"


def test_a_version_of_licensed_samples_lists_their_licenses_and_sample_flags(tmp_path):
    build = _licensed_build(tmp_path, {"hh": "mit", "shp": "cc-by-4.0", "meta": "apache-2.0"})
    card = _card(build)
    data = card.data
    assert data.license == ["mit", "cc-by-4.0", "apache-2.0"] and "license_name" not in data
    assert data.task_categories == ["text-ranking", "text-classification"]
    assert data.pretty_name == "t v1" and data.size_categories == ["n<1K"]
    assert "| hh | hh | - | mit | yes |" in card.text
    assert "| shp | shp | - | cc-by-4.0 | yes |" in card.text
    recipe_section = card.text.split("## Recipe")[1]
    assert "sample:" not in recipe_section and "catalog: hh" in recipe_section


def test_a_license_the_hub_does_not_know_is_other_with_a_name_and_a_link_to_the_sources(tmp_path):
    build = _licensed_build(tmp_path, {"a": "mit", "b": "Acme Data Terms 1.0", "c": None})
    data = _card(build).data
    assert data.license == "other"
    assert data.license_name == "mit-and-acme-data-terms-1.0-and-unknown"
    link, anchor = data.license_link.split("#")
    assert link == "README.md" and f"\n## {anchor.capitalize()}\n" in _card(build).text
    assert "| b | b | - | Acme Data Terms 1.0 | yes |" in _card(build).text


def test_an_sft_version_is_text_generation(tmp_path):
    path = write_recipe(tmp_path, name="s", kind="sft", sources={"chat": {
        "path": str(FIXTURES / "openai-chat/train.jsonl"), "format": "openai-chat",
        "license": "cc-by-sa-4.0"}}, mix=[{"group": "all", "from": ["chat"], "take": "all"}],
        exclude=["duplicate", "empty_prompt", "empty_response", "bad_role_order"])
    build = curate.build(path, out=tmp_path / "out", progress=False)
    data = _card(build).data
    assert data.task_categories == ["text-generation"] and data.license == "cc-by-sa-4.0"
    assert "TRL's conversational language-modeling format: `messages`" in _with_output(
        build, {"format": "conversational"})
    assert "`completion` is the answer's text" in _with_output(build, {"format": "standard"})


def test_the_split_sentence_states_the_rule_and_this_versions_numbers(tmp_path):
    build = build_v1(tmp_path)  # split: per_batch 10, otherwise 0.1
    rows = pl.concat([pl.read_parquet(build.path / o.path, columns=["source"]).with_columns(
        split=pl.lit(o.split)) for o in build.manifest.outputs])
    test = rows.filter(pl.col("split") == "test")["source"].value_counts()
    total = dict(rows["source"].value_counts().iter_rows())
    text = _card(build).text
    assert ("Up to 10 records of each weekly batch of a source go to test (Llama 2 holds out "
            "1,000 of each batch), and 10% of the records that have no batch;") in text
    n_test = test["count"].sum()
    per_source = ", ".join(f"{s} {n:,} of {total[s]:,}" for s, n in
                           sorted(test.iter_rows(), key=lambda sn: (-sn[1], sn[0])))
    assert n_test == build.manifest.splits["test"] and len(test) == 2
    assert (f"Here test holds {n_test:,} of {rows.height:,} rows "
            f"({100 * n_test / rows.height:.1f}%): {per_source}.") in text


def test_a_recipe_without_a_test_split_says_so(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", comparisons(20, source="a", batches=(None,)))
    path = write_recipe(tmp_path, sources={"a": {"path": "a.jsonl"}},
                        mix=[{"group": "all", "from": ["a"], "take": "all"}])
    build = curate.build(path, out=tmp_path / "out", progress=False)
    assert "There is no test split: every record is in train." in _card(build).text


def _with_output(build, output: dict | None, features: list[dict] | None = None) -> str:
    """The build's card rendered again from its manifest with another recipe `output` (or
    none, as manifests written before the field) and, when given, other shard features."""
    manifest = build.manifest.model_dump(mode="json")
    manifest["recipe"].pop("output", None)
    if output:
        manifest["recipe"]["output"] = output
    if features:
        manifest["dataset_info"] = {**manifest["dataset_info"], "features": features}
    return render_card(build.manifest.recipe, manifest)


def test_the_card_names_the_trl_format_the_recipe_asked_for(tmp_path):
    build = build_v1(tmp_path)
    conversational = _with_output(build, {"format": "conversational"})
    assert "## Format\n\nTRL's conversational preference format: `prompt` is" in conversational
    assert "`rejected` each hold the one assistant message that continues it" in conversational
    assert "`RewardTrainer` and `DPOTrainer` take the columns as they are" in conversational
    standard = _with_output(build, {"format": "standard"})
    assert "## Format\n\nTRL's standard preference format" in standard
    assert 'ending with the\ncue `"\\n\\nAssistant:"`' in standard
    assert "margin: none" in standard  # the recipe's margin, named with the column


def test_a_fresh_builds_card_names_the_format_its_shards_are_in(tmp_path):
    first = build_v1(tmp_path)
    chosen = pl.read_parquet(first.path / first.manifest.outputs[0].path)["chosen"]
    assert chosen.dtype == pl.List(pl.Struct({"role": pl.String, "content": pl.String}))
    assert "TRL's conversational preference format" in _card(first).text
    standard = curate.build(recipe(tmp_path, version=2, seed=3, exclude=["duplicate"],
                                   output={"format": "standard"}),
                            out=tmp_path / "out", progress=False)
    shard = pl.read_parquet(standard.path / standard.manifest.outputs[0].path)
    assert shard.schema["prompt"] == shard.schema["chosen"] == pl.String
    assert "TRL's standard preference format" in _card(standard).text


def test_without_the_recipes_output_the_format_is_read_off_the_shards_features(tmp_path):
    build = build_v1(tmp_path)
    messages = {"list": [{"name": "role", "dtype": "string"}, {"name": "content", "dtype": "string"}]}
    lists = [{"name": c, **messages} for c in ("prompt", "chosen", "rejected")]
    strings = [{"name": c, "dtype": "string"} for c in ("prompt", "chosen", "rejected")]
    assert "TRL's conversational preference format" in _with_output(build, None, lists)
    assert "TRL's standard preference format" in _with_output(build, None, strings)
    # versions built before the formats (prompt messages, responses as text) claim neither
    mixed = [lists[0], *strings[1:]]
    assert output_format({"recipe": {}, "dataset_info": {"features": mixed}}) is None
    assert "## Format" not in _with_output(build, None, mixed)


def _load_code(card_text: str) -> str:
    section = card_text.split("## Load it")[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def _run(code: str, *, cwd: Path, env: dict[str, str]) -> str:
    script = code + "\nprint({split: ds[split].num_rows for split in ds})\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **env})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def test_the_local_load_snippet_runs_as_written_in_the_version_folder(tmp_path):
    build = build_v1(tmp_path)
    code = _load_code(_card(build).text)
    env = {"HF_HOME": str(tmp_path / "hf"), "HF_DATASETS_CACHE": str(tmp_path / "hf/datasets"),
           "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    assert _run(code, cwd=build.path, env=env) == str(build.manifest.splits)


def test_card_for_repo_loads_from_the_repo_and_keeps_the_metadata(tmp_path):
    build = build_v1(tmp_path)
    local = (build.path / "README.md").read_text()
    pushed = card_for_repo(local, "org/t")
    assert _load_code(pushed).strip().splitlines()[-1] == 'ds = load_dataset("org/t", revision="v1")'
    assert "data_files={" not in pushed and "ORG/NAME" not in pushed
    assert DatasetCard(pushed).data.to_dict() == DatasetCard(local).data.to_dict()
    assert card_for_repo(pushed, "org/u") == card_for_repo(local, "org/u")
    assert pushed.split("## Load it")[0] == local.split("## Load it")[0]
    assert pushed.split("## Composition")[1] == local.split("## Composition")[1]
    # a card written before the snippet had markers carried the placeholder
    old = 'ds = load_dataset("ORG/NAME", revision="v1")\n'
    assert card_for_repo(old, "org/t") == 'ds = load_dataset("org/t", revision="v1")\n'


@pytest.mark.usefixtures("isolated_hf_env")
def test_the_pushed_cards_snippet_loads_the_version_from_the_hub(tmp_path, hub):
    build = build_v1(tmp_path)
    build.push_to_hub("org/t", endpoint=hub.url, progress=False)
    code = _load_code(card_for_repo((build.path / "README.md").read_text(), "org/t"))
    env = {"HF_ENDPOINT": hub.url, "HF_HUB_DISABLE_XET": "1", "HF_TOKEN": hub.token,
           "HF_HOME": str(tmp_path / "hf"), "HF_DATASETS_CACHE": str(tmp_path / "hf/datasets")}
    assert _run(code, cwd=tmp_path, env=env) == str(build.manifest.splits)
