"""Entry point of the `curate` command. Command modules register themselves on `app`."""

from __future__ import annotations

import importlib
import sys

from curate.cli.app import app
from curate.errors import CurateError

# Each module defines its commands on `app` when imported.
COMMAND_MODULES = ["validate", "schema", "build", "audit", "push", "stats", "diff", "synth",
                   "expectations", "init_ci"]


def main() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"curate.cli.{name}")
    try:
        code = app(standalone_mode=False)  # returns the code of typer.Exit instead of exiting
    except CurateError as exc:  # a known failure: one line, no traceback
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except SystemExit:
        raise
    except Exception as exc:  # click's usage errors land here with standalone_mode=False
        import click
        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(130)
        raise
    sys.exit(code if isinstance(code, int) else 0)
