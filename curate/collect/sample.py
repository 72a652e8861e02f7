"""`curate collect sample`: two responses per prompt from two different model variants, at
temperatures drawn from a list, written as a blind packet (curate.collect.packet).

Llama 2 (section 3.2.1): "two responses ... sampled from two different model variants, and
varying the temperature hyper-parameter". Every draw follows from the prompt's uid and the seed
alone, never from input order or batching (xxh3_64 keys, as curate's sampling keys):
- the pair: the two variants with the smallest xxh3_64("variant", uid, name) keys;
- each response's temperature: the list's item at xxh3_64("temperature", uid, name) mod its length;
- the sides: the first variant shows as A when xxh3_64("side", uid) is even;
- the task order: by xxh3_64(uid) (curate.audit.select.draw_key), which interleaves sources;
- each response's sampling seed: xxh3_64("sample", uid, name, temperature).
Same prompts, models and seed: byte-identical packet files.

`--overlap K` appends copies of the first K tasks (sides swapped, `repeat_of` naming the
original) so that the agreement of two annotations of the same pair can be measured.

>>> plan = plan_pair("some-uid", parse_models(["tiny:1", "tiny:2", "tiny:3"]), [0.7, 1.0], seed=0)
>>> plan[0].variant.name != plan[1].variant.name, {d.temperature for d in plan} <= {0.7, 1.0}
(True, True)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xxhash

import curate
from curate.audit.select import draw_key
from curate.collect.generate import (BATCH_SIZE, GPU_MEMORY, Request, check_gpu_memory,
                                    load_sampler)
from curate.collect.packet import (PACKET, PAGE, KeyEntry, ModelRef, PacketInfo, SideKey, Task,
                                   load_json, packet_id_of, write_packet)
from curate.collect.prompts import Prompt, prompts_file, read_prompts
from curate.errors import InputError
from curate.io.digest import sha256_file
from curate.lm import check_model_ref
from curate.progress import Stages
from curate.records import CRITERIA

MAX_NEW_TOKENS = 512  # Llama 2, Table 6: Meta's responses average 234 tokens
_NAME = re.compile(r"[A-Za-z0-9_.:-]+")


@dataclass(frozen=True)
class Variant:
    """A model variant: its name in the packet (and in the records' chosen_model) and its ref."""

    name: str
    ref: str


@dataclass(frozen=True)
class Draw:
    variant: Variant
    temperature: float
    seed: int


@dataclass(frozen=True)
class Collected:
    """What `sample_packet` wrote: counts to print, and the folder."""

    folder: Path
    packet_id: str
    n_prompts: int
    n_tasks: int
    left_out: dict[str, int]
    engines: dict[str, str]


def parse_models(values: Sequence[str]) -> list[Variant]:
    """`--model` values: REF or NAME=REF. A folder's name, a Hub id or tiny:SEED names itself.
    A REF that is none of these (no such folder) is refused before any model is loaded."""
    variants = []
    for value in values:
        name, sep, ref = value.partition("=")
        if not (sep and _NAME.fullmatch(name)):
            name, ref = Path(value).name if Path(value).is_dir() else value, value
        check_model_ref(ref)
        variants.append(Variant(name=name, ref=ref))
    names = [v.name for v in variants]
    if len(set(names)) < 2:
        raise InputError(f"--model {' --model '.join(values) or '(none)'}: a pair compares two "
                         "different variants, so give at least two different models")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"--model: variant name {twice[0]!r} given twice; name them apart with "
                         "NAME=REF, e.g. --model rlhf_v4_a=ckpt/a --model rlhf_v4_b=ckpt/b")
    return variants


def parse_temperatures(text: str) -> list[float]:
    """'0.7,1.0,1.3' -> [0.7, 1.0, 1.3]; each must be a number above 0."""
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError(f"--temperatures {text!r}: expected numbers separated by commas, e.g. "
                         "0.7,1.0,1.3") from None
    if not values or any(not 0 < v <= 10 for v in values):
        raise InputError(f"--temperatures {text!r}: each temperature must be above 0 (and at most "
                         "10), e.g. 0.7,1.0,1.3")
    return list(dict.fromkeys(values))


def check_sampling_options(*, criterion: str, temperatures: Sequence[float], max_new_tokens: int,
                           gpu_memory: float, batch_size: int = BATCH_SIZE) -> None:
    """Refuse unusable options of `sample` and `serve` at once, before a prompt is read or a
    model loaded."""
    if criterion not in CRITERIA:
        raise InputError(f"--criterion {criterion}: use helpfulness or safety")
    if not temperatures:
        raise InputError("--temperatures: give at least one, e.g. 0.7,1.0,1.3")
    if max_new_tokens < 1:
        raise InputError(f"--max-new-tokens {max_new_tokens}: a response needs at least one token")
    if batch_size < 1:
        raise InputError(f"--batch-size {batch_size}: a generation batch holds at least one "
                         f"prompt (default {BATCH_SIZE})")
    check_gpu_memory(gpu_memory)


def n_models(variants: Sequence[Variant]) -> int:
    """How many models the variants load (two names may share a ref): each one's GPU share."""
    return len({v.ref for v in variants})


def _key(*parts: object, seed: int) -> int:
    return xxhash.xxh3_64_intdigest("\x1e".join(map(str, parts)).encode(), seed=seed)


def plan_pair(uid: str, variants: Sequence[Variant], temperatures: Sequence[float], *,
              seed: int) -> tuple[Draw, Draw]:
    """The (A, B) draws of one prompt: two different variants, a temperature for each."""
    first, second = sorted(variants, key=lambda v: (_key("variant", uid, v.name, seed=seed),
                                                    v.name))[:2]
    draws = []
    for variant in (first, second):
        temperature = temperatures[_key("temperature", uid, variant.name, seed=seed)
                                   % len(temperatures)]
        draws.append(Draw(variant, temperature,
                          _key("sample", uid, variant.name, repr(temperature), seed=seed)))
    a, b = draws if _key("side", uid, seed=seed) % 2 == 0 else draws[::-1]
    return a, b


def _sample(prompts: list[Prompt], plans: dict[str, tuple[Draw, Draw]], *, max_new_tokens: int,
            engine: str, batch_size: int, n_models: int, gpu_memory: float,
            progress: bool) -> tuple[dict, dict, dict]:
    """{(uid, side): text}, the revision and the engine of each variant that was used."""
    requests: dict[str, list[tuple[str, str, Request]]] = {}
    by_uid = {p.uid: p for p in prompts}
    for uid, plan in plans.items():
        for side, draw in zip("ab", plan):
            requests.setdefault(draw.variant.ref, []).append(
                (uid, side, Request(by_uid[uid].messages, draw.temperature, draw.seed)))
    texts, revisions, engines = {}, {}, {}
    stages = Stages("curate collect sample", enabled=progress)
    # One model at a time, each loaded once; on vLLM, which frees no memory when a model is
    # dropped, every variant keeps its share of the GPU (curate.collect.generate).
    for ref, jobs in sorted(requests.items()):
        with stages.stage(f"sample {ref}", f"sampling from {ref}", total=len(jobs)) as stage:
            sampler = load_sampler(ref, max_new_tokens=max_new_tokens, engine=engine,
                                   batch_size=batch_size, n_models=n_models,
                                   gpu_memory=gpu_memory)
            answers = sampler.generate([r for _, _, r in jobs], on_done=stage.advance)
            stage.summary = f"sampled {len(jobs)} responses from {ref} ({sampler.engine})"
        texts.update({(uid, side): text for (uid, side, _), text in zip(jobs, answers)})
        revisions[ref], engines[ref] = sampler.revision, sampler.engine
        del sampler
    return texts, revisions, engines


def _tasks(prompts: list[Prompt], plans: dict[str, tuple[Draw, Draw]], texts: dict, *,
           criterion: str, overlap: int) -> tuple[list[Task], dict[str, KeyEntry]]:
    n_tasks = len(prompts) + overlap
    width = max(4, len(str(n_tasks)))
    tasks, key = [], {}

    def side(draw: Draw) -> SideKey:
        return SideKey(variant=draw.variant.name, model_ref=draw.variant.ref,
                       temperature=draw.temperature)

    for number, p in enumerate(prompts, start=1):
        a, b = plans[p.uid]
        task_id = f"{number:0{width}d}"
        tasks.append(Task(task_id=task_id, prompt=p.messages, response_a=texts[p.uid, "a"],
                          response_b=texts[p.uid, "b"], criterion=criterion))
        key[task_id] = KeyEntry(a=side(a), b=side(b), prompt_uid=p.uid)
    for number, original in enumerate(tasks[:overlap], start=len(prompts) + 1):
        task_id = f"{number:0{width}d}"  # the copy shows the sides swapped: position bias shows
        tasks.append(original.model_copy(update={
            "task_id": task_id, "response_a": original.response_b,
            "response_b": original.response_a, "repeat_of": original.task_id}))
        entry = key[original.task_id]
        key[task_id] = KeyEntry(a=entry.b, b=entry.a, prompt_uid=entry.prompt_uid)
    return tasks, key


def _check_not_replacing(out: Path, packet_id: str, overwrite: bool) -> None:
    if not (out / PACKET).is_file():
        return
    old = load_json(out / PACKET, fix="remove the folder or pass another --out").get("packet_id")
    if old != packet_id and not overwrite:
        raise InputError(f"{out} already holds packet {old}, which annotators may be working on; "
                         "pass another --out, or --overwrite to replace it")
    if old != packet_id:
        (out / PAGE).unlink(missing_ok=True)  # the old packet's page would show the old tasks


def sample_packet(prompts: str | Path, *, models: Sequence[str], temperatures: Sequence[float],
                  criterion: str, batch: str, iteration: str, out: str | Path, seed: int = 0,
                  overlap: int = 0, max_new_tokens: int = MAX_NEW_TOKENS,
                  format: str | None = None, engine: str = "auto", batch_size: int = BATCH_SIZE,
                  gpu_memory: float = GPU_MEMORY, overwrite: bool = False,
                  progress: bool = True) -> Collected:
    """Sample the pairs and write packet.json, tasks.jsonl and key.json into `out`.

    `models`: at least two REF or NAME=REF (a model folder, a Hub id, or tiny:SEED); see the
    module docstring for how variants, temperatures and sides are drawn. `prompts`: a local
    file or one hf://datasets/... file. `gpu_memory`: the share of the GPU the variants take
    together on vLLM (curate.collect.generate).
    """
    temperatures = list(temperatures)
    check_sampling_options(criterion=criterion, temperatures=temperatures,
                           max_new_tokens=max_new_tokens, gpu_memory=gpu_memory,
                           batch_size=batch_size)
    variants = parse_models(models)
    prompts, out = prompts_file(prompts), Path(out)
    found = read_prompts(prompts, format=format)
    ordered = sorted(found.prompts, key=lambda p: (draw_key(p.uid, seed=seed), p.uid))
    if not 0 <= overlap <= len(ordered):
        raise InputError(f"--overlap {overlap}: between 0 and the {len(ordered)} prompts")
    plans = {p.uid: plan_pair(p.uid, variants, temperatures, seed=seed) for p in ordered}
    texts, revisions, engines = _sample(ordered, plans, max_new_tokens=max_new_tokens,
                                        engine=engine, batch_size=batch_size,
                                        n_models=n_models(variants), gpu_memory=gpu_memory,
                                        progress=progress)
    tasks, key = _tasks(ordered, plans, texts, criterion=criterion, overlap=overlap)
    settings = {
        "criterion": criterion, "batch": batch, "iteration": iteration, "seed": seed,
        "temperatures": temperatures, "n_tasks": len(tasks), "overlap": overlap,
        "max_new_tokens": max_new_tokens, "prompts_file": prompts.name,
        "prompts_sha256": sha256_file(prompts),
        "models": [ModelRef(variant=v.name, ref=v.ref, revision=revisions.get(v.ref)).model_dump()
                   for v in variants]}
    packet_id = packet_id_of(settings, tasks, key)
    info = PacketInfo.model_validate({**settings, "packet_id": packet_id,
                                      "created_with": curate.__version__})
    _check_not_replacing(out, packet_id, overwrite)
    write_packet(out, info, tasks, key)
    return Collected(folder=out, packet_id=packet_id, n_prompts=len(ordered), n_tasks=len(tasks),
                     left_out=found.counts, engines=engines)
