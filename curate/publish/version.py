"""A built version on disk, as push sees it: its manifest head, its tag and the files to publish.

A version folder is `<out>/<name>/v<N>/` with data/*.parquet (Hub layout), rejects/ (kept local),
manifest.json, README.md (the card) and card images (*.png). The manifest records the sha256 of
every shard, rejects file and image; `check_files` holds the folder to it before a push.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from curate.errors import InputError
from curate.io.digest import sha256_file

MANIFEST, CARD = "manifest.json", "README.md"
NOT_PUBLISHED = ("rejects",)  # every excluded record stays with the build, never on the Hub
VERSION_NAME = re.compile(r"^(?P<name>.+)_v(?P<number>\d+)$")


class RecipeHead(BaseModel):
    model_config = ConfigDict(extra="ignore")  # the manifest's recipe carries much more
    name: str
    version: int

    @field_validator("version", mode="before")
    @classmethod
    def check_version_number(cls, value):
        """Accept 3, "3" or "v3"."""
        return value[1:] if isinstance(value, str) and value.startswith("v") else value


class FileDigest(BaseModel):
    model_config = ConfigDict(extra="ignore")  # n_rows, split, ...
    path: str
    sha256: str

    @field_validator("path")
    @classmethod
    def check_path_stays_in_the_version(cls, value: str) -> str:
        parts = PurePosixPath(value).parts
        if not parts or value.startswith("/") or "\\" in value or any(p in (".", "..") for p in parts):
            raise ValueError(f"path {value!r} is not a plain path inside the version folder")
        return value

    @field_validator("sha256")
    @classmethod
    def check_sha256_is_hex(cls, value: str) -> str:
        return _hex(value, "sha256", 64, 64)


class ManifestHead(BaseModel):
    """The fields of manifest.json that publishing relies on; the rest travels untouched."""

    model_config = ConfigDict(extra="ignore")  # written by curate build, which owns the full schema
    fingerprint: str
    recipe: RecipeHead
    curate_version: str
    outputs: list[FileDigest] = []  # the shards under data/
    rejects: list[FileDigest] = []
    images: list[FileDigest] = []  # card images; the manifest writes {file name: sha256}

    @field_validator("images", mode="before")
    @classmethod
    def read_images_as_digests(cls, value):
        return [{"path": k, "sha256": v} for k, v in value.items()] if isinstance(value, dict) else value

    @property
    def tag(self) -> str:
        return f"v{self.recipe.version}"

    @property
    def digests(self) -> dict[str, str]:
        """Path in the version folder -> the sha256 the build wrote down."""
        return {f.path: f.sha256 for f in [*self.outputs, *self.rejects, *self.images]}

    @field_validator("fingerprint")
    @classmethod
    def check_fingerprint_is_hex(cls, value: str) -> str:
        return _hex(value, "fingerprint", 8, 128)


def _hex(value: str, what: str, shortest: int, longest: int) -> str:
    if not re.fullmatch(f"[0-9a-f]{{{shortest},{longest}}}", value):
        raise ValueError(f"{what} {value!r} is not a lower-case hex digest of {shortest}"
                         f"{'' if shortest == longest else f'-{longest}'} digits")
    return value


def read_manifest(data: bytes, *, where: str) -> ManifestHead:
    """Parse manifest.json bytes; `where` names them in errors."""
    try:
        return ManifestHead.model_validate(orjson.loads(data))
    except (orjson.JSONDecodeError, ValidationError) as exc:
        raise InputError(f"{where}: not a curate manifest ({exc}); rebuild the version with "
                         "`curate build`") from exc


@dataclass(frozen=True)
class BuiltVersion:
    root: Path
    manifest: ManifestHead

    @property
    def tag(self) -> str:
        return self.manifest.tag

    @property
    def fingerprint(self) -> str:
        return self.manifest.fingerprint

    def files(self) -> dict[str, Path]:
        """path in the repo -> local file: data/**, README.md, manifest.json and images, not rejects/."""
        out = {}
        for path in sorted(self.root.rglob("*")):
            rel = path.relative_to(self.root).as_posix()
            hidden = any(part.startswith(".") for part in rel.split("/"))
            if not path.is_file() or rel.split("/")[0] in NOT_PUBLISHED or hidden:
                continue
            if rel.startswith("data/") or rel in (MANIFEST, CARD) or rel.endswith(".png"):
                out[rel] = path
        return out


def changed_file(version: BuiltVersion, rel: str, *, expected: str, actual: str) -> InputError:
    return InputError(
        f"{version.root / rel}: sha256 {actual} but {MANIFEST} says {expected}: the file changed "
        "after the build, so it no longer is the version the manifest describes; rebuild it with "
        "`curate build` instead of editing a built version (nothing was pushed)")


def check_files(version: BuiltVersion) -> None:
    """Every file the manifest lists exists with its sha256, and every shard is listed; else an
    InputError naming the file. Runs before a push writes or uploads anything."""
    expected, files, root = version.manifest.digests, version.files(), version.root.resolve()
    linked = [rel for rel, path in files.items() if not path.resolve().is_relative_to(root)]
    if linked:  # a link would publish whatever file it points at
        raise InputError(f"{version.root / linked[0]}: a link to {files[linked[0]].resolve()}, "
                         "outside the version folder; a built version holds its own files: "
                         "rebuild it (nothing was pushed)")
    unlisted = [rel for rel in files if rel.startswith("data/") and rel not in expected]
    if unlisted:
        raise InputError(f"{version.root / unlisted[0]}: not among the outputs of {MANIFEST}, so "
                         "this build did not write it; remove it or rebuild the version (nothing "
                         "was pushed)")
    missing = [rel for rel in expected if not (version.root / rel).is_file()]
    if missing:
        raise InputError(f"{version.root / missing[0]}: listed in {MANIFEST} (sha256 "
                         f"{expected[missing[0]]}) but missing; rebuild the version with "
                         "`curate build` (nothing was pushed)")
    paths = list(expected)
    with ThreadPoolExecutor(max_workers=4) as pool:  # hashlib releases the GIL: shards in parallel
        actual = dict(zip(paths, pool.map(lambda rel: sha256_file(version.root / rel), paths), strict=True))
    for rel in paths:
        if actual[rel] != expected[rel]:
            raise changed_file(version, rel, expected=expected[rel], actual=actual[rel])


def read_version(build_dir: str | Path) -> BuiltVersion:
    """Open a built version folder and check it is complete enough to publish.

    >>> read_version("no/such/dir")
    Traceback (most recent call last):
    ...
    curate.errors.InputError: no/such/dir: no built version here (manifest.json missing); run `curate build` first or pass --from DIR
    """
    root = Path(build_dir)
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise InputError(f"{root}: no built version here ({MANIFEST} missing); run `curate build` "
                         "first or pass --from DIR")
    # Absolute: git runs in the registry's folder, not in ours.
    version = BuiltVersion(root.resolve(), read_manifest(manifest_path.read_bytes(), where=str(manifest_path)))
    if re.fullmatch(r"v\d+", root.name) and root.name != version.tag:
        raise InputError(f"{root}: the folder says {root.name} but its manifest says {version.tag}; "
                         "rebuild the version instead of renaming folders")
    if not any(rel.endswith(".parquet") for rel in version.files()):
        raise InputError(f"{root}: no data/*.parquet to publish; the build is incomplete, rebuild it")
    if not (root / CARD).is_file():
        raise InputError(f"{root}: {CARD} (the dataset card) is missing; rebuild the version")
    return version


def resolve_build_dir(name_version: str, *, out: str | Path = "build") -> Path:
    """`safety_rm_v3` -> build/safety_rm/v3.

    >>> resolve_build_dir("safety_rm_v3").as_posix()
    'build/safety_rm/v3'
    """
    match = VERSION_NAME.match(name_version)
    if match is None:
        raise InputError(f"{name_version!r} is not NAME_vN (e.g. safety_rm_v3); name a built "
                         "version or pass its folder with --from DIR")
    return Path(out) / match["name"] / f"v{match['number']}"
