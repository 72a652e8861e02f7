"""The dataset card (README.md) of a built version, and the facts it needs that the build's
counts do not hold: Table 6, lineage, the Hub's dataset_info, images.

`describe_version` runs once per build, before manifest.json is written, and returns the entries
it adds to the manifest; `dataset_card` (and `render_card`, its text) is a pure function of the
recipe and the manifest: metadata as huggingface_hub's `DatasetCardData`, the body from the
kind's Jinja template in curate/cards/, the whole parsed back as a `DatasetCard`. The card
loads the version from its folder; `card_for_repo` makes it load the version from a Hub repo
(what `curate push` uploads).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
import polars as pl
import pyarrow.parquet as pq
import yaml
from huggingface_hub import DatasetCard, DatasetCardData

from curate.builder.card_images import COMPOSITION, LENGTHS, write_composition_png, \
    write_lengths_png
from curate.builder.card_license import card_license
from curate.builder.card_text import card_for_repo, load_section, output_format, split_rule
from curate.builder.card_stats import length_summary, version_stats
from curate.builder.lineage import lineage_entry
from curate.errors import CurateError
from curate.io.digest import sha256_file
from curate.kinds import kind_spec
from curate.recipe import Recipe, SourceSpec
from curate.records import DEGREES
from curate.stats.tokenizers import Tokenizer

# Llama 2 section 3.2.2: shares of the Meta Safety data per bin; bin 4 is excluded.
SAFETY_BINS = {"1": ("chosen safe, rejected unsafe", 0.18), "2": ("both safe", 0.47),
               "3": ("both unsafe", 0.35), "4": ("chosen unsafe, rejected safe", 0.0)}
# The order of the card's metadata keys: what a reader looks for first.
METADATA_ORDER = ["license", "license_name", "license_link", "pretty_name", "language",
                  "task_categories", "tags", "size_categories", "configs", "dataset_info"]


def cards_dir() -> Path:
    """The card templates: $CURATE_CARDS when set, else the ones curate ships (curate/cards/,
    package data)."""
    chosen = os.environ.get("CURATE_CARDS")
    folder = Path(chosen) if chosen else Path(__file__).resolve().parents[1] / "cards"
    if not folder.is_dir():
        raise CurateError(f"{folder}: no card templates folder; set CURATE_CARDS to a folder "
                          "holding _base.md.j2, preference.md.j2 and sft.md.j2, or unset it")
    return folder


def size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                        (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")):
        if n < limit:
            return name
    return "10M<n<100M"


def dataset_info(folder: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """The Hub's `dataset_info` as `datasets` writes it when it pushes a dataset
    (`DatasetInfosDict.to_dataset_card_data`): features from the shards' Arrow schema, and per
    split num_examples and num_bytes (uncompressed, from the Parquet row-group metadata, so
    nothing is read but footers); download_size is the shards' size on disk."""
    from datasets import DatasetInfo, Features, SplitDict, SplitInfo
    from datasets.info import DatasetInfosDict

    outputs = manifest["outputs"]
    if not outputs:
        return {}
    features = Features.from_arrow_schema(pq.read_schema(folder / outputs[0]["path"]))
    splits: dict[str, SplitInfo] = {}
    download = 0
    for o in outputs:
        path = folder / o["path"]
        meta = pq.ParquetFile(path).metadata
        split = splits.setdefault(o["split"], SplitInfo(name=o["split"]))
        split.num_bytes += sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        split.num_examples += meta.num_rows
        download += path.stat().st_size
    ordered = SplitDict()
    for name in ("train", "test"):
        if name in splits:
            ordered.add(splits[name])
    info = DatasetInfo(features=features, splits=ordered, download_size=download,
                       dataset_size=sum(s.num_bytes for s in ordered.values()))
    card_data = DatasetCardData()
    DatasetInfosDict({"default": info}).to_dataset_card_data(card_data)
    return card_data["dataset_info"]


def describe_version(work: Path, recipe: Recipe, manifest: dict[str, Any], *,
                     tokenizer: Tokenizer | None, rows: pl.DataFrame | None = None,
                     versions_dir: Path | None = None) -> dict[str, Any]:
    """Manifest entries for the card: table6, lineage, dataset_info, images (PNGs written to
    `work`). `work` is the version folder being built; `versions_dir` (by default its parent)
    holds the other versions."""
    stats = version_stats(work / "data", recipe.kind, tokenizer=tokenizer, rows=rows)
    images = {}
    if write_composition_png(work / COMPOSITION, composition_rows(manifest)):
        images[COMPOSITION] = sha256_file(work / COMPOSITION)
    if write_lengths_png(work / LENGTHS, stats.lengths, unit=stats.unit,
                         tokenizer=stats.table6.get("tokenizer")):
        images[LENGTHS] = sha256_file(work / LENGTHS)
    return {"table6": {**stats.table6, "lengths": {"unit": stats.unit,
                                                   "series": length_summary(stats.lengths)}},
            "lineage": lineage_entry(work, manifest, versions_dir=versions_dir or work.parent,
                                     version=recipe.version),
            "dataset_info": dataset_info(work, manifest), "images": images}


def composition_rows(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows and share per source, by group in mix order, then by source name (the manifest's
    per-group order of sources varies between identical builds)."""
    total = sum(manifest["splits"].values()) or 1
    return [{"source": source, "group": group, "rows": rows, "share": rows / total}
            for group, entry in manifest["groups"].items()
            for source, rows in sorted(entry["sources"].items())]


def card_metadata(recipe: Recipe, manifest: dict[str, Any]) -> DatasetCardData:
    """The card's YAML metadata: the keys the Hub reads, licenses from the catalog's sources."""
    splits = manifest["splits"]
    return DatasetCardData(
        **card_license([s.get("license") for s in manifest["sources"].values()]),
        pretty_name=f"{recipe.name} v{recipe.version}",
        language=["en"],
        task_categories=list(kind_spec(recipe.kind).task_categories),
        tags=["curate", "llama-2", *kind_spec(recipe.kind).card_tags],
        size_categories=[size_category(sum(splits.values()))],
        configs=[{"config_name": "default", "data_files": [
            {"split": split, "path": f"data/{split}-*.parquet"} for split in splits]}],
        dataset_info=manifest.get("dataset_info") or None)


def source_rows(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Per source what the catalog (or the recipe) says of it: entry, format, license, sample."""
    return [{"source": name, "catalog": s.get("catalog"), "format": s.get("format"),
             "license": s.get("license") or "unknown", "sample": bool(s.get("sample"))}
            for name, s in manifest["sources"].items()]


def recipe_as_written(recipe: dict[str, Any]) -> str:
    """The recipe's YAML with each source as its spec gives it: a `{catalog: NAME}` source
    takes its format, license and sample flag from the catalog, so the spec's defaults
    (`sample: false`, `set: {}`) would misstate them."""
    sources = {name: SourceSpec.model_validate(spec).model_dump(
        mode="json", by_alias=True, exclude_defaults=True) for name, spec in recipe["sources"].items()}
    return yaml.safe_dump({**recipe, "sources": sources}, sort_keys=False)


def _merged(per_split: dict[str, dict[str, int]]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for counts in per_split.values():
        for value, n in counts.items():
            merged[value] = merged.get(value, 0) + n
    return merged


def distributions(manifest: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Rows per value of each recorded column (train + test), in a reading order."""
    stats = manifest.get("stats", {})
    out = {}
    for name, per_split in stats.items():
        counts, column = _merged(per_split), name.removeprefix("by_")
        if column == "source":
            continue  # the composition table says it
        total = sum(counts.values()) or 1
        order = {"degree": DEGREES, "safety_category": tuple(SAFETY_BINS)}.get(column, ())
        values = [v for v in order if v in counts] + sorted(v for v in counts if v not in order)
        rows = []
        for value in values:
            row = {"value": value, "rows": counts[value], "share": counts[value] / total}
            if column == "safety_category":
                label, reference = SAFETY_BINS.get(value, ("unknown", None))
                row |= {"label": label, "llama2": reference}
            rows.append(row)
        out[column] = rows
    return out


def rejects_by_reason(manifest: dict[str, Any]) -> dict[str, int]:
    total: dict[str, int] = {}
    for source in manifest["sources"].values():
        for reason, n in source["rejected_by_reason"].items():
            total[reason] = total.get(reason, 0) + n
    return dict(sorted(total.items(), key=lambda kv: (-kv[1], kv[0])))


def dataset_card(recipe: Recipe, manifest: dict[str, Any], *,
                 repo: str | None = None) -> DatasetCard:
    """The version's card: YAML metadata, then the sections of the kind's template. It loads
    the version from its folder, or from the Hub repo `repo` when given (see card_for_repo)."""
    from curate.audit.attach import card_section
    from curate.diff.render import source_reasons
    from curate.diff import SourceDiff

    lineage = manifest.get("lineage") or {}
    lineage_rows = [{"source": name, **s, "why": source_reasons(SourceDiff(**s))}
                    for name, s in (lineage.get("sources") or {}).items()]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(cards_dir()), autoescape=False,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["n"] = lambda value: "-" if value is None else f"{value:,}"
    env.filters["pct"] = lambda value: "-" if value is None else f"{100 * value:.1f}%"
    env.filters["num"] = lambda value: "-" if value is None else f"{value:,.1f}"
    template = env.get_template(kind_spec(recipe.kind).card_template)
    metadata = card_metadata(recipe, manifest)
    text = template.render(
        card_data=metadata.to_yaml(original_order=METADATA_ORDER), license=metadata.license,
        pretty_name=metadata.pretty_name, recipe=recipe, manifest=manifest,
        composition=composition_rows(manifest), splits=manifest["splits"],
        split_rule=split_rule(manifest["recipe"].get("split") or {}, manifest),
        output_format=output_format(manifest), sources=source_rows(manifest),
        distributions=distributions(manifest), rejects=rejects_by_reason(manifest),
        table6=manifest.get("table6"), images=manifest.get("images", {}), lineage=lineage,
        lineage_rows=lineage_rows,
        load_it=load_section(f"v{recipe.version}", splits=list(manifest["splits"]), repo=repo),
        audit=card_section(manifest["audit"]) if manifest.get("audit") else None,
        samples=[n for n, s in manifest["sources"].items() if s.get("sample")],
        recipe_yaml=recipe_as_written(manifest["recipe"]))
    return DatasetCard(text)


def render_card(recipe: Recipe, manifest: dict[str, Any], *, repo: str | None = None) -> str:
    """README.md of the version: the text of `dataset_card`."""
    return str(dataset_card(recipe, manifest, repo=repo))


__all__ = ["card_for_repo", "card_metadata", "cards_dir", "dataset_card", "dataset_info",
           "describe_version", "render_card"]
