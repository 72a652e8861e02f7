"""Shared helpers for adapters whose rows carry dialogues as lists of {role, content} messages.

Kept apart from base.py so every chat-shaped format (TRL, OpenAI chat, column mappings)
validates messages the same way and rejects with the same reasons.
"""

from __future__ import annotations

from typing import Any

from curate.adapters.base import Reject, user_turn
from curate.preview import preview

ROLES = ("system", "user", "assistant")


def _show(value: Any) -> str:
    return preview(value, 60)


def parse_messages(value: Any, *, field: str) -> list[dict[str, str]]:
    """A non-empty list of {role, content} dicts with our three roles. Another key in a
    message is a Reject (records forbid them; a column mapping can rename or drop keys).

    >>> parse_messages([{"role": "user", "content": "Hi"}], field="prompt")
    [{'role': 'user', 'content': 'Hi'}]
    """
    if not isinstance(value, list) or not value:
        raise Reject(f"field `{field}` should be a non-empty list of {{\"role\", \"content\"}} "
                     f"messages, got {type(value).__name__} {_show(value)}", field=field)
    out = []
    for i, message in enumerate(value):
        if not isinstance(message, dict) or not isinstance(message.get("content"), str):
            raise Reject(f"`{field}[{i}]` should be {{\"role\": ..., \"content\": <text>}}, "
                         f"got {_show(message)}", field=field)
        role = message.get("role")
        if role not in ROLES:
            raise Reject(f"`{field}[{i}].role` is {_show(role)}; roles must be one of "
                         f"{', '.join(ROLES)}", field=field, reason="bad_role")
        extra = sorted(str(k) for k in message if k not in ("role", "content"))
        if extra:
            raise Reject(f"`{field}[{i}]` has unknown key(s) {extra}; a message has only "
                         "`role` and `content`: drop them upstream or map them with a column "
                         "mapping", field=field)
        out.append({"role": role, "content": message["content"]})
    return out


def prompt_turns(value: Any, *, field: str) -> list[dict[str, str]]:
    """A prompt given as plain text (one user turn) or as a list of messages."""
    if isinstance(value, str):
        return [user_turn(value)]
    return parse_messages(value, field=field)


def response_text(value: Any, *, field: str) -> str:
    """A response given as text, or as a list holding exactly one assistant message."""
    if isinstance(value, str):
        return value
    messages = parse_messages(value, field=field)
    if len(messages) != 1 or messages[0]["role"] != "assistant":
        roles = [m["role"] for m in messages]
        raise Reject(f"field `{field}` should hold exactly one assistant message, got roles "
                     f"{roles}; a comparison is between two single assistant answers",
                     field=field, reason="multi_message_response")
    return messages[0]["content"]
