"""JSON Schema of the records, exported from the pydantic models: the contract vendors and CI use.

>>> schema = json_schema("preference")
>>> schema["title"], schema["additionalProperties"]
('PreferenceRecord', False)
"""

from __future__ import annotations

import json
from pathlib import Path

from curate.kinds import KINDS, kind_spec

SCHEMA_FILES = {kind: f"{kind}.schema.json" for kind in KINDS}


def json_schema(kind: str) -> dict:
    """The schema of what a vendor writes (validation mode: derived fields are not inputs)."""
    schema = kind_spec(kind).model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://curate.dev/schemas/{SCHEMA_FILES[kind]}"
    return schema


def render(kind: str) -> str:
    return json.dumps(json_schema(kind), indent=2, sort_keys=True) + "\n"


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, name in SCHEMA_FILES.items():
        path = out / name
        path.write_text(render(kind))
        written.append(path)
    return written


def drifted(folder: Path) -> list[str]:
    """Names of schema files in `folder` that differ from (or are missing for) the models."""
    return [name for kind, name in SCHEMA_FILES.items()
            if not (folder / name).is_file() or (folder / name).read_text() != render(kind)]
