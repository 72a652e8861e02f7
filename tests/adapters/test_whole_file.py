"""The file-level hook: a `whole_file` adapter maps all of a file's rows at once."""

from collections import defaultdict

import polars as pl

from curate.adapters import Reject
from curate.adapters.base import NEVER, Adapter
from curate.reading import scan_batches


class Threads(Adapter):
    """Rows {thread, text}: each thread's texts joined into one dialogue, at its last row."""

    name = "threads"
    kind = "sft"
    priority = NEVER
    whole_file = True

    def convert(self, row):
        raise AssertionError("a whole_file adapter is handed the file, never one row")

    def convert_file(self, rows):
        threads = defaultdict(list)
        for line, row in rows:
            if "thread" not in row:
                yield line, Reject("no `thread`", field="thread")
                continue
            threads[row["thread"]].append((line, row["text"]))
        for thread, items in threads.items():
            texts = [text for _, text in items]
            text = " ".join(texts) if len(texts) > 1 else texts[0]  # a number stays a number
            yield items[-1][0], [] if thread == "empty" else [{"messages": [
                {"role": "user", "content": "Go on."}, {"role": "assistant", "content": text}],
                "source": thread}]


def test_whole_file_outcomes_become_batches_and_problems(tmp_path):
    path = tmp_path / "threads.jsonl"
    path.write_text('{"thread": "a", "text": "one"}\n{"thread": "b", "text": 2}\n'
                    'not json\n{"thread": "a", "text": "two"}\n{"text": "lost"}\n'
                    '{"thread": "empty", "text": "x"}\n{"thread": "c", "text": "three"}\n')
    batches = list(scan_batches(path, format=Threads(), batch_rows=1))
    frame = pl.concat([b.frame for b in batches])
    assert [(r["source"], r["messages"][1]["content"], r["_line"])
            for r in frame.iter_rows(named=True)] == [("a", "one two", 4), ("c", "three", 7)]
    problems = sorted((p.line, p.reason, p.field) for b in batches for p in b.problems)
    assert problems == [(2, "bad_field", "messages.1.content"), (3, "bad_json", None),
                        (5, "bad_field", "thread"), (6, "bad_field", None)]
    assert len(batches) >= 2  # batch_rows splits the outcomes as they come
