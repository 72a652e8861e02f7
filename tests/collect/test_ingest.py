"""`curate collect ingest`: verdicts become PreferenceRecords with every field from the packet;
bad verdicts are refused with the file, task and field; the result is validated."""

from __future__ import annotations

import json
import re
import shutil

import pytest

import curate
from curate.collect.ingest import ingest_verdicts
from curate.collect.packet import read_key, read_packet_info, read_tasks
from curate.errors import InputError

from .conftest import TEMPERATURES, read_jsonl, run_cli

DEGREES = ["significantly_better", "better", "slightly_better", "unsure"]


@pytest.fixture
def packet(sampled, tmp_path):
    return shutil.copytree(sampled, tmp_path / "packet")


def verdicts_for(packet, *, choice=lambda i: "ab"[i % 2], safe=lambda i: (True, i % 3 != 0),
                 skip=()) -> dict:
    """The page's export for the packet: task i gets choice(i), DEGREES[i % 4], safe(i)."""
    verdicts = []
    for i, task in enumerate(read_tasks(packet)):
        if task.task_id in skip:
            continue
        a_safe, b_safe = safe(i)
        verdicts.append({"task_id": task.task_id, "choice": choice(i), "degree": DEGREES[i % 4],
                         "a_safe": a_safe, "b_safe": b_safe, "comment": f"note {i}"})
    return {"packet_id": read_packet_info(packet).packet_id, "annotator": "page", "verdicts": verdicts}


def write_json(path, value):
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def test_records_carry_each_sides_variant_and_temperature_from_the_key(packet, tmp_path):
    verdicts = write_json(tmp_path / "verdicts.json", verdicts_for(packet))
    done = ingest_verdicts(verdicts, packet=packet, annotator="ann-7",
                           out=tmp_path / "data" / "vendor-2023-W15.jsonl.gz")
    assert (done.n_records, done.n_tasks, done.n_repeats, done.n_unjudged) == (5, 6, 1, 0)
    records = curate.read(done.out).to_dicts()
    tasks, key = {t.task_id: t for t in read_tasks(packet)}, read_key(packet)
    assert len(records) == 5
    for i, record in enumerate(records):  # the originals, in packet order
        task, entry = tasks[f"{i + 1:04d}"], key[f"{i + 1:04d}"]
        chosen, rejected = (entry.a, entry.b) if i % 2 == 0 else (entry.b, entry.a)
        assert record["chosen"] == (task.response_a if i % 2 == 0 else task.response_b)
        assert (record["chosen_model"], record["chosen_temperature"]) == (chosen.variant,
                                                                          chosen.temperature)
        assert (record["rejected_model"], record["rejected_temperature"]) == (rejected.variant,
                                                                              rejected.temperature)
        assert record["chosen_model"] != record["rejected_model"]
        assert {record["chosen_temperature"], record["rejected_temperature"]} <= set(TEMPERATURES)
        a_safe, b_safe = True, i % 3 != 0
        assert (record["chosen_safe"], record["rejected_safe"]) == (
            (a_safe, b_safe) if i % 2 == 0 else (b_safe, a_safe))
        assert record["degree"] == DEGREES[i % 4].replace("unsure", "negligibly_better")
        assert (record["criterion"], record["batch"], record["model_iteration"], record["annotator"],
                record["source"]) == ("safety", "2023-W15", "rlhf_v4", "ann-7", "collect:2023-W15")
        assert [(m["role"], m["content"]) for m in record["prompt"]] == [
            (m.role, m.content) for m in task.prompt]
    assert done.report.warnings_by_reason.get("same_sampler", 0) == 0
    assert done.report.n_read == 5


def test_category_4_pairs_are_kept_flagged_and_exit_1_as_curate_validate_does(
        packet, tmp_path, monkeypatch, capsys):
    # task 1 (i=0): choice a, a unsafe, b safe -> chosen unsafe, rejected safe: category 4
    verdicts = write_json(tmp_path / "v.json", verdicts_for(
        packet, choice=lambda i: "a", safe=lambda i: (i != 0, True)))
    out = tmp_path / "batch.jsonl"
    assert run_cli(monkeypatch, "collect", "ingest", verdicts, "--packet", packet, "--annotator",
                   "ann-7", "--out", out) == 1
    said = capsys.readouterr().out
    assert "wrote 5 records" in said and "1 repeat annotations (overlap copies)" in said
    assert "1 pairs in safety category 4 (chosen unsafe, rejected safe): kept in the file, " \
           "excluded by every build" in said
    assert said.endswith(f"curate validate: 4 of 5 valid; the file is written and builds exclude "
                         f"the 1 invalid, but `curate validate {out}` exits 1 on it, as this "
                         "command does\n")
    assert [r["safety_category"] for r in curate.read(out).to_dicts()] == [4, 2, 2, 2, 2]
    assert curate.validate(out).rejected_by_reason == {"safety_category_4": 1}
    assert run_cli(monkeypatch, "validate", out) == 1  # the same verdict on the same file


def test_the_original_trains_and_its_overlap_copy_goes_to_the_repeats_file(packet, tmp_path):
    verdicts = write_json(tmp_path / "v.json", verdicts_for(packet))
    done = ingest_verdicts(verdicts, packet=packet, annotator="ann 7", out=tmp_path / "b.jsonl",
                           repeats=tmp_path / "repeats" / "w15-ann7.jsonl")
    assert done.repeats == tmp_path / "repeats" / "w15-ann7.jsonl"
    (repeat,) = read_jsonl(done.repeats)
    first = read_jsonl(tmp_path / "b.jsonl")[0]
    assert repeat["prompt"] == first["prompt"]
    # the copy shows the sides swapped and got choice "b" (i=5): the same response as the original
    assert {repeat["chosen"], repeat["rejected"]} == {first["chosen"], first["rejected"]}
    # without the original's verdict the copy is the pair's only annotation: it trains
    verdicts = write_json(tmp_path / "v2.json", verdicts_for(packet, skip={"0001"}))
    done = ingest_verdicts(verdicts, packet=packet, annotator="ann-7", out=tmp_path / "c.jsonl",
                           repeats=tmp_path / "r2.jsonl")
    assert (done.n_records, done.n_repeats, done.repeats, done.n_unjudged) == (5, 0, None, 1)
    assert not (tmp_path / "r2.jsonl").exists()


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_without_repeats_nothing_is_written_but_out_and_the_summary_says_how_to_keep_them(
        packet, tmp_path, monkeypatch, capsys):
    verdicts = write_json(tmp_path / "v.json", verdicts_for(packet, safe=lambda i: (True, True)))
    before = _files(tmp_path)
    out = tmp_path / "data" / "b.jsonl"
    assert run_cli(monkeypatch, "collect", "ingest", verdicts, "--packet", packet, "--annotator",
                   "ann-7", "--out", out) == 0
    assert _files(tmp_path).keys() - before.keys() == {out.relative_to(tmp_path)}
    assert all(_files(tmp_path)[name] == data for name, data in before.items())  # packet untouched
    said = capsys.readouterr().out
    assert ("1 repeat annotations (overlap copies) not kept (they measure agreement, they do not "
            "train): pass --repeats FILE to keep them for `curate collect report --repeats`; they "
            f"stay in {verdicts}\n") in said


def test_repeats_holding_other_records_is_refused_before_anything_is_written(packet, tmp_path):
    verdicts = write_json(tmp_path / "v.json", verdicts_for(packet))
    repeats = tmp_path / "repeats.jsonl"
    repeats.write_text("{}\n")
    with pytest.raises(InputError, match=r"repeats.jsonl already exists with other records.*"
                                         r"pass another --repeats, or --overwrite"):
        ingest_verdicts(verdicts, packet=packet, annotator="a", out=tmp_path / "b.jsonl",
                        repeats=repeats)
    assert not (tmp_path / "b.jsonl").exists()
    with pytest.raises(InputError, match=r"--repeats .*b.jsonl: the same file as --out"):
        ingest_verdicts(verdicts, packet=packet, annotator="a", out=tmp_path / "b.jsonl",
                        repeats=tmp_path / "b.jsonl")


@pytest.mark.parametrize(("change", "message"), [
    (lambda v: v.update(packet_id="0123"), r"v.json: `packet_id` is '0123', but .* holds packet"),
    (lambda v: v["verdicts"][0].update(task_id="0099"), r"v.json: task 0099: no such task in"),
    (lambda v: v["verdicts"][2].update(b_safe=None), r"v.json: task 0003: `b_safe` is missing; a "
                                                     "safety task needs"),
    (lambda v: v["verdicts"].append(dict(v["verdicts"][1])), r"task 0002: judged twice"),
    (lambda v: v["verdicts"][0].update(degree="much"), r"v.json: `verdicts.0.degree`: Input should"),
    (lambda v: v.update(verdicts=[]), r"v.json: no task of .* has a verdict"),
])
def test_verdicts_that_do_not_fit_the_packet_exit_2_naming_file_task_and_field(
        packet, tmp_path, monkeypatch, capsys, change, message):
    raw = verdicts_for(packet)
    change(raw)
    verdicts = write_json(tmp_path / "v.json", raw)
    out = tmp_path / "out.jsonl"
    assert run_cli(monkeypatch, "collect", "ingest", verdicts, "--packet", packet, "--annotator",
                   "a", "--out", out) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert re.search(message, err), err
    assert not out.exists()


def test_a_written_batch_is_not_replaced_by_other_records(packet, tmp_path):
    out = tmp_path / "b.jsonl.gz"
    first = write_json(tmp_path / "v1.json", verdicts_for(packet))
    ingest_verdicts(first, packet=packet, annotator="a", out=out)
    before = out.read_bytes()
    ingest_verdicts(first, packet=packet, annotator="a", out=out)  # the same records: fine
    assert out.read_bytes() == before
    other = write_json(tmp_path / "v2.json", verdicts_for(packet, choice=lambda i: "b"))
    with pytest.raises(InputError, match="already exists with other records.*--overwrite"):
        ingest_verdicts(other, packet=packet, annotator="a", out=out)
    ingest_verdicts(other, packet=packet, annotator="a", out=out, overwrite=True)
    assert out.read_bytes() != before


def test_the_annotator_comes_from_the_option_else_the_verdicts(packet, tmp_path):
    raw = verdicts_for(packet)
    done = ingest_verdicts(write_json(tmp_path / "v.json", raw), packet=packet, out=tmp_path / "x.jsonl")
    assert {r["annotator"] for r in read_jsonl(done.out)} == {"page"}
    del raw["annotator"]
    with pytest.raises(InputError, match="no annotator; pass --annotator"):
        ingest_verdicts(write_json(tmp_path / "v.json", raw), packet=packet, out=tmp_path / "y.jsonl")
