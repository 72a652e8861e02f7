"""The one way curate runs git: the local registry is a folder of git repositories.

Callers say which error a failure is (reading a version is an InputError, a failed push a
PublishError), and what the user should do about it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from curate.errors import CurateError, InputError


def git(repo_dir: Path, *args: str, stdin: str | bytes | None = None,
        env: dict[str, str] | None = None, check: bool = True,
        error: type[CurateError] = InputError, fix: str = "") -> bytes:
    """stdout of `git -C repo_dir ARGS`; a missing git or a failure (when `check`) is `error`,
    naming the command, the folder, git's own words and `fix`."""
    if shutil.which("git") is None:
        raise error("the local registry needs the `git` command, which is not on PATH; install "
                    "git" + (f", or {fix}" if fix else ""))
    data = stdin.encode() if isinstance(stdin, str) else stdin
    done = subprocess.run(["git", "-C", str(repo_dir), *args], input=data, capture_output=True,
                          env={**os.environ, **env} if env else None)
    if check and done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip()
        raise error(f"{repo_dir}: git {' '.join(args[:2])} failed ({said})"
                    + (f"; {fix}" if fix else ""))
    return done.stdout
