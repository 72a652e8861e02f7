"""Reading values out of a raw row: dotted paths, and the text form values are compared by.

>>> row = {"q": {"text": "2+2?"}, "answers": [{"score": 7.0}]}
>>> lookup(row, "q.text"), lookup(row, "answers.0.score")
('2+2?', 7.0)
>>> text_key(7.0), text_key(True), text_key("en"), text_key(1.5)
('7', 'true', 'en', '1.5')
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from curate.adapters.base import Reject
from curate.preview import preview


def lookup(row: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path; a Reject names the step that failed and what is there."""
    value: Any = row
    for i, step in enumerate(path.split(".")):
        where = ".".join(path.split(".")[:i]) or "the row"
        if isinstance(value, Mapping):
            if step not in value:
                have = ", ".join(sorted(map(str, value))) or "none"
                raise Reject(f"column `{path}`: {where} has no key `{step}`; available: {have}; "
                             "fix the column mapping", field=path, reason="missing_column")
            value = value[step]
        elif isinstance(value, list) and step.isdigit():
            if int(step) >= len(value):
                raise Reject(f"column `{path}`: {where} has {len(value)} item(s), no index "
                             f"{step}", field=path, reason="missing_column")
            value = value[int(step)]
        else:
            raise Reject(f"column `{path}`: {where} is {type(value).__name__}, cannot take "
                         f"`{step}` from it", field=path, reason="missing_column")
    return value


def text_key(value: Any) -> str | None:
    """How a mapping compares a value: by its text, so 1, 1.0 and "1" are one value (a YAML
    key, a JSON float and a CSV string alike); booleans are "true"/"false" (never 1/0).
    None for null and for what has no text form (a list, an object, NaN)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    return None


def shown(value: Any) -> str:
    """A raw value in a message, as the data spells it (null, true, 1.5, 'en', [...])."""
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)
    return preview(value, 40)
