"""PKU-SafeRLHF: one row, two responses, a safety label for each; it yields TWO comparisons.

Fields (PKU-Alignment/PKU-SafeRLHF card): prompt, response_0, response_1, prompt_source,
response_{0,1}_source, is_response_{0,1}_safe, response_{0,1}_harm_category,
response_{0,1}_severity_level, better_response_id, safer_response_id.
Helpfulness: chosen = better_response_id. Safety: chosen = safer_response_id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.adapters.base import Adapter, NAMED_DATASET, Reject, require


class PKUSafeRLHF(Adapter):
    name = "pku-saferlhf"
    kind = "preference"
    priority = NAMED_DATASET
    fields = ("prompt", "response_0", "response_1", "better_response_id", "safer_response_id")
    description = "PKU-Alignment/PKU-SafeRLHF: each row gives a helpfulness and a safety comparison"

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        prompt = require(row, "prompt", format_name=self.name)
        responses = [require(row, f"response_{i}", format_name=self.name) for i in (0, 1)]
        safe = [require(row, f"is_response_{i}_safe", bool, format_name=self.name) for i in (0, 1)]
        models = [row.get(f"response_{i}_source") for i in (0, 1)]
        out = []
        for criterion, id_field in (("helpfulness", "better_response_id"),
                                    ("safety", "safer_response_id")):
            best = require(row, id_field, int, format_name=self.name)
            if best not in (0, 1):
                raise Reject(f"field `{id_field}` must be 0 or 1, got {best}", field=id_field)
            other = 1 - best
            out.append({
                "prompt": [{"role": "user", "content": prompt}],
                "chosen": responses[best], "rejected": responses[other],
                "criterion": criterion,
                "chosen_safe": safe[best], "rejected_safe": safe[other],
                "chosen_model": models[best], "rejected_model": models[other],
                "source": self.name,
            })
        return out
