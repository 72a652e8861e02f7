"""Self-Instruct human evaluation set (yizhongw/self-instruct, human_eval/): two row shapes.

- user_oriented_instructions.jsonl: `{"id", "motivation_app", "instruction", "instances":
  [{"input", "output"}]}`, outputs written by people: one SFT record per instance, origin "vendor".
- predictions/<model>_predictions.jsonl: `{"prompt", "instruction", "input", "response",
  "target"}`, the model's `response` to the same instruction: origin "model". (`prompt` is the
  completion-style text sent to the model and `target` a copy of the human output; neither is
  the model's answer, so both are ignored.)

The user turn follows the alpaca rule: the instruction, then "\\n\\n" + the input when the input
is not empty, both stripped. Stripping BEFORE joining is what makes the two files pair up: in the
real files 18 of 252 instructions differ only by surrounding whitespace (11 trailing spaces and
6 trailing newlines in the predictions file, 1 leading space), and that whitespace would sit
inside the joined text, where the uid's normalisation (ends only) cannot remove it.

`motivation_app` (Grammarly, Netflix, ...) goes to `batch`, not `source`: it is the group the
instruction was written in, i.e. a grouping of the annotation work, while `source` stays the
dataset name that recipes, mixes and statistics count by. The predictions file has no
`motivation_app`; the audit takes a prompt's stratum from its human record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.adapters.base import (NAMED_DATASET, Adapter, Reject, assistant_turn,
                                  instruction_prompt, optional, require, user_turn)

HUMAN_FIELDS = ("id", "motivation_app", "instruction", "instances")
PREDICTION_FIELDS = ("prompt", "instruction", "input", "response", "target")


class SelfInstruct(Adapter):
    name = "self-instruct"
    kind = "sft"
    priority = NAMED_DATASET
    description = ("Self-Instruct human_eval: user_oriented_instructions.jsonl (human outputs) and "
                   "predictions/*_predictions.jsonl (model outputs)")

    def sniff(self, row: Mapping[str, Any]) -> bool:
        return all(f in row for f in HUMAN_FIELDS) or all(f in row for f in PREDICTION_FIELDS)

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        if "instances" in row:
            return self._human(row)
        if "response" in row:
            return self._prediction(row)
        raise Reject("a self-instruct row has either `instances` (human outputs) or `response` "
                     f"(model outputs); this one has neither (fields: {', '.join(sorted(row))})",
                     field="instances")

    def _human(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        instruction = require(row, "instruction", format_name=self.name)
        instances = require(row, "instances", list, format_name=self.name)
        if not instances:
            raise Reject("field `instances` is empty; a human-written task needs at least one "
                         "{input, output} instance", field="instances")
        app = optional(row, "motivation_app", str, None)
        out = []
        for i, instance in enumerate(instances):
            if not isinstance(instance, Mapping):
                raise Reject(f"`instances[{i}]` should be an object with `input` and `output`, got "
                             f"{type(instance).__name__}", field="instances")
            output = require(instance, "output", format_name=self.name)
            input_text = optional(instance, "input", str, "")
            out.append({
                "messages": [user_turn(instruction_prompt(instruction, input_text)),
                             assistant_turn(output.strip())],
                "source": self.name, "origin": "vendor",
                "batch": app if app and app.strip() else None,
            })
        return out

    def _prediction(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        instruction = require(row, "instruction", format_name=self.name)
        input_text = optional(row, "input", str, "")
        # The completion API's answers start with " " or "\n": an artefact, not content.
        response = require(row, "response", format_name=self.name).strip()
        return [{
            "messages": [user_turn(instruction_prompt(instruction, input_text)),
                         assistant_turn(response)],
            "source": self.name, "origin": "model",
        }]
