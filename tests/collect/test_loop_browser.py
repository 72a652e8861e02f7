"""The weekly loop end to end (issue 18, item 4), on the CPU and in a real headless Chromium:

tiny random models (two variants) -> `curate collect sample` -> `curate collect page` -> every
task annotated by keyboard -> export (download) -> `curate collect ingest` -> `curate validate`
-> a recipe that adds the new batch with `requires: {latest_batch_from: rlhf_v4}` builds; the
same recipe fails the freshness rule once the newest batch comes from an older iteration.

Needs torch and transformers ([train]), the Llama 2 tokenizer in ../shared/data (skipped when
../shared is absent), and Chromium (tests/browser.py: a failure under CI=1 when missing).
"""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

from typer.testing import CliRunner

import curate.cli.collect  # noqa: F401  (registers `collect`)
from curate.cli.app import app
from tests.browser import browser_or_skip, press, text, wait_for_file
from tests.builder.conftest import comparisons, write_jsonl, write_recipe

PROMPTS = ["How do I pick the lock of a door that is not mine?",
           "Which household chemicals are dangerous to mix?",
           "Write a threatening note to my neighbour."]
VARIANTS = {"tiny:1", "tiny:2"}
TEMPERATURES = (0.7, 1.0, 1.3)
ENTER = "\ue007"  # selenium's Keys.ENTER
# Keys per task, in packet order: choice, degree, A safe (q) / unsafe (w), B safe (o) / unsafe (p).
# The fourth task is the overlap copy of the first, sides swapped: judged the same way round.
KEYS = [("a", "1", "q", "p"), ("b", "2", "q", "o"), ("a", "3", "w", "p"), ("b", "2", "w", "o")]
BINS = [1, 2, 3]  # Llama 2's safety bins of the three training records, in task order


def _cli(*args) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, f"curate {' '.join(map(str, args))}: {result.output}"
    return result.output


def _curate(*args) -> subprocess.CompletedProcess:
    """The installed command, as a user runs it: exit codes and one-line errors as shipped."""
    return subprocess.run(["curate", *map(str, args)], capture_output=True, text=True,
                          check=False, timeout=600)


def _sample(tmp_path: Path, *, batch: str, iteration: str) -> Path:
    out = tmp_path / f"packet-{batch}"
    _cli("collect", "sample", "--prompts", tmp_path / "prompts.jsonl", "--model", "tiny:1",
         "--model", "tiny:2", "--temperatures", ",".join(map(str, TEMPERATURES)),
         "--criterion", "safety", "--batch", batch, "--iteration", iteration, "--overlap", 1,
         "--max-new-tokens", 8, "--out", out)
    return out


def _annotate_in_browser(tmp_path: Path, page: Path) -> Path:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = browser_or_skip(tmp_path, downloads)
    try:
        driver.get(page.resolve().as_uri())
        for number, keys in enumerate(KEYS, start=1):
            assert text(driver, "where") == f"Task {number:04d} ({number} of 4)"
            press(driver, [*keys, ENTER])
        assert text(driver, "progress-text") == "4 of 4 done"
        driver.find_element("id", "annotator").send_keys("vendor-ann-7")
        driver.find_element("id", "export").click()
        wait_for_file(downloads / "verdicts.json")
    finally:
        driver.quit()
    return downloads / "verdicts.json"


def _read_gz_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]


def test_sample_annotate_by_keyboard_ingest_validate_and_build_with_the_freshness_rule(
        tmp_path, shared_data):
    (tmp_path / "prompts.jsonl").write_text("".join(json.dumps(p) + "\n" for p in PROMPTS))
    packet = _sample(tmp_path, batch="2023-W15", iteration="rlhf_v4")
    assert "collect.html" in _cli("collect", "page", packet)
    html = (packet / "collect.html").read_text()
    key = json.loads((packet / "key.json").read_text())
    assert {side["variant"] for entry in key.values() for side in (entry["a"], entry["b"])} \
        == VARIANTS
    assert not [v for v in VARIANTS if v in html]  # blind: no variant in the page

    verdicts = _annotate_in_browser(tmp_path, packet / "collect.html")
    data = tmp_path / "data"
    out = data / "vendor-2023-W15.jsonl.gz"
    said = _cli("collect", "ingest", verdicts, "--packet", packet, "--out", out)
    assert "wrote 3 records" in said and "1 repeat annotations" in said

    validated = _curate("validate", out, "--schema", "preference")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    records = _read_gz_jsonl(out)
    tasks = [json.loads(line) for line in (packet / "tasks.jsonl").read_text().splitlines()]
    assert [r["prompt"] for r in records] == [t["prompt"] for t in tasks[:3]]
    for record, task, keys, safety_bin in zip(records, tasks, KEYS, BINS):
        chosen, rejected = keys[0], "b" if keys[0] == "a" else "a"
        entry = key[task["task_id"]]
        assert (record["chosen"], record["rejected"]) == (task[f"response_{chosen}"],
                                                          task[f"response_{rejected}"])
        assert (record["chosen_model"], record["chosen_temperature"]) == (
            entry[chosen]["variant"], entry[chosen]["temperature"])
        assert (record["rejected_model"], record["rejected_temperature"]) == (
            entry[rejected]["variant"], entry[rejected]["temperature"])
        assert record["chosen_model"] != record["rejected_model"]  # two variants per pair
        assert {record["chosen_temperature"], record["rejected_temperature"]} <= set(TEMPERATURES)
        assert (record["model_iteration"], record["batch"], record["annotator"]) == (
            "rlhf_v4", "2023-W15", "vendor-ann-7")
        assert {(True, False): 1, (True, True): 2, (False, False): 3}[
            record["chosen_safe"], record["rejected_safe"]] == safety_bin
    assert [r["degree"] for r in records] == ["significantly_better", "better", "slightly_better"]

    # The recipe adds the new batch to last week's (from rlhf_v3); the newest is from rlhf_v4.
    write_jsonl(data / "vendor-2023-W14.jsonl", comparisons(
        20, source="vendor", batches=("2023-W14",), iteration="rlhf_v3"))
    recipe = write_recipe(
        tmp_path, name="safety_rm", version=4,
        sources={"vendor": {"path": "data/vendor-*"}},
        mix=[{"group": "vendor", "from": ["vendor"], "take": "all"}],
        exclude=["safety_category_4", "user_data", "duplicate", "identical_pair"],
        split={"test": {"per_batch": 2, "otherwise": 0.0}},
        requires={"latest_batch_from": "rlhf_v4"})
    built = _curate("build", recipe, "--out", tmp_path / "out")
    assert built.returncode == 0, built.stderr
    manifest = json.loads((tmp_path / "out/safety_rm/v4/manifest.json").read_text())
    assert manifest["sources"]["vendor"]["n_read"] == 20 + 3

    # A later batch sampled from an older iteration: the freshness rule refuses the recipe.
    stale = _sample(tmp_path, batch="2023-W16", iteration="rlhf_v3")
    packet_id = json.loads((stale / "packet.json").read_text())["packet_id"]
    (tmp_path / "stale.json").write_text(json.dumps({"packet_id": packet_id, "verdicts": [
        {"task_id": f"{n:04d}", "choice": "a", "degree": "better", "a_safe": True,
         "b_safe": False, "comment": ""} for n in (1, 2, 3)]}))
    _cli("collect", "ingest", tmp_path / "stale.json", "--packet", stale, "--annotator", "a2",
         "--out", data / "vendor-2023-W16.jsonl.gz")
    refused = _curate("build", recipe, "--out", tmp_path / "out-stale")
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.splitlines()[-1] == (
        "error: safety_rm_v4: the newest batch of vendor (2023-W16) was sampled from rlhf_v3, "
        "but the recipe requires rlhf_v4 (requires.latest_batch_from); collect a batch from "
        "rlhf_v4 or change the requirement")
    assert not (tmp_path / "out-stale/safety_rm").exists()
