"""Llama 2's Table 6 for any dataset: comparisons, turns per dialogue, tokens per example,
prompt and response.

Definition (Llama 2 does not spell it out; this is ours, documented in docs/stats.md):
- the dialogue of a comparison is its chosen dialogue: the prompt messages, then the chosen
  response as an assistant message (for SFT records: the `messages` dialogue, and the count is
  `n_examples` instead of `n_comparisons`);
- `turns_per_dialogue`: user messages per dialogue, averaged over dialogues;
- `tokens_per_example`: tokens of all the dialogue's message texts summed, averaged over
  dialogues; message texts only: no special tokens, no role markers, no chat template;
- `tokens_prompt` / `tokens_response`: mean tokens per user message / per assistant message,
  over all such messages (system messages count in tokens_per_example only).
For single-turn data this gives Table 6's identity tokens_per_example = prompt + response.
An empty message counts, with 0 tokens.

>>> import polars as pl
>>> class Words:  # any object with encode_batch; here one token per word
...     name = "words"
...     def encode_batch(self, texts): return [t.split() for t in texts]
>>> frame = pl.DataFrame({
...     "prompt": [[{"role": "user", "content": "hi there"}],
...                [{"role": "user", "content": "a b c"}, {"role": "assistant", "content": "d"},
...                 {"role": "user", "content": "e"}]],
...     "chosen": ["hello", "f g"], "source": ["x", "y"]})
>>> stats = compute_table6(frame, tokenizer=Words())
>>> stats.total.turns_per_dialogue, stats.total.tokens_per_example, stats.total.tokens_prompt
(1.5, 5.0, 2.0)
>>> round(stats.total.tokens_response, 3)  # (1 + 1 + 2) / 3 assistant messages
1.333
>>> stats.to_dict()["by_source"]["x"]["n_comparisons"]
1
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from curate.errors import InputError
from curate.kinds import KindSpec, kind_of_columns, kind_spec
from curate.stats.tokenizers import Tokenizer

ENCODE_BATCH = 8_192  # texts per encode_batch call: bounded memory, a progress tick per call
FIELDS = ("turns_per_dialogue", "tokens_per_example", "tokens_prompt", "tokens_response")


@dataclass(frozen=True)
class Table6Row:
    """One row of Table 6 (one source, or the total)."""

    n_rows: int
    turns_per_dialogue: float
    tokens_per_example: float
    tokens_prompt: float
    tokens_response: float


@dataclass(frozen=True)
class Table6:
    """Table 6 in total and per group (by default per `source`)."""

    kind: str  # "preference" or "sft"
    tokenizer: str
    by: str
    total: Table6Row
    groups: dict[str, Table6Row] = field(default_factory=dict)

    @property
    def spec(self) -> KindSpec:
        return kind_spec(self.kind)

    @property
    def count_name(self) -> str:
        return self.spec.count_name

    def row_dict(self, row: Table6Row) -> dict[str, float | int]:
        return {self.count_name: row.n_rows, **{k: getattr(row, k) for k in FIELDS}}

    def to_dict(self) -> dict:
        """{"total": {...}, "by_<by>": {group: {...}}}, the `curate stats --json` layout."""
        return {"total": self.row_dict(self.total),
                f"by_{self.by}": {g: self.row_dict(r) for g, r in self.groups.items()}}


def record_kind(frame: pl.DataFrame) -> str:
    """"preference" (prompt + chosen) or "sft" (messages), from the columns."""
    spec = kind_of_columns(frame.columns)
    if spec is not None:
        return spec.name
    raise InputError(f"cannot compute statistics of a frame with columns {frame.columns[:12]}: "
                     "expected preference records (prompt, chosen) or SFT records (messages); "
                     "read the file with curate.read(path, format=...) first")


def dialogue_messages(frame: pl.DataFrame, *, by: str = "source") -> pl.DataFrame:
    """One row per message of each dialogue: `_row`, the group column `by`, role, content;
    a comparison's dialogue ends with its chosen response (an assistant message)."""
    spec = kind_spec(record_kind(frame))
    if by not in frame.columns:
        raise InputError(f"cannot group by {by!r}: no such column (columns: "
                         f"{', '.join(frame.columns)}); pick one of them, e.g. source")
    base = frame.with_row_index("_row").with_columns(
        pl.col(by).cast(pl.String).fill_null("null").alias("_group"))
    column = spec.dialogue
    messages = (base.select("_row", "_group", column).explode(column)
                .filter(pl.col(column).is_not_null()).unnest(column))
    for response in spec.final_response:
        answers = base.select("_row", "_group", pl.lit("assistant").alias("role"),
                              pl.col(response).alias("content"))
        messages = pl.concat([messages.select(answers.columns), answers])
    return messages.with_columns(pl.col("content").fill_null(""))


def count_messages(frame: pl.DataFrame) -> int:
    """How many message texts `dialogue_messages` yields (cheap: no explode)."""
    spec = kind_spec(record_kind(frame))
    return (int(frame[spec.dialogue].list.len().fill_null(0).sum())
            + frame.height * len(spec.final_response))


def count_tokens(texts: list[str], *, tokenizer: Tokenizer,
                 on_progress: Callable[[int], None] | None = None) -> np.ndarray:
    """Token count of each text, encoded in batches of ENCODE_BATCH."""
    counts = np.empty(len(texts), dtype=np.int64)
    for start, chunk in _chunks(texts, ENCODE_BATCH):
        counts[start:start + len(chunk)] = [len(ids) for ids in tokenizer.encode_batch(chunk)]
        if on_progress:
            on_progress(len(chunk))
    return counts


def compute_table6(frame: pl.DataFrame, *, tokenizer: Tokenizer, by: str = "source",
                   on_progress: Callable[[int], None] | None = None) -> Table6:
    """Table 6 of preference or SFT records (columns as `curate.read` returns them).

    `on_progress(n)` is called after each batch of n message texts is tokenised; the number of
    texts to expect is `count_messages(frame)`.
    """
    kind = record_kind(frame)
    messages = dialogue_messages(frame, by=by)
    counts = count_tokens(messages["content"].to_list(), tokenizer=tokenizer,
                          on_progress=on_progress)
    messages = messages.with_columns(pl.Series("n_tokens", counts))
    per_dialogue = (frame.with_row_index("_row")
                    .select("_row", pl.col(by).cast(pl.String).fill_null("null").alias("_group"))
                    .join(messages.group_by("_row").agg(
                        (pl.col("role") == "user").sum().alias("turns"),
                        pl.col("n_tokens").sum().alias("tokens")), on="_row", how="left")
                    .with_columns(pl.col("turns", "tokens").fill_null(0)))
    total = _summarise(per_dialogue.with_columns(_group=pl.lit("total")),
                       messages.with_columns(_group=pl.lit("total")))
    return Table6(kind=kind, tokenizer=tokenizer.name, by=by, total=total.get("total", _EMPTY),
                  groups=_summarise(per_dialogue, messages))


_EMPTY = Table6Row(0, 0.0, 0.0, 0.0, 0.0)


def _summarise(per_dialogue: pl.DataFrame, messages: pl.DataFrame) -> dict[str, Table6Row]:
    """Table 6 rows per `_group`: means over dialogues, and over user / assistant messages."""
    dialogues = per_dialogue.group_by("_group").agg(
        pl.len().alias("n_rows"), pl.col("turns").mean().alias("turns_per_dialogue"),
        pl.col("tokens").mean().alias("tokens_per_example"))
    by_role = messages.group_by("_group").agg(
        pl.col("n_tokens").filter(pl.col("role") == "user").mean().alias("tokens_prompt"),
        pl.col("n_tokens").filter(pl.col("role") == "assistant").mean().alias("tokens_response"))
    table = (dialogues.join(by_role, on="_group", how="left")
             .with_columns(pl.col(FIELDS).fill_null(0.0)).sort("_group"))
    return {row.pop("_group"): Table6Row(**{k: row[k] for k in ("n_rows", *FIELDS)})
            for row in table.iter_rows(named=True)}


def _chunks(items: list[str], size: int) -> Iterator[tuple[int, list[str]]]:
    for start in range(0, len(items), size):
        yield start, items[start:start + size]
