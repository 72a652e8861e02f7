"""review.html in a real headless Chromium: keyboard verdicts, reload, export, then score.

Needs Debian's chromium and chromium-driver and selenium (see docs/audit.md, "Testing"). Where
they are missing the test is skipped, except under CI (CI=1), where that is a failure.
"""

from __future__ import annotations

import json

from curate.audit import sample_packet
from tests.browser import browser_or_skip, press, reload, text, wait_for_file

from .conftest import FIXTURE_HUMAN, FIXTURE_MODEL, run_cli


def test_keyboard_verdicts_survive_reload_and_the_export_scores_as_given(tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    packet = tmp_path / "packet"
    sample_packet(FIXTURE_HUMAN, FIXTURE_MODEL, out=packet, seed=0)  # 7 paired prompts
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = browser_or_skip(tmp_path, downloads)
    try:
        driver.get((packet / "review.html").resolve().as_uri())
        assert text(driver, "where") == "Item 001 (1 of 7)"
        press(driver, "a2tx")  # A better, B better, tie, both bad; each moves on
        assert text(driver, "progress-text") == "4 / 7 judged"
        assert text(driver, "where") == "Item 005 (5 of 7)"

        reload(driver, "curate-audit:")
        assert text(driver, "progress-text") == "4 / 7 judged"
        assert text(driver, "where") == "Item 005 (5 of 7)"
        press(driver, "k")
        assert text(driver, "status") == "verdict: both bad"
        press(driver, "j")
        press(driver, "n")  # into the note: letters typed there are text, not verdicts
        driver.switch_to.active_element.send_keys("b is shorter but right")
        press(driver, Keys.ESCAPE)
        assert text(driver, "progress-text") == "4 / 7 judged"
        press(driver, "b14")
        assert text(driver, "progress-text") == "7 / 7 judged"

        reload(driver, "curate-audit:")
        assert text(driver, "progress-text") == "7 / 7 judged"
        driver.save_screenshot(str(tmp_path / "review.png"))
        press(driver, "e")
        exported = wait_for_file(downloads / "verdicts.json")
        shown = driver.find_element(By.ID, "export-json").get_attribute("value")
    finally:
        driver.quit()

    assert json.loads(exported) == json.loads(shown)
    given = {v["item_id"]: v["verdict"] for v in json.loads(exported)["verdicts"]}
    assert given == {"001": "a", "002": "b", "003": "tie", "004": "both_bad", "005": "b",
                     "006": "a", "007": "both_bad"}
    notes = {v["item_id"]: v["note"] for v in json.loads(exported)["verdicts"] if v["note"]}
    assert notes == {"005": "b is shorter but right"}

    key = json.loads((packet / "key.json").read_text())
    expected = {"model_wins": 0, "human_wins": 0, "ties": 1, "both_bad": 2}
    for item_id, verdict in given.items():
        if verdict in ("a", "b"):
            expected["model_wins" if key[item_id]["model"] == verdict else "human_wins"] += 1
    out = tmp_path / "score.json"
    result = run_cli("audit", "score", packet, "--verdicts", downloads / "verdicts.json",
                     "--json", out)
    assert result.exit_code == 0, result.output
    score = json.loads(out.read_text())
    assert {k: score[k] for k in expected} == expected and score["n"] == 7
