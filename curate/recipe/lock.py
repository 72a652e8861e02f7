"""The lock file beside a recipe: the commit each Hub source resolved to, so that a recipe that
says `revision: main` builds the same bytes next month (like uv.lock for a project).

`curate lock RECIPE` writes RECIPE_STEM.lock (YAML) beside the recipe; `curate build` uses its
commits and says when a branch has moved since; running `curate lock` again moves them. One
entry per repo and requested revision (sources that share them share the entry), with the files
the recipe takes there: size, and the sha256 for files the Hub stores in LFS.

>>> lock = Lock(hub=[LockedRepo(repo="org/x", revision="main", commit="a" * 40,
...                              sources=["harmless"], files={"data/a.jsonl": LockedFile(bytes=8)})])
>>> lock.find("org/x", "main").commit[:4], lock.find("org/x", "v1") is None
('aaaa', True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from curate.io.atomic import write_atomic
from curate.io.yamlsafe import read_yaml, validation_message
from curate.recipe.model import RecipeError

LOCK_SUFFIX = ".lock"
HEADER = ("# Written by `curate lock`: the commits this recipe's Hub sources resolved to.\n"
          "# `curate build` reads them from here; run `curate lock` on the recipe again to move "
          "them.\n")

Commit = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LockedFile(_Strict):
    bytes: int | None = Field(None, ge=0)
    sha256: Sha256 | None = Field(None, description="For LFS files: the Hub's content digest.")


class LockedRepo(_Strict):
    repo: str = Field(description="The dataset repo, ORG/NAME.")
    revision: str = Field(description="The revision the recipe asks for (main when it does "
                          "not say).")
    commit: Commit = Field(description="The commit it resolved to when locked.")
    sources: list[str] = Field(default_factory=list, description="The recipe's sources that "
                               "read it (for people; the build looks entries up by repo and "
                               "revision).")
    files: dict[str, LockedFile] = Field(default_factory=dict, description="The files the "
                                         "recipe takes at that commit, by path in the repo.")


class Lock(_Strict):
    lock_version: Literal[1] = 1
    hub: list[LockedRepo] = Field(default_factory=list)

    def find(self, repo: str, revision: str) -> LockedRepo | None:
        return next((e for e in self.hub if (e.repo, e.revision) == (repo, revision)), None)


def lock_path(recipe_path: Path) -> Path:
    """RECIPE_STEM.lock beside the recipe (safety_rm_open_v1.yaml -> safety_rm_open_v1.lock)."""
    return recipe_path.with_suffix(LOCK_SUFFIX)


def read_lock(recipe_path: Path) -> Lock | None:
    """The recipe's lock, or None when it has none."""
    path = lock_path(recipe_path)
    if not path.is_file():
        return None
    data = read_yaml(path, what="lock file")
    try:
        return Lock.model_validate(data)
    except ValidationError as exc:
        raise RecipeError(f"{path}: not a curate lock file ({validation_message(exc)}); delete "
                          "it and run `curate lock` on the recipe again") from exc


def write_lock(recipe_path: Path, lock: Lock) -> Path:
    """Write the lock beside the recipe in one step; returns its path."""
    path = lock_path(recipe_path)
    data = lock.model_dump(mode="json", exclude_none=True)
    text = HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise RecipeError(f"{path}: cannot write the lock file ({exc.strerror}); copy the "
                          "recipe into a folder you can write (e.g. ./recipes/) and lock "
                          "that copy") from exc
    return path
