"""Raw objects with their positions, for adapters that map one source row at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
import pyarrow.parquet as pq

from curate.errors import InputError
from curate.io.encoding import encoding_problem, invalid_utf8_rows, lenient_json, text_problem
from curate.io.files import BOM, open_binary, read_blocks, read_chunk, storage_of

_SPACE = b" \t\r\n\x0b\x0c"
_SPACE_BYTES = np.frombuffer(_SPACE, dtype=np.uint8)


@dataclass(frozen=True)
class BadLine:
    """A line or row that is not a usable JSON object; kept so it is counted and reported."""

    message: str
    reason: str = "bad_json"
    field: str | None = None


def line_index(block: bytes, first_line: int) -> tuple[np.ndarray, bool]:
    """1-based numbers of the block's non-blank lines (blank or whitespace-only lines hold no
    record), and whether each of those lines starts with `{` (the vectorised reader is only
    safe on objects: pyarrow 26 crashes on a `null` line)."""
    data = np.frombuffer(block, dtype=np.uint8)
    ends = np.flatnonzero(data == 10)
    if len(ends) == 0 or ends[-1] != len(data) - 1:
        ends = np.append(ends, len(data))
    starts = np.concatenate(([0], ends[:-1] + 1))
    numbers = np.arange(first_line, first_line + len(ends))
    nonempty = ends > starts
    first = np.zeros(len(ends), dtype=np.uint8)
    first[nonempty] = data[starts[nonempty]]
    blank = ~nonempty
    for i in np.flatnonzero(nonempty & np.isin(first, _SPACE_BYTES)):  # rare: leading space
        stripped = block[starts[i]:ends[i]].strip(_SPACE)
        blank[i] = not stripped
        first[i] = stripped[0] if stripped else 0
    return numbers[~blank], bool(np.all(first[~blank] == ord("{")))


def split_lines(block: bytes, first_line: int) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, text) of each non-blank line of a block."""
    lines = block.split(b"\n")
    if block.endswith(b"\n"):
        lines.pop()
    for offset, text in enumerate(lines):
        if text.strip(_SPACE):
            yield first_line + offset, text


def iter_json_lines(path: Path) -> Iterator[tuple[int, dict | BadLine]]:
    line = 1
    for block in read_blocks(path):
        for number, text in split_lines(block, line):
            yield number, parse_line(text)
        line += block.count(b"\n")


def parse_line(text: bytes) -> dict | BadLine:
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        problem = encoding_problem(text)
        if problem:
            return BadLine(problem[1], "bad_encoding", problem[0])
        return BadLine(f"not valid JSON ({exc}); each line must be one JSON object")
    if not isinstance(obj, dict):
        return BadLine(f"{_a(obj)} where a JSON object was expected; each line must be one "
                       "JSON object")
    return obj


def _a(obj: object) -> str:
    names = {list: "a JSON array", str: "a JSON string", int: "a JSON number",
             float: "a JSON number", bool: "a JSON boolean", type(None): "JSON null"}
    return names.get(type(obj), type(obj).__name__)


def iter_json_document(path: Path) -> Iterator[tuple[int, dict | BadLine]]:
    """A .json file: an array of objects (position = 1-based index), one object or a wrapper
    such as {"data": [...]}, or really JSON Lines (many ".json" files are)."""
    with open_binary(path) as fh:
        data = read_chunk(fh, path).removeprefix(BOM)
    head = data.lstrip(_SPACE)[:1]
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if head != b"[":
            yield from iter_json_lines(path)
            return
        doc = _array_with_bad_text(path, data, exc)
    if isinstance(doc, dict):  # one record, or a wrapper such as {"data": [{...}, ...]}
        lists = [v for v in doc.values() if isinstance(v, list)]
        # An item of the wrapper's list that is not an object (null, 5) is a bad row of it,
        # not a reason to read the whole wrapper as one record.
        wrapper = len(doc) == 1 and lists and any(isinstance(x, dict) for x in lists[0])
        doc = lists[0] if wrapper else [doc]
    if not isinstance(doc, list):
        raise InputError(f"{path}: holds {_a(doc)}, not records; a .json file must hold an "
                         "array of objects, one object, or JSON Lines")
    for index, obj in enumerate(doc, start=1):
        if isinstance(obj, _BadText):
            yield index, BadLine(obj.message, "bad_encoding", obj.field)
        elif isinstance(obj, dict):
            yield index, obj
        else:
            yield index, BadLine(f"an array item that is {_a(obj)}, not an object")


@dataclass(frozen=True)
class _BadText:
    field: str | None
    message: str


def _array_with_bad_text(path: Path, data: bytes, exc: Exception) -> list:
    """An array that orjson refused: if only some items hold text that is not Unicode, those
    items become rejects and the others are read; otherwise the file is unusable."""
    try:
        items = lenient_json(data)
    except (ValueError, RecursionError):
        raise InputError(f"{path}: not valid JSON ({exc}); fix the file or write it as JSON "
                         "Lines") from None
    if not isinstance(items, list):
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    out = []
    for item in items:
        problem = text_problem(item)
        out.append(_BadText(*problem) if problem else item)
    return out


def iter_parquet_rows(path: Path, batch_rows: int = 8192) -> Iterator[tuple[int, dict | BadLine]]:
    """Rows of a Parquet file; position = 0-based row index."""
    try:
        parquet = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
    except Exception as exc:  # pyarrow raises several types for a bad footer
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
    row = 0
    for batch in parquet_batches(parquet, path, batch_size=batch_rows):
        bad = invalid_utf8_rows(batch)
        if not bad:  # the common case: convert the whole batch at once
            for obj in batch.to_pylist():
                yield row, obj
                row += 1
            continue
        for i in range(batch.num_rows):
            if i in bad:
                yield row, BadLine(f"invalid UTF-8 in column `{bad[i]}`; write the column as "
                                   "UTF-8 text", "bad_encoding", bad[i])
            else:
                yield row, batch.slice(i, 1).to_pylist()[0]
            row += 1


def parquet_batches(parquet: pq.ParquetFile, path: Path, **kwargs) -> Iterator:
    """Record batches, with a damaged file (bad pages, truncated data) as one InputError."""
    batches = parquet.iter_batches(**kwargs)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (OSError, ValueError) as exc:  # ArrowInvalid and ArrowIOError are among these
            raise InputError(f"{path}: not a readable Parquet file ({exc}); re-export it") from exc
        yield batch


def iter_raw(path: Path) -> Iterator[tuple[int, dict | BadLine]]:
    storage = storage_of(path)
    if storage == "parquet":
        return iter_parquet_rows(path)
    if storage == "json":
        return iter_json_document(path)
    return iter_json_lines(path)
