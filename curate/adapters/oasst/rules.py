"""Which records an OpenAssistant tree gives, and why each message left unused gives none.

Each rule yields (message, record fields) — the message whose row is the record's line: the
chosen reply of a comparison, the last assistant turn of a dialogue — marks the messages its
records use, and names a reason for every kept message no record uses. Messages already left
out (tree.leave_out) are never used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from curate.adapters.base import Skip
from curate.adapters.oasst.tree import Message, walk

Fields = dict[str, Any]


def turns(thread: list[Message]) -> list[dict[str, str]]:
    """The messages as turns: prompter -> user."""
    return [{"role": "user" if m.role == "prompter" else "assistant", "content": m.text}
            for m in thread]


def _use(messages: list[Message]) -> None:
    for m in messages:
        m.used = True


class Comparisons:
    """Every two kept assistant replies to one prompter message with different ranks; the
    lower rank (the crowd's preferred reply) is chosen, the thread down to the prompter
    message is the prompt."""

    kind = "preference"

    def records(self, root: Message) -> Iterator[tuple[Message, Fields]]:
        for node in walk(root):
            if node.left_out is not None or node.role != "prompter":
                continue
            ranked = [r for r in node.kept_replies() if r.rank is not None]  # best first
            thread = node.thread()
            for i, better in enumerate(ranked):
                for worse in ranked[i + 1:]:
                    if better.rank == worse.rank:
                        continue
                    _use([*thread, better, worse])
                    yield better, {"prompt": turns(thread), "chosen": better.text,
                                   "rejected": worse.text, "criterion": "helpfulness",
                                   "chosen_model": better.model, "rejected_model": worse.model}

    def unused(self, node: Message) -> Skip:
        if node.role == "prompter":
            return Skip(f"prompter message {node.id} has no two assistant replies with "
                        "different ranks below it, so it is in no comparison",
                        field=node.field_name("replies"), reason="no_ranked_replies")
        if node.rank is None:
            return Skip(f"assistant reply {node.id} has no `rank` (its siblings were not "
                        "ranked against it), so it is in no comparison",
                        field=node.field_name("rank"), reason="unranked")
        return Skip(f"assistant reply {node.id} (rank {node.rank}) has no kept sibling with "
                    "another rank to be compared with", field=node.field_name("rank"),
                    reason="no_pair")


def _dialogue(thread: list[Message]) -> Fields:
    last = thread[-1]
    return {"messages": turns(thread), "origin": "model" if last.synthetic else "third_party"}


class AllThreads:
    """A dialogue for every thread from the root down to an assistant reply that no kept
    thread continues past (a prompter message nobody answered ends no dialogue)."""

    kind = "sft"

    def records(self, root: Message) -> Iterator[tuple[Message, Fields]]:
        for node in walk(root):
            if node.left_out is None and node.role == "assistant" and not any(
                    p.kept_replies() for p in node.kept_replies()):
                thread = node.thread()
                _use(thread)
                yield node, _dialogue(thread)

    def unused(self, node: Message) -> Skip:  # only prompter messages: every reply ends or
        return _unanswered(node)  # continues a dialogue


def _unanswered(node: Message) -> Skip:
    return Skip(f"prompter message {node.id} has no kept assistant reply, so no dialogue ends "
                "at it", field=node.field_name("replies"), reason="unanswered")


class BestPath:
    """One dialogue per tree: from the root, always the best-ranked kept reply (the only one
    when a message has a single unranked reply; the path stops at several unranked ones),
    down to the path's last assistant reply."""

    kind = "sft"

    def records(self, root: Message) -> Iterator[tuple[Message, Fields]]:
        if root.left_out is not None:
            return
        path = [root]
        while True:
            replies = path[-1].kept_replies()
            ranked = [r for r in replies if r.rank is not None]
            if not ranked and len(replies) != 1:
                break
            path.append(ranked[0] if ranked else replies[0])
        while path and path[-1].role != "assistant":
            path.pop()
        if path:
            _use(path)
            yield path[-1], _dialogue(path)

    def unused(self, node: Message) -> Skip:
        if node.role == "prompter" and not node.kept_replies():
            return _unanswered(node)
        return Skip(f"message {node.id} is off its tree's best-ranked path, or past its end "
                    "(format oasst-best-path keeps one dialogue per tree; oasst-sft keeps "
                    "every thread)",
                    field=node.field_name("rank"), reason="not_best_path")
