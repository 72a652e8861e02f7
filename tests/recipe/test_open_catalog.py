"""The catalog's open corpora on the Hub and the online-only recipe safety_rm_open_v1: entries
complete and readable by a known format, `files:` globs that take the intended files of each
repo's published layout, and a build that without the Hub fails in one line (exit 2)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from curate.adapters import adapter_names
from curate.hub.refs import match_files
from curate.recipe import SHIPPED_RECIPES, list_recipes, load_catalog, read_recipe

CATALOG = load_catalog(SHIPPED_RECIPES)
HUB_ENTRIES = {name: spec for name, spec in CATALOG.items() if spec.hub}

# Each repo's files as the Hub lists them (dataset pages' "Files and versions", looked up for
# these entries; shard names of `push_to_hub` uploads shortened to their pattern), and what the
# entry must take of them.
LAYOUTS = {
    "hh_rlhf_harmless": (
        ["README.md", "harmless-base/train.jsonl.gz", "harmless-base/test.jsonl.gz",
         "helpful-base/train.jsonl.gz", "helpful-base/test.jsonl.gz",
         "helpful-online/train.jsonl.gz", "helpful-online/test.jsonl.gz",
         "helpful-rejection-sampled/train.jsonl.gz", "helpful-rejection-sampled/test.jsonl.gz",
         "red-team-attempts/red_team_attempts.jsonl.gz"],
        ["harmless-base/test.jsonl.gz", "harmless-base/train.jsonl.gz"]),
    "hh_rlhf_helpful": (
        None,  # the same repo as above
        ["helpful-base/test.jsonl.gz", "helpful-base/train.jsonl.gz",
         "helpful-online/test.jsonl.gz", "helpful-online/train.jsonl.gz",
         "helpful-rejection-sampled/test.jsonl.gz", "helpful-rejection-sampled/train.jsonl.gz"]),
    "summarize_from_feedback": (  # refs/convert/parquet
        [".gitattributes", "comparisons/train/0000.parquet", "comparisons/validation/0000.parquet",
         "axis/test/0000.parquet", "axis/validation/0000.parquet"],
        ["comparisons/train/0000.parquet", "comparisons/validation/0000.parquet"]),
    "webgpt_comparisons": (  # refs/convert/parquet
        [".gitattributes", "default/train/0000.parquet"], ["default/train/0000.parquet"]),
    "stack_exchange_paired": (
        ["README.md", "data/evaluation/train-00000-of-00001.parquet",
         "data/finetune/train-00000-of-00002.parquet", "data/reward/train-00000-of-00002.parquet",
         "data/reward/train-00001-of-00002.parquet", "data/rl/train-00000-of-00002.parquet"],
        ["data/reward/train-00000-of-00002.parquet", "data/reward/train-00001-of-00002.parquet"]),
    "shp": (
        ["README.md", "askacademia/train.json", "askacademia/validation.json",
         "askacademia/test.json", "explainlikeimfive/train.json"],
        ["askacademia/test.json", "askacademia/train.json", "askacademia/validation.json",
         "explainlikeimfive/train.json"]),
    "synthetic_instruct_gptj_pairwise": (
        ["README.md", "dataset_infos.json", "data/train-00000-of-00001.parquet"],
        ["data/train-00000-of-00001.parquet"]),
    "oasst1": (
        ["README.md", "2023-04-12_oasst_ready.trees.jsonl.gz",
         "2023-04-12_oasst_ready.messages.jsonl.gz", "2023-04-12_oasst_all.trees.jsonl.gz",
         "2023-04-12_oasst_all.messages.jsonl.gz", "2023-04-12_oasst_spam.messages.jsonl.gz",
         "2023-04-12_oasst_prompts.messages.jsonl.gz", "data/train-00000-of-00001.parquet",
         "data/validation-00000-of-00001.parquet"],
        ["2023-04-12_oasst_ready.trees.jsonl.gz"]),
    "alpaca_farm_human": (
        ["README.md", "alpaca_eval.json", "alpaca_eval.py", "alpaca_eval_all_outputs.json",
         "alpaca_farm_evaluation_all_outputs.json", "alpaca_farm_human_annotations.json",
         "alpaca_farm_human_crossannotations.json"],
        ["alpaca_farm_human_annotations.json"]),
    "chatbot_arena_conversations": (
        ["README.md", "data/train-00000-of-00001.parquet"], ["data/train-00000-of-00001.parquet"]),
    "ultrafeedback_binarized": (
        ["README.md", "data/train_prefs-00000-of-00001.parquet",
         "data/test_prefs-00000-of-00001.parquet", "data/train_sft-00000-of-00001.parquet",
         "data/test_sft-00000-of-00001.parquet", "data/train_gen-00000-of-00001.parquet",
         "data/test_gen-00000-of-00001.parquet"],
        ["data/test_prefs-00000-of-00001.parquet", "data/train_prefs-00000-of-00001.parquet"]),
    "ultrafeedback": (  # each source twice: JSON lines and a JSON array of the same rows
        ["README.md", *(f"{s}.{ext}" for s in ("evol_instruct", "false_qa", "flan", "sharegpt",
                                                "truthful_qa", "ultrachat")
                        for ext in ("json", "jsonl"))],
        [f"{s}.jsonl" for s in ("evol_instruct", "false_qa", "flan", "sharegpt", "truthful_qa",
                                "ultrachat")]),
    "helpsteer2_preference": (
        ["README.md", "train.jsonl.gz", "validation.jsonl.gz", "preference/preference.jsonl.gz",
         "disagreements/disagreements.jsonl.gz"],
        ["preference/preference.jsonl.gz"]),
    "nectar": (["README.md", "data/rlaif.parquet"], ["data/rlaif.parquet"]),
}


def test_every_hub_entry_is_complete_non_sample_and_read_by_a_known_format():
    assert set(HUB_ENTRIES) == set(LAYOUTS)
    known = set(adapter_names())
    for name, spec in HUB_ENTRIES.items():
        assert spec.sample is False and spec.description and spec.license and spec.files, name
        assert spec.format in known, f"{name}: format {spec.format!r} is not an adapter"
    assert {CATALOG["hh_rlhf_harmless"].set["criterion"],
            CATALOG["hh_rlhf_helpful"].set["criterion"]} == {"safety", "helpfulness"}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_the_files_glob_takes_the_intended_files_of_the_published_layout(name):
    files, wanted = LAYOUTS[name]
    files = files or LAYOUTS["hh_rlhf_harmless"][0]
    spec = HUB_ENTRIES[name]
    patterns = (spec.files,) if isinstance(spec.files, str) else tuple(spec.files)
    assert match_files(sorted(files), patterns) == sorted(wanted)


def _sources_of(recipe):
    return [CATALOG[s.catalog] if s.catalog else s for s in recipe.sources.values()]


def online_only(recipe) -> bool:
    """A recipe whose sources are all Hub sources, none of them bundled sample data: it cannot
    build on a machine without the Hub (and is not built by the offline tests)."""
    return all(spec.hub and not spec.sample for spec in _sources_of(recipe))


def test_safety_rm_open_v1_loads_names_catalog_entries_and_is_the_only_online_recipe():
    recipe, path = read_recipe("safety_rm_open_v1")
    assert path.parent == SHIPPED_RECIPES and recipe.kind == "preference"
    assert all(s.catalog in HUB_ENTRIES for s in recipe.sources.values())
    assert "turn_marker_in_response" in recipe.exclude
    online = {name for name, p in list_recipes().items() if online_only(read_recipe(p)[0])}
    assert online == {"safety_rm_open_v1"}  # the others build from the bundled samples


def _build(tmp_path, **env):
    base = {"HF_HOME": str(tmp_path / "hf"), "CURATE_HOME": str(tmp_path / "home"),
            "PATH": os.environ["PATH"]}
    return subprocess.run([sys.executable, "-c", "from curate.cli import main; main()", "build",
                           "safety_rm_open_v1", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env={**base, **env}, timeout=300,
                          check=False)


def test_offline_with_an_empty_hf_cache_the_build_says_which_repo_in_one_line(tmp_path):
    result = _build(tmp_path, HF_HUB_OFFLINE="1")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "source harmless: HF_HUB_OFFLINE is set" in result.stderr
    assert "Anthropic/hh-rlhf@main" in result.stderr and "curate lock" in result.stderr
    assert not (tmp_path / "out" / "safety_rm_open").exists()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # free once closed: nothing listens there


def test_without_a_reachable_hub_the_build_says_which_repo_in_one_line(tmp_path):
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    result = _build(tmp_path, HF_ENDPOINT=endpoint)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"source harmless: cannot read Anthropic/hh-rlhf@main from {endpoint}" in result.stderr
