"""Lineage of a version: what changed since the previous version built next to it.

The previous version is the highest v<M> with M < N in the same <out>/<name>/ folder. Rows are
compared by uid, read from both versions' shards (uid, source and batch columns only): the shards
already carry every kept uid, so a separate uid list would only duplicate them, could drift from
them, and would not exist for versions fetched from a Hub. Reading those columns is cheap
(Parquet column projection: about 40 bytes a row).

>>> previous_version(Path("/nonexistent"), version=3) is None
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from curate.diff import diff_versions
from curate.version import MANIFEST, Manifest, from_folder
from curate.version.layout import VERSION_DIR


def previous_version(versions_dir: Path, *, version: int) -> Path | None:
    """The folder of the highest complete version below `version` in `versions_dir`, if any."""
    found = []
    if versions_dir.is_dir():
        for folder in versions_dir.iterdir():
            match = VERSION_DIR.fullmatch(folder.name)
            if match and int(match[1]) < version and (folder / MANIFEST).is_file():
                found.append((int(match[1]), folder))
    return max(found)[1] if found else None


def lineage_entry(work: Path, manifest: dict[str, Any], *, versions_dir: Path,
                  version: int) -> dict[str, Any]:
    """The manifest's `lineage`: the previous version and the rows added and removed per source.

    `work` is the version being built (its data/ and rejects/ written, `manifest` (its JSON
    form, without the card's facts) not yet).
    """
    previous = previous_version(versions_dir, version=version)
    if previous is None:
        return {"previous": None}
    diff = diff_versions(from_folder(previous, label=previous.name),
                         from_folder(work, label=f"v{version}",
                                     manifest=Manifest.model_validate(manifest)))
    return {
        "previous": {"version": diff.a.version, "path": f"../{previous.name}",
                     "fingerprint": diff.a.fingerprint, "n_rows": diff.a.n_rows},
        "n_added": diff.n_added, "n_removed": diff.n_removed, "n_moved_split": diff.n_moved_split,
        "recipe_changes": [c.key for c in diff.recipe_changes],
        "sources": {name: s.model_dump() for name, s in diff.sources.items()},
        "notes": diff.notes,
    }
