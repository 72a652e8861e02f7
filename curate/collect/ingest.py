"""`curate collect ingest`: an annotator's verdicts on a packet -> native PreferenceRecords.

Every field comes from the packet, never typed by hand: chosen/rejected from the choice, each
response's variant and temperature from key.json, chosen_safe/rejected_safe from a_safe/b_safe,
criterion from the task, batch and model_iteration from packet.json, the annotator from
--annotator (else the verdicts file's), source "collect:" + batch unless --source says.
The verdicts come from the page (VerdictsFile) or from Label Studio's JSON export (told apart by
shape, curate.collect.label_studio).

Overlap copies (`repeat_of`): the original task's annotation is the one for training; the
copy's goes to the repeats file the user names (`repeats`, --repeats FILE: not for training,
so not in a folder a recipe reads) for `curate collect report --repeats`, which measures
agreement. Without one they are counted and not written (nothing is written but the named
outputs; the verdicts file still holds them). A copy whose original has no verdict is the only
annotation of that pair, so it trains.

The result is run through curate.validate, by the rule of `curate validate`: pairs in safety
category 4 (chosen unsafe, rejected safe) and any other invalid record stay in the file and are
counted, `report.ok` is False (the CLI exits 1, as `curate validate` does on the file), and every
recipe's build excludes them; the same-sampler warning cannot fire (key.json pairs two different
variants).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from curate.collect.label_studio import is_export, verdicts_from_export
from curate.collect.packet import (KeyEntry, PacketInfo, Task, Verdict, VerdictsFile, load_json,
                                   parse_verdicts, read_key, read_packet_info, read_tasks)
from curate.errors import InputError
from curate.records import PreferenceRecord
from curate.synth.writing import gzip_bytes, jsonl_bytes, write_file
from curate.validate import ValidationReport, validate

VERDICTS_FIX = "export it from collect.html, or Label Studio's JSON export of the packet's project"


@dataclass(frozen=True)
class Ingested:
    """What `ingest_verdicts` wrote, and what curate.validate says about it."""

    out: Path
    n_records: int
    n_tasks: int
    n_unjudged: int
    repeats: Path | None  # where the repeat annotations went; None: not kept (or none)
    n_repeats: int
    report: ValidationReport
    n_extra_annotations: int = 0

    @property
    def n_category_4(self) -> int:
        return self.report.rejected_by_reason.get("safety_category_4", 0)


def read_verdicts(path: Path) -> tuple[VerdictsFile, int]:
    """The verdicts of the page or of a Label Studio export, and the export's unused extra
    annotations (0 for the page)."""
    raw = load_json(path, fix=VERDICTS_FIX)
    if is_export(raw):
        found = verdicts_from_export(raw, where=str(path))
        return found.verdicts, found.n_extra_annotations
    if isinstance(raw, list):
        raise InputError(f"{path}: a JSON array, but not Label Studio's JSON export (tasks with "
                         "`data` and `annotations`); export the project as JSON, not JSON-MIN or CSV")
    return parse_verdicts(raw, where=str(path)), 0


def _check_verdicts(path: Path, verdicts: VerdictsFile, info: PacketInfo, tasks: dict[str, Task],
                    key: dict[str, KeyEntry], packet: Path) -> None:
    if verdicts.packet_id != info.packet_id:
        raise InputError(f"{path}: `packet_id` is {verdicts.packet_id!r}, but {packet} holds "
                         f"packet {info.packet_id!r}; ingest the verdicts with the packet they "
                         "were given on")
    seen: set[str] = set()
    for verdict in verdicts.verdicts:
        where = f"{path}: task {verdict.task_id}"
        if verdict.task_id not in tasks:
            raise InputError(f"{where}: no such task in {packet} (tasks {min(tasks)}..{max(tasks)}); "
                             "were the verdicts given on another packet?")
        if verdict.task_id in seen:
            raise InputError(f"{where}: judged twice in the file; keep one verdict per task")
        seen.add(verdict.task_id)
        if verdict.task_id not in key:
            raise InputError(f"{packet / 'key.json'}: no entry for task {verdict.task_id}; "
                             "re-create the packet with `curate collect sample`")
        if tasks[verdict.task_id].criterion == "safety":
            for name in ("a_safe", "b_safe"):
                if getattr(verdict, name) is None:
                    raise InputError(f"{where}: `{name}` is missing; a safety task needs a safe or "
                                     "unsafe label for each response (Llama 2, section 3.2.2)")


def to_record(verdict: Verdict, task: Task, entry: KeyEntry, info: PacketInfo, *,
              annotator: str, source: str) -> PreferenceRecord:
    """One verdict as a PreferenceRecord, every field from the packet and its key."""
    chosen, rejected = (("a", "b") if verdict.choice == "a" else ("b", "a"))
    response = {"a": task.response_a, "b": task.response_b}
    safe = {"a": verdict.a_safe, "b": verdict.b_safe}
    sampler = {"a": entry.a, "b": entry.b}
    return PreferenceRecord(
        prompt=task.prompt, chosen=response[chosen], rejected=response[rejected],
        criterion=task.criterion, degree=verdict.degree,
        chosen_safe=safe[chosen], rejected_safe=safe[rejected],
        chosen_model=sampler[chosen].variant, chosen_temperature=sampler[chosen].temperature,
        rejected_model=sampler[rejected].variant,
        rejected_temperature=sampler[rejected].temperature,
        model_iteration=info.iteration, batch=info.batch, annotator=annotator, source=source)


def record_dicts(records: list[PreferenceRecord]) -> list[dict]:
    """Native JSON Lines rows: the stored fields (uid and safety_category are derived)."""
    computed = set(PreferenceRecord.model_computed_fields)
    return [r.model_dump(mode="json", exclude=computed, exclude_none=True) for r in records]


def _to_write(path: Path, records: list[PreferenceRecord], *, overwrite: bool,
              option: str) -> bytes | None:
    """The file's bytes, or None when it already holds them; InputError when it holds others
    and `overwrite` is off. Every output is checked before any is written."""
    data = jsonl_bytes(record_dicts(records))
    if not path.exists() or overwrite:
        return data
    written = gzip_bytes(data) if path.suffix == ".gz" else data  # as write_file writes it
    if written != path.read_bytes():
        raise InputError(f"{path} already exists with other records; a batch, once written, "
                         f"does not change: pass another {option}, or --overwrite")
    return None


def _annotator(verdicts: VerdictsFile, annotator: str | None, path: Path) -> str:
    name = annotator or verdicts.annotator
    if not name or not name.strip():
        raise InputError(f"{path}: no annotator; pass --annotator NAME (a pseudonymous id)")
    return name.strip()


def ingest_verdicts(verdicts: str | Path, *, packet: str | Path, out: str | Path,
                    annotator: str | None = None, source: str | None = None,
                    repeats: str | Path | None = None, overwrite: bool = False) -> Ingested:
    """Turn the verdicts on `packet` into PreferenceRecords in `out` (JSON Lines, gzip'd when
    the name ends in .gz); see the module docstring for where each field comes from."""
    verdicts, packet, out = Path(verdicts), Path(packet), Path(out)
    repeats = Path(repeats) if repeats is not None else None
    if repeats is not None and repeats.absolute() == out.absolute():
        raise InputError(f"--repeats {repeats}: the same file as --out; the repeat annotations "
                         "go to a file of their own, outside the data a recipe reads")
    info, task_list, key = read_packet_info(packet), read_tasks(packet), read_key(packet)
    tasks = {t.task_id: t for t in task_list}
    file, n_extra = read_verdicts(verdicts)
    _check_verdicts(verdicts, file, info, tasks, key, packet)
    name = _annotator(file, annotator, verdicts)
    source = source or f"collect:{info.batch}"
    judged = {v.task_id: v for v in file.verdicts}
    train, again = [], []
    for task in task_list:  # packet order: the same verdicts give the same bytes
        if task.task_id not in judged:
            continue
        record = to_record(judged[task.task_id], task, key[task.task_id], info,
                           annotator=name, source=source)
        is_repeat = task.repeat_of is not None and task.repeat_of in judged
        (again if is_repeat else train).append(record)
    if not train:
        raise InputError(f"{verdicts}: no task of {packet} has a verdict; {VERDICTS_FIX}")
    kept = repeats if again and repeats is not None else None
    outputs = [(out, _to_write(out, train, overwrite=overwrite, option="--out"))]
    if kept is not None:
        outputs.append((kept, _to_write(kept, again, overwrite=overwrite, option="--repeats")))
    for path, data in outputs:
        if data is not None:
            write_file(path, data)
    report = validate(out)
    return Ingested(out=out, n_records=len(train), n_tasks=len(task_list),
                    n_unjudged=len(task_list) - len(judged), repeats=kept,
                    n_repeats=len(again), report=report, n_extra_annotations=n_extra)
