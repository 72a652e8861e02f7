"""What push checks of a built version before it writes or uploads anything.

The version itself (layout, manifest, opening) is curate.version; here: that the folder is a
complete build, and that every file is still the one its manifest describes.
"""

from __future__ import annotations

import dataclasses
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from curate.errors import InputError
from curate.io.digest import sha256_file
from curate.version import CARD, MANIFEST, Version, from_folder, parse_ref
from curate.version.layout import VERSION_DIR
from curate.version.refs import BuiltRef


def changed_file(version: Version, rel: str, *, expected: str, actual: str) -> InputError:
    return InputError(
        f"{version.path / rel}: sha256 {actual} but {MANIFEST} says {expected}: the file changed "
        "after the build, so it no longer is the version the manifest describes; rebuild it with "
        "`curate build` instead of editing a built version (nothing was pushed)")


def check_files(version: Version) -> None:
    """Every file the manifest lists exists with its sha256, and every shard is listed; else an
    InputError naming the file. Runs before a push writes or uploads anything."""
    expected, files, root = version.manifest.digests, version.published_files(), version.path.resolve()
    linked = [rel for rel, path in files.items() if not path.resolve().is_relative_to(root)]
    if linked:  # a link would publish whatever file it points at
        raise InputError(f"{version.path / linked[0]}: a link to {files[linked[0]].resolve()}, "
                         "outside the version folder; a built version holds its own files: "
                         "rebuild it (nothing was pushed)")
    unlisted = [rel for rel in files if rel.startswith("data/") and rel not in expected]
    if unlisted:
        raise InputError(f"{version.path / unlisted[0]}: not among the outputs of {MANIFEST}, so "
                         "this build did not write it; remove it or rebuild the version (nothing "
                         "was pushed)")
    missing = [rel for rel in expected if not (version.path / rel).is_file()]
    if missing:
        raise InputError(f"{version.path / missing[0]}: listed in {MANIFEST} (sha256 "
                         f"{expected[missing[0]]}) but missing; rebuild the version with "
                         "`curate build` (nothing was pushed)")
    paths = list(expected)
    with ThreadPoolExecutor(max_workers=4) as pool:  # hashlib releases the GIL: shards in parallel
        actual = dict(zip(paths, pool.map(lambda rel: sha256_file(version.path / rel), paths), strict=True))
    for rel in paths:
        if actual[rel] != expected[rel]:
            raise changed_file(version, rel, expected=expected[rel], actual=actual[rel])


@contextmanager
def card_naming(version: Version, repo: str) -> Iterator[Version]:
    """`version` with a card whose load snippet names `repo`, as the push uploads it; the build
    folder's README.md stays as built (the card is not among the manifest's digests)."""
    from curate.builder.card import card_for_repo

    built = version.files[CARD]
    text = built.read_bytes().decode("utf-8")
    named = card_for_repo(text, repo)
    if named == text:
        yield version
        return
    with tempfile.TemporaryDirectory(prefix="curate-card-") as tmp:
        card = Path(tmp) / CARD
        card.write_bytes(named.encode("utf-8"))
        yield dataclasses.replace(version, files={**version.files, CARD: card})


def read_version(build_dir: str | Path) -> Version:
    """Open a built version folder and check it is complete enough to publish.

    >>> read_version("no/such/dir")
    Traceback (most recent call last):
    ...
    curate.errors.InputError: no/such/dir: no built version here (manifest.json missing); run `curate build` first or pass --from DIR
    """
    root = Path(build_dir)
    if not (root / MANIFEST).is_file():
        raise InputError(f"{root}: no built version here ({MANIFEST} missing); run `curate build` "
                         "first or pass --from DIR")
    # Absolute: git runs in the registry's folder, not in ours.
    version = from_folder(root.resolve(), label=str(root))
    if VERSION_DIR.fullmatch(root.name) and root.name != version.tag:
        raise InputError(f"{root}: the folder says {root.name} but its manifest says {version.tag}; "
                         "rebuild the version instead of renaming folders")
    if not any(rel.endswith(".parquet") for rel in version.published_files()):
        raise InputError(f"{root}: no data/*.parquet to publish; the build is incomplete, rebuild it")
    if not (root / CARD).is_file():
        raise InputError(f"{root}: {CARD} (the dataset card) is missing; rebuild the version")
    return version


def resolve_build_dir(name_version: str, *, out: str | Path = "build") -> Path:
    """`safety_rm_v3` -> build/safety_rm/v3.

    >>> resolve_build_dir("safety_rm_v3").as_posix()
    'build/safety_rm/v3'
    """
    ref = parse_ref(name_version, out=out)
    if not isinstance(ref, BuiltRef):
        raise InputError(f"{name_version!r} is not NAME_vN (e.g. safety_rm_v3); name a built "
                         "version or pass its folder with --from DIR")
    return ref.folder
