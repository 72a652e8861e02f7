"""Anthropic HH-RLHF: `{"chosen", "rejected"}`, each a whole "\\n\\nHuman: ... \\n\\nAssistant: ..." transcript.

The two transcripts share the dialogue and differ in the last Assistant turn. The prompt is
their common prefix up to its last "\\n\\nAssistant:" marker; the responses are what follows
it. Splitting each text on turn markers instead is wrong: real responses quote "Human:".
An empty final Assistant turn (harmless-base test, line 87) yields an empty response, which
the `empty_response` check rejects.

The rows do not say which criterion judged them; the subset does (the repository's folders:
harmless-base and red-team-attempts judged safety; helpful-base, helpful-online and
helpful-rejection-sampled helpfulness). Give it with the source: `set: {criterion: safety}` in a
recipe or catalog entry, `--set criterion=safety` on the command line. Without one, a file
whose name or folder holds exactly one of the subsets' words (`harmless`, `red-team`:
safety; `helpful`: helpfulness; as a whole word, so `unhelpful` and `helpfulness` are not)
takes that criterion, and reading says so on stderr. Any other file (renamed, or naming both)
gets none, and reading says so and how to give it: its rows are rejected as `bad_field` on
`criterion`, with the same advice.
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


# The words of HH-RLHF's subset names -> the criterion the subset was judged by.
SUBSET_CRITERIA = {"harmless": "safety", "red-team": "safety", "helpful": "helpfulness"}
_SUBSET_WORD = re.compile(r"(?<![a-z])(harmless|red-team|helpful)(?![a-z])")


def criterion_of(path: Path) -> str | None:
    """The criterion the file's name or its folder's implies: one subset word, else None.

    >>> criterion_of(Path("hh-rlhf/harmless-base/train.jsonl.gz"))
    'safety'
    >>> [criterion_of(Path(p)) for p in ("helpful-online/test.jsonl.gz", "unhelpful.jsonl",
    ...                                  "pairs.jsonl.gz", "helpful/harmless-base.jsonl")]
    ['helpfulness', None, None, None]
    """
    named = f"{path.parent.name}/{path.name}".lower()
    found = {SUBSET_CRITERIA[word] for word in _SUBSET_WORD.findall(named)}
    return found.pop() if len(found) == 1 else None


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
        """The criterion of the HH subset the file's name or folder names (see the module);
        None when they name none, which reading reports unless `set:` gives one."""
        return {"criterion": criterion_of(path)}

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
