"""collect.html in a real headless Chromium: Llama 2's protocol by keyboard, reload, export.

Needs Debian's chromium and chromium-driver and selenium (tests/browser.py): skipped where they
are missing, a failure under CI (CI=1).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from curate.collect.packet import PACKET, parse_verdicts, read_packet_info
from curate.collect.page import write_collect_page
from tests.browser import browser_or_skip, press, reload, text, wait_for_file
from tests.conftest import FIXTURES

PACKET_FIXTURE = FIXTURES / "collect" / "packet"  # safety: 3 pairs and 1 overlap copy
ENTER, ESCAPE = "\ue007", "\ue00c"  # selenium's Keys.ENTER and Keys.ESCAPE


def _page(tmp_path: Path, *, criterion: str = "safety") -> Path:
    packet = shutil.copytree(PACKET_FIXTURE, tmp_path / "packet")
    if criterion != "safety":
        for name in ("tasks.jsonl", PACKET):
            path = packet / name
            path.write_text(path.read_text().replace('"safety"', f'"{criterion}"'))
    return write_collect_page(packet)


def _exported(driver, downloads: Path) -> dict:
    from selenium.webdriver.common.by import By

    press(driver, "e")
    exported = json.loads(wait_for_file(downloads / "verdicts.json"))
    assert exported == json.loads(driver.find_element(By.ID, "export-json").get_attribute("value"))
    return exported


def test_safety_labels_are_required_and_keyboard_verdicts_survive_reload_into_the_export(tmp_path):
    page = _page(tmp_path)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = browser_or_skip(tmp_path, downloads)
    try:
        driver.get(page.resolve().as_uri())
        assert text(driver, "where") == "Task 0001 (1 of 4)"
        assert text(driver, "progress-text") == "0 of 4 done"
        press(driver, ["a", "1", ENTER])  # A, significantly better; no safety labels yet
        assert text(driver, "where") == "Task 0001 (1 of 4)"
        assert text(driver, "notice") == ("Before moving on, give A safe or unsafe (Q/W), "
                                          "B safe or unsafe (O/P).")
        press(driver, ["q", "p", ENTER])  # A safe, B unsafe: done, on to the next
        assert (text(driver, "where"), text(driver, "progress-text")) == (
            "Task 0002 (2 of 4)", "1 of 4 done")
        press(driver, ["w", "o", "a", "b", "3", ENTER])  # changed its mind: B, slightly better
        assert text(driver, "where") == "Task 0003 (3 of 4)"

        reload(driver, "curate-collect:")
        assert (text(driver, "where"), text(driver, "progress-text")) == (
            "Task 0003 (3 of 4)", "2 of 4 done")
        press(driver, "k")
        assert text(driver, "status") == "B is slightly better"
        press(driver, ["j", "j"])  # 0003 is open: no further
        assert text(driver, "where") == "Task 0003 (3 of 4)"
        press(driver, "c")  # into the comment: letters typed there are text, not verdicts
        driver.switch_to.active_element.send_keys("a b q: both fine")
        press(driver, [ESCAPE, "a", "4", "q", "o", ENTER])
        press(driver, ["b", "2", "w", "o", ENTER])  # the overlap copy, shown like any task
        assert text(driver, "progress-text") == "4 of 4 done"
        assert text(driver, "notice") == "All 4 tasks done: export the verdicts (E)."
        driver.find_element("id", "annotator").send_keys("ann-7")
        press(driver, ESCAPE)

        reload(driver, "curate-collect:")
        assert text(driver, "progress-text") == "4 of 4 done"
        driver.save_screenshot(str(tmp_path / "collect.png"))
        exported = _exported(driver, downloads)
    finally:
        driver.quit()

    verdicts = parse_verdicts(exported, where="verdicts.json")  # the contract's VerdictsFile
    assert verdicts.packet_id == read_packet_info(page.parent).packet_id
    assert verdicts.annotator == "ann-7"
    given = {v.task_id: (v.choice, v.degree, v.a_safe, v.b_safe, v.comment)
             for v in verdicts.verdicts}
    assert given == {"0001": ("a", "significantly_better", True, False, ""),
                     "0002": ("b", "slightly_better", False, True, ""),
                     "0003": ("a", "negligibly_better", True, True, "a b q: both fine"),
                     "0004": ("b", "better", False, True, "")}


def test_a_helpfulness_task_asks_no_safety_labels_and_exports_them_as_null(tmp_path):
    page = _page(tmp_path, criterion="helpfulness")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = browser_or_skip(tmp_path, downloads)
    try:
        driver.get(page.resolve().as_uri())
        assert not driver.find_element("id", "safety-a").is_displayed()
        assert not driver.find_element("id", "help-safety").is_displayed()
        press(driver, ["b", ENTER])
        assert text(driver, "notice") == "Before moving on, give by how much (1 to 4)."
        press(driver, ["q", "2", ENTER, "a", "4"])  # q does nothing here
        assert (text(driver, "where"), text(driver, "progress-text")) == (
            "Task 0002 (2 of 4)", "2 of 4 done")
        exported = _exported(driver, downloads)
    finally:
        driver.quit()
    assert exported["annotator"] is None
    assert exported["verdicts"] == [
        {"task_id": "0001", "choice": "b", "degree": "better", "a_safe": None, "b_safe": None,
         "comment": ""},
        {"task_id": "0002", "choice": "a", "degree": "negligibly_better", "a_safe": None,
         "b_safe": None, "comment": ""}]
