"""Alpaca-style SFT: instruction, input, output, optional history (and system).

Fields: Stanford Alpaca's alpaca_data.json {instruction, input, output}; LLaMA-Factory's
"alpaca" format (data/README.md: columns prompt=instruction, query=input,
response=output, system, history) adds `history`, a list of [user, assistant] pairs
that come before the instruction, and `system`. LIMA as LLaMA-Factory stores it
(data/lima.json: 1,029 records, 29 with history) is this format.

Mapping (SFT, one record per row):
- messages = [system] + history turns + [user, assistant(output)];
- the user turn is `instruction + "\\n\\n" + input` when `input` has non-blank text, else
  `instruction` alone (Stanford Alpaca's template separates the two by a blank line;
  LLaMA-Factory joins them with a single "\\n").

Detection wants `instruction` and `output`; other columns (an id, a category, AlpacaEval's
`generator` and `dataset`) are ignored and listed once by `curate validate`. AlpacaEval's
model outputs have their own format, `alpaca-eval`, tried first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.adapters.base import (GENERIC_FORMAT, Adapter, Reject, assistant_turn,
                                  instruction_prompt, optional, require, user_turn)
from curate.preview import preview



def history_turns(history: Any) -> list[dict[str, str]]:
    """[[user, assistant], ...] as alternating turns."""
    if not isinstance(history, list):
        raise Reject(f"field `history` should be a list of [user, assistant] pairs, got "
                     f"{type(history).__name__}", field="history")
    turns = []
    for i, pair in enumerate(history):
        if (not isinstance(pair, (list, tuple)) or len(pair) != 2
                or not all(isinstance(t, str) for t in pair)):
            raise Reject(f"`history[{i}]` should be a [user, assistant] pair of strings, got "
                         f"{preview(pair, 60)}", field="history")
        turns += [user_turn(pair[0]), assistant_turn(pair[1])]
    return turns


class Alpaca(Adapter):
    name = "alpaca"
    kind = "sft"
    priority = GENERIC_FORMAT
    fields = ("instruction", "output")  # other columns (an id, a category) are ignored
    columns = ("instruction", "input", "output", "history", "system")
    description = "Alpaca / LLaMA-Factory alpaca format (instruction, input, output, history)"

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        instruction = require(row, "instruction", format_name=self.name)
        output = require(row, "output", format_name=self.name)
        extra = optional(row, "input", str, "")
        question = instruction_prompt(instruction, extra)
        system = row.get("system")
        if system is not None and not isinstance(system, str):
            raise Reject(f"field `system` should be str, got {type(system).__name__}",
                         field="system")
        messages = [{"role": "system", "content": system}] if system else []
        messages += history_turns(optional(row, "history", list, []))
        messages += [user_turn(question), assistant_turn(output)]
        return [{"messages": messages, "source": self.name}]
