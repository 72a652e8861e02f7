"""`curate lock RECIPE`: resolve every Hub repo the recipe reads to a commit now, and write them
into the lock file beside the recipe (curate.recipe.lock), which later builds read.

>>> result = lock_recipe("recipes/safety_rm_open_v1.yaml")  # doctest: +SKIP
>>> result.path.name, result.lock.hub[0].commit[:12]  # doctest: +SKIP
('safety_rm_open_v1.lock', '09be8c5bbc57')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from curate.builder.sources import hub_refs
from curate.errors import InputError
from curate.recipe import read_recipe
from curate.recipe.lock import Lock, LockedFile, LockedRepo, lock_path, read_lock, write_lock


@dataclass(frozen=True)
class LockResult:
    path: Path | None  # None: the recipe reads nothing from the Hub, no lock was written
    lock: Lock
    previous: Lock | None  # the lock it replaced

    def was(self, entry: LockedRepo) -> str | None:
        """The commit the previous lock had for this entry's repo and revision."""
        old = self.previous.find(entry.repo, entry.revision) if self.previous else None
        return old.commit if old else None


def lock_recipe(recipe: str | Path) -> LockResult:
    """Resolve the recipe's Hub sources on the Hub (never from a lock or the cache) and write
    RECIPE_STEM.lock beside it. A recipe without Hub sources gets no lock file."""
    from curate.hub import HubResolver

    recipe_obj, recipe_path = read_recipe(recipe)
    previous = read_lock(recipe_path)
    refs = hub_refs(recipe_obj, recipe_path)
    if not refs:
        return LockResult(None, Lock(), previous)
    resolver = HubResolver(job="curate lock")
    if resolver.offline:
        raise InputError(f"{recipe_path}: `curate lock` asks the Hub what each revision points "
                         "at now, and HF_HUB_OFFLINE is set; unset it to lock (a build offline "
                         "uses the lock file as it is)")
    entries: dict[tuple[str, str], LockedRepo] = {}
    for name, ref in refs:
        listing, paths = resolver.matched(ref, where=f"{recipe_path}: source {name}")
        key = (ref.repo, ref.rev)
        entry = entries.get(key) or LockedRepo(repo=ref.repo, revision=ref.rev,
                                               commit=listing.commit)
        files = {**entry.files, **{p: LockedFile(bytes=listing.files[p].size,
                                                 sha256=listing.files[p].sha256) for p in paths}}
        entries[key] = entry.model_copy(update={
            "sources": sorted({*entry.sources, name}), "files": dict(sorted(files.items()))})
    lock = Lock(hub=sorted(entries.values(), key=lambda e: (e.repo, e.revision)))
    return LockResult(write_lock(recipe_path, lock), lock, previous)


__all__ = ["LockResult", "lock_path", "lock_recipe"]
