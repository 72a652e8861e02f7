"""A shard's bytes depend on its rows, not on the pieces they arrived in (the spill's buckets)."""

from __future__ import annotations

import random
import string

import pyarrow as pa

from curate.builder.write import ROW_GROUP_ROWS, write_parquet


def test_parquet_bytes_do_not_depend_on_how_the_rows_were_chunked(tmp_path):
    rng = random.Random(0)
    texts = ["".join(rng.choices(string.ascii_lowercase + " ", k=rng.randint(100, 3000)))
             for _ in range(ROW_GROUP_ROWS + 2_000)]  # ~18 MB: pages fill up within chunks
    whole = pa.table({"text": texts, "n": list(range(len(texts)))})
    pieces = pa.concat_tables([whole.slice(0, 1_000), whole.slice(1_000, 2_500),
                               whole.slice(3_500, 7_000), whole.slice(10_500)])
    assert pieces.column("text").num_chunks == 4
    write_parquet(whole, tmp_path / "whole.parquet")
    write_parquet(pieces, tmp_path / "pieces.parquet")
    assert (tmp_path / "whole.parquet").read_bytes() == (tmp_path / "pieces.parquet").read_bytes()
