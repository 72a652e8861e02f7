"""OpenAI chat fine-tuning JSONL: one {"messages": [{role, content}, ...]} object per line.

Source: OpenAI's supervised fine-tuning data format (chat `messages`, optional per-message
`name`, assistant `weight` 0/1 "whether to train on this message", tool/function calling
fields). What is kept and why:
- role system, user, assistant: kept; `developer` (OpenAI's newer name for system
  instructions) becomes `system`.
- `content` as text, or as a list of text parts ({"type": "text", "text": ...}), joined;
  any other part (image, audio, file) is rejected: `non_text_content`.
- `name`: dropped. Our records have no speaker names; the turn's role and text are kept.
- `weight`: must be 0 or 1. curate's SFT records learn the FINAL assistant turn (earlier
  turns are context), so weight 0 on an earlier turn agrees with the record and is
  accepted; weight 0 on the final assistant turn leaves nothing to learn: `zero_weight`.
- tool or function calling (`tools`/`functions` on the row, role tool/function,
  `tool_calls`/`function_call`/`tool_call_id` on a message): rejected as `tool_use`; the
  records have no place for tool schemas or calls, and dropping them would change the
  example the model is taught.
Dialogue shape rules (ends with an assistant turn, ...) are the checks' job, not this one's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.adapters.base import Adapter, GENERIC_FORMAT, Reject, require
from curate.adapters.dialogue import ROLES
from curate.preview import preview

ROLE_ALIASES = {"developer": "system"}
TOOL_KEYS = ("tool_calls", "function_call", "tool_call_id")
ROW_KEYS = {"messages", "tools", "functions", "parallel_tool_calls"}


def _text(content: Any, where: str) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(p, dict) for p in content):
        kinds = {p.get("type") for p in content}
        if kinds == {"text"} and all(isinstance(p.get("text"), str) for p in content):
            return "".join(p["text"] for p in content)
        raise Reject(f"`{where}.content` has parts of type {sorted(map(str, kinds))}; only "
                     "text parts can become a record", field="messages",
                     reason="non_text_content")
    raise Reject(f"`{where}.content` should be text or a list of text parts, got "
                 f"{type(content).__name__}", field="messages")


def chat_messages(messages: list[Any]) -> list[dict[str, str]]:
    """OpenAI chat messages as {role, content} turns (see the module docstring for the rules).

    >>> chat_messages([{"role": "developer", "content": "Be brief."},
    ...                {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
    ...                {"role": "assistant", "content": "Hello.", "weight": 1}])[0]
    {'role': 'system', 'content': 'Be brief.'}
    """
    if not messages:
        raise Reject("field `messages` is empty; a chat example needs its turns",
                     field="messages")
    out = []
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, dict):
            raise Reject(f"`{where}` should be an object, got {preview(message)}", field="messages")
        role = message.get("role")
        role = ROLE_ALIASES.get(role, role) if isinstance(role, str) else role
        if role in ("tool", "function") or any(message.get(k) is not None for k in TOOL_KEYS):
            raise Reject(f"`{where}` is a tool/function call or result; records hold plain "
                         "dialogues only", field="messages", reason="tool_use")
        if role not in ROLES:
            raise Reject(f"`{where}.role` is {preview(message.get('role'))}; roles must be system, "
                         "developer, user or assistant", field="messages", reason="bad_role")
        weight = message.get("weight")
        if weight is not None and (weight not in (0, 1) or isinstance(weight, bool)):
            raise Reject(f"`{where}.weight` must be 0 or 1, got {weight!r}", field="messages")
        out.append({"role": role, "content": _text(message.get("content"), where)})
    last = messages[-1]
    if out[-1]["role"] == "assistant" and last.get("weight") == 0:
        raise Reject("the final assistant message has weight 0 (do not train on it): the "
                     "record would teach nothing; drop the row or set weight 1",
                     field="messages", reason="zero_weight")
    return out


class OpenAIChat(Adapter):
    name = "openai-chat"
    kind = "sft"
    priority = GENERIC_FORMAT
    fields = ("messages",)
    description = "OpenAI chat fine-tuning JSONL ({messages}); also TRL's conversational {messages}"

    def sniff(self, row: Mapping[str, Any]) -> bool:
        return "messages" in row and set(row) <= ROW_KEYS

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        messages = require(row, "messages", list, format_name=self.name)
        if row.get("tools") or row.get("functions"):
            raise Reject("the row declares `tools`/`functions`; records hold plain dialogues "
                         "only", field="tools", reason="tool_use")
        return [{"messages": chat_messages(messages), "source": self.name}]
