"""HelpSteer2-Preference (nvidia/HelpSteer2, preference/preference.jsonl.gz).

Fields (the dataset card's "Preferences" section): split (train or val), prompt,
response_1, response_2, preference_strength (an int from -3 to 3), preference_statement,
preference_elaboration, three_most_similar_preferences, all_preferences_unprocessed.
The card's scale: -3 response 1 is much better than response 2, -2 better, -1 slightly
better, 0 about the same, 1 / 2 / 3 response 2 slightly better / better / much better.

Mapping: the sign chooses (negative: response_1, positive: response_2) and the magnitude is
Llama 2's degree: 3 significantly_better, 2 better, 1 slightly_better. 0 ("about the same")
names no better response: picking one would be arbitrary (always response_1, say), so the
row is skipped with reason `no_preference` rather than kept as negligibly_better (Llama 2's
"negligibly better / unsure" still has a chosen side). Criterion helpfulness (HelpSteer2 is a
helpfulness set). The statements and elaborations are the annotators' reasons: not read.

Multi-turn prompts (the card: the prompt holds every turn before the response, as
"{user 1}\\n<extra_id_1>Assistant\\n{assistant 1}\\n<extra_id_1>User\\n{user 2}") become
alternating turns ending with the user's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from curate.adapters.base import NAMED_DATASET, Adapter, Reject, require, user_turn
from curate.adapters.ranked import no_preference_skip

DEGREES = {1: "slightly_better", 2: "better", 3: "significantly_better"}
_TURN = re.compile(r"\n?<extra_id_1>(User|Assistant)\n?")
_ROLES = {"User": "user", "Assistant": "assistant"}


def prompt_turns(prompt: str) -> list[dict[str, str]]:
    """The turns of a HelpSteer2 prompt: one user turn, or a `<extra_id_1>` transcript.

    >>> prompt_turns("Hi\\n<extra_id_1>Assistant\\nHello!\\n<extra_id_1>User\\nA joke?")
    [{'role': 'user', 'content': 'Hi'}, {'role': 'assistant', 'content': 'Hello!'}, \
{'role': 'user', 'content': 'A joke?'}]
    """
    parts = _TURN.split(prompt)
    turns = [user_turn(parts[0])]
    turns += [{"role": _ROLES[who], "content": text} for who, text in zip(parts[1::2], parts[2::2])]
    roles = [t["role"] for t in turns]
    if roles != ["user", "assistant"] * (len(roles) // 2) + ["user"]:
        raise Reject(f"the prompt's <extra_id_1> turns go {roles}; a HelpSteer2 prompt "
                     "alternates user and assistant turns and ends with the user's",
                     field="prompt", reason="bad_role_order")
    return turns


class HelpSteer2Preference(Adapter):
    name = "helpsteer2-preference"
    kind = "preference"
    priority = NAMED_DATASET
    fields = ("prompt", "response_1", "response_2", "preference_strength")
    columns = fields
    description = ("nvidia/HelpSteer2 preference: preference_strength's sign chooses (negative "
                   "response_1), |3|,|2|,|1| significantly_better, better, slightly_better; "
                   "0 skipped as no_preference; <extra_id_1> prompts as turns")

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        strength = require(row, "preference_strength", int, format_name=self.name)
        if strength == 0:
            raise no_preference_skip("preference_strength 0: the two responses are about the "
                                     "same, neither is chosen", field="preference_strength")
        if abs(strength) not in DEGREES:
            raise Reject(f"preference_strength {strength} is outside the card's -3..3 scale",
                         field="preference_strength")
        responses = [require(row, f"response_{i}", format_name=self.name) for i in (1, 2)]
        best = 0 if strength < 0 else 1
        return [{"prompt": prompt_turns(require(row, "prompt", format_name=self.name)),
                 "chosen": responses[best], "rejected": responses[1 - best],
                 "degree": DEGREES[abs(strength)], "criterion": "helpfulness",
                 "source": self.name}]
