"""`curate collect report`: the figures of a hand-made batch, as tables, JSON and a PNG."""

from __future__ import annotations

import json

import pytest

from curate.collect.ingest import record_dicts
from curate.collect.report import batch_report
from curate.records import Message, PreferenceRecord

from .conftest import run_cli

# (degree, chosen_safe, rejected_safe) of the ten W15 pairs: degrees 1/2/3/4, bins 2/5/2 + one 4
W15 = [("significantly_better", True, False), ("better", True, False), ("better", True, True),
       ("slightly_better", True, True), ("slightly_better", True, True),
       ("slightly_better", True, True), ("negligibly_better", True, True),
       ("negligibly_better", False, False), ("negligibly_better", False, False),
       ("negligibly_better", False, True)]


def pair(i: int, degree: str, chosen_safe, rejected_safe, *, batch="2023-W15", iteration="rlhf_v4",
         annotator="alice", swap=False, criterion="safety") -> PreferenceRecord:
    chosen, rejected = f"answer {i} from A " + "x" * i, f"answer {i} from B"
    sides = [("A", 0.7, chosen), ("B", 1.3, rejected)]
    if swap:  # the other response chosen: the annotators disagree
        sides.reverse()
        chosen_safe, rejected_safe = rejected_safe, chosen_safe
    (cm, ct, c), (rm, rt, r) = sides
    return PreferenceRecord(
        prompt=[Message(role="user", content=f"question {i}")], chosen=c, rejected=r,
        criterion=criterion, degree=degree, chosen_safe=chosen_safe, rejected_safe=rejected_safe,
        chosen_model=cm, chosen_temperature=ct, rejected_model=rm, rejected_temperature=rt,
        model_iteration=iteration, batch=batch, annotator=annotator, source="collect:" + batch)


def write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in record_dicts(records)))
    return path


@pytest.fixture
def files(tmp_path):
    w15 = write(tmp_path / "vendor-2023-W15.jsonl", [pair(i, *row) for i, row in enumerate(W15)])
    w16 = write(tmp_path / "vendor-2023-W16.jsonl", [
        pair(20, "better", None, None, batch="2023-W16", iteration="rlhf_v5", criterion="helpfulness"),
        pair(21, "unsure", None, None, batch="2023-W16", iteration="rlhf_v5", criterion="helpfulness")])
    repeats = write(tmp_path / "repeats.jsonl", [
        pair(0, "significantly_better", True, False, swap=True),  # alice again, other response
        pair(1, "better", True, False, annotator="bob")])          # bob, same response and degree
    return w15, w16, repeats


def test_degrees_ties_safety_bins_agreement_and_lengths_of_a_hand_made_batch(files):
    w15, w16, repeats = files
    report = batch_report([w16, w15], repeats=[repeats])
    first, second = report["groups"]
    assert (first["batch"], first["model_iteration"], first["n"]) == ("2023-W15", "rlhf_v4", 10)
    assert {d: v["share"] for d, v in first["degrees"].items()} == {
        "significantly_better": 0.1, "better": 0.2, "slightly_better": 0.3, "negligibly_better": 0.4}
    assert first["ties"] == {"n": 4, "share": 0.4}
    bins = first["safety"]["bins"]
    assert {b: (v["n"], round(v["share"], 4), v["llama2"]) for b, v in bins.items()} == {
        "1": (2, 0.2222, 0.18), "2": (5, 0.5556, 0.47), "3": (2, 0.2222, 0.35)}
    assert (first["safety"]["n_category_4_excluded"], first["safety"]["n_unlabelled"]) == (1, 0)
    assert first["agreement"] == {"n_items": 2, "n_pairs": 2, "n_pairs_between_annotators": 1,
                                  "choice": 0.5, "degree": 0.5}
    lengths = {(r["variant"], r["temperature"]): r for r in first["lengths"]}
    assert sorted(lengths) == [("A", 0.7), ("B", 1.3)]
    assert (lengths["A", 0.7]["n"], lengths["A", 0.7]["chosen_share"]) == (10, 1.0)
    assert lengths["A", 0.7]["mean_chars"] == pytest.approx(20.5)  # "answer i from A " + i x's
    assert lengths["B", 1.3]["mean_words"] == 4 and lengths["B", 1.3]["chosen_share"] == 0.0
    assert (second["batch"], second["n"], second["criteria"]) == ("2023-W16", 2, {"helpfulness": 2})
    assert second["safety"]["n_unlabelled"] == 2 and second["safety"]["bins"]["1"]["share"] is None
    assert second["agreement"]["n_pairs"] == 0


def test_the_cli_prints_the_tables_and_writes_json_and_a_png(files, tmp_path, monkeypatch, capsys):
    w15, w16, repeats = files
    assert run_cli(monkeypatch, "collect", "report", w15, w16, "--repeats", repeats, "--json",
                   tmp_path / "r.json", "--png", tmp_path / "r.png") == 0
    out = capsys.readouterr().out
    assert "safety bins 1/2/3 (Llama 2: 18/47/35)" in out
    row = next(line for line in out.splitlines() if "2023-W15" in line and "rlhf_v4" in line)
    for cell in ("10", "10%", "20%", "30%", "40%", "22%/56%/22%", "50% choice, 50% degree (2)"):
        assert f" {cell} " in row, row
    assert json.loads((tmp_path / "r.json").read_text())["groups"][0]["ties"]["n"] == 4
    assert (tmp_path / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_sft_file_is_refused_saying_what_report_reads(tmp_path, monkeypatch, capsys):
    sft = tmp_path / "sft.jsonl"
    sft.write_text(json.dumps({"messages": [{"role": "user", "content": "Hi"},
                                            {"role": "assistant", "content": "Hello"}],
                               "source": "s"}) + "\n")
    assert run_cli(monkeypatch, "collect", "report", sft) == 2
    assert capsys.readouterr().err == (
        f"error: {sft}: not preference records; `curate collect report` reads the week's "
        "comparisons: the batch files `curate collect ingest` writes, or any preference file "
        "curate reads\n")
