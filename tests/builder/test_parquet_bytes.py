"""A file's bytes depend on its rows, not on the pieces they arrived in (the spill's buckets)."""

from __future__ import annotations

import random
import string

import pyarrow as pa

from curate.builder.write import (ROW_GROUP_ROWS, ShardWriter, row_groups, write_parquet,
                                  write_row_groups)
from curate.io.background import Background


def _rows() -> pa.Table:
    rng = random.Random(0)
    texts = ["".join(rng.choices(string.ascii_lowercase + " ", k=rng.randint(100, 3000)))
             for _ in range(ROW_GROUP_ROWS + 2_000)]  # ~18 MB: pages fill up within pieces
    return pa.table({"text": texts, "n": list(range(len(texts)))})


def _pieces(table: pa.Table, cuts: list[int]) -> list[pa.Table]:
    bounds = [0, *cuts, table.num_rows]
    return [table.slice(a, b - a) for a, b in zip(bounds, bounds[1:])]


def test_parquet_bytes_do_not_depend_on_how_the_rows_were_chunked(tmp_path):
    whole = _rows()
    pieces = pa.concat_tables(_pieces(whole, [1_000, 3_500, 7_000]))
    assert pieces.column("text").num_chunks == 4
    write_parquet(whole, tmp_path / "whole.parquet")
    write_parquet(pieces, tmp_path / "pieces.parquet")
    assert (tmp_path / "whole.parquet").read_bytes() == (tmp_path / "pieces.parquet").read_bytes()
    # the rejects file: row groups cut across a stream of tables
    write_row_groups(tmp_path / "stream.parquet", whole.schema,
                     row_groups(_pieces(whole, [2_000, 2_001, 9_999]), whole.schema))
    assert (tmp_path / "stream.parquet").read_bytes() == (tmp_path / "whole.parquet").read_bytes()


def test_shards_do_not_depend_on_how_the_rows_arrived(tmp_path):
    whole = _rows()
    written = []
    for name, cuts in (("a", []), ("b", [500, 4_000, 4_001, 11_000])):
        (tmp_path / name).mkdir()
        with Background(workers=2, limit=2) as pool:
            writer = ShardWriter(tmp_path / name, "train", whole.num_rows, 7_000, whole.schema,
                                 pool)
            for piece in _pieces(whole, cuts):
                writer.write(piece)
            written.append(writer.close())
    assert [o.n_rows for o in written[0]] == [7_000, 5_000]
    assert written[0] == written[1]
