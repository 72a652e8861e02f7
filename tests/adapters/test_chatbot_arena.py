"""chatbot-arena: the vote picks conversation_a or _b; ties are skipped, not invalid."""

import json

import pytest

import curate
from curate.adapters import Reject, detect, get_adapter
from curate.reading import scan_batches
from tests.conftest import FIXTURES

ARENA = FIXTURES / "chatbot_arena" / "chatbot_arena_conversations.jsonl"
MT_BENCH = FIXTURES / "chatbot_arena" / "mt_bench_human_judgments.jsonl"


def rows_of(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_arena_votes_become_helpfulness_pairs_with_their_models():
    batch, = scan_batches(ARENA)  # detected
    assert batch.source_format == "chatbot-arena"
    got = [([(t["role"], t["content"]) for t in r["prompt"]], r["chosen"], r["rejected"],
            r["chosen_model"], r["rejected_model"], r["annotator"], r["_line"])
           for r in batch.frame.iter_rows(named=True)]
    q1 = "What is the difference between a list and a tuple in Python?"
    assert got[0] == ([("user", q1)], "A list is mutable: you can change it after creating it. "
                      "A tuple is immutable.", "A list is a type of data.", "koala-13b",
                      "chatglm-6b", "arena_user_973", 1)
    assert got[1] == ([("user", "Translate 'good morning' into German.")], "Guten Morgen.",
                      "Good morning in German is 'Gute Nacht'.", "vicuna-13b", "alpaca-13b",
                      "arena_user_1052", 2)
    # two turns: the winner's first answer is the history, the last answers are compared
    assert got[2] == ([("user", "Suggest a name for a bakery."),
                       ("assistant", "How about \"Rise & Shine Bakery\"?"),
                       ("user", "Make it sound French.")],
                      "\"Le Petit Levain\" sounds French and cosy.",
                      "\"Golden Crust Boulangerie\".", "gpt-4", "claude-v1", "arena_user_1741", 5)
    assert set(batch.frame["criterion"]) == {"helpfulness"}
    assert [(p.line, p.reason, p.skipped, p.field) for p in batch.problems] == [
        (3, "tie", True, "winner"), (4, "tie", True, "winner")]


def test_validate_skips_ties_and_passes():
    report = curate.validate(ARENA)
    assert (report.n_valid, report.n_rejected, report.n_skipped) == (3, 0, 2)
    assert report.ok


def test_mt_bench_judgments_compare_the_judged_turn():
    first, second = curate.read(MT_BENCH).iter_rows(named=True)  # detected as chatbot-arena
    travel = "Compose an engaging travel blog post about a recent trip to Hawaii."
    assert [t["content"] for t in first["prompt"]] == [travel]  # turn 1, though both are there
    assert (first["chosen"], first["rejected"]) == (
        "Aloha! My trip to Hawaii began on Oahu, where ...", "Hawaii is nice.")
    assert (first["chosen_model"], first["annotator"]) == ("gpt-3.5-turbo", "expert_0")
    assert [t["role"] for t in second["prompt"]] == ["user", "assistant", "user"]
    assert second["prompt"][1]["content"] == "Aloha! My trip to Hawaii began on Oahu, where ..."
    assert (second["chosen"], second["rejected"], second["chosen_model"]) == (
        "Aloha! A trip to Hawaii always ...", "Hawaii is nice, always.", "gpt-3.5-turbo")


@pytest.mark.parametrize(("change", "reason", "field"), [
    ({"winner": "model_c"}, "no_preference", "winner"),
    ({"conversation_b": [{"role": "user", "content": "Another question?"},
                         {"role": "assistant", "content": "Another answer."}]},
     "conversation_mismatch", "conversation_b"),
    ({"conversation_a": [{"role": "user", "content": "Unanswered?"}]},
     "conversation_mismatch", "conversation_a"),
    ({"turn": 3}, "conversation_mismatch", "conversation_a"),
    ({"conversation_a": "not a list"}, "bad_field", "conversation_a"),
])
def test_rows_that_are_no_comparison_are_rejected_with_the_reason(change, reason, field):
    row = {**rows_of(ARENA)[0], **change}
    with pytest.raises(Reject) as exc:
        get_adapter("chatbot-arena").convert(row)
    assert (exc.value.reason, exc.value.field) == (reason, field)


def test_message_keys_beside_role_and_content_are_ignored():
    row = rows_of(ARENA)[1]
    for side in ("conversation_a", "conversation_b"):
        row[side] = [{**m, "num_tokens": 7} for m in row[side]]
    assert detect(row, where="x").name == "chatbot-arena"
    record, = get_adapter("chatbot-arena").convert(row)
    assert record["prompt"] == [{"role": "user", "content": "Translate 'good morning' into German."}]
