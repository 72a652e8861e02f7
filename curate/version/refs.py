"""Version references: the ways a user names a built version.

- a folder holding manifest.json (`build/safety_rm/v3`);
- `NAME_vN`: the folder `<out>/NAME/vN` (`safety_rm_v3`);
- `ORG/NAME@vN` or `ORG/NAME@<commit>`: a published version, from the local registry or a Hub.

>>> parse_ref("safety_rm_v3", out="build")
BuiltRef(name='safety_rm', number=3, folder=PosixPath('build/safety_rm/v3'))
>>> parse_ref("org/safety-rm@v3")
PublishedRef(repo='org/safety-rm', revision='v3')
>>> parse_ref("org/safety-rm@6f1e2a0b").revision
'6f1e2a0b'
>>> parse_ref("safety rm")
Traceback (most recent call last):
...
curate.errors.InputError: 'safety rm': not a version; pass a build folder (holding manifest.json), NAME_vN (a folder under --out), ORG/NAME@vN or ORG/NAME@<commit> (the local registry, or a Hub)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from curate.errors import InputError
from curate.version.layout import version_folder

PUBLISHED = re.compile(r"^(?P<repo>[\w.\-]+/[\w.\-]+)@(?P<revision>v\d+|[0-9a-f]{7,40})$")
BUILT = re.compile(r"^(?P<name>[a-z0-9][a-z0-9_.\-]*)_v(?P<number>\d+)$")
FORMS = ("a build folder (holding manifest.json), NAME_vN (a folder under --out), ORG/NAME@vN "
         "or ORG/NAME@<commit> (the local registry, or a Hub)")


@dataclass(frozen=True)
class FolderRef:
    folder: Path


@dataclass(frozen=True)
class BuiltRef:
    name: str
    number: int
    folder: Path


@dataclass(frozen=True)
class PublishedRef:
    repo: str
    revision: str  # a tag vN or a commit


def parse_ref(ref: str | Path, *, out: str | Path = "build"
              ) -> FolderRef | BuiltRef | PublishedRef:
    """What `ref` names; an existing folder wins over the other readings."""
    text = str(ref)
    if text.strip() and Path(text).expanduser().is_dir():
        return FolderRef(Path(text).expanduser())
    published = PUBLISHED.match(text)
    if published:
        return PublishedRef(published["repo"], published["revision"])
    built = BUILT.match(text)
    if built:
        number = int(built["number"])
        return BuiltRef(built["name"], number, version_folder(out, built["name"], number))
    raise InputError(f"{text!r}: not a version; pass {FORMS}")

