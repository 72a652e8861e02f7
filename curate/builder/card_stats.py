"""Table 6 and message lengths of a built version, for its card.

Token counts need a tokenizer, and a fresh machine has none (docs/stats.md): the build uses one
when given (`curate.build(..., tokenizer=...)`, `curate build --tokenizer`, or CURATE_TOKENIZER),
and otherwise reports comparisons and turns only, with lengths in characters. Never a made-up
token count.

>>> import polars as pl
>>> frame = pl.DataFrame({"prompt": [[{"role": "user", "content": "hi there"}]],
...                       "chosen": ["hello"], "rejected": ["no"], "source": ["x"]})
>>> stats = dialogue_stats(frame, tokenizer=None)
>>> stats.table6["total"], stats.unit
({'n_comparisons': 1, 'turns_per_dialogue': 1.0, 'tokens_per_example': None, 'tokens_prompt': None, 'tokens_response': None}, 'characters')
>>> {k: v.tolist() for k, v in stats.lengths.items()}
{'user messages': [8], 'assistant messages': [5], 'rejected responses': [2]}
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from curate.builder.row_stats import length_columns
from curate.errors import CurateError
from curate.kinds import kind_spec
from curate.output_forms import as_records
from curate.stats.table6 import FIELDS, compute_table6, count_tokens, dialogue_messages, record_kind
from curate.stats.tokenizers import Tokenizer, load_tokenizer

TOKENIZER_ENV = "CURATE_TOKENIZER"  # the variable `curate stats` reads too


@dataclass
class DialogueStats:
    table6: dict[str, Any]  # {"tokenizer", "total": {...}, "by_source": {...}}; tokens None without one
    unit: str  # "tokens" or "characters": the unit of `lengths`
    lengths: dict[str, np.ndarray] = field(default_factory=dict)  # per message, by series


def resolve_tokenizer(spec: str | Path | Tokenizer | None) -> Tokenizer | None:
    """The tokenizer a build should count tokens with: `spec`, else $CURATE_TOKENIZER, else None."""
    if spec is None:
        spec = os.environ.get(TOKENIZER_ENV) or None
    if spec is None or not isinstance(spec, (str, Path)):
        return spec
    return load_tokenizer(spec)


class _Recording:
    """A tokenizer that remembers the token count of every text it encodes, in order."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.name, self._tokenizer, self.counts = tokenizer.name, tokenizer, []

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        ids = self._tokenizer.encode_batch(texts)
        self.counts.extend(len(i) for i in ids)
        return ids


def read_version_frame(data_dir: Path, kind: str) -> pl.DataFrame:
    """The dialogue columns of every shard of a version (all splits, as Table 6 counts them),
    as the records hold them, whichever output format the shards are in."""
    shards = sorted(Path(data_dir).glob("*.parquet"))
    if not shards:
        return pl.DataFrame()
    return _scan_records(shards, kind).select(*kind_spec(kind).text_columns, "source").collect()


def _scan_records(shards: list[Path], kind: str) -> pl.LazyFrame:
    """The shards' rows with the records' text columns (curate.output_forms), read lazily:
    only the columns asked for are read."""
    return as_records(pl.scan_parquet(shards), kind)


def version_stats(data_dir: Path, kind: str, *, tokenizer: Tokenizer | None,
                  rows: pl.DataFrame | None = None) -> DialogueStats:
    """dialogue_stats of a version's shards. Without a tokenizer only character lengths and
    turns are needed: they come from `rows` (RowStats.frame(), collected while the build wrote
    the shards) or else from a streaming scan of the shards (bounded memory at 2.9M rows)."""
    shards = sorted(Path(data_dir).glob("*.parquet"))
    if tokenizer is not None or not shards or (rows is not None and rows.is_empty()):
        return dialogue_stats(read_version_frame(data_dir, kind), tokenizer=tokenizer)
    if rows is None:
        rows = (_scan_records(shards, kind).select("source", *length_columns(kind))
                .collect(engine="streaming"))
    small = rows.with_columns(pl.col("source").cast(pl.String).fill_null("null"))
    spec = kind_spec(kind)
    table = {"tokenizer": None, **_turns_table(small, "source", spec.count_name)}
    assistant = small["assistant"].explode(empty_as_null=False, keep_nulls=False)
    # the chosen response ends the dialogue (an assistant message); rejected is a series
    assistant = pl.concat([assistant, *(small[c] for c in spec.final_response)])
    lengths = {"user messages": small["user"].explode(empty_as_null=False, keep_nulls=False),
               "assistant messages": assistant}
    lengths.update({f"{c} responses": small[c] for c in spec.other_responses})
    return DialogueStats(table, "characters",
                         {k: v.cast(pl.Int64).to_numpy() for k, v in lengths.items()})


def dialogue_stats(frame: pl.DataFrame, *, tokenizer: Tokenizer | None) -> DialogueStats:
    """Table 6 (per source and in total) and per-message lengths of preference or SFT records."""
    if frame.is_empty():
        return DialogueStats({"tokenizer": getattr(tokenizer, "name", None), "total": {},
                              "by_source": {}}, "tokens" if tokenizer else "characters")
    spec = kind_spec(record_kind(frame))
    messages = dialogue_messages(frame)
    if tokenizer is not None:
        recording = _Recording(tokenizer)
        table = compute_table6(frame, tokenizer=recording).to_dict()
        # compute_table6 encodes exactly dialogue_messages(frame)["content"], in that order.
        if len(recording.counts) != messages.height:
            raise CurateError(f"token counts ({len(recording.counts)}) do not line up with the "
                              f"{messages.height} messages; report this as a curate bug")
        messages = messages.with_columns(pl.Series("n", recording.counts, pl.Int64))
        responses = {c: count_tokens(frame[c].fill_null("").to_list(), tokenizer=tokenizer)
                     for c in spec.other_responses}
    else:
        table = _turns_only(frame, messages, spec.count_name)
        messages = messages.with_columns(pl.col("content").str.len_chars().cast(pl.Int64).alias("n"))
        responses = {c: frame[c].fill_null("").str.len_chars().to_numpy() for c in spec.other_responses}
    lengths = {f"{role} messages": messages.filter(pl.col("role") == role)["n"].to_numpy()
               for role in ("user", "assistant")}
    lengths.update({f"{c} responses": np.asarray(n, dtype=np.int64) for c, n in responses.items()})
    table["tokenizer"] = getattr(tokenizer, "name", None)
    return DialogueStats(table, "tokens" if tokenizer else "characters", lengths)


def _turns_only(frame: pl.DataFrame, messages: pl.DataFrame, count_name: str) -> dict[str, Any]:
    """Table 6 without a tokenizer: the count and turns per dialogue; token fields None."""
    turns = (frame.with_row_index("_row").select("_row", pl.col("source").cast(pl.String)
                                                 .fill_null("null").alias("_group"))
             .join(messages.group_by("_row").agg((pl.col("role") == "user").sum().alias("turns")),
                   on="_row", how="left").with_columns(pl.col("turns").fill_null(0)))
    return _turns_table(turns, "_group", count_name)


def _turns_table(turns: pl.DataFrame, group: str, count_name: str) -> dict[str, Any]:
    """Table 6's total and by_source rows from a `turns` column (token fields None)."""
    def row(part: pl.DataFrame) -> dict[str, Any]:
        return {count_name: part.height, "turns_per_dialogue": float(part["turns"].mean()),
                **{k: None for k in FIELDS if k != "turns_per_dialogue"}}

    return {"total": row(turns), "by_source": {
        g: row(turns.filter(pl.col(group) == g)) for g in sorted(set(turns[group]))}}


def length_summary(lengths: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """n, median, 95th percentile and max of each series (the histogram in numbers)."""
    out = []
    for name, values in lengths.items():
        if len(values):
            out.append({"series": name, "n": int(len(values)),
                        "median": float(np.median(values)),
                        "p95": float(np.percentile(values, 95)), "max": int(values.max())})
    return out
