"""`curate`: the native records themselves, as JSON Lines or Parquet with the schema's columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.adapters.base import Adapter, NEVER
from curate.columns import arrow_schema, required_fields
from curate.kinds import KINDS, OUTPUT_FORMATS


def native_kind(row: Mapping[str, Any]) -> str | None:
    """The record kind a native row belongs to, or None when it is not a native row: the
    records' own columns, or a built version's in an output format whose columns are not the
    records' (an SFT version's standard `prompt` and `completion`)."""
    for kind, spec in KINDS.items():
        names = set(arrow_schema(kind).names) | {"uid", "safety_category"}
        if set(row) <= names and all(f in row for f in required_fields(kind)):
            return kind
        for format in OUTPUT_FORMATS:
            output = set(spec.output_schema_for(format).names)
            if set(row) <= output and {*spec.text_output_columns(format), "source"} <= set(row):
                return kind
    return None


class Native(Adapter):
    name = "curate"
    kind = "preference"  # set per instance: Native("sft")
    priority = NEVER
    description = "curate's own records (JSON Lines or Parquet with the schema's columns)"

    def __init__(self, kind: str = "preference") -> None:
        self.kind = kind  # type: ignore[misc]

    def sniff(self, row: Mapping[str, Any]) -> bool:
        return native_kind(row) == self.kind

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        # Derived columns may be present in exported data; they are recomputed, never trusted.
        return [{k: v for k, v in row.items() if k not in ("uid", "safety_category")}]
