"""The prompts a collection packet samples responses for: dialogues that end with a user turn.

Any file curate reads gives them, local or on the Hub (`hf://datasets/ORG/NAME@REV/FILE`, fetched
into the HF cache as curate.read does): a preference record gives its `prompt`, an SFT record its
messages up to the last user turn. JSON lines of plain strings or of {"text": ...} give one-turn
prompts. The same prompt twice (same uid, curate.identity.prompt_uid) is kept once; rows with
no user turn are counted, not sampled.

>>> import json, pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "prompts.jsonl"
>>> _ = path.write_text("\\n".join(json.dumps(v) for v in
...     ["How do I boil an egg?", {"text": "Name a prime."}, "How do I boil an egg?"]) + "\\n")
>>> found = read_prompts(path)
>>> [p.messages[-1]["content"] for p in found.prompts], found.counts
(['How do I boil an egg?', 'Name a prime.'], {'duplicate_prompt': 1})
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from curate.errors import InputError
from curate.identity import prompt_uid
from curate.io.files import HF_SCHEME, expand_paths, open_binary, storage_of
from curate.kinds import kind_spec
from curate.reading import scan_batches

_RECORD_KEYS = {"messages", "prompt", "chosen", "conversations", "instruction"}


@dataclass(frozen=True)
class Prompt:
    uid: str
    messages: list[dict[str, str]]


@dataclass
class Prompts:
    """The distinct prompts in file order, and what was left out, by reason."""

    prompts: list[Prompt] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _first_value(path: Path) -> Any:
    with open_binary(path) as fh:
        for line in fh:
            if line.strip():
                try:
                    return orjson.loads(line)
                except orjson.JSONDecodeError:
                    return None
    raise InputError(f"{path}: no prompt in it; give one JSON line per prompt, or a file curate reads")


def _is_text_line(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, dict) and isinstance(value.get("text"), str)
                                      and not _RECORD_KEYS & value.keys())


def _text_prompts(path: Path) -> list[list[dict[str, str]] | None]:
    found: list[list[dict[str, str]] | None] = []
    with open_binary(path) as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}: not valid JSON ({exc}); one JSON string or "
                                 '{"text": ...} per line') from exc
            if not _is_text_line(value):
                raise InputError(f"{path}:{number}: expected a JSON string or an object with "
                                 f"\"text\", like the first line; got {str(value)[:60]!r}")
            text = value if isinstance(value, str) else value["text"]
            found.append([{"role": "user", "content": text}] if text.strip() else None)
    return found


def _until_last_user_turn(messages: list[dict[str, str]]) -> list[dict[str, str]] | None:
    users = [i for i, m in enumerate(messages) if m["role"] == "user"]
    return messages[: users[-1] + 1] if users else None


def _record_prompts(path: Path, format: str | None, counts: Counter[str]):
    for batch in scan_batches(path, format=format):
        for problem in batch.problems:
            counts["skipped" if problem.skipped else "unreadable_row"] += 1
        for dialogue in batch.frame[kind_spec(batch.kind).dialogue].to_list():
            messages = [{"role": m["role"], "content": m["content"]} for m in dialogue or []]
            yield _until_last_user_turn(messages)


def prompts_file(prompts: str | Path) -> Path:
    """The local file `--prompts` names: a path, or one file on the Hub (hf://datasets/...),
    downloaded into the HF cache."""
    if str(prompts).startswith(HF_SCHEME):
        files = expand_paths(prompts)
        if len(files) != 1:
            raise InputError(f"--prompts {prompts}: names {len(files)} files on the Hub; give one "
                             "file of prompts")
        return files[0]
    path = Path(prompts)
    if not path.is_file():
        raise InputError(f"{path}: no such file; --prompts takes a file of prompts")
    return path


def read_prompts(path: str | Path, *, format: str | None = None) -> Prompts:
    """Distinct prompts of `path` (see the module docstring); `format` as for curate.read."""
    path = prompts_file(path)
    counts: Counter[str] = Counter()
    texts = format is None and storage_of(path) == "jsonl" and _is_text_line(_first_value(path))
    dialogues = _text_prompts(path) if texts else _record_prompts(path, format, counts)
    result, seen = Prompts(), set()
    for messages in dialogues:
        if not messages:
            counts["no_user_turn"] += 1
            continue
        uid = prompt_uid([(m["role"], m["content"]) for m in messages])
        if uid in seen:
            counts["duplicate_prompt"] += 1
            continue
        seen.add(uid)
        result.prompts.append(Prompt(uid=uid, messages=messages))
    result.counts = dict(sorted(counts.items()))
    if not result.prompts:
        raise InputError(f"{path}: no dialogue in it ends with a user turn ({result.counts}); "
                         "give prompts, SFT or preference records")
    return result
