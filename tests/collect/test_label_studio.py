"""Label Studio interop: the packet as tasks + labeling config, and Label Studio's JSON export
ingested into the same records as the page's verdicts for the same choices."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import pytest

from curate.collect.ingest import ingest_verdicts
from curate.collect.label_studio import CHOICE_LABELS, DEGREE_LABELS, SAFETY_LABELS
from curate.collect.packet import read_key
from curate.errors import InputError

from .conftest import run_cli
from .test_ingest import verdicts_for, write_json


@pytest.fixture
def exported(sampled, tmp_path, monkeypatch):
    packet = shutil.copytree(sampled, tmp_path / "packet")
    assert run_cli(monkeypatch, "collect", "export-label-studio", packet, "--out",
                   tmp_path / "ls" / "tasks.json") == 0
    return packet, tmp_path / "ls"


def label_studio_export(tasks: list[dict], verdicts: dict) -> list[dict]:
    """What Label Studio's JSON export holds after an annotator gave `verdicts` in the config:
    each imported task with an id, and its annotation's regions (one per control)."""
    by_task = {v["task_id"]: v for v in verdicts["verdicts"]}
    out = []
    for number, task in enumerate(tasks, start=1):
        verdict = by_task.get(task["data"]["task_id"])
        result = []
        if verdict:
            def region(name, to_name, label):
                return {"id": f"r{number}{name}", "from_name": name, "to_name": to_name,
                        "type": "choices", "origin": "manual", "value": {"choices": [label]}}
            result = [region("choice", "prompt", CHOICE_LABELS[verdict["choice"]]),
                      region("degree", "prompt", DEGREE_LABELS[verdict["degree"].replace(
                          "unsure", "negligibly_better")]),
                      region("a_safe", "response_a", SAFETY_LABELS[verdict["a_safe"]]),
                      region("b_safe", "response_b", SAFETY_LABELS[verdict["b_safe"]]),
                      {"id": f"r{number}c", "from_name": "comment", "to_name": "prompt",
                       "type": "textarea", "origin": "manual", "value": {"text": [verdict["comment"]]}}]
        annotations = [{"id": 100 + number, "completed_by": 1, "result": result,
                        "was_cancelled": False, "ground_truth": False, "lead_time": 9.5,
                        "task": number, "created_at": "2023-04-14T10:00:00.000000Z"}] if result else []
        out.append({"id": number, "data": task["data"], "annotations": annotations,
                    "predictions": [], "meta": {}, "project": 3,
                    "created_at": "2023-04-13T09:00:00.000000Z"})
    return out


def test_label_studio_export_gives_the_same_records_as_the_page(exported, tmp_path):
    packet, folder = exported
    page = verdicts_for(packet)
    tasks = json.loads((folder / "tasks.json").read_text())
    export = write_json(tmp_path / "project-3-at-2023-04-14.json", label_studio_export(tasks, page))
    from_page = ingest_verdicts(write_json(tmp_path / "v.json", page), packet=packet,
                                annotator="ann-7", out=tmp_path / "page.jsonl")
    from_ls = ingest_verdicts(export, packet=packet, annotator="ann-7", out=tmp_path / "ls.jsonl")
    assert from_ls.n_records == from_page.n_records == 5
    assert (tmp_path / "ls.jsonl").read_bytes() == (tmp_path / "page.jsonl").read_bytes()


def test_tasks_are_blind_and_the_config_names_what_the_export_is_read_by(exported):
    packet, folder = exported
    tasks = json.loads((folder / "tasks.json").read_text())
    assert [sorted(t) for t in tasks] == [["data"]] * 6
    assert sorted(tasks[0]["data"]) == ["criterion", "packet_id", "prompt", "response_a",
                                        "response_b", "task_id"]
    text = (folder / "tasks.json").read_text()
    hidden = {s.variant for e in read_key(packet).values() for s in (e.a, e.b)}
    assert [v for v in hidden if v in text] == [] and "repeat_of" not in text
    config = ET.fromstring((folder / "label_config.xml").read_text())
    objects = {e.get("name"): e.get("value") for e in config.iter() if e.tag in ("Text", "Paragraphs")}
    assert objects == {"prompt": "$prompt", "response_a": "$response_a", "response_b": "$response_b"}
    controls = {e.get("name"): (e.tag, e.get("toName"), [c.get("value") for c in e])
                for e in config.iter() if e.tag in ("Choices", "TextArea")}
    assert controls == {
        "a_safe": ("Choices", "response_a", ["Safe", "Unsafe"]),
        "b_safe": ("Choices", "response_b", ["Safe", "Unsafe"]),
        "choice": ("Choices", "prompt", ["A", "B"]),
        "degree": ("Choices", "prompt", ["Significantly better", "Better", "Slightly better",
                                          "Negligibly better / unsure"]),
        "comment": ("TextArea", "prompt", [])}
    assert all(e.get("required") == "true" for e in config.iter("Choices"))


def test_a_cancelled_or_incomplete_annotation_is_not_a_verdict(exported, tmp_path):
    packet, folder = exported
    tasks = json.loads((folder / "tasks.json").read_text())
    export = label_studio_export(tasks, verdicts_for(packet))
    export[0]["annotations"][0]["was_cancelled"] = True
    export[1]["annotations"].append(dict(export[1]["annotations"][0], id=999, completed_by=2))
    done = ingest_verdicts(write_json(tmp_path / "e.json", export), packet=packet, annotator="a",
                           out=tmp_path / "b.jsonl")
    assert (done.n_unjudged, done.n_extra_annotations) == (1, 1)
    export[2]["annotations"][0]["result"] = [r for r in export[2]["annotations"][0]["result"]
                                             if r["from_name"] != "degree"]
    with pytest.raises(InputError, match=r"task 0003 \(Label Studio id 3\): the annotation has no "
                                         "`degree`"):
        ingest_verdicts(write_json(tmp_path / "e.json", export), packet=packet, annotator="a",
                        out=tmp_path / "c.jsonl")
    with pytest.raises(InputError, match="not Label Studio's JSON export.*not JSON-MIN"):
        ingest_verdicts(write_json(tmp_path / "min.json", [{"id": 1, "choice": "A"}]),
                        packet=packet, annotator="a", out=tmp_path / "d.jsonl")
