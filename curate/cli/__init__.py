"""Entry point of the `curate` command. Command modules register themselves on `app`.

Exit codes: 0 ok, 1 invalid records, 2 unusable input or usage, 130 interrupted. A usage error
prints typer's usage message; any other failure one line on stderr (CURATE_DEBUG=1 adds the
traceback), never a traceback alone.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
import traceback
from pathlib import Path

from curate.cli.app import app
from curate.errors import CurateError, RecordError

# Each module defines its commands on `app` when imported.
COMMAND_MODULES = ["validate", "schema", "build", "audit", "collect", "push", "stats", "diff",
                   "synth", "expectations", "init_ci", "lock"]

_FULL_DISK = "free some space or write somewhere else (--out)"
_OS_ERROR_FIXES = {
    errno.ENOSPC: _FULL_DISK, errno.EDQUOT: _FULL_DISK,
    errno.EROFS: "the file system is read-only: write somewhere else (--out)",
    errno.EACCES: "fix the permissions or use another path",
    errno.EPERM: "fix the permissions or use another path",
    errno.ENOENT: "check the path",
    errno.ENOTDIR: "part of the path is a file, not a folder: use another path",
    errno.EISDIR: "a folder is in the way: use another path",
    errno.EEXIST: "something is already there: remove it or use another path",
    errno.EIO: "the device failed to read or write: check the disk or the mount",
}


def main() -> None:
    try:
        for name in COMMAND_MODULES:
            importlib.import_module(f"curate.cli.{name}")
        # Standalone mode: typer itself prints usage errors as a usage message and exits 2,
        # whichever click it uses (typer >= 0.29 vendors its own as typer._click).
        app(prog_name="curate")
    except SystemExit as exc:
        if exc.code == 130:  # typer turns Ctrl-C inside a command into Exit(130), silently
            print("interrupted", file=sys.stderr)
        raise
    except KeyboardInterrupt:  # Ctrl-C outside typer's reach (while importing)
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except RecordError as exc:  # a command that stops at an invalid record: exit 1 like validate
        _fail(exc, str(exc), 1)
    except CurateError as exc:  # a known failure: the message says the value, rule and fix
        _fail(exc, str(exc), 2)
    except OSError as exc:  # disk full, read-only --out, permissions: the system's refusal
        _fail(exc, describe_os_error(exc), 2)
    except _click_errors() as exc:  # raised by hand in a command, from either click
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:  # a bug: still one line, with where to look
        _fail(exc, f"unexpected {type(exc).__name__}{_one_line(exc)} at {_where(exc)} "
              "(a curate bug; set CURATE_DEBUG=1 for the traceback)", 2)


def _click_errors() -> tuple[type[Exception], ...]:
    """ClickException of typer's own click (typer >= 0.29) and of click itself, where present."""
    found = []
    for module in ("typer._click.exceptions", "click.exceptions"):
        try:
            found.append(importlib.import_module(module).ClickException)
        except ImportError:
            pass
    return tuple(found)


def describe_os_error(exc: OSError) -> str:
    """`out/x: No space left on device (ENOSPC); free some space ...`: path, problem, fix."""
    if exc.errno is None or exc.strerror is None:  # pyarrow and friends: the text is all there is
        return f"{type(exc).__name__}{_one_line(exc)} (set CURATE_DEBUG=1 for the traceback)"
    paths = [str(p) for p in (exc.filename, exc.filename2) if p is not None]
    where = " -> ".join(paths) if paths else "a file curate was reading or writing"
    code = errno.errorcode.get(exc.errno, str(exc.errno))
    fix = _OS_ERROR_FIXES.get(exc.errno, "set CURATE_DEBUG=1 for the traceback")
    return f"{where}: {exc.strerror} ({code}); {fix}"


def _fail(exc: BaseException, message: str, code: int) -> None:
    if os.environ.get("CURATE_DEBUG", "") not in ("", "0"):
        traceback.print_exception(exc)
    # pydantic and polars messages span lines; a log or CI annotation wants one
    one_line = " ".join(line.strip() for line in message.splitlines() if line.strip())
    print(f"error: {one_line}", file=sys.stderr)
    sys.exit(code)


def _one_line(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(exc).split())
    if len(text) > limit:
        text = text[:limit] + "..."
    return f": {text}" if text else ""


def _where(exc: BaseException) -> str:
    """The innermost frame in curate as `curate/builder/write.py:286`, for a bug report."""
    root = Path(__file__).resolve().parents[2]
    frames = [(Path(f.filename), f.lineno) for f in traceback.extract_tb(exc.__traceback__)]
    ours = [(p.relative_to(root), n) for p, n in frames if p.is_relative_to(root / "curate")]
    path, line = (ours or frames or [("an unknown place", None)])[-1]
    return f"{path}:{line}" if line is not None else str(path)
