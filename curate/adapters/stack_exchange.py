"""StackExchange paired: a question and two of its answers, `response_j` rated better.

Fields (lvwerra/stack-exchange-paired, `dataset_info` features and card): qid, question,
date, metadata (list of URLs), response_j, response_k. The card: "Create pairs
(response_j, response_k) where j was rated better than k"; HTML was turned into Markdown.

Mapping: prompt = `question` as one user turn; chosen = response_j; rejected = response_k;
criterion = helpfulness (answers ranked by votes and acceptance).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.adapters.base import Adapter, NAMED_DATASET, require, user_turn


class StackExchangePaired(Adapter):
    name = "stack-exchange-paired"
    kind = "preference"
    priority = NAMED_DATASET
    fields = ("qid", "question", "response_j", "response_k")
    description = "lvwerra/stack-exchange-paired: answer pairs, response_j preferred"

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        question = require(row, "question", format_name=self.name)
        return [{"prompt": [user_turn(question)],
                 "chosen": require(row, "response_j", format_name=self.name),
                 "rejected": require(row, "response_k", format_name=self.name),
                 "criterion": "helpfulness", "source": self.name}]
