"""manifest.json for a hand-made version folder, as `curate build` writes it (curate.version).

Tests that need a version with exact rows write its shards themselves, then call
`write_manifest`, which lists every file with its sha256 in the one typed Manifest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow.parquet as pq

from curate.recipe import Recipe
from curate.version import MANIFEST, Manifest


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(root: Path, *, name: str, version: int, kind: str = "preference",
                   fingerprint: str | None = None) -> Manifest:
    """List root/data/*.parquet, root/rejects/*.parquet and root/*.png in root/manifest.json.
    The fingerprint defaults to the sha256 over the shards' bytes."""
    shards = sorted((root / "data").glob("*.parquet"))
    digest = hashlib.sha256()
    for shard in shards:
        digest.update(shard.read_bytes())
    recipe = Recipe.model_validate({
        "name": name, "version": version, "kind": kind,
        "sources": {"fixture": {"path": "fixture.jsonl"}},
        "mix": [{"group": "all", "from": ["fixture"], "take": "all"}]})
    outputs = [{"split": s.name.split("-")[0], "path": f"data/{s.name}",
                "n_rows": pq.read_metadata(s).num_rows, "sha256": sha256_of(s)} for s in shards]
    splits: dict[str, int] = {}
    for o in outputs:
        splits[o["split"]] = splits.get(o["split"], 0) + o["n_rows"]
    manifest = Manifest(
        curate_version="0.1.0", fingerprint=fingerprint or digest.hexdigest(), recipe=recipe,
        recipe_file=f"{name}_v{version}.yaml", splits=splits, outputs=outputs,
        rejects=[{"path": f"rejects/{r.name}", "n_rows": pq.read_metadata(r).num_rows,
                  "sha256": sha256_of(r)} for r in sorted((root / "rejects").glob("*.parquet"))],
        images={p.name: sha256_of(p) for p in sorted(root.glob("*.png"))})
    (root / MANIFEST).write_bytes(manifest.to_json())
    return manifest
