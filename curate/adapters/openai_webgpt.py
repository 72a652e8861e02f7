"""OpenAI WebGPT comparisons: two browsing-assisted answers to one question, each scored.

Fields (openai/webgpt_comparisons dataset card, from the WebGPT paper's appendix K; HF
loader webgpt_comparisons.py): question {dataset, id, full_text}, quotes_0 (extracts with
their page titles), answer_0, tokens_0 (GPT-2 token ids of prefix and completion),
score_0, quotes_1, answer_1, tokens_1, score_1. `score_0` is the strength of the preference
for answer_0 in [-1, 1]; it sums to 0 with `score_1`; an answer is preferred if and only if
its score is positive.

Mapping: prompt = `question.full_text` as one user turn; chosen = the answer with the
positive score; criterion = helpfulness. Ties (score 0, which the paper uses as soft 50%
labels) are not binary comparisons: they are rejected with reason `tie`, so they are
counted in the build's rejects instead of disappearing. quotes and tokens are not read
(the fixture writes quotes as {title: [...], extract: [...]}, the layout `datasets` gives
it, and tokens as {prefix: [...], completion: [...]} id lists after the card's wording; no
stored sample of the raw file confirmed the tokens layout).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.adapters.base import Adapter, NAMED_DATASET, Reject, require, user_turn


class OpenAIWebGPT(Adapter):
    name = "openai-webgpt"
    kind = "preference"
    priority = NAMED_DATASET
    fields = ("question", "answer_0", "answer_1", "score_0", "score_1")
    description = "openai/webgpt_comparisons: answer pairs with signed preference scores"

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        question = require(row, "question", dict, format_name=self.name)
        text = question.get("full_text")
        if not isinstance(text, str):
            raise Reject(f"field `question.full_text` should be a string, got "
                         f"{type(text).__name__}", field="question.full_text")
        answers = [require(row, f"answer_{i}", format_name=self.name) for i in (0, 1)]
        score, other = (require(row, f"score_{i}", (int, float), format_name=self.name)
                        for i in (0, 1))
        if abs(score + other) > 1e-6:
            raise Reject(f"scores {score} and {other} should sum to 0 (the card: score_0 is the "
                         "preference for answer_0 and sums to 0 with score_1)", field="score_1")
        if score == 0:
            raise Reject("scores 0 and 0: a tie is not a binary comparison", field="score_0",
                         reason="tie")
        best = 0 if score > 0 else 1
        return [{"prompt": [user_turn(text)], "chosen": answers[best],
                 "rejected": answers[1 - best], "criterion": "helpfulness",
                 "source": self.name}]
