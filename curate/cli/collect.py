"""`curate collect`: the weekly collection loop (Llama 2, section 3.2.1).

sample (prompts + model variants -> a blind packet), page / serve (the annotator's page,
curate/cli/collect_page.py), ingest (verdicts -> the week's PreferenceRecords),
export-label-studio (the packet as Label Studio tasks + labeling config), report (the weekly
figures). Exit codes, as everywhere in curate: 0 done; 1 ingest wrote records of which some are
invalid (as `curate validate` exits 1 on the file: safety category 4, ...); 2 unusable input (a
missing file, verdicts that do not fit the packet, a bad option).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from curate.cli.app import app
from curate.collect.generate import BATCH_SIZE, GPU_MEMORY
from curate.collect.packet import PAGE, read_packet_info, read_tasks
from curate.collect.sample import MAX_NEW_TOKENS, parse_temperatures, sample_packet
from curate.console import fold, print_note, print_out
from curate.records import DEGREES

collect_app = typer.Typer(name="collect", no_args_is_help=True, add_completion=False,
                          help="The weekly collection loop: sample pairs from two model variants, "
                               "annotate them by Llama 2's protocol, ingest, report.")
app.add_typer(collect_app, name="collect")

# The sampling options `sample` and `serve` share, documented once.
ModelsOption = Annotated[list[str], typer.Option("--model", help="A variant to sample from, twice or more: a model folder, a Hub id or tiny:SEED; NAME=REF names it.")]
CriterionOption = Annotated[str, typer.Option(help="What annotators judge: helpfulness or safety.")]
BatchOption = Annotated[str, typer.Option(help="The weekly batch, e.g. 2023-W15.")]
IterationOption = Annotated[str, typer.Option(help="The model iteration sampled, e.g. rlhf_v4.")]
TemperaturesOption = Annotated[str, typer.Option(help="Temperatures to draw from, comma-separated.")]
SeedOption = Annotated[int, typer.Option(help="Seed of the draws and of sampling.")]
MaxNewTokensOption = Annotated[int, typer.Option(help="Most tokens per response.")]
EngineOption = Annotated[str, typer.Option(help="auto (vLLM with a GPU when installed), transformers or vllm.")]
GpuMemoryOption = Annotated[float, typer.Option(help="vLLM: the fraction of the GPU's memory all variants share, split equally (each gets it / the number of models).")]


@collect_app.command("sample")
def sample_command(
    prompts: Annotated[str, typer.Option(help="Prompts: any SFT or preference file curate reads (a path or hf://datasets/ORG/NAME@REV/FILE), or JSON lines of strings / {\"text\": ...}.")],
    model: ModelsOption,
    criterion: CriterionOption,
    batch: BatchOption,
    iteration: IterationOption,
    out: Annotated[Path, typer.Option(help="Folder for packet.json, tasks.jsonl and key.json.")],
    temperatures: TemperaturesOption = "0.7,1.0,1.3",
    seed: SeedOption = 0,
    overlap: Annotated[int, typer.Option(help="Tasks to show twice (sides swapped) for agreement.")] = 0,
    max_new_tokens: MaxNewTokensOption = MAX_NEW_TOKENS,
    format: Annotated[Optional[str], typer.Option(help="Format of --prompts; detected when omitted.")] = None,
    engine: EngineOption = "auto",
    batch_size: Annotated[int, typer.Option(help="Prompts per generation batch (transformers).")] = BATCH_SIZE,
    gpu_memory: GpuMemoryOption = GPU_MEMORY,
    overwrite: Annotated[bool, typer.Option(help="Replace a different packet already in --out.")] = False,
) -> None:
    """Sample two responses per prompt from two different variants and write a blind packet."""
    packet = sample_packet(prompts, models=model, temperatures=parse_temperatures(temperatures),
                           criterion=criterion, batch=batch, iteration=iteration, out=out,
                           seed=seed, overlap=overlap, max_new_tokens=max_new_tokens,
                           format=format, engine=engine, batch_size=batch_size,
                           gpu_memory=gpu_memory, overwrite=overwrite)
    left_out = ", ".join(f"{reason}: {n}" for reason, n in packet.left_out.items())
    typer.echo(f"packet {packet.packet_id}: {packet.n_tasks} tasks ({packet.n_prompts} prompts"
              + (f", {overlap} shown twice" if overlap else "") + f") in {packet.folder}"
              + (f"; left out {left_out}" if left_out else ""))
    typer.echo(f"next: curate collect page {packet.folder} (the annotator gets {PAGE} only; "
              "key.json stays with you)")


@collect_app.command("ingest")
def ingest_command(
    verdicts: Annotated[Path, typer.Argument(help="verdicts.json from collect.html, or Label Studio's JSON export.")],
    packet: Annotated[Path, typer.Option(help="The packet folder the verdicts were given on.")],
    out: Annotated[Path, typer.Option(help="The batch file to write (JSON Lines; .gz compresses).")],
    annotator: Annotated[Optional[str], typer.Option(help="Pseudonymous annotator id (else the verdicts file's).")] = None,
    source: Annotated[Optional[str], typer.Option(help="The records' source (default collect:BATCH).")] = None,
    repeats: Annotated[Optional[Path], typer.Option(help="Write the repeat annotations (overlap copies) here, for `curate collect report --repeats`; not kept without it.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an --out (or --repeats) that holds other records.")] = False,
) -> None:
    """Turn verdicts into PreferenceRecords, every field from the packet, and validate them:
    exit 1 when some are invalid (the file is still written), as `curate validate` on it."""
    from curate.collect.ingest import ingest_verdicts

    done = ingest_verdicts(verdicts, packet=packet, out=out, annotator=annotator, source=source,
                           repeats=repeats, overwrite=overwrite)
    typer.echo(f"wrote {done.n_records} records to {done.out} ({done.n_tasks} tasks, "
              f"{done.n_unjudged} without a verdict)")
    _say_repeats(done.n_repeats, done.repeats, verdicts)
    if done.n_extra_annotations:
        typer.echo(f"{done.n_extra_annotations} later Label Studio annotations of tasks already "
                  "judged were not used (the first one of each task is)")
    report = done.report
    if done.n_category_4:
        typer.echo(f"{done.n_category_4} pairs in safety category 4 (chosen unsafe, rejected safe): "
                  "kept in the file, excluded by every build unless its recipe keeps them")
    others = {r: n for r, n in report.rejected_by_reason.items() if r != "safety_category_4"}
    if others:
        typer.echo("curate validate rejects " + ", ".join(f"{n} {r}" for r, n in others.items())
                  + f" (see `curate validate {done.out}`)")
    if report.warnings_by_reason:
        typer.echo("warnings: " + ", ".join(f"{n} {r}" for r, n in report.warnings_by_reason.items()))
    if report.ok:
        typer.echo(f"curate validate: {report.n_valid} of {report.n_read} valid")
        return
    typer.echo(f"curate validate: {report.n_valid} of {report.n_read} valid; the file is written "
              f"and builds exclude the {report.n_rejected} invalid, but `curate validate "
              f"{done.out}` exits 1 on it, as this command does")
    raise typer.Exit(1)


def _say_repeats(n_repeats: int, path: Optional[Path], verdicts: Path) -> None:
    if path is not None:
        typer.echo(f"{n_repeats} repeat annotations (overlap copies) to {path}: for "
                  "`curate collect report --repeats`, not for training")
    elif n_repeats:  # nothing is written that the user did not name
        typer.echo(f"{n_repeats} repeat annotations (overlap copies) not kept (they measure "
                  "agreement, they do not train): pass --repeats FILE to keep them for `curate "
                  f"collect report --repeats`; they stay in {verdicts}")


@collect_app.command("export-label-studio")
def export_label_studio_command(
    folder: Annotated[Path, typer.Argument(help="The packet folder `curate collect sample` wrote.")],
    out: Annotated[Path, typer.Option(help="The tasks file to import into Label Studio (JSON).")],
    config: Annotated[Optional[Path], typer.Option(help="Where the labeling config goes (default: beside --out, label_config.xml).")] = None,
) -> None:
    """Write the packet as Label Studio tasks and a labeling config for Llama 2's protocol."""
    from curate.collect.label_studio import labeling_config, tasks_for_label_studio

    info = read_packet_info(folder)
    tasks = tasks_for_label_studio(info, read_tasks(folder))
    config = config or out.parent / "label_config.xml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(tasks, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(labeling_config(info.criterion), encoding="utf-8")
    typer.echo(f"{len(tasks)} tasks to {out}; labeling config to {config} (paste it in the "
              "project's Labeling Interface, import the tasks, export the annotations as JSON "
              f"and run `curate collect ingest EXPORT --packet {folder}`)")


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{100 * share:.0f}%"


def _report_tables(result: dict[str, Any]) -> list[Table]:
    batches = fold(Table("batch", "iteration", "n", *(d.replace("_", " ") for d in DEGREES),
                         "safety bins 1/2/3 (Llama 2: 18/47/35)", "cat. 4 excluded",
                         "agreement (pairs)", title="Per batch and model iteration"))
    lengths = fold(Table("batch", "iteration", "variant", "temperature", "responses",
                         "mean chars", "mean words", "chosen", title="Responses by sampler"))
    for g in result["groups"]:
        bins = g["safety"]["bins"]
        agreement = g["agreement"]
        batches.add_row(
            escape(g["batch"]), escape(g["model_iteration"]), str(g["n"]),
            *(_pct(g["degrees"][d]["share"]) for d in DEGREES),
            "/".join(_pct(bins[b]["share"]) for b in ("1", "2", "3")),
            str(g["safety"]["n_category_4_excluded"]),
            f"{_pct(agreement['choice'])} choice, {_pct(agreement['degree'])} degree "
            f"({agreement['n_pairs']})" if agreement["n_pairs"] else "none judged twice")
        for row in g["lengths"]:
            lengths.add_row(escape(g["batch"]), escape(g["model_iteration"]), escape(row["variant"]),
                            "n/a" if row["temperature"] is None else str(row["temperature"]),
                            str(row["n"]), f"{row['mean_chars']:.0f}", f"{row['mean_words']:.1f}",
                            _pct(row["chosen_share"]))
    return [batches, lengths]


@collect_app.command("report")
def report_command(
    batch_files: Annotated[list[Path], typer.Argument(help="Batch files (any preference files curate reads).")],
    repeats: Annotated[Optional[list[Path]], typer.Option(help="Repeat annotations from ingest, for agreement only.")] = None,
    json_: Annotated[Optional[Path], typer.Option("--json", help="Also write the figures as JSON here.")] = None,
    png: Annotated[Optional[Path], typer.Option(help="Also draw the chart as a PNG here.")] = None,
) -> None:
    """Degrees, ties, safety bins, agreement and lengths, per batch and model iteration."""
    from curate.collect.report import batch_report

    result = batch_report(batch_files, repeats=repeats or [])
    print_out(*_report_tables(result))
    if json_:
        json_.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if png:
        from curate.collect.chart import write_chart

        print_note(f"chart: {write_chart(result, png)}")


# `curate collect page` and `serve` are defined in curate/cli/collect_page.py (the page's
# commands), imported here so that they join this sub-app:
import curate.cli.collect_page  # noqa: E402,F401
