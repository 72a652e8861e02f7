"""`curate synth meta|sft|open-source`: write the generated sample data (marked as samples)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from curate.cli.app import app
from curate.synth import DEFAULT_SEED, write_meta, write_open_source, write_sft

synth_app = typer.Typer(help="Write deterministic sample data (never real annotations).",
                        no_args_is_help=True)
app.add_typer(synth_app, name="synth")

Out = Annotated[Path, typer.Option("--out", help="Folder to write into (created if missing).")]
Seed = Annotated[int, typer.Option("--seed", help="Generator seed; same seed, same bytes.")]


def _report(files: list[Path]) -> None:
    data = [p for p in files if p.name != "README.md"]
    size = sum(p.stat().st_size for p in data)
    typer.echo(f"wrote {len(data)} data files ({size / 1e6:.1f} MB) and "
               f"{len(files) - len(data)} README.md under {files[0].parents[1] if files else '-'}")


@synth_app.command("meta")
def meta(out: Out, seed: Seed = DEFAULT_SEED) -> None:
    """Meta-style vendor preference batches: OUT/meta_safety/2023-W01.jsonl.gz ... and
    OUT/meta_helpfulness/..., 8 weekly batches of 5,000 comparisons each."""
    _report(write_meta(out, seed=seed))


@synth_app.command("sft")
def sft(out: Out, seed: Seed = DEFAULT_SEED) -> None:
    """Vendor SFT annotations: OUT/meta_sft/2023-W01.jsonl.gz ... (3,000 dialogues)."""
    _report(write_sft(out, seed=seed))


@synth_app.command("open-source")
def open_source(out: Out, seed: Seed = DEFAULT_SEED) -> None:
    """Open-source preference sets and a third-party SFT set in their original formats
    (what the repository commits under curate/recipe/shipped/samples/)."""
    _report(write_open_source(out, seed=seed))
