"""OpenAssistant Conversations (oasst1, oasst2): ranked sibling replies become comparisons,
threads become dialogues; from message-tree exports or flat message lists (tree.py).

Formats (one adapter each; every row of a file is read at once, `whole_file`, because a flat
list's tree spans many rows):
- `oasst` (preference): every two kept assistant replies to one prompter message whose `rank`
  differs; the lower rank is chosen (rank 0 = the replies' rankers liked it best); the prompt
  is the thread from the tree's first message down to that prompter message (prompter ->
  user). criterion = helpfulness: OASST's rankers ordered replies by overall quality under the
  assistant guidelines, not by harmlessness alone. chosen_model / rejected_model = the
  `model_name` of a synthetic reply (people wrote the others: null).
- `oasst-sft` (sft): a dialogue for every thread from the first message down to an assistant
  reply that no kept thread continues past. origin = third_party (model for a synthetic last
  reply).
- `oasst-best-path` (sft): one dialogue per tree, following the best-ranked reply at every
  step (a single unranked reply is followed; several unranked ones end the path).
Only `oasst` is detected (from `message_tree_id` + `prompt`, or `message_id` + `text` +
`role`); the SFT formats are named. No option reaches an adapter from a recipe or the CLI, so
the two dialogue rules are two format names.

Left out on purpose (Skip, counted with the reason): `deleted` (deleted: true), `review_failed`
(review_result: false), `lang` (another language than asked), `parent_excluded` (under a
message left out), `unranked` (an assistant reply without rank), `no_pair` (no sibling of
another rank), `no_ranked_replies` (a prompter message with no comparison below it),
`unanswered` (a prompter message no one answered), `not_best_path`. Rejected as invalid:
`bad_role` (a role out of turn), `missing_parent` (a reply whose parent the file lacks),
`duplicate_message`, `bad_field`. Every message is in a record or has its reason, in both
layouts; a record's line is the row of its chosen reply (preference) or last reply (SFT), in a
tree export the tree's row, with the message's path in a problem's field
(`prompt.replies.1.deleted`).

Languages: all by default. The option `lang: en` (or several: `lang: [en, de]`) keeps the
trees whose first message is in one of them (the others: Skip `lang`): `format_options: {lang:
en}` beside `format: oasst` in a recipe, `--format-option lang=en` on `curate validate`, or
`curate.read(path, format=OASST(lang="en"))` in Python.

>>> tree = {"message_tree_id": "t1", "prompt": {
...     "message_id": "t1", "role": "prompter", "text": "2+2?", "lang": "en", "replies": [
...         {"message_id": "a", "role": "assistant", "text": "4", "lang": "en", "rank": 0},
...         {"message_id": "b", "role": "assistant", "text": "5", "lang": "en", "rank": 1}]}}
>>> [(r["prompt"], r["chosen"], r["rejected"]) for r in OASST().convert(tree)]
[([{'role': 'user', 'content': '2+2?'}], '4', '5')]
>>> [r["messages"][-1]["content"] for r in OASSTSFT().convert(tree)]
['4', '5']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from curate.adapters.base import NAMED_DATASET, NEVER, Adapter, Reject
from curate.adapters.oasst.rules import AllThreads, BestPath, Comparisons
from curate.adapters.oasst.tree import (MESSAGE_FIELDS, TREE_FIELDS, FlatMessages, Message,
                                        is_message_row, is_tree_row, leave_out, sort_replies,
                                        tree_of_row, walk)

Outcome = tuple[int, list[dict[str, Any]] | Reject]


class OASSTOptions(BaseModel):
    """The settings of the OpenAssistant formats (a recipe's `format_options:`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lang: str | list[str] | None = Field(None, description="Keep the trees whose first message "
                                         "is in this language (or one of these); all by default.")


class _OpenAssistant(Adapter):
    whole_file = True
    options = OASSTOptions
    columns = (*TREE_FIELDS, *MESSAGE_FIELDS)  # read; the others are listed as ignored
    rule: ClassVar[Comparisons | AllThreads | BestPath]

    def __init__(self, lang: str | Iterable[str] | None = None) -> None:
        self.langs = None if lang is None else frozenset([lang] if isinstance(lang, str) else lang)

    def sniff(self, row: Mapping[str, Any]) -> bool:
        return is_tree_row(row) or is_message_row(row)

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The records of one tree row (a message row alone is a tree of one message)."""
        outcomes = list(self.convert_file([(1, row)]))
        records = [r for _, out in outcomes if not isinstance(out, Reject) for r in out]
        if records:
            return records
        raise next(out for _, out in outcomes if isinstance(out, Reject))

    def convert_file(self, rows: Iterable[tuple[int, Mapping[str, Any]]]) -> Iterator[Outcome]:
        """Tree rows as they come; message rows once the file is read (a reply may come
        before its parent)."""
        flat = FlatMessages()
        for line, row in rows:
            if is_tree_row(row):
                root, problems = tree_of_row(row, line)
                yield from problems
                if root is not None:
                    yield from self._tree(root)
            elif is_message_row(row):
                flat.add(line, row)
            else:
                yield line, Reject(
                    f"a row of format {self.name} is a message tree (fields "
                    f"{', '.join(TREE_FIELDS)}) or a message (message_id, text, role); this one "
                    f"has {', '.join(sorted(map(str, row))) or 'no field'}", field=None)
        roots, problems = flat.trees()
        yield from problems
        for root in roots:
            yield from self._tree(root)

    def _tree(self, root: Message) -> Iterator[Outcome]:
        sort_replies(root)
        leave_out(root, self.langs)
        for node, fields in self.rule.records(root):
            yield node.line, [{**fields, "source": self.name}]
        for node in walk(root):
            if node.left_out is not None:
                yield node.line, node.left_out
            elif not node.used:
                yield node.line, self.rule.unused(node)


class OASST(_OpenAssistant):
    name = "oasst"
    kind = "preference"
    priority = NAMED_DATASET
    fields = TREE_FIELDS  # or a message row's: see sniff
    rule = Comparisons()
    description = ("OpenAssistant oasst1/oasst2 trees or flat messages: every two sibling "
                   "assistant replies of different rank, the lower rank chosen; prompt = the "
                   "thread above them; helpfulness")


class OASSTSFT(_OpenAssistant):
    name = "oasst-sft"
    kind = "sft"
    priority = NEVER  # the same rows as `oasst`: named, never detected
    rule = AllThreads()
    description = ("OpenAssistant trees or flat messages: every thread from the first message "
                   "to an assistant reply no kept thread continues")


class OASSTBestPath(_OpenAssistant):
    name = "oasst-best-path"
    kind = "sft"
    priority = NEVER
    rule = BestPath()
    description = ("OpenAssistant trees or flat messages: one dialogue per tree along the "
                   "best-ranked reply at every step")


__all__ = ["OASST", "OASSTBestPath", "OASSTSFT"]
