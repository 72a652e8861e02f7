"""UltraFeedback: the raw ratings (openbmb/UltraFeedback) and the binarized pairs (H4).

Fields:
- raw (openbmb/UltraFeedback, one JSON line per instruction): source, instruction, models,
  completions: [{model, principle, custom_system_prompt, response, annotations
  (instruction_following, honesty, truthfulness, helpfulness ratings with rationales),
  critique, overall_score, fine-grained_score}], correct_answers, incorrect_answers.
- binarized (HuggingFaceH4/ultrafeedback_binarized, Parquet splits train_prefs, test_prefs,
  ...): prompt, prompt_id, chosen and rejected (each the [user, assistant] messages),
  messages, score_chosen, score_rejected.

Raw -> comparisons by `overall_score` (higher is better), best against the others: each
top-scored completion is chosen against every completion with a lower score. This is the
binarized recipe (its card: the highest overall_score is chosen, one of the remaining three
at random rejected) without its random draw, so a rebuild gives the same pairs. Ties never
make a pair; a completion without a score (missing, null, NaN) is left out of the pairing; a
row with fewer than two distinct scores is skipped with reason `no_preference`. A score that is
not a number ("high", "8.5", true) rejects the row as `bad_field` naming
`completions[i].overall_score`: a broken row, never counted as a tie. The
prompt is the instruction alone: each completion was sampled under its own
custom_system_prompt, which is not part of what the two responses answer in common.
completions[].model go to chosen_model / rejected_model.

Binarized -> one comparison: the prompt is the messages chosen and rejected share, the
responses what follows. score_chosen equal to score_rejected (a tie the recipe let through)
is skipped as `no_preference`; a lower score_chosen contradicts the label and is rejected.

Criterion helpfulness for both (GPT-4 rated helpfulness, honesty, truthfulness and
instruction following; overall_score sums them up). Detection: the binarized layout is
TRL's columns plus the two scores, so it is tried (and claimed by its scores) before TRL's
catch-all; TRL's strict sniff would not take its extra columns anyway.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from curate.adapters.base import NAMED_DATASET, Adapter, Reject, optional, require, user_turn
from curate.adapters.ranked import no_preference_skip, ranked_pairs
from curate.adapters.trl import split_implicit
from curate.preview import preview

RAW_FIELDS = ("instruction", "completions")
BINARIZED_FIELDS = ("prompt", "chosen", "rejected", "score_chosen", "score_rejected")


def _score(completion: dict[str, Any], i: int) -> float | None:
    """A completion's score, or None when it has none (missing, null, NaN: not rated). A
    score of another type ("high", "8.5", true) is a broken row, not a tie: a Reject."""
    value = completion.get("overall_score")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        field = f"completions[{i}].overall_score"
        raise Reject(f"`{field}` is {preview(value)}: a score is a number (or null when the "
                     "completion was not rated); fix the row upstream", field=field)
    return float(value)


class UltraFeedback(Adapter):
    name = "ultrafeedback"
    kind = "preference"
    priority = NAMED_DATASET
    columns = ("instruction", "completions", *BINARIZED_FIELDS)
    description = ("UltraFeedback raw (completions -> best overall_score vs each lower one, "
                   "ties never paired, models kept) and H4's binarized pairs (ties skipped)")

    def sniff(self, row: Mapping[str, Any]) -> bool:
        return all(f in row for f in RAW_FIELDS) or all(f in row for f in BINARIZED_FIELDS)

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        if "completions" in row:
            return self._raw(row)
        return [self._binarized(row)]

    def _raw(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        instruction = require(row, "instruction", format_name=self.name)
        completions = require(row, "completions", list, format_name=self.name)
        scored = []
        for i, completion in enumerate(completions):
            if not isinstance(completion, dict) or not isinstance(completion.get("response"), str):
                raise Reject(f"`completions[{i}]` should be an object with a text `response`",
                             field="completions")
            score = _score(completion, i)
            if score is not None:
                scored.append((score, completion))
        pairs = ranked_pairs([s for s, _ in scored], pairs="best_vs_others")
        if not pairs:
            raise no_preference_skip(
                f"{len(scored)} of {len(completions)} completions have an overall_score and "
                f"their scores {sorted({s for s, _ in scored})} do not differ: no completion "
                "is better than another", field="completions")
        prompt = [user_turn(instruction)]
        return [{"prompt": prompt, "chosen": scored[a][1]["response"],
                 "rejected": scored[b][1]["response"],
                 "chosen_model": optional(scored[a][1], "model", str, None),
                 "rejected_model": optional(scored[b][1], "model", str, None),
                 "criterion": "helpfulness", "source": self.name} for a, b in pairs]

    def _binarized(self, row: Mapping[str, Any]) -> dict[str, Any]:
        chosen_score, rejected_score = (
            require(row, f, (int, float), format_name=self.name)
            for f in ("score_chosen", "score_rejected"))
        if chosen_score == rejected_score:
            raise no_preference_skip(f"score_chosen and score_rejected are both {chosen_score}: "
                                     "a tie names no better response", field="score_chosen")
        if chosen_score < rejected_score:
            raise Reject(f"score_chosen {chosen_score} is below score_rejected {rejected_score}: "
                         "the scores contradict which response is chosen; fix the row upstream",
                         field="score_chosen")
        prompt, chosen, rejected = split_implicit(row.get("chosen"), row.get("rejected"))
        return {"prompt": prompt, "chosen": chosen, "rejected": rejected,
                "criterion": "helpfulness", "source": self.name}
