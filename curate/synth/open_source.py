"""Samples of the open-source preference sets in their ORIGINAL file formats (sample data).

Each generator writes what the real dataset's files look like, so the adapters in
curate/adapters read them exactly as they read the real thing; lengths follow Llama 2's
Table 6 row of each dataset (at ~4 characters per token). The repository commits the output
under curate/recipe/shipped/samples/ (tests/synth proves it matches this generator).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from curate.synth import vocab
from curate.synth.dialogues import HELPFUL, SAFE, UNSAFE, USER, VAGUE, make_dialogues, texts
from curate.synth.requests import unique_requests
from curate.synth.meta_files import DEFAULT_SEED, GENERATOR_VERSION
from curate.synth.sft import generate_alpaca
from curate.synth.writing import jsonl_bytes, write_file, write_readme

SIZES = {"anthropic_harmless": 2_000, "anthropic_helpful": 3_000, "stanford_shp": 1_500,
         "openai_webgpt": 500, "stack_exchange_paired": 500, "synthetic_gptj": 500}
FILES = {"anthropic_harmless": "train.jsonl.gz", "anthropic_helpful": "train.jsonl.gz",
         "stanford_shp": "train.json", "openai_webgpt": "comparisons.jsonl.gz",
         "stack_exchange_paired": "train.jsonl.gz", "synthetic_gptj": "train.jsonl.gz"}
FORMATS = {"anthropic_harmless": "hh-rlhf", "anthropic_helpful": "hh-rlhf",
           "stanford_shp": "stanford-shp", "openai_webgpt": "openai-webgpt",
           "stack_exchange_paired": "stack-exchange-paired", "synthetic_gptj": "gptj-pairwise"}
CHARS = 4  # characters per token


def _rng(name: str, seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _transcript(users: list[str], assistants: list[str], final: str) -> str:
    turns = [f"\n\nHuman: {u}\n\nAssistant: {a}" for u, a in zip(users, assistants + [final])]
    return "".join(turns)


def _hh(name: str, n: int, seed: int, *, harmless: bool) -> bytes:
    """Anthropic HH-RLHF: {"chosen", "rejected"} transcripts sharing all but the last answer.
    Table 6: 3.0 turns; prompt 15.7 (harmless) / 17.7 (helpful) tokens; response 46.4 / 88.4."""
    rng = _rng(name, seed)
    prompt_chars, answer_chars = (15.7 * CHARS, 46.4 * CHARS) if harmless else (17.7 * CHARS,
                                                                                88.4 * CHARS)
    heads, _ = unique_requests(n, tasks=vocab.SAFETY_TASKS if harmless else vocab.HELPFUL_TASKS,
                               openers=vocab.SAFETY_OPENERS if harmless else vocab.HELPFUL_OPENERS,
                               context="It is for my {relation} {name} in {place}.",
                               salt=int(rng.integers(1 << 30)), opener_draw=rng.integers(0, 5, n))
    dialogues = make_dialogues(rng, heads, mean_turns=3.0,
                               user_chars=prompt_chars, assistant_chars=answer_chars,
                               assistant_kind=SAFE if harmless else HELPFUL)
    good, bad = (SAFE, UNSAFE) if harmless else (HELPFUL, VAGUE)
    chosen = texts(rng, ["Sure."] * n if not harmless else ["I see."] * n,
                   mean_chars=answer_chars, kind=good)
    rejected = texts(rng, ["Okay."] * n, mean_chars=answer_chars, kind=bad)
    rows = [{"chosen": _transcript(u, a, c), "rejected": _transcript(u, a, r)}
            for u, a, c, r in zip(dialogues.users, dialogues.assistants, chosen, rejected)]
    return jsonl_bytes(rows)


def _single_turn(rng: np.random.Generator, n: int, *, prompt_tokens: float, context: str) -> list[str]:
    heads, _ = unique_requests(n, tasks=vocab.HELPFUL_TASKS, openers=vocab.HELPFUL_OPENERS,
                               context=context, salt=int(rng.integers(1 << 30)),
                               opener_draw=rng.integers(0, len(vocab.HELPFUL_OPENERS), n))
    return texts(rng, heads, mean_chars=prompt_tokens * CHARS, kind=USER)


def _base36(values: np.ndarray, width: int) -> list[str]:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = []
    for v in values.tolist():
        chars = []
        for _ in range(width):
            v, d = divmod(v, 36)
            chars.append(digits[d])
        out.append("".join(reversed(chars)))
    return out


def _shp(name: str, n: int, seed: int) -> bytes:
    """stanfordnlp/SHP: a post and two top-level comments; labels 1 when A has the higher
    score. Table 6: prompt 199.5 tokens, response 138.8."""
    rng = _rng(name, seed)
    history = _single_turn(rng, n, prompt_tokens=199.5, context="Asking for my {relation} "
                           "{name} in {place}.")
    answer_a = texts(rng, [""] * n, mean_chars=138.8 * CHARS, kind=HELPFUL, min_sentences=1)
    answer_b = texts(rng, ["Honestly?"] * n, mean_chars=138.8 * CHARS, kind=VAGUE)
    domains = ("askculinary", "askacademia", "askengineers", "legaladvice", "explainlikeimfive",
               "askdocs", "askbaking", "askhr", "asksciencefiction", "changemyview")
    post_ids = _base36(rng.choice(36 ** 6, size=n, replace=False), 6)
    created = 1_500_000_000 + rng.integers(0, 150_000_000, n)
    delay = rng.integers(60, 86_400, (n, 2))
    better = rng.integers(5, 400, n)
    worse = np.maximum(1, (better / rng.uniform(2.0, 8.0, n)).astype(np.int64))
    a_wins = rng.random(n) < 0.5  # A is the better-scored (helpful) comment half the time
    rows = []
    for i in range(n):
        ref = {"A": answer_a[i], "B": answer_b[i]} if a_wins[i] else {"A": answer_b[i],
                                                                       "B": answer_a[i]}
        score_a, score_b = (int(better[i]), int(worse[i])) if a_wins[i] else (int(worse[i]),
                                                                            int(better[i]))
        t_a, t_b = int(created[i] + delay[i, 0]), int(created[i] + delay[i, 1])
        rows.append({"post_id": post_ids[i], "domain": f"{domains[i % len(domains)]}_train",
                     "upvote_ratio": round(float(rng.uniform(0.6, 1.0)), 2),
                     "history": history[i], "c_root_id_A": f"c{post_ids[i]}a",
                     "c_root_id_B": f"c{post_ids[i]}b", "created_at_utc_A": t_a,
                     "created_at_utc_B": t_b, "score_A": score_a, "score_B": score_b,
                     "human_ref_A": ref["A"], "human_ref_B": ref["B"],
                     "labels": int(score_a > score_b), "seconds_difference": float(abs(t_a - t_b)),
                     "score_ratio": max(score_a, score_b) / min(score_a, score_b)})
    return jsonl_bytes(rows)


def _webgpt(name: str, n: int, seed: int) -> bytes:
    """openai/webgpt_comparisons: signed scores summing to 0; no ties here (the sample must
    read cleanly). quotes are short; tokens are left empty (no GPT-2 tokenizer is used).
    Table 6: prompt 48.3 tokens, response 188.9."""
    rng = _rng(name, seed)
    questions = _single_turn(rng, n, prompt_tokens=48.3, context="Explain it for my {relation} {name} in {place}.")
    good = texts(rng, [""] * n, mean_chars=188.9 * CHARS, kind=HELPFUL, min_sentences=1)
    weak = texts(rng, ["In short,"] * n, mean_chars=188.9 * CHARS, kind=VAGUE)
    strength = rng.choice([0.25, 0.5, 0.75, 1.0], n)
    first_wins = rng.random(n) < 0.5
    rows = []
    for i in range(n):
        answers = (good[i], weak[i]) if first_wins[i] else (weak[i], good[i])
        score = float(strength[i] if first_wins[i] else -strength[i])
        row = {"question": {"dataset": "eli5", "id": f"eli5_{i:06d}", "full_text": questions[i]}}
        for k in (0, 1):
            row[f"quotes_{k}"] = {"title": [f"Guide {i}-{k} (example.org)"],
                                  "extract": [vocab.HELPFUL_SENTENCES[(i + k) % 32]]}
            row[f"answer_{k}"] = answers[k]
            row[f"tokens_{k}"] = {"prefix": [], "completion": []}
            row[f"score_{k}"] = score if k == 0 else -score
        rows.append(row)
    return jsonl_bytes(rows)


def _stack_exchange(name: str, n: int, seed: int) -> bytes:
    """lvwerra/stack-exchange-paired: response_j rated better than response_k.
    Table 6: prompt 200.1 tokens, response 240.2."""
    rng = _rng(name, seed)
    questions = _single_turn(rng, n, prompt_tokens=200.1, context="Context: my {relation} "
                             "{name} in {place} has the same problem.")
    better = texts(rng, [""] * n, mean_chars=240.2 * CHARS, kind=HELPFUL, min_sentences=1)
    worse = texts(rng, ["Not sure."] * n, mean_chars=240.2 * CHARS, kind=VAGUE)
    qids = rng.choice(5_000_000, size=n, replace=False) + 1
    years = rng.integers(2009, 2023, n)
    rows = [{"qid": int(q), "question": questions[i], "date": f"{int(years[i])}/0{1 + i % 9}/1{i % 10}",
             "metadata": [f"https://diy.stackexchange.com/questions/{int(q)}",
                          "https://diy.stackexchange.com"],
             "response_j": better[i], "response_k": worse[i]} for i, q in enumerate(qids)]
    return jsonl_bytes(rows)


def _gptj(name: str, n: int, seed: int) -> bytes:
    """Dahoas/synthetic-instruct-gptj-pairwise: prompt, chosen, rejected strings.
    Table 6: prompt 13.0 tokens, response 110.3."""
    rng = _rng(name, seed)
    prompts, _ = unique_requests(n, tasks=vocab.HELPFUL_TASKS, openers=vocab.HELPFUL_OPENERS,
                                 context="For my {relation} {name} in {place}.", salt=int(rng.integers(1 << 30)))
    chosen = texts(rng, [""] * n, mean_chars=110.3 * CHARS, kind=HELPFUL, min_sentences=1)
    rejected = texts(rng, ["Well."] * n, mean_chars=110.3 * CHARS, kind=VAGUE)
    return jsonl_bytes({"prompt": p, "chosen": c, "rejected": r}
                       for p, c, r in zip(prompts, chosen, rejected))


GENERATORS: dict[str, Callable[[str, int, int], bytes]] = {
    "anthropic_harmless": lambda name, n, seed: _hh(name, n, seed, harmless=True),
    "anthropic_helpful": lambda name, n, seed: _hh(name, n, seed, harmless=False),
    "stanford_shp": _shp, "openai_webgpt": _webgpt,
    "stack_exchange_paired": _stack_exchange, "synthetic_gptj": _gptj}


def open_source_contents(out: Path, *, seed: int, sizes: dict[str, int] | None = None
                         ) -> list[tuple[Path, bytes]]:
    """(path, uncompressed bytes) of every open-source sample."""
    sizes = {**SIZES, **(sizes or {})}
    return [(out / name / FILES[name], GENERATORS[name](name, sizes[name], seed))
            for name in GENERATORS]


def json_array_bytes(rows: list[dict]) -> bytes:
    """A JSON array with 4-space indents, as Stanford Alpaca's alpaca_data.json is written."""
    return (json.dumps(rows, indent=4, ensure_ascii=False) + "\n").encode()


SAMPLES_GZIP_LEVEL = 9  # committed files: smallest output; zlib's output is stable per level


def write_open_source(out: str | Path, *, seed: int = DEFAULT_SEED,
                      sizes: dict[str, int] | None = None) -> list[Path]:
    """Write the open-source samples and the third-party SFT sample (alpaca.json), each in
    its dataset's original format, with a README per folder; return the files written.

    >>> import tempfile
    >>> files = write_open_source(tempfile.mkdtemp(), sizes={n: 3 for n in SIZES} | {"third_party_sft": 3})
    >>> sorted(f"{p.parent.name}/{p.name}" for p in files if p.name != "README.md")[:3]
    ['anthropic_harmless/train.jsonl.gz', 'anthropic_helpful/train.jsonl.gz', 'openai_webgpt/comparisons.jsonl.gz']
    """
    out = Path(out)
    sizes = {**SIZES, "third_party_sft": 2_000, **(sizes or {})}
    contents = open_source_contents(out, seed=seed, sizes=sizes)
    contents.append((out / "third_party_sft" / "alpaca.json",
                     json_array_bytes(generate_alpaca(n=sizes["third_party_sft"], seed=seed))))
    data_files = [write_file(path, data, gzip_level=SAMPLES_GZIP_LEVEL) for path, data in contents]
    written = list(data_files)
    for path in data_files:
        name = path.parent.name
        fmt = FORMATS.get(name, "alpaca")
        written.append(write_readme(path.parent, generator="curate synth open-source",
                                    version=GENERATOR_VERSION, details=(
            f"`{path.name}`: {sizes[name]:,} records in the original format of "
            f"{ORIGINALS[name]} (curate format `{fmt}`), seed {seed}. The texts only imitate "
            "the shape of that dataset (fields, turns, lengths after Llama 2's Table 6); they "
            "are not taken from it.")))
    return written


ORIGINALS = {"anthropic_harmless": "Anthropic HH-RLHF harmless-base",
             "anthropic_helpful": "Anthropic HH-RLHF helpful-base",
             "stanford_shp": "stanfordnlp/SHP", "openai_webgpt": "openai/webgpt_comparisons",
             "stack_exchange_paired": "lvwerra/stack-exchange-paired",
             "synthetic_gptj": "Dahoas/synthetic-instruct-gptj-pairwise",
             "third_party_sft": "Stanford Alpaca (alpaca_data.json)"}
