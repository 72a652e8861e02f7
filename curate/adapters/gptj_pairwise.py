"""Synthetic GPT-J pairs: an instruction, a good answer and a worse one, all plain strings.

Fields (Dahoas/synthetic-instruct-gptj-pairwise, dataset_infos.json features): prompt,
chosen, rejected (strings); 33,143 train rows.

Never detected: {prompt, chosen, rejected} strings is exactly TRL's standard preference
format, so a row alone cannot tell the two apart. Detection answers `trl`; name this
format explicitly (`--format gptj-pairwise`, or the catalog) to get it. The records are
the same except `source` and `criterion` (helpfulness here: the synthetic answers were
ranked for instruction following; TRL rows say nothing about the criterion).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.adapters.base import Adapter, NEVER, require, user_turn


class GPTJPairwise(Adapter):
    name = "gptj-pairwise"
    kind = "preference"
    priority = NEVER  # indistinguishable from TRL's standard format: choose it by name
    fields = ("prompt", "chosen", "rejected")
    description = "Dahoas/synthetic-instruct-gptj-pairwise (pass --format; rows look like TRL's)"

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        prompt = require(row, "prompt", format_name=self.name)
        return [{"prompt": [user_turn(prompt)],
                 "chosen": require(row, "chosen", format_name=self.name),
                 "rejected": require(row, "rejected", format_name=self.name),
                 "criterion": "helpfulness", "source": self.name}]
