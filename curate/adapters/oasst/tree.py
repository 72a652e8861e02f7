"""OpenAssistant message trees from either export layout, and the messages left out of them.

Layouts (LAION-AI/Open-Assistant oasst-data/README.md, "Open-Assistant JSON Lines Export Data
Format"; the OASST1 / OASST2 dataset cards):
- message trees (`*.trees.jsonl.gz`): one tree per row, `{message_tree_id, tree_state, prompt,
  origin}`, `prompt` the root message, each message with its nested `replies`;
- flat messages (`*.messages.jsonl.gz`, the Hub's Parquet splits): one message per row, linked
  by `parent_id` (null or absent at a tree's root).
A message holds message_id, parent_id, text, role (`prompter` | `assistant`), lang,
review_count, review_result (false: failed review, spam), deleted, rank (0 = best among its
siblings, null = not ranked), synthetic, model_name, emojis, labels, ... (only those named in
`MESSAGE_FIELDS` are read).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from curate.adapters.base import Reject, Skip, optional, require
from curate.preview import preview

ROLES = ("prompter", "assistant")
MESSAGE_FIELDS = ("message_id", "parent_id", "text", "role", "lang", "review_result", "deleted",
                  "rank", "synthetic", "model_name", "replies")
TREE_FIELDS = ("message_tree_id", "prompt")
Outcome = tuple[int, Reject]


@dataclass(eq=False)
class Message:
    """One message; `line` is its row's (a tree row's for every message of the tree)."""

    id: str
    parent_id: str | None
    role: str
    text: str
    lang: str | None
    rank: int | None
    synthetic: bool
    model: str | None
    line: int
    where: str  # its path in a tree row ("prompt.replies.0"); "" for a row of its own
    left_out: Reject | None = None  # why it is in no record, when a rule says so up front
    parent: Message | None = None
    replies: list[Message] = field(default_factory=list)
    used: bool = False  # in some record (set by the rules)

    def field_name(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def thread(self) -> list[Message]:
        """The messages from the tree's root down to this one."""
        out, node = [], self
        while node is not None:
            out.append(node)
            node = node.parent
        return out[::-1]

    def kept_replies(self) -> list[Message]:
        return [r for r in self.replies if r.left_out is None]


def is_tree_row(row: Mapping[str, Any]) -> bool:
    return all(f in row for f in TREE_FIELDS)


def is_message_row(row: Mapping[str, Any]) -> bool:
    return all(f in row for f in ("message_id", "text", "role"))


def walk(root: Message) -> Iterator[Message]:
    """Every message of a tree, parents before their replies (no recursion: trees can be deep)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.replies))


def attach(parent: Message, reply: Message) -> None:
    reply.parent = parent
    parent.replies.append(reply)


def sort_replies(root: Message) -> None:
    """Best rank first, unranked last, then by id: both layouts give the same order."""
    for node in walk(root):
        node.replies.sort(key=lambda m: (m.rank is None, m.rank or 0, m.id))


def parse_message(obj: Any, line: int, where: str) -> Message:
    """A message of either layout, its fields checked; a Reject names the field by its path."""
    if not isinstance(obj, Mapping):
        raise Reject(f"{where or 'the row'} should be a message object, got "
                     f"{type(obj).__name__} {preview(obj, 60)}", field=where or None)
    try:
        message_id = require(obj, "message_id", format_name="oasst")
        rank = optional(obj, "rank", int, None)
        if isinstance(rank, bool):
            raise Reject(f"field `rank` should be int, got {rank!r}", field="rank")
        message = Message(
            id=message_id, parent_id=optional(obj, "parent_id", str, None),
            role=require(obj, "role", format_name="oasst"),
            text=require(obj, "text", format_name="oasst"),
            lang=optional(obj, "lang", str, None), rank=rank,
            synthetic=optional(obj, "synthetic", bool, False),
            model=optional(obj, "model_name", str, None), line=line, where=where)
        if optional(obj, "deleted", bool, False):
            message.left_out = Skip(f"message {message_id} is deleted (`deleted: true`); it "
                                    "and its replies are left out",
                                    field=message.field_name("deleted"), reason="deleted")
        elif optional(obj, "review_result", bool, True) is False:
            message.left_out = Skip(f"message {message_id} failed review (`review_result: "
                                    "false`, spam); it and its replies are left out",
                                    field=message.field_name("review_result"),
                                    reason="review_failed")
    except Reject as exc:
        if where:
            exc.field = f"{where}.{exc.field}" if exc.field else where
        raise
    return message


def tree_of_row(row: Mapping[str, Any], line: int) -> tuple[Message | None, list[Outcome]]:
    """The tree of one tree-export row, and the Rejects of the messages that cannot be read
    (a message that cannot be read takes its replies with it)."""
    root, problems = None, []
    stack: list[tuple[Any, str, Message | None]] = [(row.get("prompt"), "prompt", None)]
    while stack:
        obj, where, parent = stack.pop()
        try:
            node = parse_message(obj, line, where)
        except Reject as exc:
            if isinstance(obj, Mapping) and obj.get("replies"):
                exc.message += "; its replies are left out with it"
            problems.append((line, exc))
            continue
        replies = obj.get("replies") or []
        if not isinstance(replies, list):
            problems.append((line, Reject(f"`{where}.replies` should be a list of messages, got "
                                          f"{type(replies).__name__}", field=f"{where}.replies")))
            replies = []
        if parent is None:
            root = node
        else:
            attach(parent, node)
        stack.extend((reply, f"{where}.replies.{i}", node)
                     for i, reply in reversed(list(enumerate(replies))))
    return root, problems


class FlatMessages:
    """The rows of a flat message list, grouped into trees by `parent_id` once all are read."""

    def __init__(self) -> None:
        self.by_id: dict[str, Message] = {}
        self.unreadable: set[str] = set()  # ids of rows that were rejected
        self.problems: list[Outcome] = []

    def add(self, line: int, row: Mapping[str, Any]) -> None:
        try:
            node = parse_message(row, line, "")
        except Reject as exc:
            self.problems.append((line, exc))
            if isinstance(row.get("message_id"), str):
                self.unreadable.add(row["message_id"])
            return
        first = self.by_id.get(node.id)
        if first is not None:
            self.problems.append((line, Reject(
                f"message_id {node.id} appears again (first at line {first.line}); a message "
                "is kept once: remove the copy", field="message_id", reason="duplicate_message")))
            return
        self.by_id[node.id] = node

    def trees(self) -> tuple[list[Message], list[Outcome]]:
        """The roots (in the order of their rows), and the problems of every row that is in no
        tree: unreadable, a copy, or replying to a message the file does not hold."""
        roots, heads = [], []
        for node in self.by_id.values():
            parent = self.by_id.get(node.parent_id) if node.parent_id is not None else None
            if node.parent_id is None:
                roots.append(node)
            elif parent is not None:
                attach(parent, node)
            else:
                heads.append(node)
        problems = list(self.problems)
        reached = {id(n) for root in roots for n in walk(root)}
        for head in heads:
            problems.extend(_orphans(head, head.parent_id in self.unreadable))
            reached.update(id(n) for n in walk(head))
        for node in self.by_id.values():  # replies in a cycle of parent_ids: no root above
            if id(node) not in reached:
                problems.append((node.line, Reject(
                    f"message {node.id}: following `parent_id` from it never reaches a root "
                    "message (a cycle); fix the parent_id links", field="parent_id",
                    reason="missing_parent")))
        return sorted(roots, key=lambda r: r.line), problems


def _orphans(head: Message, parent_rejected: bool) -> list[Outcome]:
    """A subtree whose first message replies to one that is not in the file (or was rejected)."""
    if parent_rejected:
        first: Reject = Skip(f"message {head.id} replies to message {head.parent_id}, which was "
                             "rejected; it is left out with it", field="parent_id",
                             reason="parent_excluded")
    else:
        first = Reject(f"message {head.id} replies to message {head.parent_id}, which is not in "
                       "this file; a flat message list must hold whole trees (give every file "
                       "of the export, or the tree file)", field="parent_id",
                       reason="missing_parent")
    out: list[Outcome] = [(head.line, first)]
    out.extend((n.line, below(n, head)) for n in walk(head) if n is not head)
    return out


def below(node: Message, excluded: Message) -> Skip:
    return Skip(f"message {node.id} is a reply under message {excluded.id}, which is left out",
                field=node.field_name("parent_id"), reason="parent_excluded")


def leave_out(root: Message, langs: frozenset[str] | None) -> None:
    """Mark the messages no record may use: another language than `langs`, a deleted or
    failed message (set when read), a role out of turn, and everything below any of those."""
    wrong_lang = langs is not None and root.lang not in langs
    for node in walk(root):
        if wrong_lang:
            node.left_out = Skip(f"tree {root.id} is in language {root.lang!r}, not "
                                 f"{', '.join(sorted(langs or ()))}",
                                 field=node.field_name("lang"), reason="lang")
            continue
        parent = node.parent
        if node.left_out is None:
            node.left_out = _role_problem(node)
        if node.left_out is None and parent is not None and parent.left_out is not None:
            node.left_out = below(node, parent)


def _role_problem(node: Message) -> Reject | None:
    """Roles alternate from a prompter's first message (a reply under a message of an unknown
    role is left out with it instead)."""
    parent = node.parent
    if parent is not None and parent.role not in ROLES:
        return None
    expected = "prompter" if parent is None or parent.role == "assistant" else "assistant"
    if node.role == expected:
        return None
    where = "a tree's first message" if parent is None else f"a reply to a {parent.role}"
    return Reject(f"message {node.id} has role {preview(node.role, 30)}; {where} must be "
                  f"{expected} (roles alternate prompter, assistant)",
                  field=node.field_name("role"), reason="bad_role")
