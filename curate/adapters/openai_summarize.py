"""OpenAI summarize-from-feedback, "comparisons": two summaries of one post, a worker's choice.

Fields (openai/summarize-from-feedback README, "Comparisons"; the HF loader
openai/summarize_from_feedback, config "comparisons"): info {id, post, title, subreddit}
for Reddit TL;DR or {id, site, title, article} for CNN/DM (the HF loader carries all six
keys, the missing ones null), summaries [{text, policy, note}] (two), choice (0 or 1, the
index of the preferred summary), worker, batch, split (train, valid1, valid2),
extra {confidence} (1-9).

Mapping:
- prompt: ONE user turn, the title, a blank line, then the post body: `title + "\\n\\n" + post`
  (CNN/DM rows have an `article` instead of a `post`). A missing/empty title leaves the body
  alone. The instruction to summarise is not added: the comparison is about the summaries,
  and a recipe may add its own template.
- chosen/rejected: `summaries[choice].text` / the other, stripped of surrounding whitespace
  (each starts with a space, an artefact of sampling after the "TL;DR:" prefix).
- chosen_model/rejected_model: the summaries' `policy` (e.g. "ref" = human reference,
  "sup4_ppo_rm3_kl10"); batch = `batch`; annotator = `worker`; criterion = helpfulness.
- `split`, `note` and `extra.confidence` are not stored: the split is ours to decide by uid,
  and the confidence scale (1-9) has no documented mapping onto Llama 2's four degrees.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.adapters.base import Adapter, NAMED_DATASET, Reject, require, user_turn
from curate.preview import preview


def post_prompt(info: Mapping[str, Any]) -> str:
    """The post as the annotators saw it: title, blank line, body (Reddit post or article)."""
    body = info.get("post") if info.get("post") is not None else info.get("article")
    if not isinstance(body, str) or not body.strip():
        raise Reject("`info` has neither a `post` (TL;DR) nor an `article` (CNN/DM) text; "
                     "each comparison needs the text that was summarised", field="info.post")
    title = info.get("title")
    if title is not None and not isinstance(title, str):
        raise Reject(f"`info.title` should be text, got {preview(title)}; fix the row or drop "
                     "the title", field="info.title")
    return f"{title}\n\n{body}" if title and title.strip() else body


class OpenAISummarize(Adapter):
    name = "openai-summarize"
    kind = "preference"
    priority = NAMED_DATASET
    fields = ("info", "summaries", "choice")
    description = "openai/summarize_from_feedback comparisons (Reddit TL;DR and CNN/DM)"

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        info = require(row, "info", dict, format_name=self.name)
        summaries = require(row, "summaries", list, format_name=self.name)
        choice = require(row, "choice", int, format_name=self.name)
        if len(summaries) != 2 or not all(isinstance(s, dict) and isinstance(s.get("text"), str)
                                          for s in summaries):
            raise Reject(f"field `summaries` should be two {{text, policy, note}} objects, got "
                         f"{len(summaries)} item(s)", field="summaries")
        if choice not in (0, 1):
            raise Reject(f"field `choice` must be 0 or 1 (index of the preferred summary), "
                         f"got {choice}", field="choice")
        best, other = summaries[choice], summaries[1 - choice]
        return [{"prompt": [user_turn(post_prompt(info))],
                 "chosen": best["text"].strip(), "rejected": other["text"].strip(),
                 "chosen_model": best.get("policy"), "rejected_model": other.get("policy"),
                 "batch": row.get("batch"), "annotator": row.get("worker"),
                 "criterion": "helpfulness", "source": self.name}]
