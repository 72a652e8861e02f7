"""manifest.json: what a version was built from, what it holds, and its fingerprint.

One definition, written by the build and read by push, diff, audit, stats and the trainers.
`extra="forbid"`: a field written and not declared here (or the reverse) fails at once rather
than travelling unread. `schema_version` changes when a field changes meaning or goes away.

>>> read_manifest(b'{"fingerprint": "x"}', where="m.json")
Traceback (most recent call last):
...
curate.errors.InputError: m.json: not a curate manifest (curate_version: Field required; fingerprint: 'x' is not a lower-case hex digest of 8-128 digits; recipe: Field required); rebuild the version with `curate build`
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Annotated, Any, ClassVar, Literal

import orjson
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler,
                      ValidationError, field_serializer, model_serializer)

from curate.errors import InputError
from curate.recipe import Recipe

SCHEMA_VERSION = 1


def _hex(shortest: int, longest: int):
    def check(value: str) -> str:
        if not re.fullmatch(f"[0-9a-f]{{{shortest},{longest}}}", value):
            span = "" if shortest == longest else f"-{longest}"
            raise ValueError(f"{value!r} is not a lower-case hex digest of {shortest}{span} digits")
        return value
    return AfterValidator(check)


def _inside_version(value: str) -> str:
    parts = PurePosixPath(value).parts
    if not parts or value.startswith("/") or "\\" in value or any(p in (".", "..") for p in parts):
        raise ValueError(f"path {value!r} is not a plain path inside the version folder")
    return value


Sha256 = Annotated[str, _hex(64, 64)]
Fingerprint = Annotated[str, _hex(8, 128)]
VersionPath = Annotated[str, AfterValidator(_inside_version)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Optional(_Part):
    """A part with fields added later (OPTIONAL): left out of the JSON while None, so the
    manifests of versions that do not use them keep their bytes."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def drop_unused(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        return {k: v for k, v in data.items() if not (k in self.OPTIONAL and v is None)}


class Shard(_Part):
    """One Parquet file of data/."""

    split: str
    path: VersionPath
    n_rows: int = Field(ge=0)
    sha256: Sha256


class RejectsFile(_Part):
    path: VersionPath
    n_rows: int = Field(ge=0)
    sha256: Sha256


class HubOrigin(_Part):
    """Where a file read from the Hub came from, and the digest to check it against."""

    repo: str = Field(description="The dataset repo, ORG/NAME.")
    revision: str = Field(description="The revision the recipe asked for (main by default).")
    commit: str = Field(description="The commit it was read at (the lock's, when locked).")
    file: str = Field(description="The file's path in the repo.")
    sha256: Sha256


class InputFile(_Optional):
    """A file a source was read from: where, relative to the recipe's folder (or `synth:` for
    generated samples, `hf://datasets/ORG/NAME@COMMIT/PATH` for Hub files), so that the
    manifest holds no machine paths; and what it held."""

    OPTIONAL = frozenset({"hub"})

    path: str
    bytes: int = Field(ge=0)
    xxh3: str
    hub: HubOrigin | None = None


class SourceCounts(_Optional):
    """read = kept + rejected + not selected, per source."""

    OPTIONAL = frozenset({"format_options", "mapping"})

    n_read: int = Field(ge=0)
    n_kept: int = Field(ge=0)
    n_rejected: int = Field(ge=0)
    rejected_by_reason: dict[str, int]
    n_not_selected: int = Field(ge=0)
    catalog: str | None = None
    format: str | None = None
    format_options: dict[str, Any] | None = Field(None, description="The format's settings "
                                                  "(the catalog's and the recipe's), when given.")
    sample: bool = False
    license: str | None = None
    files: list[InputFile] = []
    mapping: dict[str, Any] | None = Field(None, description="The column mapping's full "
                                           "content, when `format:` names a mapping file.")


class Group(_Part):
    n_rows: int = Field(ge=0)
    sources: dict[str, int]


class Manifest(_Optional):
    """The typed manifest.json of a built version."""

    OPTIONAL = frozenset({"engine"})

    schema_version: Literal[1] = SCHEMA_VERSION
    curate_version: str
    fingerprint: Fingerprint
    recipe: Recipe
    recipe_file: str = Field(description="The recipe's file name (e.g. safety_rm_v3.yaml).")
    sources: dict[str, SourceCounts] = {}
    groups: dict[str, Group] = {}
    splits: dict[str, int] = {}
    outputs: list[Shard] = []
    rejects: list[RejectsFile] = []
    stats: dict[str, dict[str, dict[str, int]]] = Field(
        default_factory=dict, description="by_<column>: {split: {value: n}}.")
    table6: dict[str, Any] | None = Field(None, description="Llama 2's Table 6 for this version.")
    lineage: dict[str, Any] | None = Field(None, description="What changed since the previous "
                                           "version built beside it.")
    dataset_info: dict[str, Any] | None = Field(None, description="The Hub's dataset_info.")
    images: dict[VersionPath, Sha256] = Field(default_factory=dict,
                                              description="Card image -> sha256.")
    audit: dict[str, Any] | None = Field(None, description="`curate audit score --attach`.")
    engine: dict[str, Any] | None = Field(None, description="The engine when not the local "
                                          "one: {name: ray, nodes, cpus}; not in the "
                                          "fingerprint (the bytes do not depend on it).")

    @field_serializer("recipe")
    def recipe_as_written(self, recipe: Recipe) -> dict[str, Any]:
        return recipe.model_dump(mode="json", by_alias=True, exclude_none=True)

    @property
    def tag(self) -> str:
        return f"v{self.recipe.version}"

    @property
    def kind(self) -> str:
        return self.recipe.kind

    @property
    def digests(self) -> dict[str, str]:
        """Path in the version folder -> the sha256 the build wrote down."""
        return {**{f.path: f.sha256 for f in [*self.outputs, *self.rejects]}, **self.images}

    def to_json(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json", exclude_none=False),
                            option=orjson.OPT_INDENT_2) + b"\n"


def read_manifest(data: bytes, *, where: str) -> Manifest:
    """Parse manifest.json bytes; `where` names them in errors."""
    try:
        return Manifest.model_validate(orjson.loads(data))
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc}); rebuild the version with "
                         "`curate build`") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'manifest'}: "
                             f"{e['msg'].removeprefix('Value error, ')}"
                             for e in exc.errors()[:3])
        raise InputError(f"{where}: not a curate manifest ({problems}); rebuild the version "
                         "with `curate build`") from exc
