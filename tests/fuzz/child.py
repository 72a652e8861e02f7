"""The process fuzz cases run in: `python -m tests.fuzz.child LOG_DIR`.

A server imports curate once and forks a worker that answers one JSON line per request line;
when the worker dies (a segfault, an abort, a hang past the request's timeout) the server
answers for it with the signal and the worker's Python stack (faulthandler), and forks a new
one. So a crash is a finding with a stack, not the end of the pytest run, and costs a fork,
not a fresh import.
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import json
import os
import re
import signal
import sys
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

import curate
import curate.cli
from curate.checks import apply_checks
from curate.checks.duplicates import CopyIndex
from curate.errors import CurateError, InputError
from curate.kinds import kind_spec

REASON = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_ERRORS = 100  # the report lists the first 100 errors


# --- checking one file -----------------------------------------------------------------

def crash(exc: BaseException) -> dict[str, Any]:
    tb = traceback.format_exception(exc)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/curate/" in f.filename]
    where = (f"{frames[-1].filename.split('/curate/')[-1]}:{frames[-1].lineno} in "
             f"{frames[-1].name}") if frames else "(outside curate)"
    return {"code": "crash", "type": f"{type(exc).__module__}.{type(exc).__qualname__}",
            "where": where, "detail": f"{type(exc).__name__}: {str(exc)[:300]}",
            "traceback": "".join(tb)[-4000:]}


def violation(code: str, detail: str) -> dict[str, Any]:
    return {"code": code, "detail": detail[:1500]}


def op_validate(req: dict[str, Any]) -> dict[str, Any]:
    path, fmt, schema, fields = req["path"], req["format"], req.get("schema"), req.get("set") or {}
    expect = req["expect"]
    out: dict[str, Any] = {"violations": []}
    bad = out["violations"]
    try:
        report = curate.validate(path, format=fmt, schema=schema, set_fields=fields)
    except CurateError as exc:
        out["outcome"] = "input_error" if isinstance(exc, InputError) else type(exc).__name__
        out["message"] = str(exc)
        if not isinstance(exc, InputError):
            bad.append(violation("not_input_error", f"{type(exc).__name__}: {exc}"))
        elif not (expect.get("must_fail") or expect.get("may_fail")):
            bad.append(violation("input_error_for_row_damage", str(exc)))
        if "\n" in str(exc).strip() or not str(exc).strip():
            bad.append(violation("error_not_one_line", repr(str(exc)[:300])))
    except BaseException as exc:  # PanicException derives from BaseException
        out["outcome"] = "crash"
        bad.append(crash(exc))
    else:
        out["outcome"] = "report"
        out["n_read"], out["n_valid"], out["ok"] = report.n_read, report.n_valid, report.ok
        out["rejected"] = dict(report.rejected_by_reason)
        if expect.get("must_fail"):
            bad.append(violation("accepted_unusable_input",
                                 f"{expect['must_fail']}, yet a report: n_read={report.n_read}, "
                                 f"n_valid={report.n_valid}, rejected={report.rejected_by_reason}"))
        bad += check_report(report, path, expect)
        bad += check_rows(path, fmt, schema, fields, report, expect)
        bad += check_read(path, fmt, schema, fields, report)
    if req.get("cli"):
        out["cli"] = run_cli(path, fmt, schema, fields)
        want = 2 if out["outcome"] != "report" else (0 if out["ok"] else 1)
        got = out["cli"]["exit"]
        if got != want:
            bad.append(violation("cli_exit_code", f"`curate validate` exit {got!r}, documented "
                                                  f"{want} ({out['outcome']}); stderr: "
                                                  f"{out['cli']['stderr'][-600:]}"))
        if "Traceback" in out["cli"]["stderr"]:
            bad.append(violation("cli_traceback", out["cli"]["stderr"][-1500:]))
        if got == 2 and not out["cli"]["stderr"].strip():
            bad.append(violation("cli_exit_2_without_cause", "stderr is empty"))
    return out


def check_report(report, path: str, expect: dict[str, Any]) -> list[dict[str, Any]]:
    bad = []
    if report.n_read != report.n_valid + report.n_rejected:
        bad.append(violation("accounting", f"n_read {report.n_read} != n_valid {report.n_valid}"
                                           f" + n_rejected {report.n_rejected}"))
    if sum(report.rejected_by_reason.values()) != report.n_rejected:
        bad.append(violation("accounting", f"rejected_by_reason {report.rejected_by_reason} does"
                                           f" not sum to n_rejected {report.n_rejected}"))
    for name in ("by_safety_category", "by_criterion"):
        counts = getattr(report, name)
        if counts and sum(counts.values()) != report.n_read:
            bad.append(violation("accounting", f"{name} {counts} does not sum to n_read "
                                               f"{report.n_read}"))
    if len(report.errors) != min(report.n_rejected, MAX_ERRORS):
        bad.append(violation("rejection_without_error",
                             f"{report.n_rejected} rejected but {len(report.errors)} errors "
                             "listed (the first 100 must all be there)"))
    for e in report.errors:
        if not REASON.match(e.reason or "") or not (e.message or "").strip():
            bad.append(violation("rejection_without_reason", repr(e)))
        if e.file != path or not isinstance(e.line, int):
            bad.append(violation("rejection_without_location", repr(e)))
    readings = expect.get("readings") or []
    if readings and not any(_count_fits(r, report.n_read, [e.line for e in report.errors])
                            for r in readings):
        lines = sorted({e.line for e in report.errors if isinstance(e.line, int)})
        bad.append(violation("wrong_count_or_position",
                             f"n_read {report.n_read}, error positions {lines[:20]}; the bytes "
                             f"allow {[_show(r) for r in readings]}"))
    return bad


def _count_fits(r: dict[str, Any], n_read: int, lines: list[Any]) -> bool:
    allowed = set(r["allowed"])
    return r["lo"] <= n_read <= r["hi"] and all(line in allowed for line in lines)


def _show(r: dict[str, Any]) -> str:
    allowed = r["allowed"]
    where = f"{allowed[:8]}{'...' if len(allowed) > 8 else ''}"
    return f"n_read in [{r['lo']}, {r['hi']}] at positions {where}"


def check_rows(path: str, fmt: Any, schema: Any, fields: dict[str, Any], report,
               expect: dict[str, Any]) -> list[dict[str, Any]]:
    """Read again (scan_batches, then the checks, as validate does) and judge each record."""
    bad: list[dict[str, Any]] = []
    copies = CopyIndex()
    lines: Counter[int] = Counter()
    n_valid = 0
    must_reject = {int(k): v for k, v in (expect.get("must_reject") or {}).items()}
    try:
        for batch in curate.scan_batches(path, format=fmt, kind=schema, set_fields=fields):
            lines.update(p.line for p in batch.problems)
            lines.update(batch.frame["_line"].to_list())
            checked = apply_checks(batch.frame, batch.kind)
            copies.add(checked, kind_spec(batch.kind).metadata)
            valid = checked.filter(checked["reason"].is_null())
            n_valid += valid.height
            try:
                bad += check_valid(valid, batch.kind, must_reject)
            except BaseException as exc:  # the frame itself holds what Python cannot read
                bad.append(violation("valid_record_unreadable", f"{type(exc).__name__}: {exc}"))
        n_valid -= copies.dropped().height  # the copies not kept, as validate decides them
    except BaseException as exc:
        bad.append(crash(exc) | {"code": "crash_on_reread"})
        return bad
    if n_valid != report.n_valid:
        bad.append(violation("verdicts_differ", f"validate says {report.n_valid} valid, the same "
                                                f"rows read again give {n_valid}"))
    readings = expect.get("readings") or []
    if readings and not any(_positions_fit(r, lines) for r in readings):
        bad.append(violation("wrong_count_or_position",
                             f"records and rejections at positions {dict(sorted(lines.items()))}"
                             f"; the bytes allow {[_show(r) for r in readings]}"))
    return bad


def check_read(path: str, fmt: Any, schema: Any, fields: dict[str, Any],
               report) -> list[dict[str, Any]]:
    """`curate.read` raises a CurateError, or returns only rows that are records."""
    try:
        frame = curate.read(path, format=fmt, kind=schema, set_fields=fields)
    except CurateError:
        return []
    except BaseException as exc:
        return [crash(exc) | {"code": "crash_in_read"}]
    kind = report.kinds[0] if report.kinds else (schema or "preference")
    bad = []
    if frame.height < report.n_valid:
        bad.append(violation("read_lost_rows", f"curate.read gave {frame.height} rows, validate "
                                               f"found {report.n_valid} valid"))
    model = kind_spec(kind).model
    names = [n for n in model.model_fields if n in frame.columns]
    for row in frame.iter_rows(named=True):
        record = {n: row[n] for n in names}
        try:
            obj = model.model_validate(record)
        except Exception as exc:
            bad.append(violation("read_row_fails_model", f"{_brief(record)}: {exc}"))
            break
        if "uid" in row and obj.uid != row["uid"]:
            bad.append(violation("uid_differs", f"curate.read's uid {row['uid']}, the model's "
                                                f"{obj.uid} for {_brief(record)}"))
            break
    return bad


def _positions_fit(r: dict[str, Any], lines: Counter) -> bool:
    allowed = set(r["allowed"])
    return (all(line in allowed and n <= r["per_row"] for line, n in lines.items())
            and all(line in lines for line in r["required"]))


def check_valid(valid, kind: str, must_reject: dict[int, str]) -> list[dict[str, Any]]:
    bad = []
    model = kind_spec(kind).model
    names = [n for n in model.model_fields if n in valid.columns]
    try:
        valid.select(names).to_arrow().validate(full=True)
    except BaseException as exc:
        bad.append(violation("valid_record_bad_arrow", f"{type(exc).__name__}: {exc}"))
    for row in valid.iter_rows(named=True):
        line = row["_line"]
        record = {n: row[n] for n in names}
        if line in must_reject:
            bad.append(violation("accepted_bad_row", f"position {line}: {must_reject[line]}; "
                                                     f"became the valid record {_brief(record)}"))
        try:
            obj = model.model_validate(record)
        except Exception as exc:
            bad.append(violation("valid_record_fails_model", f"position {line}: {exc}"))
            continue
        if obj.uid != row.get("uid"):
            bad.append(violation("uid_differs", f"position {line}: the model's uid {obj.uid}, "
                                                f"validate's {row.get('uid')} for {_brief(record)}"))
        if not _utf8(record):
            bad.append(violation("valid_record_not_utf8", f"position {line}: {_brief(record)}"))
    return bad


def _utf8(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_utf8(v) for v in value.values())
    if isinstance(value, list):
        return all(_utf8(v) for v in value)
    return True


def _brief(record: dict[str, Any]) -> str:
    return repr({k: v for k, v in record.items() if v is not None})[:400]


def run_cli(path: str, fmt: Any, schema: Any, fields: dict[str, Any]) -> dict[str, Any]:
    argv = ["curate", "validate", path]
    argv += ["--format", str(fmt)] if fmt else []
    argv += ["--schema", schema] if schema else []
    for k, v in fields.items():
        argv += ["--set", f"{k}={v}"]
    stdout, stderr = io.StringIO(), io.StringIO()
    code: Any = None
    old = sys.argv
    sys.argv = argv
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            curate.cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except BaseException:
        stderr.write(traceback.format_exc())
        code = "exception"
    finally:
        sys.argv = old
    return {"exit": code, "stdout": stdout.getvalue()[-2000:], "stderr": stderr.getvalue()[-3000:]}


def op_build(req: dict[str, Any]) -> dict[str, Any]:
    """Build a recipe into `out`; the shards must be valid Parquet, nothing written elsewhere."""
    folder, out = Path(req["dir"]), Path(req["out"])
    before = _tree(folder, skip=out)
    result: dict[str, Any] = {"violations": []}
    bad = result["violations"]
    try:
        build = curate.build(req["recipe"], out=out, progress=False)
        result["outcome"] = "built"
        result["n_rows"] = sum(o.n_rows for o in build.manifest.outputs)
        for name, s in build.manifest.sources.items():
            kept = s.n_kept + s.n_rejected + s.n_not_selected
            if s.n_read != kept or sum(s.rejected_by_reason.values()) != s.n_rejected:
                bad.append(violation("accounting", f"manifest source {name}: {s}"))
    except CurateError as exc:
        result["outcome"], result["message"] = "input_error", str(exc)
    except BaseException as exc:
        result["outcome"] = "crash"
        bad.append(crash(exc))
    for p in sorted(out.rglob("*.parquet")) if out.exists() else []:
        try:
            pq.ParquetFile(p).read().validate(full=True)
        except BaseException as exc:
            bad.append(violation("bad_shard", f"{p.relative_to(out)}: {type(exc).__name__}: {exc}"))
    scratch = [str(p.relative_to(out)) for p in _scratch(out)]
    if scratch:
        bad.append(violation("scratch_left", f"{scratch} after a {result['outcome']} build"))
    after = _tree(folder, skip=out)
    if after != before:
        changed = sorted(set(after.items()) ^ set(before.items()))
        bad.append(violation("wrote_outside_out", repr(changed[:10])))
    return result


def _scratch(out: Path) -> list[Path]:
    """Work folders a finished build left: `.vN-*` beside versions (the old layout) and what
    curate's own helper lists under OUT/.curate-scratch/ (the new one)."""
    if not out.exists():
        return []
    found = list(out.rglob(".v*"))
    try:
        from curate.builder.output import scratch_left
    except ImportError:
        return found
    return found + scratch_left(out)


def _tree(folder: Path, *, skip: Path) -> dict[str, int]:
    return {str(p): p.stat().st_size for p in folder.rglob("*")
            if p.is_file() and skip not in p.parents}


# --- the server and its workers ---------------------------------------------------------

OPS = {"validate": op_validate, "build": op_build}


def write_line(fd: int, obj: dict[str, Any]) -> None:
    data = (json.dumps(obj, default=str) + "\n").encode()
    while data:
        data = data[os.write(fd, data):]


def serve(channel: int, fault_log: Path) -> None:
    with open(fault_log, "w") as log:
        faulthandler.enable(file=log)
        for line in sys.stdin.buffer:
            req = json.loads(line)
            faulthandler.dump_traceback_later(req.get("timeout", 120), exit=True, file=log)
            try:
                resp = OPS[req["op"]](req)
            except BaseException as exc:  # a bug of the harness itself
                resp = {"outcome": "harness_error", "violations": [crash(exc)]}
            faulthandler.cancel_dump_traceback_later()
            write_line(channel, resp)


def died(status: int, fault_log: Path) -> dict[str, Any]:
    text = fault_log.read_text(errors="replace") if fault_log.exists() else ""
    if os.WIFSIGNALED(status):
        what = f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    elif "Timeout" in text:
        what = "hang (past the case's timeout)"
    else:
        what = f"exit {os.WEXITSTATUS(status)}"
    frames = re.findall(r'File "([^"]*/curate/[^"]*)", line (\d+) in (\S+)', text)
    where = (f"{frames[0][0].split('/curate/')[-1]}:{frames[0][1]} in {frames[0][2]}"
             if frames else "(no curate frame)")
    return {"outcome": "died", "violations": [{"code": "died", "type": what, "where": where,
                                               "detail": what, "traceback": text[-4000:]}]}


def main() -> None:
    log_dir = Path(sys.argv[1])
    channel = os.dup(1)
    os.dup2(2, 1)  # whatever curate prints cannot corrupt the answers
    while True:
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            serve(channel, log_dir / f"worker-{os.getpid()}.log")
            os._exit(0)
        fault_log = log_dir / f"worker-{pid}.log"
        _, status = os.waitpid(pid, 0)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            return  # stdin closed: the session is over
        write_line(channel, died(status, fault_log))
        fault_log.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
