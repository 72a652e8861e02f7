"""Parsing helpers shared by commands."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from curate.errors import InputError
from curate.io.yamlsafe import describe, loads

_SCALARS = (str, int, float, bool, type(None))


def parse_set(items: list[str] | None) -> dict[str, Any]:
    """`["criterion=safety", "chosen_temperature=0.7"]` -> {"criterion": "safety", ...}.

    Values are YAML scalars (text, numbers, true/false, null); lists, mappings and tags are refused.
    """
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set {_shown(item)}: expected FIELD=VALUE, e.g. "
                             "--set criterion=safety")
        out[key.strip()] = parse_scalar(item, value)
    return out


def parse_format_options(items: list[str] | None) -> dict[str, Any]:
    """`["lang=en", "lang=de"]` -> {"lang": ["en", "de"]}: KEY=VALUE, a key given twice
    collects a list."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--format-option {_shown(item)}: expected KEY=VALUE, e.g. "
                             "--format-option lang=en")
        key, parsed = key.strip(), parse_scalar(item, value)
        if key in out:
            parsed = [*(out[key] if isinstance(out[key], list) else [out[key]]), parsed]
        out[key] = parsed
    return out


def parse_scalar(item: str, value: str) -> Any:
    """One value read as YAML (curate.io.yamlsafe: no tags, bounded); a date stays its text."""
    try:
        parsed = loads(value)
    except yaml.YAMLError as exc:
        raise InputError(describe(exc, where=f"--set {_shown(item)}")) from None
    if isinstance(parsed, (datetime.date, datetime.datetime)):
        return value.strip()
    if not isinstance(parsed, _SCALARS):
        got = {list: "a list", dict: "a mapping"}.get(type(parsed), type(parsed).__name__)
        raise InputError(f"--set {_shown(item)}: got {got}, but a field takes one value (text, a "
                         "number, true/false or null); quote text that looks like YAML, "
                         "e.g. --set 'annotator=\"[a]\"'")
    return parsed


def _shown(item: str, limit: int = 80) -> str:
    return repr(item if len(item) <= limit else item[:limit] + "...")


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """An OSError from a write (ENOSPC) names no file: name the one being written."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)
        raise
