"""A built version: its layout, its typed manifest, the ways to name it and to open it.

The build writes versions, push publishes them, diff compares them, audit and stats read them
and the trainers train on them; all of them go through this package.

>>> from curate.version import open_version
>>> open_version("org/none@v1", registry="/nonexistent")
Traceback (most recent call last):
...
curate.errors.InputError: org/none@v1: no such dataset in the registry /nonexistent; push it first (`curate push --local`), set CURATE_HOME or pass --registry DIR, or give a Hub endpoint
"""

from curate.version.layout import CARD, DATA, MANIFEST, NOT_PUBLISHED, REJECTS, version_folder
from curate.version.manifest import Manifest, read_manifest
from curate.version.opening import Version, from_folder, open_version
from curate.version.refs import BuiltRef, FolderRef, PublishedRef, parse_ref

__all__ = ["CARD", "DATA", "MANIFEST", "NOT_PUBLISHED", "REJECTS", "BuiltRef", "FolderRef",
           "Manifest", "PublishedRef", "Version", "from_folder", "open_version", "parse_ref",
           "read_manifest", "version_folder"]
