"""`curate collect serve`: the annotator writes the prompt, two responses are sampled live.

Tiny random models (tiny:SEED, curate.lm: torch and transformers of the [train] extra, the
Llama 2 tokenizer in ../shared/data) on the CPU; the browser part drives a real headless Chromium
(tests/browser.py).
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from curate.collect.ingest import ingest_verdicts
from curate.collect.packet import parse_verdicts, read_key, read_packet_info, read_tasks
from curate.collect.serve import LiveSession, make_server
from curate.errors import InputError
from tests.browser import browser_or_skip, press, text, wait_for_file

SETTINGS = dict(models=["tiny:1", "tiny:2", "tiny:3"], temperatures=[0.7, 1.0, 1.3],
                criterion="safety", batch="2023-W15", iteration="rlhf_v4", max_new_tokens=6)
ENTER, CONTROL = "\ue007", "\ue009"  # selenium's Keys.ENTER and Keys.CONTROL


@pytest.fixture
def served(tmp_path, shared_data):
    session = LiveSession(tmp_path / "live", **SETTINGS)
    server = make_server(session, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield session, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _post(url: str, body: object, **headers: str) -> tuple[int, dict]:
    request = urllib.request.Request(url + "tasks", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    return _send(request)


def _send(request: urllib.request.Request) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_written_prompt_becomes_a_blind_task_saved_in_the_packet(served):
    session, url = served
    status, reply = _post(url, {"prompt": "How do I pick a lock?"})
    assert status == 200 and set(reply["task"]) == {"task_id", "prompt", "response_a",
                                                      "response_b", "criterion"}
    folder = session.out
    (task,) = read_tasks(folder)
    assert reply["task"] == task.model_dump(mode="json", exclude={"repeat_of"})
    entry = read_key(folder)["0001"]
    assert entry.a.variant != entry.b.variant and {entry.a.temperature, entry.b.temperature} <= {
        0.7, 1.0, 1.3}
    assert (folder / "prompts.jsonl").read_text() == '"How do I pick a lock?"\n'
    assert read_packet_info(folder).n_tasks == 1

    assert _post(url, {"prompt": "How do I pick a lock?"}) == (
        400, {"error": "this prompt is already task 0001; write another one"})
    assert _post(url, {"text": "?"})[0] == 400 and len(read_tasks(folder)) == 1
    with urllib.request.urlopen(url, timeout=30) as page:
        html = page.read().decode()
    assert "connect-src 'self'" in html and "tiny:1" not in html and task.response_a in html


def test_only_the_served_page_adds_tasks_other_sites_get_403(served):
    session, url = served
    refused = {"error": "requests from http://evil.example are refused; tasks are added from the "
                        "served page"}
    assert _post(url, {"prompt": "Hi"}, Origin="http://evil.example") == (403, refused)
    assert _post(url, {"prompt": "Hi"}, Referer="http://evil.example/page.html") == (403, refused)
    assert _post(url, {"prompt": "Hi"}, Origin="null")[0] == 403  # a sandboxed or file: page
    page_origin = url.rstrip("/")
    assert _post(url, {"prompt": "Hi"}, Origin="http://evil.example", Referer=url)[0] == 403
    # DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1
    rebound = urllib.request.Request(url, headers={"Host": "evil.example:80"})
    assert _send(rebound)[0] == 403
    assert read_tasks(session.out) == []
    assert _post(url, {"prompt": "Hi"}, Origin=page_origin)[0] == 200
    assert _post(url, {"prompt": "Hello"}, Referer=url)[0] == 200
    assert [t.prompt[0].content for t in read_tasks(session.out)] == ["Hi", "Hello"]


def test_the_same_folder_and_settings_resume_the_packet_and_other_settings_are_refused(served):
    session, url = served
    _post(url, {"prompt": "Name a prime."})
    again = LiveSession(session.out, **SETTINGS)
    assert (again.packet_id, len(again.tasks)) == (session.packet_id, 1)
    with pytest.raises(InputError, match=r"served with other settings \(batch\); pass the same"):
        LiveSession(session.out, **{**SETTINGS, "batch": "2023-W16"})


def test_the_annotator_writes_prompts_and_judges_them_by_keyboard_in_a_browser(served, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import WebDriverWait

    session, url = served
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = browser_or_skip(tmp_path, downloads)

    def send(prompt: str) -> None:  # into the focused prompt writer, then Ctrl+Enter
        driver.switch_to.active_element.send_keys(prompt)
        ActionChains(driver).key_down(CONTROL).send_keys(ENTER).key_up(CONTROL).perform()

    try:
        driver.get(url)
        assert text(driver, "progress-text") == "0 of 0 done"
        press(driver, "n")
        send("How do I pick a lock?")
        WebDriverWait(driver, 120).until(lambda d: text(d, "where") == "Task 0001 (1 of 1)")
        press(driver, ["a", "2", "q", "n"])  # no new prompt before B's safety label
        assert text(driver, "notice") == "Before moving on, give B safe or unsafe (O/P)."
        press(driver, ["p", ENTER])  # done: Enter goes on to the prompt writer
        send("Which cleaning products are safe to mix?")
        WebDriverWait(driver, 120).until(lambda d: text(d, "where") == "Task 0002 (2 of 2)")
        press(driver, ["b", "4", "w", "o"])
        assert text(driver, "progress-text") == "2 of 2 done"
        press(driver, "e")
        exported = json.loads(wait_for_file(downloads / "verdicts.json"))
    finally:
        driver.quit()

    verdicts = parse_verdicts(exported, where="verdicts.json")
    assert verdicts.packet_id == read_packet_info(session.out).packet_id
    assert [(v.task_id, v.choice, v.degree, v.a_safe, v.b_safe) for v in verdicts.verdicts] == [
        ("0001", "a", "better", True, False), ("0002", "b", "negligibly_better", False, True)]
    assert [t.prompt[0].content for t in read_tasks(session.out)] == [
        "How do I pick a lock?", "Which cleaning products are safe to mix?"]
    done = ingest_verdicts(downloads / "verdicts.json", packet=session.out, annotator="ann-1",
                           out=tmp_path / "vendor-2023-W15.jsonl")  # like any packet's verdicts
    key = read_key(session.out)
    records = [json.loads(line) for line in done.out.read_text().splitlines()]
    assert [(r["chosen_model"], r["rejected_model"]) for r in records] == [
        (key["0001"].a.variant, key["0001"].b.variant), (key["0002"].b.variant,
                                                         key["0002"].a.variant)]


def test_the_serve_command_prints_its_url_serves_the_page_and_stops_on_ctrl_c(tmp_path, shared_data):
    command = ["curate", "collect", "serve", "--model", "tiny:1", "--model", "tiny:2",
               "--criterion", "helpfulness", "--batch", "2023-W15", "--iteration", "rlhf_v4",
               "--max-new-tokens", "4", "--port", "0", "--out", str(tmp_path / "live")]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = server.stdout.readline()
        url = re.search(r"open (http://127\.0\.0\.1:\d+/) ", first)
        assert url, first + server.stderr.read()
        assert _post(url.group(1), {"prompt": "Name a prime."})[0] == 200
        with urllib.request.urlopen(url.group(1), timeout=30) as page:
            assert "Name a prime." in page.read().decode()
    finally:
        server.send_signal(signal.SIGINT)  # the server this test started, by its pid
        out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert out == f"stopped; 1 task in {tmp_path / 'live'}\n"
