"""Anthropic HH-RLHF: `{"chosen", "rejected"}`, each a whole "\\n\\nHuman: ... \\n\\nAssistant: ..." transcript.

The two transcripts share the dialogue and differ in the last Assistant turn. The prompt is
their common prefix up to its last "\\n\\nAssistant:" marker; the responses are what follows
it. Splitting each text on turn markers instead is wrong: real responses quote "Human:".
An empty final Assistant turn (harmless-base test, line 87) yields an empty response, which
the `empty_response` check rejects.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from curate.adapters.base import Adapter, NAMED_DATASET, Reject, require

ASSISTANT = "\n\nAssistant:"
_TURN = re.compile(r"\n\n(Human|Assistant):")
_ROLES = {"Human": "user", "Assistant": "assistant"}


def split_prompt(prompt: str) -> list[dict[str, str]]:
    """Turns of the shared transcript prefix (which ends just before the final answer)."""
    parts = _TURN.split(prompt)
    if parts[0].strip():
        raise Reject("the transcript does not start with a \"\\n\\nHuman:\" turn", field="chosen")
    return [{"role": _ROLES[speaker], "content": text.strip()}
            for speaker, text in zip(parts[1::2], parts[2::2])]


class HHRLHF(Adapter):
    name = "hh-rlhf"
    kind = "preference"
    priority = NAMED_DATASET
    fields = ("chosen", "rejected")
    description = "Anthropic HH-RLHF transcripts (helpful-* and harmless-base), .jsonl or .jsonl.gz"

    def sniff(self, row: Mapping[str, Any]) -> bool:
        text = row.get("chosen")
        return set(row) == {"chosen", "rejected"} and isinstance(text, str) and "Human:" in text

    def defaults_for(self, path: Path) -> dict[str, Any]:
        """The criterion follows the subset: harmless-* judged safety, helpful-* helpfulness."""
        text = str(path).lower()
        if "harmless" in text or "red-team" in text:
            return {"criterion": "safety"}
        if "helpful" in text:
            return {"criterion": "helpfulness"}
        return {}

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        chosen = require(row, "chosen", format_name=self.name)
        rejected = require(row, "rejected", format_name=self.name)
        common = os.path.commonprefix([chosen, rejected])
        cut = common.rfind(ASSISTANT)
        if cut < 0:
            raise Reject("the two transcripts share no \"\\n\\nAssistant:\" turn; "
                         "each must end with the assistant's answer", field="chosen")
        start = cut + len(ASSISTANT)
        return [{"prompt": split_prompt(common[:cut]), "chosen": chosen[start:].strip(),
                 "rejected": rejected[start:].strip(), "source": self.name}]
