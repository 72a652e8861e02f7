"""oasst, oasst-sft, oasst-best-path: OpenAssistant trees (tree export or flat messages)."""

import doctest
import json
import subprocess
import sys
from collections import Counter

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import curate
import curate.adapters.oasst
from curate.adapters import Reject, Skip, detect, get_adapter
from curate.adapters.oasst import OASST
from curate.reading import scan_batches
from tests.conftest import FIXTURES

TREES = FIXTURES / "oasst" / "trees.jsonl"
MESSAGES = FIXTURES / "oasst" / "messages.jsonl"

Q = "What is a good way to learn to cook at home?"
A1 = ("Start with five simple dishes you like and cook each one several times until you no "
      "longer need the recipe.")
P1 = "How do I keep my kitchen knife sharp?"
A12 = "Hone it often and sharpen it on a whetstone every few months."
P5 = "Which whetstone grit should I buy first?"
A51 = "A combination 1000/6000 stone: 1000 to sharpen, 6000 to polish."
A52 = "Get a 1000 grit stone; it is enough for most kitchen knives."
DEEP = [("user", Q), ("assistant", A1), ("user", P1), ("assistant", A12), ("user", P5)]
EGG, EGG_GOOD, EGG_BAD = ("Wie lange kocht man ein weiches Ei?",
                          "Etwa fünf bis sechs Minuten in kochendem Wasser.", "Zehn Minuten.")


def read_all(path, format=None):
    """The records (with `_line`) and the problems of a file, as curate's readers see them."""
    batches = list(scan_batches(path, format=format))
    frame = pl.concat([b.frame for b in batches])
    return frame, [p for b in batches for p in b.problems], batches[0].source_format


def pairs(frame):
    return [([(t["role"], t["content"]) for t in r["prompt"]], r["chosen"], r["rejected"])
            for r in frame.iter_rows(named=True)]


def dialogues(frame):
    return [[(t["role"], t["content"]) for t in r["messages"]] for r in frame.iter_rows(named=True)]


def reasons(problems):
    assert all(p.skipped for p in problems)  # left out by a rule, none invalid
    return Counter(p.reason for p in problems)


def test_tree_export_gives_every_ranked_sibling_pair_at_every_depth():
    frame, problems, fmt = read_all(TREES)  # detected
    assert fmt == "oasst"
    assert pairs(frame) == [
        ([("user", Q)], A1, "Watch cooking videos and follow along."),
        ([("user", Q), ("assistant", A1), ("user", P1)], A12,
         "Run it along a honing rod before each use."),
        (DEEP, A51, A52),
        (DEEP, A51, "Any grit works."),
        (DEEP, A52, "Any grit works."),
        ([("user", EGG)], EGG_GOOD, EGG_BAD),
    ]
    assert set(frame["criterion"]) == {"helpfulness"} and set(frame["source"]) == {"oasst"}
    # people wrote the replies; the synthetic one names its model
    assert frame["chosen_model"].to_list() == [None] * 6
    assert frame["rejected_model"].to_list() == [None] * 5 + ["oasst-sft-1-pythia-12b"]
    assert frame["_line"].to_list() == [1, 1, 1, 1, 1, 2]  # the tree's row


def test_left_out_messages_are_skipped_with_their_reason_and_path():
    _, problems, _ = read_all(TREES)
    assert reasons(problems) == {"no_ranked_replies": 3, "unranked": 2, "deleted": 1,
                                 "review_failed": 1, "parent_excluded": 1}
    by_reason = {p.reason: p for p in problems}
    assert by_reason["deleted"].field == "prompt.replies.0.replies.0.replies.2.deleted"
    assert by_reason["review_failed"].field == "prompt.replies.2.review_result"
    assert "failed review" in by_reason["review_failed"].message
    assert by_reason["parent_excluded"].field == "prompt.replies.2.replies.0.parent_id"
    assert {p.line for p in problems if p.reason == "no_ranked_replies"} == {1, 3}


def test_flat_messages_give_the_same_records_as_the_tree_export(tmp_path):
    trees, tree_problems, _ = read_all(TREES)
    flat, flat_problems, fmt = read_all(MESSAGES)
    assert fmt == "oasst"
    columns = [c for c in trees.columns if not c.startswith("_")]
    assert flat.select(columns).equals(trees.select(columns))
    assert reasons(flat_problems) == reasons(tree_problems)
    # a record's line is its chosen reply's row (a51 is row 5, written before its parent)
    assert flat["_line"].to_list() == [2, 6, 5, 5, 8, 19]
    rows = [json.loads(line) for line in MESSAGES.read_text().splitlines()]
    parquet = tmp_path / "train-00000-of-00001.parquet"  # the Hub's flat messages as Parquet
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    from_parquet, _, _ = read_all(parquet)
    assert from_parquet.select(columns).equals(trees.select(columns))


@pytest.mark.parametrize("format", ["oasst", "oasst-sft", "oasst-best-path"])
def test_every_message_row_is_in_a_record_or_has_its_reason(format):
    frame, problems, _ = read_all(MESSAGES, format=format)
    texts = {json.loads(line)["text"]: n
             for n, line in enumerate(MESSAGES.read_text().splitlines(), 1)}
    column = "prompt" if "prompt" in frame.columns else "messages"
    used = {t["content"] for turns in frame[column].to_list() for t in turns}
    used |= set(frame["chosen"]) | set(frame["rejected"]) if "chosen" in frame.columns else set()
    with_reason = {p.line for p in problems}
    assert len(with_reason) == len(problems)  # one reason per row
    for text, line in texts.items():
        assert (text in used) != (line in with_reason), (format, line, text)


def test_oasst_sft_gives_every_thread_down_to_a_reply_no_thread_continues():
    frame, problems, _ = read_all(TREES, format="oasst-sft")
    cook = [("user", Q), ("assistant", A1)]
    assert dialogues(frame) == [
        [*DEEP, ("assistant", A51)],
        [*DEEP, ("assistant", A52)],
        [*DEEP, ("assistant", "Any grit works.")],
        [*cook, ("user", P1), ("assistant", "Run it along a honing rod before each use.")],
        [*cook, ("user", "And how should I store fresh herbs?"),
         ("assistant", "Stand them in a glass of water in the fridge, loosely covered.")],
        # the prompter's follow-up below it was never answered: the thread ends at the reply
        [("user", Q), ("assistant", "Watch cooking videos and follow along.")],
        [("user", Q), ("assistant", "Buy a good cookbook.")],  # unranked: still a demonstration
        [("user", EGG), ("assistant", EGG_GOOD)],
        [("user", EGG), ("assistant", EGG_BAD)],
    ]
    assert frame["origin"].to_list() == ["third_party"] * 8 + ["model"]
    assert reasons(problems) == {"unanswered": 2, "deleted": 1, "review_failed": 1,
                                 "parent_excluded": 1}


def test_oasst_best_path_follows_the_best_rank_at_every_step():
    frame, problems, _ = read_all(MESSAGES, format="oasst-best-path")
    assert dialogues(frame) == [[*DEEP, ("assistant", A51)], [("user", EGG), ("assistant", EGG_GOOD)]]
    assert frame["_line"].to_list() == [5, 19]
    assert reasons(problems) == {"not_best_path": 8, "unanswered": 2, "deleted": 1,
                                 "review_failed": 1, "parent_excluded": 1}


def test_lang_option_keeps_the_trees_in_those_languages():
    frame = curate.read(MESSAGES, format=OASST(lang="en"))
    assert frame.height == 5 and EGG not in {t["content"] for p in frame["prompt"] for t in p}
    _, problems, _ = read_all(TREES, format=OASST(lang=["de"]))
    assert Counter(p.reason for p in problems)["lang"] == 18  # every message of trees 1, 3
    assert curate.read(TREES, format=OASST(lang="de"))["chosen"].to_list() == [EGG_GOOD]


def test_validate_counts_left_out_messages_as_skipped_not_invalid():
    report = curate.validate(MESSAGES, format="oasst")
    assert (report.n_valid, report.n_rejected, report.n_skipped) == (6, 0, 8)
    assert report.ok


def test_cli_validate_passes_counting_the_skipped_messages(tmp_path):
    report = tmp_path / "report.json"
    result = subprocess.run([sys.executable, "-c", "from curate.cli import main; main()",
                             "validate", str(TREES), "--format", "oasst",
                             "--report", str(report)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(report.read_text())
    assert (data["n_valid"], data["n_rejected"], data["n_skipped"]) == (6, 0, 8)
    assert "no_ranked_replies" in result.stdout


def _message(mid, role, text, parent=None, **extra):
    return {"message_id": mid, "parent_id": parent, "text": text, "role": role, "lang": "en",
            **extra}


def _write(tmp_path, rows, name="messages.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_flat_rows_that_fit_no_tree_are_rejected_with_the_reason(tmp_path):
    path = _write(tmp_path, [
        _message("p", "prompter", "Hi?"),
        _message("a", "assistant", "Hello.", "p", rank=0),
        _message("b", "assistant", "Go away.", "p", rank=1),
        _message("a", "assistant", "Hello again.", "p", rank=2),  # a copy of a's id
        _message("x", "assistant", "Orphan.", "gone", rank=0),  # its parent is not in the file
        _message("y", "prompter", "Below the orphan.", "x"),
        _message("c1", "prompter", "Loop one.", "c2"),  # parent_ids in a cycle
        _message("c2", "assistant", "Loop two.", "c1"),
        _message("r", "assistant", "An assistant cannot start a tree."),
        _message("t", "prompter", 42, "p"),  # text not a string
        _message("u", "assistant", "Reply to the unreadable one.", "t"),
        "not a message",
    ])
    frame, problems, _ = read_all(path, format="oasst")
    assert pairs(frame) == [([("user", "Hi?")], "Hello.", "Go away.")]
    found = {(p.line, p.reason, p.skipped, p.field) for p in problems}
    assert found == {
        (4, "duplicate_message", False, "message_id"),
        (5, "missing_parent", False, "parent_id"),
        (6, "parent_excluded", True, "parent_id"),
        (7, "missing_parent", False, "parent_id"), (8, "missing_parent", False, "parent_id"),
        (9, "bad_role", False, "role"),
        (10, "bad_field", False, "text"),
        (11, "parent_excluded", True, "parent_id"),
        (12, "bad_json", False, None),
    }
    message = {p.line: p.message for p in problems}
    assert "not in this file" in message[5] and "a cycle" in message[7]


def test_a_tree_reply_that_cannot_be_read_leaves_its_siblings_compared(tmp_path):
    reply = {"message_id": "a", "role": "assistant", "text": "4", "rank": 0}
    tree = {"message_tree_id": "q", "prompt": {
        "message_id": "q", "role": "prompter", "text": "2+2?", "replies": [
            reply, {"message_id": "b", "role": "assistant", "text": ["5"], "rank": 1},
            {**reply, "message_id": "c", "text": "22", "rank": 2},
            {"message_id": "d", "role": "prompter", "text": "me again", "rank": 3}]}}
    frame, problems, _ = read_all(_write(tmp_path, [tree]), format="oasst")
    assert pairs(frame) == [([("user", "2+2?")], "4", "22")]
    assert {(p.reason, p.field) for p in problems} == {
        ("bad_field", "prompt.replies.1.text"), ("bad_role", "prompt.replies.3.role")}


def test_convert_maps_one_tree_row_and_detection_knows_both_layouts():
    row = json.loads(TREES.read_text().splitlines()[1])
    assert [r["chosen"] for r in get_adapter("oasst").convert(row)] == [EGG_GOOD]
    assert detect(row, where="x").name == "oasst"
    assert detect(json.loads(MESSAGES.read_text().splitlines()[0]), where="x").name == "oasst"
    lonely = json.loads(TREES.read_text().splitlines()[2])  # a prompt alone
    with pytest.raises(Skip, match="no two assistant replies"):
        get_adapter("oasst").convert(lonely)
    with pytest.raises(Reject, match="message tree"):
        get_adapter("oasst-sft").convert({"id": 1})


def test_the_module_docstring_example_holds():
    result = doctest.testmod(curate.adapters.oasst)
    assert result.attempted and not result.failed
