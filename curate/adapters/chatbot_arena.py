"""Chatbot Arena battles: two models answer the same user turns; the user's vote picks one.

Fields (lmsys/chatbot_arena_conversations dataset card and its `dataset_info` features):
question_id, model_a, model_b, winner (model_a | model_b | tie | tie (bothbad)), judge,
conversation_a, conversation_b (lists of {role, content}), turn, anony, language, tstamp,
openai_moderation, toxic_chat_tag. lmsys/mt_bench_human_judgments has the same layout
(question_id an int; judge an expert or gpt4_pair; both turns in every conversation, `turn`
saying which one was judged).

Mapping: the judged turn is `turn` (default: the last): prompt = the winner's conversation up
to that turn's user message, chosen / rejected = the winner's and the loser's answer to it.
The two conversations must hold the same user turns up to it (else Reject
`conversation_mismatch`); their earlier answers differ in a multi-turn battle, and the
winner's are kept, as a conversation goes on with the preferred answer. A tie (`tie`,
`tie (bothbad)`) prefers neither: Skip `tie`; another value: Reject `no_preference`.
chosen_model / rejected_model = model_a / model_b by the vote; annotator = judge;
criterion = helpfulness (users vote for the better answer overall). Message keys beside role
and content (num_tokens) and the moderation tags are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.adapters.base import NAMED_DATASET, Adapter, Reject, Skip, optional, require
from curate.adapters.dialogue import parse_messages

SIDES = {"model_a": "a", "model_b": "b"}
TIES = ("tie", "tie (bothbad)")


def _conversation(row: Mapping[str, Any], field: str) -> list[dict[str, str]]:
    value = require(row, field, list, format_name="chatbot-arena")
    # only role and content make a turn: other keys (num_tokens) are the dataset's bookkeeping
    return parse_messages([{k: m[k] for k in ("role", "content") if k in m}
                           if isinstance(m, dict) else m for m in value], field=field)


def _judged(conversation: list[dict[str, str]], turn: int | None, field: str) -> int:
    """The index of the answer judged: the `turn`-th assistant message (default: the last)."""
    answers = [i for i, m in enumerate(conversation) if m["role"] == "assistant"]
    if not answers or (turn is not None and not 1 <= turn <= len(answers)):
        raise Reject(f"`{field}` holds {len(answers)} assistant answer(s), so turn "
                     f"{'(last)' if turn is None else turn} was not answered",
                     field=field, reason="conversation_mismatch")
    at = answers[-1 if turn is None else turn - 1]
    if at == 0 or conversation[at - 1]["role"] != "user":
        raise Reject(f"`{field}[{at}]` answers no user message (the turn before it is not the "
                     "user's)", field=field, reason="conversation_mismatch")
    return at


def _asked(conversation: list[dict[str, str]], end: int) -> list[dict[str, str]]:
    return [m for m in conversation[:end] if m["role"] != "assistant"]


class ChatbotArena(Adapter):
    name = "chatbot-arena"
    kind = "preference"
    priority = NAMED_DATASET
    fields = ("model_a", "model_b", "winner", "conversation_a", "conversation_b")
    columns = (*fields, "turn", "judge")  # read; the others are listed as ignored
    description = ("lmsys/chatbot_arena_conversations (and mt_bench_human_judgments): the winner "
                   "side's answer to the judged turn is chosen, the other rejected; prompt = "
                   "the winner's conversation up to that turn; ties skipped; helpfulness")

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        winner = require(row, "winner", format_name=self.name)
        if winner in TIES:
            raise Skip(f"the vote is a tie ({winner!r}): neither answer is preferred",
                       field="winner", reason="tie")
        if winner not in SIDES:
            raise Reject(f"field `winner` is {winner!r}; a vote is model_a or model_b (or a tie: "
                         f"{', '.join(TIES)})", field="winner", reason="no_preference")
        turn = optional(row, "turn", int, None)
        sides = {s: _conversation(row, f"conversation_{s}") for s in "ab"}
        ends = {s: _judged(c, turn, f"conversation_{s}") for s, c in sides.items()}
        if _asked(sides["a"], ends["a"]) != _asked(sides["b"], ends["b"]):
            raise Reject("`conversation_a` and `conversation_b` hold different user turns, so "
                         "their answers do not answer the same prompt", field="conversation_b",
                         reason="conversation_mismatch")
        best = SIDES[winner]
        other = "b" if best == "a" else "a"
        return [{"prompt": sides[best][:ends[best]],
                 "chosen": sides[best][ends[best]]["content"],
                 "rejected": sides[other][ends[other]]["content"],
                 "criterion": "helpfulness",
                 "chosen_model": optional(row, f"model_{best}", str, None),
                 "rejected_model": optional(row, f"model_{other}", str, None),
                 "annotator": optional(row, "judge", str, None), "source": self.name}]


__all__ = ["ChatbotArena"]
