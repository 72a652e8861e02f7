"""Content identity: canonical text and its xxh3-128 `uid`, row by row and vectorised.

Same content, same uid, whatever file, order or format it came from. The row-by-row, the
expression and the frame forms below agree byte for byte (tests/test_identity.py proves it):
all of them normalise with Arrow's utf8proc, never with Python's `unicodedata` or polars' own
tables, which follow other Unicode versions (e.g. "G\u1ae2\u0331" differs between them).

Canonical form: each text is NFC-normalised, its line ends become "\\n", the ASCII whitespace
" \\t\\n\\r\\v\\f" is stripped at both ends, and it is represented by the hex xxh3-128 of
its UTF-8 bytes. A message is role + \\x1f + that digest; messages are joined with \\x1d;
fields with \\x1e. The uid is the hex xxh3-128 of that line. Hashing each text first keeps
the per-row string building small without weakening the identity. The criterion is part of a comparison's identity: PKU-SafeRLHF yields a helpfulness
and a safety comparison of the same texts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import polars_hash  # noqa: F401  (registers the `nchash` namespace on pl.Expr)
import xxhash

_STRIP = " \t\n\r\x0b\x0c"
_STRIP_CHARS = list(_STRIP)
UNIT, MESSAGE_SEP, FIELD_SEP = "\x1f", "\x1d", "\x1e"


def normalize_text(text: str) -> str:
    """NFC, unified line ends, ASCII whitespace stripped at both ends."""
    if not text.isascii():  # the same Unicode tables as the column form (Arrow's utf8proc)
        text = pc.utf8_normalize(pa.array([text], type=pa.string()), form="NFC")[0].as_py()
    return text.replace("\r\n", "\n").replace("\r", "\n").strip(_STRIP)


def text_digest(text: str) -> str:
    return xxhash.xxh3_128_hexdigest(normalize_text(text).encode())


def _dialogue(messages: Sequence[tuple[str, str]]) -> str:
    return MESSAGE_SEP.join(f"{role}{UNIT}{text_digest(content)}" for role, content in messages)


def preference_canonical(criterion: str, prompt: Sequence[tuple[str, str]], chosen: str,
                         rejected: str) -> str:
    return FIELD_SEP.join(("pref", criterion, _dialogue(prompt), text_digest(chosen),
                           text_digest(rejected)))


def sft_canonical(messages: Sequence[tuple[str, str]]) -> str:
    return FIELD_SEP.join(("sft", _dialogue(messages)))


def preference_uid(criterion: str, prompt: Sequence[tuple[str, str]], chosen: str,
                   rejected: str) -> str:
    return xxhash.xxh3_128_hexdigest(preference_canonical(criterion, prompt, chosen,
                                                          rejected).encode())


def sft_uid(messages: Sequence[tuple[str, str]]) -> str:
    return xxhash.xxh3_128_hexdigest(sft_canonical(messages).encode())


def prompt_uid(prompt: Sequence[tuple[str, str]]) -> str:
    """Identity of a prompt alone: joins human and model answers to the same prompt."""
    return xxhash.xxh3_128_hexdigest(FIELD_SEP.join(("prompt", _dialogue(prompt))).encode())


# --- expression forms (for a frame's columns; the same function as below) -------------

def preference_uid_expr() -> pl.Expr:
    """`uid` of each comparison, as an expression (computed by `derive_uids`)."""
    columns = ["criterion", "prompt", "chosen", "rejected"]
    return pl.struct(columns).map_batches(
        lambda s: derive_uids(s.struct.unnest(), "preference")["uid"],
        return_dtype=pl.String).alias("uid")


def sft_uid_expr() -> pl.Expr:
    return pl.struct(["messages"]).map_batches(
        lambda s: derive_uids(s.struct.unnest(), "sft")["uid"], return_dtype=pl.String
    ).alias("uid")


def prompt_uid_expr(column: str = "prompt") -> pl.Expr:
    return pl.col(column).map_batches(lambda s: prompt_uids(s.to_frame(column), column),
                                      return_dtype=pl.String).alias("prompt_uid")


def hash128_expr(text: pl.Expr) -> pl.Expr:
    return text.nchash.xxh3_128(return_binary=True, byte_order="big").bin.encode("hex")


# --- the fast frame form ----------------------------------------------------------------
# polars' NFC runs at ~100 MB/s; ASCII text is already NFC, so only non-ASCII strings are
# normalised, through Arrow (utf8proc), >10x faster. Dialogues are exploded into one flat
# column (free in polars), hashed, and rebuilt from their offsets: no per-list evaluation.

def canonical_texts(series: pl.Series) -> pl.Series:
    """normalize_text over a column."""
    series = series.fill_null("")
    non_ascii = series.str.len_bytes() != series.str.len_chars()
    if non_ascii.any():
        where = non_ascii.arg_true()
        nfc = pc.utf8_normalize(series.gather(where).to_arrow(), form="NFC")
        series = series.scatter(where, pl.Series(nfc, dtype=pl.String))
    if series.str.contains("\r", literal=True).any():
        series = series.str.replace_all("\r\n", "\n", literal=True).str.replace_all(
            "\r", "\n", literal=True)
    # Stripping every text would copy all of it; only the few with whitespace at an end are.
    padded = series.str.head(1).is_in(_STRIP_CHARS) | series.str.tail(1).is_in(_STRIP_CHARS)
    if padded.any():
        where = padded.arg_true()
        series = series.scatter(where, series.gather(where).str.strip_chars(_STRIP))
    return series


def digests(series: pl.Series) -> pl.Series:
    """Hex xxh3-128 of each normalised text (the canonical stand-in of a text)."""
    # Series go in as frame columns: pl.select(pl.lit(series)) retains memory batch after batch.
    frame = canonical_texts(series).to_frame("text")
    return frame.select(hash128_expr(pl.col("text"))).to_series()


def dialogue_digests(column: pl.Series) -> pl.Series:
    """The canonical dialogue line of each row of a list<struct<role, content>> column."""
    lengths = column.list.len().fill_null(0).to_numpy()
    flat = column.explode(empty_as_null=False, keep_nulls=False)
    units = pl.DataFrame({"role": flat.struct.field("role"),
                          "digest": digests(flat.struct.field("content"))}).select(
        pl.concat_str([pl.col("role").fill_null(""), pl.lit(UNIT), pl.col("digest")]))
    offsets = pa.array(np.concatenate(([0], np.cumsum(lengths))), type=pa.int64())
    values = units.to_series().to_arrow().cast(pa.large_string())
    rebuilt = pa.LargeListArray.from_arrays(offsets, values)
    return pl.Series(rebuilt).list.join(MESSAGE_SEP).fill_null("")


def derive_uids(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    """`uid` for every row (and, for comparisons, `_identical`: the two responses are equal
    once normalised), computed column-wise."""
    if kind == "sft":
        parts = pl.DataFrame({"dialogue": dialogue_digests(frame["messages"])})
        line = pl.concat_str([pl.lit("sft"), pl.col("dialogue")], separator=FIELD_SEP)
        return parts.select(hash128_expr(line).alias("uid"))
    parts = pl.DataFrame({"criterion": frame["criterion"],
                          "dialogue": dialogue_digests(frame["prompt"]),
                          "chosen": digests(frame["chosen"]),
                          "rejected": digests(frame["rejected"])})
    line = pl.concat_str([pl.lit("pref"), pl.col("criterion").fill_null(""), pl.col("dialogue"),
                          pl.col("chosen"), pl.col("rejected")], separator=FIELD_SEP)
    return parts.select(hash128_expr(line).alias("uid"),
                        (pl.col("chosen") == pl.col("rejected")).alias("_identical"))


def prompt_uids(frame: pl.DataFrame, column: str = "prompt") -> pl.Series:
    parts = pl.DataFrame({"dialogue": dialogue_digests(frame[column])})
    line = pl.concat_str([pl.lit("prompt"), pl.col("dialogue")], separator=FIELD_SEP)
    return parts.select(hash128_expr(line).alias("prompt_uid")).to_series()
