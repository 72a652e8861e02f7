"""Parsing helpers shared by commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from curate.errors import InputError

# A field takes one scalar. A date-like value stays the text the user typed.
_SCALAR_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null")}
_TEXT_TAGS = {"tag:yaml.org,2002:timestamp"}
_COLLECTION_TAGS = {"tag:yaml.org,2002:seq": "a list", "tag:yaml.org,2002:map": "a mapping"}


def parse_set(items: list[str] | None) -> dict[str, Any]:
    """`["criterion=safety", "chosen_temperature=0.7"]` -> {"criterion": "safety", ...}.

    Values are YAML scalars (text, numbers, true/false, null); lists, mappings and tags are refused.
    """
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set {item!r}: expected FIELD=VALUE, e.g. --set criterion=safety")
        out[key.strip()] = parse_scalar(item, value)
    return out


def parse_scalar(item: str, value: str) -> Any:
    """One YAML scalar; composed first, so no tag or alias is ever constructed unchecked."""
    try:
        node = yaml.compose(value, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _refusal(item, f"invalid YAML ({_problem(exc)})") from None
    if node is None:
        return None
    if node.tag in _TEXT_TAGS:
        return node.value
    if node.tag in _COLLECTION_TAGS:
        raise _refusal(item, _COLLECTION_TAGS[node.tag])
    if node.tag not in _SCALAR_TAGS:
        raise _refusal(item, f"a value tagged {node.tag}")
    try:
        return yaml.SafeLoader(value).get_single_data()
    except (yaml.YAMLError, ValueError, KeyError) as exc:  # `!!int x`, `!!bool maybe`
        raise _refusal(item, f"an invalid value ({_problem(exc)})") from None


def _refusal(item: str, what: str) -> InputError:
    return InputError(f"--set {item!r}: got {what}, but a field takes one value (text, a "
                      "number, true/false or null); quote text that looks like YAML, "
                      "e.g. --set 'annotator=\"[a]\"'")


def _problem(exc: Exception) -> str:
    return " ".join(str(getattr(exc, "problem", None) or exc).split())


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """An OSError from a write (ENOSPC) names no file: name the one being written."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)
        raise
