"""Naming files on the Hub: `hf://datasets/ORG/NAME@REV/PATH` and what a `hub:` source asks for.

>>> ref = parse_hf_path("hf://datasets/Anthropic/hh-rlhf@v1.0/harmless-base/*.jsonl.gz")
>>> ref.repo, ref.revision, ref.patterns
('Anthropic/hh-rlhf', 'v1.0', ('harmless-base/*.jsonl.gz',))
>>> parse_hf_path("hf://datasets/org/name").rev, parse_hf_path("hf://datasets/org/name").patterns
('main', None)
>>> hf_path("org/name", "0" * 40, "data/a.jsonl")
'hf://datasets/org/name@0000000000000000000000000000000000000000/data/a.jsonl'
"""

from __future__ import annotations

import fnmatch
import glob
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote, unquote

from curate.errors import InputError
from curate.io.files import HF_SCHEME, is_data_file

DEFAULT_REVISION = "main"
_COMMIT = re.compile(r"[0-9a-f]{40}")
_HF_PATH = re.compile(r"hf:/?/datasets/(?P<org>[^/@]+)/(?P<name>[^/@]+)(?:@(?P<rev>[^/]+))?"
                      r"(?:/(?P<path>.*))?")


@dataclass(frozen=True)
class HubRef:
    """Files of a dataset repo at a revision: `patterns` (globs or paths in the repo) or, when
    None, every data file. A revision of None means the repo's main branch."""

    repo: str
    revision: str | None = None
    patterns: tuple[str, ...] | None = None

    @property
    def rev(self) -> str:
        return self.revision or DEFAULT_REVISION

    @property
    def shown(self) -> str:
        return f"{self.repo}@{self.rev}"

    def wanted(self) -> str:
        """The files asked for, in words, for messages."""
        return f"files {list(self.patterns)}" if self.patterns else "any data file"


def is_hf_path(text: object) -> bool:
    """True for `hf://...` (also once pathlib has folded it to `hf:/...`)."""
    return isinstance(text, str) and text.startswith(HF_SCHEME)


def parse_hf_path(text: str) -> HubRef:
    """The repo, revision and path of `hf://datasets/ORG/NAME[@REV][/PATH]` (PATH a file, a
    folder or a glob; REV percent-encoded when it holds a `/`, as HfFileSystem writes it)."""
    match = _HF_PATH.fullmatch(text)
    if match is None:
        raise InputError(f"{text}: not a Hub dataset path; write hf://datasets/ORG/NAME@REVISION"
                         "/PATH (e.g. hf://datasets/Anthropic/hh-rlhf@main/harmless-base)")
    path = (match["path"] or "").strip("/")
    return HubRef(f"{match['org']}/{match['name']}", unquote(match["rev"]) if match["rev"] else None,
                  (path,) if path else None)


def hf_path(repo: str, commit: str, path: str) -> str:
    """The hf:// name of one file at one commit: what a manifest records."""
    return f"hf://datasets/{repo}@{quote(commit, safe='')}/{path}"


def is_commit(revision: str) -> bool:
    return bool(_COMMIT.fullmatch(revision))


def match_files(paths: list[str], patterns: tuple[str, ...] | None) -> list[str]:
    """The repo paths a source takes, sorted. No patterns: every data file (.jsonl, .json,
    .ndjson, .parquet, maybe .gz). A glob (fnmatch, as huggingface_hub's allow_patterns: `*`
    also crosses `/`) or a folder takes the data files in it; a plain path takes that file.

    >>> match_files(["README.md", "a/x.jsonl.gz", "a/y.json", "b/z.parquet"], ("a/*.gz", "b"))
    ['a/x.jsonl.gz', 'b/z.parquet']
    """
    if patterns is None:
        return sorted(p for p in paths if _is_data(p))
    taken = set()
    for pattern in patterns:
        pattern = pattern.strip("/")
        if glob.has_magic(pattern):
            taken.update(p for p in paths if fnmatch.fnmatchcase(p, pattern) and _is_data(p))
        elif pattern in paths:
            taken.add(pattern)
        else:
            taken.update(p for p in paths if p.startswith(pattern + "/") and _is_data(p))
    return sorted(taken)


def _is_data(path: str) -> bool:
    return is_data_file(PurePosixPath(path))  # type: ignore[arg-type]
