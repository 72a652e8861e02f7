"""The files of a collection packet and of an annotator's verdicts, as pydantic models.

DIR/packet.json   PacketInfo: how the packet was sampled (criterion, batch, iteration, models,
                  temperatures, seed, prompts file and its sha256, overlap, packet_id)
DIR/tasks.jsonl   one Task per line: what the annotator sees; blind (no variant, no temperature)
DIR/key.json      {task_id: KeyEntry}: which variant and temperature produced each side; for ingest
DIR/collect.html  the annotation page (`curate collect page DIR`)
verdicts.json     VerdictsFile: {"packet_id", "annotator", "verdicts": [Verdict, ...]}

>>> v = Verdict(task_id="0001", choice="b", degree="unsure", a_safe=None, b_safe=None)
>>> v.degree
'negligibly_better'
>>> KeyEntry.model_validate({"prompt_uid": "u", "a": {"variant": "A", "model_ref": "tiny:1",
...     "temperature": 0.7}, "b": {"variant": "A", "model_ref": "tiny:1", "temperature": 1.0}})
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for KeyEntry
  Value error, both sides come from variant 'A'; a pair compares two different variants...
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from curate.audit.packet import write_json
from curate.errors import InputError
from curate.records import Criterion, Degree, Message, fold_degree

Side = Literal["a", "b"]
PACKET, TASKS, KEY, PAGE = "packet.json", "tasks.jsonl", "key.json", "collect.html"
SAMPLE_FIX = "re-create the packet with `curate collect sample` (same inputs, same seed)"


class _Strict(BaseModel):
    # strict: a JSON "yes" is not a safety label, nor "0001" an int
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ModelRef(_Strict):
    variant: str = Field(description="The variant's name in this packet, e.g. A (hidden from the page).")
    ref: str = Field(description="What was loaded: a local folder, a Hub id, or tiny:SEED.")
    revision: str | None = Field(None, description="The Hub commit or folder digest, when known.")


class PacketInfo(_Strict):
    packet_id: str = Field(description="sha256-derived id of the packet's content (tasks, key, settings).")
    criterion: Criterion = Field(description="What annotators judge: helpfulness or safety.")
    batch: str = Field(description="The weekly annotation batch, e.g. 2023-W15.")
    iteration: str = Field(description="The model iteration sampled from, e.g. rlhf_v4.")
    seed: int = Field(description="Seed of the variant, temperature and side draws and of sampling.")
    temperatures: list[float] = Field(description="The temperatures a response's is drawn from.")
    models: list[ModelRef] = Field(description="The variants sampled from (at least two).")
    prompts_file: str = Field(description="The prompts file's name (no folder: no machine paths).")
    prompts_sha256: str = Field(description="sha256 of the prompts file's bytes.")
    n_tasks: int = Field(description="Tasks in tasks.jsonl, overlap copies included.")
    overlap: int = Field(description="Tasks duplicated (repeat_of) for inter-annotator agreement.")
    max_new_tokens: int = Field(description="Most tokens generated per response.")
    created_with: str = Field(description="The curate version that sampled the packet.")


class Task(_Strict):
    task_id: str = Field(description="The task's id within its packet, e.g. 0001.")
    prompt: list[Message] = Field(description="The dialogue so far, ending with a user turn.")
    response_a: str = Field(description="The response shown on the left (A).")
    response_b: str = Field(description="The response shown on the right (B).")
    criterion: Criterion = Field(description="What to judge: helpfulness or safety.")
    repeat_of: str | None = Field(None, description="The original task's id when this is an "
                                  "overlap copy for agreement (the page must not show it).")


class SideKey(_Strict):
    variant: str = Field(description="The variant that sampled this side's response.")
    model_ref: str = Field(description="That variant's model reference (folder, Hub id, tiny:SEED).")
    temperature: float = Field(description="The temperature the response was sampled at.")


class KeyEntry(_Strict):
    a: SideKey = Field(description="What produced response_a.")
    b: SideKey = Field(description="What produced response_b.")
    prompt_uid: str = Field(description="uid of the prompt (curate.identity.prompt_uid).")

    @model_validator(mode="after")
    def check_variants_differ(self) -> KeyEntry:
        if self.a.variant == self.b.variant:
            raise ValueError(f"both sides come from variant {self.a.variant!r}; a pair compares "
                             "two different variants (Llama 2, section 3.2.1)")
        return self


class Verdict(_Strict):
    task_id: str = Field(description="The task judged.")
    choice: Side = Field(description="The better response: a or b.")
    degree: Degree = Field(description="How much better: significantly_better, better, "
                           "slightly_better or negligibly_better (= unsure).")
    a_safe: bool | None = Field(None, description="Is response A safe? Required on safety tasks.")
    b_safe: bool | None = Field(None, description="Is response B safe? Required on safety tasks.")
    comment: str = Field("", description="The annotator's optional comment.")

    @field_validator("degree", mode="before")
    @classmethod
    def fold_unsure_into_negligibly_better(cls, value: object) -> object:
        return fold_degree(value)


class VerdictsFile(_Strict):
    packet_id: str = Field(description="The packet the verdicts were given on.")
    annotator: str | None = Field(None, description="Who annotated (ingest's --annotator wins).")
    verdicts: list[Verdict] = Field(description="One verdict per judged task.")


# --- writing ------------------------------------------------------------------------------

def jsonl_bytes(models: list[BaseModel]) -> bytes:
    return b"".join(orjson.dumps(m.model_dump(mode="json")) + b"\n" for m in models)


def packet_id_of(settings: dict[str, Any], tasks: list[Task], key: dict[str, KeyEntry]) -> str:
    """16 hex digits of sha256 over the settings, tasks and key: same content, same id."""
    digest = hashlib.sha256(orjson.dumps(settings, option=orjson.OPT_SORT_KEYS))
    digest.update(jsonl_bytes(tasks))
    digest.update(orjson.dumps({k: v.model_dump(mode="json") for k, v in key.items()},
                               option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()[:16]


def write_packet(folder: Path, info: PacketInfo, tasks: list[Task],
                 key: dict[str, KeyEntry]) -> None:
    """packet.json, tasks.jsonl and key.json, byte-stable (sorted keys, fixed order)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / TASKS).write_bytes(jsonl_bytes(tasks))
    write_json(folder / KEY, {k: v.model_dump(mode="json") for k, v in key.items()})
    write_json(folder / PACKET, info.model_dump(mode="json"))


# --- reading ------------------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)


def _explain(path: Path | str, exc: ValidationError, expected: str) -> InputError:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    return InputError(f"{path}: `{where}`: {err['msg']} (got {str(err.get('input'))[:60]!r}); "
                      f"expected {expected}")


def load_json(path: Path, *, fix: str) -> Any:
    """The JSON value in `path`; a missing or broken file is an InputError naming the fix."""
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file; {fix}") from exc
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc}); {fix}") from exc


def _validate(model: type[M], value: Any, *, where: str, expected: str) -> M:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise _explain(where, exc, expected) from exc


def read_packet_info(folder: Path) -> PacketInfo:
    return _validate(PacketInfo, load_json(folder / PACKET, fix=SAMPLE_FIX),
                     where=str(folder / PACKET), expected="the packet.json `curate collect sample` wrote")


def read_tasks(folder: Path) -> list[Task]:
    path = folder / TASKS
    if not path.is_file():
        raise InputError(f"{path}: no such file; pass the folder `curate collect sample --out` wrote")
    tasks = []
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        if line.strip():
            try:
                tasks.append(Task.model_validate_json(line))
            except ValidationError as exc:
                raise _explain(f"{path}:{number}", exc, f"a collect task; {SAMPLE_FIX}") from exc
    return tasks


def read_key(folder: Path) -> dict[str, KeyEntry]:
    path = folder / KEY
    raw = load_json(path, fix=f"the packet's key is missing: {SAMPLE_FIX}")
    if not isinstance(raw, dict):
        raise InputError(f"{path}: should map task ids to {{a, b, prompt_uid}}, got a JSON "
                         f"{type(raw).__name__}; {SAMPLE_FIX}")
    return {task_id: _validate(KeyEntry, entry, where=f"{path}: task {task_id}",
                               expected=f"{{a, b, prompt_uid}}; {SAMPLE_FIX}")
            for task_id, entry in raw.items()}


def parse_verdicts(raw: Any, *, where: str) -> VerdictsFile:
    """A VerdictsFile from the page's export (already parsed JSON)."""
    return _validate(VerdictsFile, raw, where=where, expected='{"packet_id", "annotator", '
                     '"verdicts": [{"task_id", "choice": "a"|"b", "degree", "a_safe", "b_safe", '
                     '"comment"}]} as exported by collect.html')
