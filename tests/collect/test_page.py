"""collect.html: blind, self-contained, and carrying exactly the tasks' shown fields."""

from __future__ import annotations

import doctest
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import curate.cli.collect  # noqa: F401  (registers `collect` and its page commands)
from curate.cli.app import app
from curate.collect.packet import PAGE, read_key, read_packet_info, read_tasks
import curate.collect.page as page_module
from curate.collect.page import write_collect_page
from curate.errors import InputError
from tests.conftest import FIXTURES

PACKET_FIXTURE = FIXTURES / "collect" / "packet"
DATA = re.compile(r'<script type="application/json" id="packet-data">(.*?)</script>', re.DOTALL)


@pytest.fixture
def packet(tmp_path) -> Path:
    return shutil.copytree(PACKET_FIXTURE, tmp_path / "packet")


def run_cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _embedded(html: str) -> dict:
    (data,) = DATA.findall(html)
    return json.loads(data)


def test_the_page_names_no_variant_model_or_temperature_of_the_key(packet):
    html = write_collect_page(packet).read_text()
    hidden = {str(value) for entry in read_key(packet).values() for side in (entry.a, entry.b)
              for value in (side.variant, side.model_ref, side.temperature)}
    assert hidden == {"chat-step1200", "chat-step1400", "checkpoints/rlhf_v4-step1200",
                      "checkpoints/rlhf_v4-step1400", "0.7", "1.0", "1.3"}
    assert [value for value in hidden if value in html] == []
    assert "repeat_of" not in html and "0001" not in _embedded(html)["tasks"][3].values()


def test_the_page_carries_each_task_as_shown_in_packet_order(packet):
    html = write_collect_page(packet).read_text()
    data = _embedded(html)
    assert data["packet_id"] == read_packet_info(packet).packet_id
    assert data["tasks"] == [
        {"task_id": t.task_id, "prompt": [m.model_dump() for m in t.prompt],
         "response_a": t.response_a, "response_b": t.response_b, "criterion": t.criterion}
        for t in read_tasks(packet)]  # "</script>" and "<b>" in the texts arrive intact


def test_the_page_is_self_contained(packet):
    html = write_collect_page(packet).read_text()
    assert "default-src 'none'" in html  # the content security policy forbids every request
    assert not re.search(r"https?://|\bsrc=|<link\b|@import", html)


def test_the_same_packet_gives_the_same_page_bytes_and_out_puts_it_elsewhere(packet, tmp_path):
    first = write_collect_page(packet)
    assert first == packet / PAGE
    other = write_collect_page(packet, out=tmp_path / "for-annotators" / "week15.html")
    assert other.read_bytes() == first.read_bytes()


def test_a_packet_without_tasks_is_refused_by_name(packet):
    (packet / "tasks.jsonl").write_text("")
    with pytest.raises(InputError, match=r"packet 5342aecf1f0dabd1: no tasks to annotate"):
        write_collect_page(packet)


def test_a_folder_that_is_no_packet_names_the_file_and_the_fix(tmp_path):
    with pytest.raises(InputError, match=r"packet.json: no such file; re-create the packet"):
        write_collect_page(tmp_path)


def test_docstring_examples_hold():
    result = doctest.testmod(page_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_the_page_command_writes_the_page_and_says_where(packet, tmp_path):
    result = run_cli("collect", "page", packet)
    assert result.exit_code == 0, result.output
    assert result.output == (f"annotator's page: {packet / PAGE} (give the annotator this file "
                             "only; key.json stays with you)\n")
    elsewhere = tmp_path / "week15.html"
    assert run_cli("collect", "page", packet, "--out", elsewhere).exit_code == 0
    assert elsewhere.read_bytes() == (packet / PAGE).read_bytes()


def test_the_page_command_on_a_folder_without_a_packet_exits_2_in_one_line(tmp_path):
    result = subprocess.run(["curate", "collect", "page", str(tmp_path)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (f"error: {tmp_path / 'packet.json'}: no such file; re-create the "
                             "packet with `curate collect sample` (same inputs, same seed)\n")
