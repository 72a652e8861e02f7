"""`curate audit score`: exact counts from the key, Wilson intervals, clear errors."""

from __future__ import annotations

import json

import pytest

from curate.audit import sample_packet, score_packet, wilson_interval
from curate.audit.attach import END, START
from tests.version_fixtures import write_manifest

from .conftest import FIXTURE_HUMAN, FIXTURE_MODEL, run_cli, verdicts_for


def test_wilson_interval_matches_hand_computed_values():
    # p = 0.5, n = 180, z = 1.959964: centre 0.5, half-width
    # z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/(4 n^2)) = 1.919019 * 0.0376634 = 0.0722763
    lo, hi = wilson_interval(90, 180)
    assert lo == pytest.approx(0.4277237, abs=1e-6) and hi == pytest.approx(0.5722763, abs=1e-6)
    # 0 of 10: [0, z^2 / (n + z^2)] = [0, 3.841459 / 13.841459]
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775328), abs=1e-6)
    # 72 of 180 (p = 0.4): centre (0.4 + 0.0106707) / 1.0213414 = 0.4020896,
    # half-width 1.9190096 * sqrt(0.0013333 + 0.0000296) = 0.0708469
    assert wilson_interval(72, 180) == pytest.approx((0.3312427, 0.4729365), abs=1e-6)
    assert wilson_interval(0, 0) is None


def test_real_packet_scores_match_the_key_exactly(real_files, tmp_path):
    human, model = real_files
    sample_packet(human, model, out=tmp_path / "packet", seed=0)
    key = json.loads((tmp_path / "packet" / "key.json").read_text())
    # A reviewer who prefers the model on items 001-072, the human on 073-150, says tie on
    # 151-170 and both bad on 171-180 (whatever side each answer was shown on).
    def plan(item_id: str, entry: dict) -> str:
        number = int(item_id)
        if number <= 72:
            return entry["model"]
        if number <= 150:
            return entry["human"]
        return "tie" if number <= 170 else "both_bad"
    verdicts = tmp_path / "verdicts.json"
    verdicts.write_text(json.dumps(verdicts_for(key, plan)))
    out = tmp_path / "score.json"
    result = run_cli("audit", "score", tmp_path / "packet", "--verdicts", verdicts, "--json", out)
    assert result.exit_code == 0, result.output
    score = json.loads(out.read_text())
    assert (score["n"], score["model_wins"], score["human_wins"], score["ties"],
            score["both_bad"]) == (180, 72, 78, 20, 10)
    assert score["model_win_rate"] == pytest.approx(0.4)
    assert score["model_win_rate_ci95"] == pytest.approx([0.3312427, 0.4729365], abs=1e-6)
    assert "model win rate 40.0% [33.1, 47.3]" in result.output
    strata = score["strata"]
    assert len(strata) == 71
    for field in ("n", "model_wins", "human_wins", "ties", "both_bad"):
        assert sum(s[field] for s in strata.values()) == score[field]


@pytest.fixture
def packet(tmp_path):
    sample_packet(FIXTURE_HUMAN, FIXTURE_MODEL, out=tmp_path / "packet", seed=0)
    return tmp_path / "packet"


def write_verdicts(path, verdicts, **extra):
    path.write_text(json.dumps({"verdicts": verdicts, **extra}))
    return path


def test_unknown_item_id_exits_1_and_names_it(packet, tmp_path):
    v = write_verdicts(tmp_path / "v.json", [{"item_id": "999", "verdict": "a", "note": ""}])
    result = run_cli("audit", "score", packet, "--verdicts", v)
    assert result.exit_code == 1
    assert "unknown item id(s) ['999']" in result.output


def test_duplicate_verdicts_exit_1(packet, tmp_path):
    v = write_verdicts(tmp_path / "v.json", [{"item_id": "001", "verdict": "a", "note": ""},
                                             {"item_id": "001", "verdict": "b", "note": ""}])
    result = run_cli("audit", "score", packet, "--verdicts", v)
    assert result.exit_code == 1 and "more than one verdict" in result.output


def test_missing_key_entry_exits_1(packet, tmp_path):
    key = json.loads((packet / "key.json").read_text())
    del key["003"]
    (packet / "key.json").write_text(json.dumps(key))
    v = write_verdicts(tmp_path / "v.json", [{"item_id": "001", "verdict": "a", "note": ""}])
    result = run_cli("audit", "score", packet, "--verdicts", v)
    assert result.exit_code == 1 and "no entry for item(s) ['003']" in result.output


def test_verdicts_of_another_packet_or_an_unknown_verdict_exit_1(packet, tmp_path):
    other = write_verdicts(tmp_path / "v.json", [{"item_id": "001", "verdict": "a", "note": ""}],
                           packet_id="0123456789abcdef")
    result = run_cli("audit", "score", packet, "--verdicts", other)
    assert result.exit_code == 1 and "not on this packet" in result.output
    odd = write_verdicts(tmp_path / "odd.json", [{"item_id": "001", "verdict": "A", "note": ""}])
    result = run_cli("audit", "score", packet, "--verdicts", odd)
    assert result.exit_code == 1 and "verdicts.0.verdict" in result.output


def test_partial_verdicts_are_scored_and_the_rest_counted_as_unjudged(packet, tmp_path):
    key = json.loads((packet / "key.json").read_text())
    v = write_verdicts(tmp_path / "v.json", [{"item_id": "002", "verdict": key["002"]["human"],
                                              "note": "clearer"}])
    score = score_packet(packet, verdicts=v).as_dict()
    assert (score["n"], score["human_wins"], score["n_unjudged"]) == (1, 1, 6)


def test_attach_records_the_result_in_manifest_and_card_once(packet, tmp_path):
    build = tmp_path / "sft" / "v3"
    build.mkdir(parents=True)
    write_manifest(build, name="sft", version=3, kind="sft", fingerprint="abcd1234")
    (build / "README.md").write_text("---\nlicense: apache-2.0\n---\n# sft v3\n\nComposition.\n")
    key = json.loads((packet / "key.json").read_text())
    v = write_verdicts(tmp_path / "v.json", verdicts_for(key, lambda i, e: e["model"])["verdicts"])
    for _ in range(2):  # attaching twice replaces, never stacks
        result = run_cli("audit", "score", packet, "--verdicts", v, "--attach", build)
        assert result.exit_code == 0, result.output
    manifest = json.loads((build / "manifest.json").read_text())
    assert manifest["fingerprint"] == "abcd1234"
    assert (manifest["audit"]["n"], manifest["audit"]["model_wins"]) == (7, 7)
    card = (build / "README.md").read_text()
    assert card.startswith("---\nlicense: apache-2.0\n---\n# sft v3\n\nComposition.\n")
    assert card.count(START) == card.count(END) == 1
    assert "The model's answer was preferred in 7 (100.0%" in card


def test_attach_to_a_folder_without_manifest_is_an_input_error(packet, tmp_path):
    key = json.loads((packet / "key.json").read_text())
    v = write_verdicts(tmp_path / "v.json", verdicts_for(key, lambda i, e: "tie")["verdicts"])
    result = run_cli("audit", "score", packet, "--verdicts", v, "--attach", tmp_path / "nowhere")
    assert result.exit_code != 0 and "no manifest.json" in str(result.exception)


def test_through_the_entry_point_misfit_verdicts_exit_1_and_a_missing_packet_exits_2(packet,
                                                                                      tmp_path):
    import subprocess
    import sys
    v = write_verdicts(tmp_path / "v.json", [{"item_id": "042", "verdict": "tie", "note": ""}])
    entry = [sys.executable, "-c", "from curate.cli import main; main()", "audit", "score"]
    misfit = subprocess.run(entry + [str(packet), "--verdicts", str(v)], capture_output=True,
                            text=True)
    assert misfit.returncode == 1 and "unknown item id(s) ['042']" in misfit.stderr
    missing = subprocess.run(entry + [str(tmp_path / "nowhere"), "--verdicts", str(v)],
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "items.jsonl: no such file" in missing.stderr
