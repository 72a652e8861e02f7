"""Dialogues in other shapes: message objects with other keys and role names (ShareGPT's
`from`/`value`, OpenAssistant's `prompter`/`text`), and lists of plain strings (UltraChat).

>>> renamed_messages([{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"}],
...                  role="from", content="value", roles={"human": "user", "gpt": "assistant"},
...                  field="conversations")
[{'role': 'user', 'content': 'Hi'}, {'role': 'assistant', 'content': 'Hello!'}]
>>> alternating_turns(["Hi", "Hello!", "Bye"], roles=["user", "assistant"], field="data")[-1]
{'role': 'user', 'content': 'Bye'}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from curate.adapters.base import Reject
from curate.adapters.dialogue import ROLES
from curate.adapters.mapping.paths import lookup, shown, text_key
from curate.preview import preview


def renamed_messages(value: Any, *, role: str, content: str, roles: Mapping[str, str],
                     field: str) -> list[dict[str, str]]:
    """{role, content} messages from objects keeping them under other keys (dotted paths) and
    other role names (`roles`: source name -> ours; empty: already ours). Other keys of a
    message are not read."""
    out = []
    for i, message in enumerate(_list(value, field, "message objects")):
        if not isinstance(message, Mapping):
            raise _wrong(f"{field}[{i}]", "a message object", message, field)
        raw_role = lookup(message, role)
        ours = roles.get(text_key(raw_role) or "") if roles else raw_role
        if ours not in ROLES:
            known = ", ".join(roles) if roles else ", ".join(ROLES)
            raise Reject(f"`{field}[{i}].{role}` is {shown(raw_role)}; known roles: "
                         f"{known}; map it under `messages.roles`", field=field,
                         reason="bad_role")
        text = lookup(message, content)
        if not isinstance(text, str):
            raise _wrong(f"{field}[{i}].{content}", "text", text, field)
        out.append({"role": ours, "content": text})
    return out


def alternating_turns(value: Any, *, roles: Sequence[str], field: str) -> list[dict[str, str]]:
    """Messages from a list of strings, the speakers taken from `roles` in turn."""
    out = []
    for i, text in enumerate(_list(value, field, "strings")):
        if not isinstance(text, str):
            raise _wrong(f"{field}[{i}]", "text (one turn)", text, field)
        out.append({"role": roles[i % len(roles)], "content": text})
    return out


def _list(value: Any, field: str, of: str) -> list:
    if not isinstance(value, list) or not value:
        raise _wrong(field, f"a non-empty list of {of}", value, field)
    return value


def _wrong(where: str, expected: str, value: Any, field: str) -> Reject:
    return Reject(f"`{where}` should be {expected}, got {type(value).__name__} "
                  f"{preview(value, 60)}", field=field)
