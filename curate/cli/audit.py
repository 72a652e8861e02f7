"""`curate audit sample` and `curate audit score`: the human-versus-model SFT audit.

Exit codes: 0 done; 1 verdicts that do not fit the packet (unknown item, duplicate, missing key);
2 unusable input (missing file, unknown format), as everywhere in curate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from curate.audit.attach import attach_score
from curate.audit.packet import REVIEW, UNPAIRED
from curate.audit.sample import LLAMA2_AUDIT_SIZE, sample_packet
from curate.audit.score import score_packet
from curate.cli.app import app
from curate.console import fold
from curate.errors import VerdictError

audit_app = typer.Typer(name="audit", no_args_is_help=True, add_completion=False,
                        help="Blind human-vs-model SFT audit (Llama 2, section 3.1): sample, score.")
app.add_typer(audit_app, name="audit")

N_UNPAIRED_SHOWN = 10


@audit_app.command("sample")
def sample_command(
    human: Annotated[Path, typer.Option(help="SFT file with the human-written answers.")],
    model: Annotated[Path, typer.Option(help="SFT file with the model's answers to the same prompts.")],
    out: Annotated[Path, typer.Option(help="Folder for items.jsonl, key.json and review.html.")],
    format: Annotated[Optional[str], typer.Option(help="Input format of both files; detected when omitted.")] = None,
    n: Annotated[int, typer.Option(help="Items to draw (Llama 2 judged 180).")] = LLAMA2_AUDIT_SIZE,
    seed: Annotated[int, typer.Option(help="Seed of the draw and of the sides.")] = 0,
    stratify_by: Annotated[str, typer.Option(help="auto, source, batch or none.")] = "auto",
    overwrite: Annotated[bool, typer.Option(help="Replace a different packet already in --out.")] = False,
) -> None:
    """Pair each prompt's human and model answers and write a blind review packet."""
    if stratify_by not in ("auto", "source", "batch", "none"):
        raise typer.BadParameter(f"{stratify_by!r}; use auto, source, batch or none",
                                 param_hint="--stratify-by")
    packet = sample_packet(human, model, out=out, format=format, n=n, seed=seed,
                           stratify_by=stratify_by, overwrite=overwrite)  # type: ignore[arg-type]
    console = Console(soft_wrap=True)
    console.print(f"packet {packet.packet_id}: {packet.n_items} items drawn from "
                  f"{packet.n_pairs} paired prompts in {len(packet.strata)} strata "
                  f"(by {packet.stratify_by}), seed {seed}")
    if packet.n_items < n:
        console.print(f"[yellow]only {packet.n_pairs} prompts pair up: all are in the packet "
                      f"({n} asked)[/]")
    n_unpaired = sum(packet.unpaired.values())
    if n_unpaired:
        reasons = ", ".join(f"{reason}: {count}" for reason, count in packet.unpaired.items())
        console.print(f"[yellow]{n_unpaired} answers not paired ({reasons}); listed in "
                      f"{packet.folder / UNPAIRED}[/]")
        _print_unpaired(console, packet.folder / UNPAIRED)
    console.print(f"reviewer's page: {packet.folder / REVIEW} (give the reviewer this file only; "
                  "key.json stays with you)")


def _print_unpaired(console: Console, path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines[:N_UNPAIRED_SHOWN]:
        row = json.loads(line)
        prompt = " / ".join(m["content"] for m in row["prompt"]).replace("\n", " ")
        console.print(f"  {row['reason']}: {escape(prompt[:90])}")
    if len(lines) > N_UNPAIRED_SHOWN:
        console.print(f"  ... and {len(lines) - N_UNPAIRED_SHOWN} more")


@audit_app.command("score")
def score_command(
    folder: Annotated[Path, typer.Argument(help="The packet folder `curate audit sample` wrote.")],
    verdicts: Annotated[Path, typer.Option(help="verdicts.json exported from review.html.")],
    json_: Annotated[Optional[Path], typer.Option("--json", help="Also write the result as JSON here.")] = None,
    attach: Annotated[Optional[Path], typer.Option(help="A built version's folder: record the result in its manifest and card.")] = None,
) -> None:
    """Unblind the verdicts with the key: model and human wins, ties, both bad, Wilson 95% CI."""
    console = Console(soft_wrap=True)
    try:
        score = score_packet(folder, verdicts=verdicts)
    except VerdictError as exc:
        Console(stderr=True).print(f"error: {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from exc
    result = score.as_dict()
    _print_score(console, result)
    if json_:
        json_.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if attach:
        for path in attach_score(attach, score):
            console.print(f"recorded in {path}")


def _rate(row: dict[str, Any]) -> str:
    if row["model_win_rate"] is None:
        return "n/a"
    lo, hi = row["model_win_rate_ci95"]
    return f"{100 * row['model_win_rate']:.1f}% [{100 * lo:.1f}, {100 * hi:.1f}]"


def _print_score(console: Console, result: dict[str, Any]) -> None:
    console.print(f"packet {result['packet_id']}: {result['n']} of {result['n_items']} items judged"
                  + (f" ([yellow]{result['n_unjudged']} without a verdict[/])"
                     if result["n_unjudged"] else ""))
    console.print(f"model wins {result['model_wins']}, human wins {result['human_wins']}, "
                  f"ties {result['ties']}, both bad {result['both_bad']}")
    console.print(f"model win rate {_rate(result)} (Wilson 95% interval)")
    if len(result["strata"]) > 1:
        table = fold(Table("stratum", "n", "model", "human", "tie", "both bad",
                           "model win rate [95% CI]"))
        for name, row in result["strata"].items():
            table.add_row(escape(name), str(row["n"]), str(row["model_wins"]),
                          str(row["human_wins"]), str(row["ties"]), str(row["both_bad"]), _rate(row))
        console.print(table)
