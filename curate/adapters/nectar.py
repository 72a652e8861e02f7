"""Nectar (berkeley-nest/Nectar, data/rlaif.parquet): a prompt and 7 answers ranked by GPT-4.

Fields (the dataset card and its Parquet features): prompt (an HH-style transcript,
"\\n\\nHuman: ...\\n\\nAssistant:", ending with the Assistant marker the answers follow),
answers [{answer, model, rank}] (rank 1 is the best), turns, num_responses, source (where
the prompt comes from), good_natured.

Mapping: every two answers with different ranks make a comparison, the lower rank chosen
(7 answers give 21 pairs; equal ranks are never paired; fewer than two distinct ranks:
skipped as `no_preference`). The prompt's turns come from the transcript as for HH-RLHF;
answers[].model go to chosen_model / rejected_model. Criterion: the card's rubric ranks
harmlessness first and helpfulness "when responding to good natured prompts", so a row with
good_natured false was ranked for safety and the others for helpfulness (`set: {criterion:
...}` overrides).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from curate.adapters.base import NAMED_DATASET, Adapter, Reject, optional, require
from curate.adapters.hh_rlhf import split_prompt
from curate.adapters.ranked import no_preference_skip, ranked_pairs

_LAST_ASSISTANT = re.compile(r"\n\nAssistant:\s*$")


def transcript_turns(prompt: str) -> list[dict[str, str]]:
    """The turns of a Nectar prompt, whose last "\\n\\nAssistant:" awaits the answers.

    >>> transcript_turns("\\n\\nHuman: Hi\\n\\nAssistant: Hello\\n\\nHuman: A joke?\\n\\nAssistant:")
    [{'role': 'user', 'content': 'Hi'}, {'role': 'assistant', 'content': 'Hello'}, \
{'role': 'user', 'content': 'A joke?'}]
    """
    end = _LAST_ASSISTANT.search(prompt)
    if end is None:
        raise Reject("the prompt does not end with \"\\n\\nAssistant:\" (the turn the answers "
                     "give)", field="prompt")
    try:
        return split_prompt(prompt[:end.start()])
    except Reject as exc:
        raise Reject(exc.message, field="prompt") from None


def _answers(row: Mapping[str, Any]) -> list[tuple[float, str, str | None]]:
    out = []
    for i, item in enumerate(require(row, "answers", list, format_name="nectar")):
        rank = item.get("rank") if isinstance(item, dict) else None
        if (not isinstance(item, dict) or not isinstance(item.get("answer"), str)
                or isinstance(rank, bool) or not isinstance(rank, (int, float))
                or math.isnan(rank)):
            raise Reject(f"`answers[{i}]` should be {{\"answer\": <text>, \"model\": <name>, "
                         "\"rank\": <number>}", field="answers")
        out.append((float(rank), item["answer"], optional(item, "model", str, None)))
    return out


class Nectar(Adapter):
    name = "nectar"
    kind = "preference"
    priority = NAMED_DATASET
    fields = ("prompt", "answers")
    columns = ("prompt", "answers", "good_natured")
    description = ("berkeley-nest/Nectar: every two answers of different rank, the lower rank "
                   "chosen (21 pairs from 7), models kept; good_natured false -> safety")

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        answers = _answers(row)
        pairs = ranked_pairs([rank for rank, _, _ in answers], higher_is_better=False)
        if not pairs:
            raise no_preference_skip(f"the {len(answers)} answer(s) share one rank: none is "
                                     "better than another", field="answers")
        prompt = transcript_turns(require(row, "prompt", format_name=self.name))
        criterion = "safety" if row.get("good_natured") is False else "helpfulness"
        return [{"prompt": prompt, "chosen": answers[a][1], "rejected": answers[b][1],
                 "chosen_model": answers[a][2], "rejected_model": answers[b][2],
                 "criterion": criterion, "source": self.name} for a, b in pairs]
