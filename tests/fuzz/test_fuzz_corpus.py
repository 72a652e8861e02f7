"""The fuzz suite's seed corpus: the hostile inputs issue 13 measured, run through the same child
and oracles as the generated cases, so the default profile always covers them (a generator
reaches some only rarely, e.g. `null` as the first line of a native file, which segfaulted)."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.fuzz.cases import MAPPING_FILE, as_request, check, run_case
from tests.fuzz.formats import FORMATS
from tests.fuzz.storage import text_expect

PREF = {"prompt": [{"role": "user", "content": "Hi"}], "chosen": "Hello!", "rejected": "Go away.",
        "criterion": "helpfulness", "source": "corpus"}
LINE = json.dumps(PREF).encode()


def line(**changes) -> bytes:
    return json.dumps({**PREF, **changes}).encode()


def deep(n: int) -> bytes:
    return LINE[:-1] + b', "chosen_model": ' + b"[" * n + b"]" * n + b"}"


# name, format, schema, storage, file bytes, positions that must not give a valid record
CORPUS = [
    ("null_first_line", "curate", None, "jsonl", b"null\n" + LINE + b"\n", {1: "null"}),
    ("scalar_lines", "curate", None, "jsonl", b'5\n"abc"\n[]\n' + LINE + b"\n",
     {1: "5", 2: "abc", 3: "[]"}),
    ("bad_utf8_in_annotator", "curate", None, "jsonl",
     LINE[:-1] + b', "annotator": "a\xff"}\n', {1: "invalid UTF-8"}),
    ("bad_utf8_in_prompt", "curate", None, "jsonl",
     LINE.replace(b'"Hi"', b'"H\xc3"') + b"\n" + LINE + b"\n", {1: "invalid UTF-8"}),
    ("bad_utf8_between_keys", "curate", None, "jsonl",
     LINE.replace(b', "chosen"', b', \xff"chosen"') + b"\n", {1: "invalid UTF-8"}),
    ("surrogate_escapes", "curate", None, "jsonl", line(chosen="\ud800") + b"\n", {}),
    ("chosen_a_number", "curate", None, "jsonl", line(chosen=5) + b"\n" + LINE + b"\n",
     {1: "a number where text belongs"}),
    ("chosen_safe_yes", "curate", None, "jsonl", line(chosen_safe="yes") + b"\n", {}),
    ("criterion_not_allowed", "curate", None, "jsonl", line(criterion="harm") + b"\n",
     {1: "criterion harm"}),
    ("extra_key_in_message", "curate", None, "jsonl",
     line(prompt=[{"role": "user", "content": "Hi", "name": "x"}]) + b"\n", {1: "extra key"}),
    ("deep_nesting", "curate", None, "jsonl", deep(100_000) + b"\n" + deep(2000) + b"\n", {}),
    ("nul_bom_crlf", "curate", None, "jsonl",
     b"\xef\xbb\xbf" + LINE + b"\r\n" + line(chosen="a\x00b") + b"\r\n\x00\r\n", {}),
    ("whitespace_line_8_bytes", "curate", None, "jsonl",
     b"        \n" + b" \t \t \t \t \n" + b"{bad json\n" + line(chosen=7) + b"\n",
     {3: "not JSON", 4: "a number"}),
    ("empty_file", "curate", None, "jsonl", b"", {}),
    ("whitespace_only_file", "alpaca", None, "jsonl", b"  \n\t\n        \n", {}),
    ("json_scalar_5", "alpaca", None, "json", b"5", {}),
    ("json_scalar_abc", "alpaca", None, "json", b'"abc"', {}),
    ("json_null", "curate", None, "json", b"null", {}),
    ("json_corrupt_deflate", "alpaca", None, "json.gz", b"", {}),
    ("jsonl_corrupt_deflate", "alpaca", None, "jsonl.gz", b"", {}),
    ("chat_role_a_list", "openai-chat", None, "jsonl",
     b'{"messages": [{"role": [], "content": "x"}]}\n', {1: "role a list"}),
    ("chat_role_an_object", "openai-chat", None, "jsonl",
     b'{"messages": [{"role": {}, "content": "x"}, {"role": "assistant", "content": "y"}]}\n',
     {1: "role an object"}),
    ("alpaca_input_a_number", "alpaca", None, "jsonl",
     b'{"instruction": "Add.", "input": 5, "output": "6"}\n', {1: "input a number"}),
    ("trl_extra_key_in_message", "trl", None, "jsonl",
     (b'{"messages": [{"role": "user", "content": "Hi", "name": "a"}, '
      b'{"role": "assistant", "content": "Yo"}]}\n'), {1: "extra key"}),
    ("uid_two_unicode_versions", "curate", None, "jsonl",
     line(chosen="G\u1ae2\u0331", rejected="\u1100\u1161 e\u0301") + b"\n", {}),
    ("huge_string", "curate", None, "jsonl", line(rejected="x" * (10 << 20)) + b"\n", {}),
    ("chat_role_nested_1000_deep", "openai-chat", None, "jsonl",
     b'{"messages": [{"role": ' + b'{"a":' * 1000 + b"1" + b"}" * 1000
     + b', "content": "x"}, {"role": "assistant", "content": "y"}]}\n', {1: "role an object"}),
    ("mapping_extra_key_in_message", "mapping-sft", None, "jsonl",
     b'{"q": [{"role": "user", "content": "Hi", "extra": 1}], "a": "yo", "meta": {"who": "x"}}\n',
     {1: "extra key"}),
    ("sft_first_line_null", "curate", "sft", "jsonl",
     (b'null\n{"messages": [{"role": "user", "content": "a"}, '
      b'{"role": "assistant", "content": "b"}], "source": "s"}\n'), {1: "null"}),
]


def _data(name: str, storage: str, data: bytes) -> bytes:
    if name.endswith("corrupt_deflate"):
        good = gzip.compress(LINE + b"\n" + LINE + b"\n", mtime=0)
        return good[:12] + bytes([good[12] ^ 0xFF]) + good[13:]
    return gzip.compress(data, mtime=0) if storage.endswith(".gz") else data


@pytest.mark.parametrize("name, fmt, schema, storage, data, reject", CORPUS,
                         ids=[c[0] for c in CORPUS])
def test_seed_corpus(name, fmt, schema, storage, data, reject, worker, case_dir):
    expect = text_expect(data, storage, {}, 1)
    if name.endswith("corrupt_deflate"):
        expect.must_fail, expect.readings = "corrupt gzip", []
    mapping = FORMATS[fmt].mapping if fmt in FORMATS else None
    case = {"data": _data(name, storage, data), "storage": storage, "name": f"{name}.{storage}",
            "format": MAPPING_FILE if mapping else fmt, "schema": schema, "set": {},
            "notes": [name], "extra": {MAPPING_FILE: mapping.encode()} if mapping else {},
            "expect": as_request(expect, reject)}
    check(case, run_case(worker, case_dir, case, test="corpus", fmt="corpus", cli=True))
