"""Rows to file bytes in every storage curate reads, with storage-level damage, and what a
correct reader must make of the bytes (`Expect`), worked out from the bytes alone.

Where the bytes allow several readings (a BOM kept or stripped, a `.json` that is not one JSON
document and so is read as JSON Lines), every reading is listed and the report must fit one.
"""

from __future__ import annotations

import gzip
import io
import json
from dataclasses import dataclass, field
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import strategies as st

from tests.fuzz.mutate import BAD_UTF8, Raw, chance, is_text_with_raw

STORAGES = ("jsonl", "json", "jsonl.gz", "json.gz", "parquet")
BOM = b"\xef\xbb\xbf"
# Blank lines hold no record; 8+ byte ones once shifted later line numbers.
BLANKS = [b"", b" ", b"\t", b"\r", b"        ", b" \t \t \t \t ", b" " * 40]
JSON_SPACE = b" \t\r\n"


@dataclass
class Reading:
    """One way to read the bytes: n_read bounds and the positions records may come from."""

    lo: int
    hi: int
    allowed: list[int]  # a rejection or a record may only sit at these positions
    required: list[int]  # each of these must give a record or a rejection
    per_row: int = 1


@dataclass
class Expect:
    must_fail: str | None = None  # why the input is unusable (InputError required)
    may_fail: str | None = None  # why an InputError is acceptable here
    readings: list[Reading] = field(default_factory=list)  # empty: no count/position oracle
    positions: dict[int, int] = field(default_factory=dict)  # row index -> position


@dataclass
class Encoded:
    data: bytes
    storage: str
    expect: Expect
    rows_seen: list[Any]  # the rows as a reader gets them (Parquet: after typing)
    notes: list[str] = field(default_factory=list)


# --- JSON text --------------------------------------------------------------------------

def dumps(value: Any, *, ensure_ascii: bool, indent: int | None = None) -> bytes:
    """JSON bytes, with `Raw` markers spliced in as bytes (invalid UTF-8, deep nesting)."""
    raws: dict[str, Raw] = {}

    def sub(v: Any) -> Any:
        if is_text_with_raw(v):
            key = f"~~R{len(raws)}~~"
            raws[key] = v[1]
            return v[0] + key
        if isinstance(v, Raw):
            key = f"~~R{len(raws)}~~"
            raws[key] = v
            return key
        if isinstance(v, dict):
            return {k: sub(x) for k, x in v.items()}
        if isinstance(v, list):
            return [sub(x) for x in v]
        return v

    text = json.dumps(sub(value), ensure_ascii=ensure_ascii, indent=indent)
    data = text.encode("utf-8", "surrogatepass")  # a lone surrogate becomes invalid UTF-8
    for key, raw in raws.items():
        token = key.encode() if raw.in_string else b'"' + key.encode() + b'"'
        data = data.replace(token, raw.data)
    return data


def line_reading(payload: bytes, per_row: int) -> Reading:
    """JSON Lines: every line holding more than JSON whitespace gives >= 1 record or rejection;
    a line of only a BOM or other non-JSON whitespace may count either way."""
    lines = payload.split(b"\n")
    if payload.endswith(b"\n"):
        lines.pop()
    strict = [i + 1 for i, t in enumerate(lines) if t.strip(JSON_SPACE)]
    loose = [i + 1 for i, t in enumerate(lines)
             if t.replace(BOM, b"").strip(JSON_SPACE + b"\x0b\x0c")]
    return Reading(len(loose), len(strict) * per_row, strict, loose, per_row)


def document_readings(payload: bytes, per_row: int) -> list[Reading]:
    """A .json file: one document (array, wrapper object, object, scalar) if it parses; read
    as JSON Lines otherwise (as the README says)."""
    readings = [line_reading(payload, per_row)] if payload.strip(JSON_SPACE) else []
    for text in {payload, payload.removeprefix(BOM)}:
        for parse in PARSERS:
            try:
                doc = parse(text)
            except (ValueError, RecursionError, UnicodeDecodeError):
                continue
            readings += _doc_readings(doc, per_row)
    return readings


# Strict, Python's (lone surrogate escapes), and lenient about bytes that are not UTF-8 (a
# reader may read the array and reject just the items holding them).
PARSERS = (orjson.loads, json.loads,
           lambda text: json.loads(text.decode("utf-8", "surrogateescape")))


def parses(payload: bytes) -> bool:
    for text in {payload, payload.removeprefix(BOM)}:
        for parse in PARSERS:
            try:
                parse(text)
                return True
            except (ValueError, RecursionError, UnicodeDecodeError):
                continue
    return False


def holds_no_object(payload: bytes) -> bool:
    """A JSON document that is a scalar, or an empty list or wrapper: no record to read."""
    for text in {payload, payload.removeprefix(BOM)}:
        try:
            doc = orjson.loads(text)
        except ValueError:
            continue
        if isinstance(doc, dict) and len(doc) == 1 and next(iter(doc.values())) == []:
            return True
        return not isinstance(doc, dict) and doc in ([], None) or isinstance(
            doc, (str, int, float, bool))
    return False


def _doc_readings(doc: Any, per_row: int) -> list[Reading]:
    def items(n: int) -> Reading:
        return Reading(n, n * per_row, list(range(1, n + 1)), list(range(1, n + 1)), per_row)

    if isinstance(doc, list):
        return [items(len(doc))]
    if isinstance(doc, dict):
        lists = [v for v in doc.values() if isinstance(v, list)]
        out = [items(1)]
        if len(doc) == 1 and lists:
            out.append(items(len(lists[0])))
        return out
    return [Reading(0, 1, [1], [], per_row)]  # a scalar: nothing, or one rejection


@st.composite
def json_lines(draw, rows: list[Any], ensure_ascii: bool) -> tuple[bytes, dict[int, int]]:
    lines = [dumps(r, ensure_ascii=ensure_ascii) for r in rows]
    positions = {}
    out: list[bytes] = []
    blanks = draw(st.lists(st.tuples(st.integers(0, len(lines)), st.sampled_from(BLANKS)),
                           max_size=3))
    for i, line in enumerate(lines):
        out += [b for at, b in blanks if at == i]
        positions[i] = len(out) + 1
        out.append(line)
    out += [b for at, b in blanks if at == len(lines)]
    end = b"\r\n" if chance(draw, 20) else b"\n"
    data = end.join(out) + (b"" if chance(draw, 20) else end)
    return data, positions


@st.composite
def json_document(draw, rows: list[Any], ensure_ascii: bool) -> tuple[bytes, dict[int, int]]:
    mode = draw(st.sampled_from(["array", "array", "indent", "wrapper", "single", "scalar",
                                 "lines", "empty_array"]))
    every = {i: i + 1 for i in range(len(rows))}
    if mode == "array":
        return b"[" + b",".join(dumps(r, ensure_ascii=ensure_ascii) for r in rows) + b"]", every
    if mode == "indent":
        return dumps(rows, ensure_ascii=ensure_ascii, indent=draw(st.sampled_from([1, 4]))), every
    if mode == "wrapper":
        key = draw(st.sampled_from(["data", "rows", "train"]))
        return dumps({key: rows}, ensure_ascii=ensure_ascii), every
    if mode == "single":
        return dumps(rows[0], ensure_ascii=ensure_ascii), {0: 1}
    if mode == "scalar":
        return draw(st.sampled_from([b"5", b'"abc"', b"null", b"true", b"1.5", b'""', b"-0"])), {}
    if mode == "empty_array":
        return draw(st.sampled_from([b"[]", b'{"data": []}', b"[ ]\n"])), {}
    return draw(json_lines(rows, ensure_ascii))


@st.composite
def byte_damage(draw, data: bytes, notes: list[str]) -> tuple[bytes, int | None]:
    """BOM, raw bytes anywhere, truncation, emptiness: all rare, combinable. Also returns the
    line that raw bytes went into (they may complete a broken UTF-8 sequence there)."""
    touched = None
    if chance(draw, 10):
        data = BOM + data
        notes.append("bom")
    if chance(draw, 12) and data:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(BAD_UTF8 + [b"\x00", b"\x01", b"\\", b'"'])) + data[at:]
        touched = data[:at].count(b"\n") + 1
        notes.append("raw_bytes")
    if chance(draw, 8):
        data = data[:len(data) - draw(st.integers(1, max(1, len(data))))]
        notes.append("truncated")
    if chance(draw, 3):
        data = draw(st.sampled_from([b"", b"\n", b"  \n\t\n", b"        \n"]))
        notes.append("empty")
    return data, touched


def text_expect(payload: bytes, storage: str, positions: dict[int, int], per_row: int) -> Expect:
    expect = Expect(positions=positions)
    if not payload.strip(JSON_SPACE):
        expect.must_fail = "empty file (no records)"
        return expect
    if not payload.removeprefix(BOM).strip(JSON_SPACE):
        expect.may_fail = "a file holding only a BOM"
    if storage.startswith("json.") or storage == "json":
        expect.readings = document_readings(payload, per_row)
        if holds_no_object(payload):
            expect.may_fail = "a .json document holding no object (a scalar or an empty list)"
        elif payload.lstrip(BOM + JSON_SPACE)[:1] == b"[" and (
                not parses(payload) or b"[" * 500 in payload or b'{"a":' * 500 in payload):
            # (how deep a parser may nest depends on its stack: hypothesis raises Python's)
            expect.may_fail = "a .json array that is not a JSON document (or nested too deep)"
    else:
        expect.readings = [line_reading(payload, per_row)]
    return expect


@st.composite
def gzip_damage(draw, payload: bytes, expect: Expect, notes: list[str]) -> bytes:
    data = gzip.compress(payload, mtime=0)
    damage = draw(st.integers(0, 99))
    if damage >= 90:  # truncated (the 2 magic bytes kept: fewer is not gzip at all)
        data = data[:draw(st.integers(2, len(data) - 1))]
        expect.must_fail, expect.readings = "truncated gzip", []
        notes.append("gzip_truncated")
    elif damage >= 80:  # a corrupt byte after the 10-byte header: deflate data, CRC or size
        at = draw(st.integers(10, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]
        expect.must_fail, expect.readings = "corrupt gzip", []
        notes.append("gzip_corrupt")
    elif damage >= 75 and b"\n" in payload.rstrip(b"\n"):  # two members: valid gzip
        cut = payload.index(b"\n") + 1
        data = gzip.compress(payload[:cut], mtime=0) + gzip.compress(payload[cut:], mtime=0)
        notes.append("gzip_two_members")
    elif damage >= 70:
        data += draw(st.sampled_from([b"\x00" * 8, b"garbage", b"\x1f\x8b"]))
        expect.may_fail = expect.may_fail or "bytes after the gzip stream"
        notes.append("gzip_trailing")
    return data


# --- Parquet ----------------------------------------------------------------------------

def _plain(v: Any) -> Any:
    if isinstance(v, Raw):
        return v.python_value()
    if is_text_with_raw(v):
        return v[0].encode("utf-8", "surrogatepass") + v[1].data
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _column(values: list[Any]) -> pa.Array:
    """Typed when pyarrow can type it; text with invalid UTF-8 as binary; else JSON text."""
    try:
        return pa.array(values)
    except (pa.ArrowException, OverflowError, TypeError, ValueError, UnicodeEncodeError):
        pass
    if all(isinstance(v, (str, bytes, type(None))) for v in values):
        return pa.array([v.encode("utf-8", "surrogatepass") if isinstance(v, str) else v
                         for v in values], pa.binary())
    try:
        text = [None if v is None else json.dumps(v, default=lambda b: b.decode("latin-1"))
                for v in values]
        return pa.array(text, pa.string())
    except (pa.ArrowException, TypeError, ValueError, UnicodeEncodeError):
        return pa.array([None if v is None else repr(v).encode("utf-8", "surrogatepass")
                         for v in values], pa.binary())


def parquet_table(rows: list[dict]) -> pa.Table:
    rows = [_plain(r) for r in rows]
    names: dict[str, None] = {}
    for r in rows:
        names.update(dict.fromkeys(r))
    return pa.table({n: _column([r.get(n) for r in rows]) for n in names})


def parquet_bytes(table: pa.Table, row_group_size: int) -> tuple[bytes, pa.Table]:
    """Parquet bytes; columns Parquet cannot hold (an empty struct) are written as JSON text."""
    buf = io.BytesIO()
    try:
        pq.write_table(table, buf, row_group_size=row_group_size)
    except pa.ArrowException:
        nested = [n for n in table.column_names if pa.types.is_nested(table[n].type)]
        for n in nested:
            text = [None if v is None else json.dumps(v, default=repr) for v in table[n].to_pylist()]
            table = table.set_column(table.column_names.index(n), n, pa.array(text, pa.string()))
        buf = io.BytesIO()
        pq.write_table(table, buf, row_group_size=row_group_size)
    return buf.getvalue(), table


@st.composite
def parquet_file(draw, rows: list[dict], per_row: int, notes: list[str]) -> Encoded:
    table = parquet_table(rows)
    if chance(draw, 5):
        table = table.slice(0, 0)
        notes.append("zero_rows")
    data, table = parquet_bytes(table, draw(st.sampled_from([1, 2, 1000])))
    n = table.num_rows
    expect = Expect(positions={i: i for i in range(n)},
                    readings=[Reading(n, n * per_row, list(range(n)), list(range(n)), per_row)],
                    may_fail="Parquet columns are typed per file, not per row")
    damage = draw(st.integers(0, 99))
    if damage >= 90:
        data = data[:draw(st.integers(0, len(data) - 1))]
        expect.must_fail, expect.readings = "truncated Parquet", []
        notes.append("parquet_truncated")
    elif damage >= 85:
        at = draw(st.integers(4, len(data) - 9))
        data = data[:at] + bytes([data[at] ^ draw(st.sampled_from([0xFF, 0x01, 0x80]))]) + data[at + 1:]
        expect.readings, expect.may_fail = [], "corrupt Parquet"
        notes.append("parquet_corrupt")
    if n == 0 and not expect.must_fail:
        expect.may_fail = "a Parquet file without rows"
    return Encoded(data, "parquet", expect, table.to_pylist(), notes)


@st.composite
def encode(draw, rows: list[Any], storage: str, per_row: int) -> Encoded:
    notes: list[str] = []
    if storage == "parquet":
        return draw(parquet_file(rows, per_row, notes))
    ensure_ascii = draw(st.booleans())
    if storage.startswith("jsonl"):
        payload, positions = draw(json_lines(rows, ensure_ascii))
    else:
        payload, positions = draw(json_document(rows, ensure_ascii))
    # Damage never adds a line break, so positions hold, except where raw bytes went in.
    payload, touched = draw(byte_damage(payload, notes))
    if touched is not None:
        lines = storage.startswith("jsonl")
        positions = {i: p for i, p in positions.items() if lines and p != touched}
    expect = text_expect(payload, storage, positions, per_row)
    data = payload
    if storage.endswith(".gz"):
        data = draw(gzip_damage(payload, expect, notes))
    return Encoded(data, storage, expect, rows, notes)
