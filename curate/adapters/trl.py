"""TRL's dataset formats: preference (explicit or implicit prompt) and SFT rows.

Source: TRL docs "Dataset formats and types" and trl/data_utils.py (`is_conversational`,
`apply_chat_template`, `extract_prompt`). Each type comes "standard" (strings) or
"conversational" (lists of {"role", "content"}):
- preference: {prompt, chosen, rejected}; conversational chosen/rejected hold the assistant
  message; optional `margin` (RewardTrainer). Implicit prompt: {chosen, rejected} hold the
  whole text/dialogue; the prompt is their longest common prefix (as `extract_prompt` does:
  for text, a space just before the first difference goes with the answers).
- SFT: {prompt, completion} (completion text, or assistant message(s)) and {messages}.
- not comparisons or dialogues, rejected with a reason: unpaired preference
  {prompt, completion, label} (`unpaired_preference`) and language modelling {text}.

Two adapter objects share the name `trl`, one per record kind. `get_adapter("trl", kind=...)`
picks by kind; without a kind, by the first row (a `chosen` column means comparisons).
Detection is strict (only TRL's own columns) so that rows with other columns are not
silently split by common prefix; `--format trl` accepts and ignores extra columns.
TRL rows say nothing about what was judged: set `criterion` (recipe or `set=`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.adapters.base import Adapter, Reject, TRL_COLUMNS, assistant_turn
from curate.adapters.dialogue import parse_messages, prompt_turns, response_text
from curate.preview import preview

PREFERENCE_COLUMNS = {"prompt", "chosen", "rejected", "margin"}
SFT_COLUMNS = {"prompt", "completion"}


def _common_length(a: list | str, b: list | str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def split_implicit(chosen: Any, rejected: Any) -> tuple[list[dict[str, str]], str, str]:
    """Prompt turns and the two answers of an implicit-prompt pair (text or dialogues)."""
    if isinstance(chosen, str) and isinstance(rejected, str):
        if chosen == rejected:
            raise Reject("`chosen` and `rejected` are the same text: no answer to compare",
                         field="chosen", reason="identical_pair")
        cut = _common_length(chosen, rejected)
        if 0 < cut < len(chosen) and chosen[cut - 1] == " ":
            cut -= 1  # the space before the first difference belongs to the answers
        if cut == 0:
            raise Reject("`chosen` and `rejected` share no prompt (no common prefix) and there "
                         "is no `prompt` column", field="prompt", reason="no_shared_prompt")
        return prompt_turns(chosen[:cut], field="chosen"), chosen[cut:], rejected[cut:]
    if isinstance(chosen, str) or isinstance(rejected, str):
        raise Reject("`chosen` and `rejected` must both be text or both be message lists",
                     field="rejected")
    chosen_turns = parse_messages(chosen, field="chosen")
    rejected_turns = parse_messages(rejected, field="rejected")
    cut = _common_length(chosen_turns, rejected_turns)
    if cut == 0:
        raise Reject("the two dialogues share no first message and there is no `prompt` "
                     "column", field="prompt", reason="no_shared_prompt")
    return (chosen_turns[:cut], response_text(chosen_turns[cut:], field="chosen"),
            response_text(rejected_turns[cut:], field="rejected"))


class TRLPreference(Adapter):
    name = "trl"
    kind = "preference"
    priority = TRL_COLUMNS
    fields = ("chosen", "rejected")
    description = "TRL preference datasets: {prompt, chosen, rejected[, margin]} or implicit prompt"

    def sniff(self, row: Mapping[str, Any]) -> bool:
        return {"chosen", "rejected"} <= set(row) <= PREFERENCE_COLUMNS

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        for name in ("chosen", "rejected"):
            if row.get(name) is None:
                raise Reject(f"missing field `{name}` required by format trl (fields present: "
                             f"{', '.join(sorted(row))})", field=name)
        if row.get("prompt") is not None:
            prompt = prompt_turns(row["prompt"], field="prompt")
            chosen = response_text(row["chosen"], field="chosen")
            rejected = response_text(row["rejected"], field="rejected")
        else:
            prompt, chosen, rejected = split_implicit(row["chosen"], row["rejected"])
        margin = row.get("margin")
        if margin is not None and (isinstance(margin, bool)
                                   or not isinstance(margin, (int, float))):
            raise Reject(f"field `margin` should be a number, got {preview(margin)}", field="margin")
        return [{"prompt": prompt, "chosen": chosen, "rejected": rejected,
                 "margin": None if margin is None else float(margin), "source": self.name}]


class TRLSFT(Adapter):
    name = "trl"
    kind = "sft"
    priority = TRL_COLUMNS
    fields = ("prompt", "completion")
    description = "TRL SFT datasets: {prompt, completion} (text or messages) or {messages}"

    def sniff(self, row: Mapping[str, Any]) -> bool:
        return set(row) == SFT_COLUMNS

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        if "label" in row:
            raise Reject("a TRL unpaired-preference row ({prompt, completion, label}) rates one "
                         "answer alone; it is neither a comparison nor a demonstration",
                         field="label", reason="unpaired_preference")
        if row.get("messages") is not None:
            return [{"messages": parse_messages(row["messages"], field="messages"),
                     "source": self.name}]
        if row.get("prompt") is None or row.get("completion") is None:
            raise Reject("a TRL SFT row needs {prompt, completion} or {messages} (a {text} "
                         "language-modelling row has no turns); fields present: "
                         f"{', '.join(sorted(row))}", field="completion")
        completion = row["completion"]
        answer = ([assistant_turn(completion)] if isinstance(completion, str)
                  else parse_messages(completion, field="completion"))
        return [{"messages": prompt_turns(row["prompt"], field="prompt") + answer,
                 "source": self.name}]


__all__ = ["TRLPreference", "TRLSFT", "split_implicit"]
