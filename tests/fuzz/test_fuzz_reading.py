"""Every format, every storage, hostile bytes: `curate.validate` gives a report that accounts for
every row, or one InputError line; never a traceback, a panic or a signal (the cases run in a
child process, so a segfault is a failure with its stack, not a dead test run)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.cases import cases, check, run_case
from tests.fuzz.formats import FORMATS

N = settings.default.max_examples
SMALL = max(8, N // 8)  # CLI runs and odd YAML: slower per case, fewer distinct paths


@pytest.mark.parametrize("name", sorted(FORMATS))
@given(data=st.data())
def test_any_bytes_give_a_report_that_accounts_for_every_row(name, data, worker, case_dir):
    case = data.draw(cases(FORMATS[name]))
    check(case, run_case(worker, case_dir, case, test="read", fmt=name))


@settings(max_examples=SMALL)
@given(data=st.data(), name=st.sampled_from(sorted(FORMATS)))
def test_cli_exit_code_is_0_valid_1_invalid_2_unusable(data, name, worker, case_dir):
    case = data.draw(cases(FORMATS[name]))
    check(case, run_case(worker, case_dir, case, test="cli", fmt=name, cli=True))


YAML_DAMAGE = st.sampled_from([
    b"kind: preference\ncolumns: [prompt, chosen]\n",
    b"kind: preference\ncolumns:\n  prompt: q\n  chosen: a\n  rejected: b\nset: [1, 2]\n",
    b"kind: preference\ncolumns:\n  prompt: q\n  chosen: a\n  rejected: b\nbogus: 1\n",
    b"kind: [1]\n", b"kind: sft\ncolumns: {prompt: q}\n", b"", b"\xff\xfe\x00k", b"- 1\n- 2\n",
    b"!!python/object/apply:os.system [\"echo pwned\"]\n", b"kind: preference\n  bad: indent\n",
    b"a: &a [x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b]\n",
    b"kind: preference\ncolumns:\n  prompt: q\n  chosen: a\n  rejected: b\n  nope: c\n",
    b"kind: preference\ncolumns:\n  prompt: 5\n  chosen: a.0.\n  rejected: ..\n",
])


@settings(max_examples=SMALL)
@given(data=st.data(), yaml=YAML_DAMAGE)
def test_a_broken_column_mapping_is_one_input_error(data, yaml, worker, case_dir):
    case = data.draw(cases(FORMATS["mapping"], storages=("jsonl",), detect=False))
    case["extra"] = {"mapping.yaml": yaml}
    case["expect"] = {**case["expect"], "may_fail": "the column mapping is broken",
                      "must_reject": {}, "readings": []}
    check(case, run_case(worker, case_dir, case, test="mapping-yaml", fmt="mapping-yaml"))
