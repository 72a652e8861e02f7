"""Every YAML curate reads (recipes, the catalog, column mappings) is plain data, bounded, and
a problem in it is one InputError line naming the file, the line and the fix, never a
traceback."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

import curate
from curate.adapters.mapping import ColumnMapping
from curate.builder.sources import resolve_sources
from curate.errors import InputError
from curate.recipe import load_recipe, read_recipe
from tests.builder.conftest import comparisons, write_jsonl

HEAD = ("name: t\nversion: 1\nkind: preference\n"
        "sources:\n  a: {path: a.jsonl}\nmix:\n  - {group: g, from: [a], take: all}\n")


def _billion_laughs() -> str:
    """Nine levels of nine aliases each: 9^9 (387M) strings once expanded."""
    lines = ["publish:", '  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        lines.append(f"  l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]")
    return HEAD + "\n".join(lines) + "\n"


def _recipe(tmp_path, text: str, name: str = "t_v1.yaml"):
    write_jsonl(tmp_path / "a.jsonl", comparisons(5, source="a"))
    path = tmp_path / name
    path.write_text(text) if isinstance(text, str) else path.write_bytes(text)
    return path


def curate_cli(*args, cwd):
    return subprocess.run([sys.executable, "-c", "from curate.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=60, check=False)


def test_billion_laughs_recipe_is_refused_in_well_under_a_second(tmp_path):
    path = _recipe(tmp_path, _billion_laughs())
    assert path.stat().st_size < 700
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"t_v1.yaml:14:\d+: this value holds more than 100,000 "
                                         r"values once its aliases are expanded"):
        load_recipe(path)
    assert time.perf_counter() - start < 0.5


def test_billion_laughs_recipe_build_exits_2_with_one_line_and_writes_nothing(tmp_path):
    path = _recipe(tmp_path, _billion_laughs())
    result = curate_cli("build", str(path), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "billion laughs" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out" / "t").exists() or not any((tmp_path / "out" / "t").iterdir())


def test_python_tag_in_catalog_is_an_input_error_not_a_constructor_traceback(tmp_path):
    (tmp_path / "catalog.yaml").write_text(
        "sources:\n  a: !!python/object/apply:os.system ['touch pwned']\n")
    path = _recipe(tmp_path, HEAD.replace("{path: a.jsonl}", "{catalog: a}"))
    recipe, recipe_path = read_recipe(path)
    with pytest.raises(InputError, match=r"catalog.yaml:2:6: the tag "
                                         r"!!python/object/apply:os.system is not allowed"):
        resolve_sources(recipe, recipe_path)
    result = curate_cli("build", str(path), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert not (tmp_path / "pwned").exists()


def test_python_tag_in_recipe_is_an_input_error(tmp_path):
    path = _recipe(tmp_path, HEAD + "publish: !!python/name:os.system\n")
    with pytest.raises(InputError, match=r"t_v1.yaml:8:10: the tag !!python/name:os.system is "
                                         "not allowed.*remove the tag"):
        load_recipe(path)


def test_list_in_set_is_one_input_error_naming_file_line_and_field(tmp_path):
    path = _recipe(tmp_path, HEAD.replace("{path: a.jsonl}",
                                          "{path: a.jsonl, set: {criterion: [safety]}}"))
    with pytest.raises(InputError) as caught:
        curate.build(path, out=tmp_path / "out", progress=False)
    message = str(caught.value)
    assert message.startswith(f"{path}: invalid recipe: line 5: sources.a.set: `criterion` is "
                              "list ['safety'], but a field is set to one value")
    assert "\n" not in message
    assert not (tmp_path / "out" / "t" / "v1").exists()


def test_list_as_set_in_catalog_is_one_input_error(tmp_path):
    (tmp_path / "catalog.yaml").write_text("sources:\n  a:\n    path: a.jsonl\n"
                                           "    set: [criterion, safety]\n")
    path = _recipe(tmp_path, HEAD.replace("{path: a.jsonl}", "{catalog: a}"))
    recipe, recipe_path = read_recipe(path)
    with pytest.raises(InputError, match=r"catalog.yaml: invalid catalog entry: line 4: "
                                         r"sources.a.set: Input should be a valid dictionary "
                                         r"\(got \['criterion', 'safety'\]\)$"):
        resolve_sources(recipe, recipe_path)


def test_a_date_in_set_stays_the_text_written(tmp_path):
    path = _recipe(tmp_path, HEAD.replace("{path: a.jsonl}",
                                          "{path: a.jsonl, set: {batch: 2023-01-02}}"))
    assert load_recipe(path).sources["a"].set == {"batch": "2023-01-02"}


def test_set_of_an_unknown_field_is_refused_instead_of_rejecting_every_record(tmp_path):
    path = _recipe(tmp_path, HEAD.replace("{path: a.jsonl}",
                                          "{path: a.jsonl, set: {critierion: safety}}"))
    with pytest.raises(InputError, match=r"source a: `set:` names \['critierion'\], not fields "
                                         r"of preference records; use some of: prompt, "):
        curate.build(path, out=tmp_path / "out", progress=False)


def test_invalid_recipe_is_one_line_with_every_field_and_its_line(tmp_path):
    path = _recipe(tmp_path, HEAD.replace("version: 1", "version: one").replace(
        "take: all}", "share: 2}"))
    with pytest.raises(InputError) as caught:
        load_recipe(path)
    assert str(caught.value) == (
        f"{path}: invalid recipe: line 2: version: Input should be a valid integer (got 'one'); "
        "line 7: mix.0.share: Input should be less than 1 (got 2)")


def test_a_misspelt_recipe_key_names_its_line(tmp_path):
    path = _recipe(tmp_path, HEAD + "margn: large\n")
    with pytest.raises(InputError, match=r"invalid recipe: line 8: margn: not a known key; check "
                                         "its spelling"):
        load_recipe(path)


def test_a_key_given_twice_in_a_recipe_is_refused_not_silently_overwritten(tmp_path):
    path = _recipe(tmp_path, HEAD + "seed: 1\nseed: 2\n")
    with pytest.raises(InputError, match=r"t_v1.yaml:9:1: key `seed` is given twice \(first on "
                                         r"line 8\); keep one"):
        load_recipe(path)


def test_a_5000_digit_number_in_a_recipe_is_an_input_error_not_a_traceback(tmp_path):
    path = _recipe(tmp_path, HEAD + "seed: " + "7" * 5000 + "\n")
    with pytest.raises(InputError, match=r"t_v1.yaml:8:7: cannot read this value \(Exceeds the "
                                         r"limit .*\); quote it to keep it as text"):
        load_recipe(path)


def test_a_recipe_that_is_not_utf8_is_an_input_error_not_a_traceback(tmp_path):
    path = _recipe(tmp_path, HEAD.encode() + b"description: caf\xe9\n")
    with pytest.raises(InputError, match=r"t_v1.yaml:8: byte 0xe9 is not UTF-8; save the recipe "
                                         "as UTF-8"):
        load_recipe(path)


@pytest.mark.parametrize("text, problem", [
    ("publish: &x [*x]\n", r"alias \*x refers to a value that contains it"),
    ("publish: " + "[" * 150 + "]" * 150 + "\n", "nested more than 100 levels deep"),
    ("publish: *nowhere\n", "found undefined alias 'nowhere'; define the anchor"),
    ("mix: [\n", r"not valid YAML: .*; fix the syntax"),
    ("---\nname: u\n", "but found another document; a file holds one YAML document"),
    ("publish: {a: \x07}\n", r"character U\+0007 is not allowed in YAML"),
])
def test_malformed_recipe_yaml_is_one_input_error_line(tmp_path, text, problem):
    path = _recipe(tmp_path, HEAD + text)
    with pytest.raises(InputError, match=rf"^{path}:\d+(:\d+)?: {problem}") as caught:
        load_recipe(path)
    assert "\n" not in str(caught.value)


def test_a_recipe_over_1_mib_is_refused_before_parsing(tmp_path):
    path = _recipe(tmp_path, HEAD + "description: " + "x" * (1 << 20) + "\n")
    with pytest.raises(InputError, match=r"over 1 MiB, too large for a recipe"):
        load_recipe(path)


def test_a_recipe_that_is_a_list_is_one_input_error(tmp_path):
    path = _recipe(tmp_path, "- name: t\n")
    with pytest.raises(InputError, match=r"a recipe is a YAML mapping .*not list"):
        load_recipe(path)


def test_billion_laughs_column_mapping_is_refused_quickly(tmp_path):
    bomb = _billion_laughs().split("publish:\n", 1)[1].replace("  l", "l")
    path = tmp_path / "mapping.yaml"
    path.write_text("kind: preference\ncolumns: {prompt: q, chosen: a, rejected: b}\n" + bomb)
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"mapping.yaml:\d+:\d+: this value holds more than"):
        ColumnMapping.read_yaml(path)
    assert time.perf_counter() - start < 0.5


def test_shipped_recipes_and_catalog_still_load():
    for name in ("safety_rm_v3", "helpfulness_rm_v3", "sft_v1"):
        recipe, path = read_recipe(name)
        assert recipe.id == name and resolve_sources(recipe, path)
