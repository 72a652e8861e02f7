"""The exported suite: generated from every check, loadable by GX, and right on real builds."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest

import curate
from curate.checks import CheckConfig, checks_for
from curate.expectations import check_frame, expectation_suite
from curate.recipe import load_recipe
from tests.builder.test_mix import _data, _rows, _safety_recipe

gx = pytest.importorskip("great_expectations")


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-c", "from curate.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("kind", ["preference", "sft"])
def test_every_check_has_expectations_and_gx_loads_them_all(kind):
    """The drift guard: a new check without its GX counterpart fails here."""
    config = CheckConfig(max_chars=1000)
    for check in checks_for(kind):
        assert check.expects(config), f"{check.reason} has no GX expectation"
    suite = expectation_suite(kind, config=config)
    loaded = gx.ExpectationSuite(**suite)
    assert len(loaded.expectations) == len(suite["expectations"])  # GX drops invalid ones
    reasons = {e["meta"]["curate_reason"] for e in suite["expectations"]}
    assert reasons == {c.reason for c in checks_for(kind)}
    assert any(e["kwargs"].get("max_value") == 1000 for e in suite["expectations"])


def test_cli_export_writes_the_suite_and_adds_the_recipe_shares(tmp_path):
    out = tmp_path / "suite.json"
    result = _cli("expectations", "export", "--schema", "preference", "--recipe",
                  "safety_rm_v3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    suite = json.loads(out.read_text())
    shares = {e["kwargs"]["column"]: (e["kwargs"]["min_value"], e["kwargs"]["max_value"])
              for e in suite["expectations"] if e["type"] == "expect_column_mean_to_be_between"}
    assert shares == {"in_group_safety": (0.895, 0.905), "in_group_helpfulness": (0.095, 0.105)}
    assert len(gx.ExpectationSuite(**suite).expectations) == len(suite["expectations"])
    wrong = _cli("expectations", "export", "--schema", "sft", "--recipe", "safety_rm_v3",
                 "--out", str(out))
    assert wrong.returncode == 2 and "preference recipe" in wrong.stderr


def _gx_result(frame: pl.DataFrame, suite: dict):
    context = gx.get_context(mode="ephemeral")
    batch = (context.data_sources.add_pandas("t").add_dataframe_asset("a")
             .add_batch_definition_whole_dataframe("b").get_batch(
                 batch_parameters={"dataframe": frame.to_pandas()}))
    return batch.validate(gx.ExpectationSuite(**suite))


def test_a_built_version_meets_its_recipe_suite_and_a_skewed_one_does_not(tmp_path):
    _data(tmp_path)
    recipe_path = _safety_recipe(tmp_path)
    recipe = load_recipe(recipe_path)
    built = curate.build(recipe_path, out=tmp_path / "out", progress=False)
    rows = _rows(built)
    suite = expectation_suite("preference", recipe=recipe)
    suite["expectations"] = [e for e in suite["expectations"]  # the version's data, unsplit
                             if e["meta"]["curate_reason"] in ("recipe_share", "bad_field")]
    assert _gx_result(check_frame(rows, "preference", recipe=recipe), suite).success
    skewed = rows.filter(pl.col("source") == "meta_safety").vstack(
        rows.filter(pl.col("source") != "meta_safety").head(10))
    result = _gx_result(check_frame(skewed, "preference", recipe=recipe), suite)
    failed = {r.expectation_config.kwargs["column"] for r in result.results if not r.success}
    assert failed == {"in_group_safety", "in_group_helpfulness"}
