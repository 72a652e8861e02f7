"""AlpacaEval: pairwise annotations (comparisons) and model outputs (SFT), one name, two kinds.

Fields (tatsu-lab/alpaca_eval, results/<model>/<annotator>/annotations.json and
results/<model>/model_outputs.json, JSON arrays):
- annotations: instruction, output_1, generator_1, dataset, output_2, generator_2,
  datasplit, annotator, preference, price_per_example, time_per_example (and raw_completion
  for the weighted annotators); AlpacaFarm's human preference rows add `input`.
- model outputs: instruction, output, generator, dataset, datasplit.

Comparisons: prompt = instruction (+ "\\n\\n" + input when it has text, the alpaca rule);
`preference` 1 (or 1.0, or the text "1") chooses output_1, 2 (2.0, "2") chooses output_2,
never the other way round (labels read by their text, as a column mapping's `pair:` reads
them); generator_1/generator_2 follow their output into chosen_model/rejected_model;
`annotator` (the judge's config, e.g. alpaca_eval_gpt4) is kept; criterion = helpfulness.
Any other preference (AlpacaEval 2's weighted judges write a probability in [1, 2] such as
1.99 or 1.46; 1.5 and 0 are ties; null an annotation that failed) names no chosen output:
the row is skipped with reason `no_preference`, counted but not invalid.

SFT: messages = [user(instruction as above), assistant(output)], origin = model. The
`generator` is not kept: an SFT record has no model field, and `source` stays the dataset
name that recipes and statistics count by (a results/<model>/ file holds one generator, so a
recipe names the source after it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.adapters.base import (NAMED_DATASET, Adapter, assistant_turn, instruction_prompt,
                                  optional, require, user_turn)
from curate.adapters.mapping.paths import text_key
from curate.adapters.ranked import no_preference_skip
from curate.preview import preview

NAME = "alpaca-eval"


def _prompt(row: Mapping[str, Any]) -> str:
    return instruction_prompt(require(row, "instruction", format_name=NAME),
                              optional(row, "input", str, ""))


def preferred_output(preference: Any) -> int:
    """1 or 2: the output a label names; anything else is a `no_preference` Skip. A label is
    read by its text, as a column mapping's `pair:` reads it: 1, 1.0 and "1" alike (never
    true, which is not 1).

    >>> preferred_output(1), preferred_output(2.0), preferred_output("2")
    (1, 2, 2)
    """
    label = text_key(preference)
    if label in ("1", "2"):
        return int(label)
    raise no_preference_skip(
        f"`preference` is {preview(preference)}: only 1 (output_1 better) or 2 (output_2 "
        "better) names a chosen output; a weighted judge's probability or a tie is not a "
        "binary label", field="preference")


class AlpacaEvalPairs(Adapter):
    name = NAME
    kind = "preference"
    priority = NAMED_DATASET
    fields = ("instruction", "output_1", "output_2", "preference")
    columns = ("instruction", "input", "output_1", "output_2", "generator_1", "generator_2",
               "annotator", "preference")
    description = ("AlpacaEval / AlpacaFarm pairwise annotations: preference 1 chooses "
                   "output_1, 2 output_2 (generator_* kept as models); any other value is "
                   "skipped as no_preference")

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        best = preferred_output(row.get("preference"))
        other = 3 - best
        outputs = {i: require(row, f"output_{i}", format_name=self.name) for i in (1, 2)}
        models = {i: optional(row, f"generator_{i}", str, None) for i in (1, 2)}
        return [{"prompt": [user_turn(_prompt(row))],
                 "chosen": outputs[best], "rejected": outputs[other],
                 "chosen_model": models[best], "rejected_model": models[other],
                 "annotator": optional(row, "annotator", str, None),
                 "criterion": "helpfulness", "source": self.name}]


class AlpacaEvalOutputs(Adapter):
    name = NAME
    kind = "sft"
    priority = NAMED_DATASET
    fields = ("instruction", "output", "generator")
    columns = ("instruction", "input", "output")
    description = ("AlpacaEval model outputs (instruction, output, generator) as SFT dialogues, "
                   "origin model; the generator is not kept (no model field in SFT records)")

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        output = require(row, "output", format_name=self.name)
        return [{"messages": [user_turn(_prompt(row)), assistant_turn(output)],
                 "origin": "model", "source": self.name}]
