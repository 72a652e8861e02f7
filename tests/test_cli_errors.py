"""The `curate` command's failures: usage messages, one-line errors, exit codes, never a traceback.

Exit codes: 0 ok, 1 invalid records, 2 unusable input or usage, 130 interrupted.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys

import pytest

import curate
from curate.cli import describe_os_error, main
from tests.conftest import EXAMPLES

SAMPLE = EXAMPLES / "preference_sample.jsonl"


def run_main(monkeypatch, capsys, *args: str, debug: bool = False):
    """`curate ARGS` in-process through the real entry point: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["curate", *args])
    if debug:
        monkeypatch.setenv("CURATE_DEBUG", "1")
    else:
        monkeypatch.delenv("CURATE_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main()
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


def run_module(*args: str, code: str | None = None, **kwargs):
    """`python -m curate ARGS` (or `code` then main()) in a fresh process."""
    entry = f"{code}\nfrom curate.cli import main; main()"
    argv = ["-m", "curate"] if code is None else ["-c", entry]
    env = {k: v for k, v in os.environ.items() if k != "CURATE_DEBUG"}
    return subprocess.run([sys.executable, *argv, *args], capture_output=True, text=True,
                          env=env, timeout=120, **kwargs)


# --- usage errors: typer's usage message, exit 2 ----------------------------------------

@pytest.mark.parametrize(("args", "usage", "says"), [
    (["build"], "Usage: curate build", "Missing argument 'recipe'"),
    (["validate"], "Usage: curate validate", "Missing argument 'paths"),
    (["validate", "--bogus", str(SAMPLE)], "Usage: curate validate", "No such option: --bogus"),
    (["bulid"], "Usage: curate [OPTIONS] COMMAND", "No such command 'bulid'"),
])
def test_usage_errors_print_a_usage_message_not_a_traceback_and_exit_2(monkeypatch, capsys, args,
                                                                        usage, says):
    code, out, err = run_main(monkeypatch, capsys, *args)
    assert code == 2, err
    assert "Traceback" not in err and usage in err and says in err
    assert len(err.strip().splitlines()) <= 6  # usage, hint and the boxed message


def test_curate_without_arguments_shows_the_help_and_exits_2(monkeypatch, capsys):
    # no_args_is_help: typer (like click >= 8.2) raises NoArgsIsHelpError, a usage error, so
    # the help is printed and the code is 2, the code of every usage error.
    code, out, err = run_main(monkeypatch, capsys)
    assert code == 2
    assert "Usage: curate [OPTIONS] COMMAND" in out and "validate" in out and "build" in out
    assert "Traceback" not in out + err


def test_usage_error_from_python_m_curate_names_the_command_curate():
    result = run_module("bulid")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Usage: curate [OPTIONS]" in result.stderr and "Did you mean 'build'?" in result.stderr


def test_version_prints_curate_and_the_package_version(monkeypatch, capsys):
    assert curate.__version__ == "0.1.0"
    code, out, err = run_main(monkeypatch, capsys, "--version")
    assert (code, out, err) == (0, f"curate {curate.__version__}\n", "")
    result = run_module("--version")
    assert (result.returncode, result.stdout) == (0, "curate 0.1.0\n")


def test_help_still_exits_0(monkeypatch, capsys):
    code, out, _ = run_main(monkeypatch, capsys, "validate", "--help")
    assert code == 0 and "Usage: curate validate" in out


# --- --set values: one YAML scalar -----------------------------------------------------

@pytest.mark.parametrize(("value", "says"), [
    ("criterion=[1,2]", "got a list"),
    ("criterion={a: 1}", "got a mapping"),
    ("criterion=!!python/object/apply:os.system [touch pwned]",
     "the tag !!python/object/apply:os.system is not allowed"),
    ("criterion=!!python/object:os.system x", "the tag !!python/object:os.system is not allowed"),
    ("criterion=!!binary aGk=", "got bytes"),
    ("criterion=!!int x", "cannot read this value"),
    ("criterion=!!bool maybe", "cannot read this value ('maybe')"),
    ("criterion=@x", "not valid YAML"),
    ("criterion=" + "1" * 5000, "Exceeds the limit (4300 digits)"),
    ("criterion", "expected FIELD=VALUE"),
])
def test_set_value_that_is_not_one_scalar_is_a_usage_error_not_a_traceback(tmp_path, monkeypatch,
                                                                           capsys, value, says):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(monkeypatch, capsys, "validate", str(SAMPLE), "--set", value)
    assert code == 2 and not (tmp_path / "pwned").exists()
    assert "Traceback" not in err
    assert err.startswith("error: --set ") and says in err and len(err.strip().splitlines()) == 1


def test_set_values_keep_their_yaml_scalar_types():
    from curate.cli.options import parse_set

    assert parse_set(["a=safety", "b=0.7", "c=3", "d=true", "e=", "f='[x]'", "g=2023-04-01"]) == {
        "a": "safety", "b": 0.7, "c": 3, "d": True, "e": None, "f": "[x]", "g": "2023-04-01"}


# --- unexpected exceptions, system errors, Ctrl-C ---------------------------------------

def _raise_in_validate(monkeypatch, exc: BaseException) -> None:
    """Make the library call behind `curate validate` fail as a bug would."""
    def broken(*args, **kwargs):
        raise exc

    import curate.cli.validate as command
    monkeypatch.setattr(command, "validate", broken)


def test_unexpected_exception_is_one_line_with_the_cause_and_how_to_see_the_traceback(
        monkeypatch, capsys):
    _raise_in_validate(monkeypatch, ZeroDivisionError("division by zero\nsecond line"))
    code, out, err = run_main(monkeypatch, capsys, "validate", str(SAMPLE))
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.startswith("error: unexpected ZeroDivisionError: division by zero second line at ")
    assert " at curate/cli/validate.py:" in err  # the innermost frame in curate
    assert "set CURATE_DEBUG=1 for the traceback" in err


def test_curate_debug_shows_the_traceback_of_an_unexpected_exception(monkeypatch, capsys):
    _raise_in_validate(monkeypatch, ZeroDivisionError("division by zero"))
    code, _, err = run_main(monkeypatch, capsys, "validate", str(SAMPLE), debug=True)
    assert code == 2
    assert err.startswith("Traceback (most recent call last):") and "in broken" in err
    assert err.strip().splitlines()[-1].startswith("error: unexpected ZeroDivisionError")


def test_unexpected_exception_in_a_fresh_process_exits_2_without_a_traceback():
    inject = ("import curate.cli.validate as v\n"
              "def broken(*a, **k): raise TypeError(\"unhashable type: 'list'\")\n"
              "v.validate = broken")
    result = run_module("validate", str(SAMPLE), code=inject)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "unexpected TypeError: unhashable type: 'list'" in result.stderr


def test_invalid_record_that_stops_a_command_exits_1_in_one_line(monkeypatch, capsys):
    # RecordError is "invalid records" (exit 1), e.g. from curate.read under `curate stats`;
    # it used to share exit 2 with unusable input.
    from curate.errors import RecordError

    _raise_in_validate(monkeypatch, RecordError("expected text, got 5", file="a.jsonl", line=3,
                                                field="chosen", reason="bad_field"))
    code, _, err = run_main(monkeypatch, capsys, "validate", str(SAMPLE))
    assert (code, err) == (1, "error: a.jsonl:3: expected text, got 5 (field `chosen`)\n")


def test_curate_error_spanning_lines_prints_as_one(monkeypatch, capsys):
    from curate.errors import InputError

    _raise_in_validate(monkeypatch, InputError("manifest.json: not a curate manifest (1 "
                                               "validation error\noutputs\n  Input should be a "
                                               "valid list); rebuild it"))
    code, _, err = run_main(monkeypatch, capsys, "validate", str(SAMPLE))
    assert (code, err) == (2, "error: manifest.json: not a curate manifest (1 validation error "
                              "outputs Input should be a valid list); rebuild it\n")


@pytest.mark.parametrize("click_module", ["typer", "click"])  # typer.BadParameter: its own
def test_click_error_raised_in_a_command_is_shown_as_click_shows_it(monkeypatch, capsys,
                                                                   click_module):
    # typer >= 0.29 catches only its vendored click's errors; one from click itself is shown too.
    click = pytest.importorskip(click_module)
    _raise_in_validate(monkeypatch, click.BadParameter("--max-chars must be positive"))
    code, _, err = run_main(monkeypatch, capsys, "validate", str(SAMPLE))
    assert code == 2
    assert "Traceback" not in err and "--max-chars must be positive" in err


def test_ctrl_c_exits_130_with_one_line():
    # A real SIGINT, delivered while the command runs.
    inject = ("import os, signal, time, curate.cli.validate as v\n"
              "def interrupted(*a, **k):\n    os.kill(os.getpid(), signal.SIGINT); time.sleep(5)\n"
              "v.validate = interrupted")
    result = run_module("validate", str(SAMPLE), code=inject)
    assert result.returncode == 130
    assert "Traceback" not in result.stderr and result.stderr.strip() == "interrupted"


def test_full_disk_while_writing_the_report_is_one_line_naming_the_path(monkeypatch, capsys):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")  # Linux has one: writes fail with ENOSPC
    code, out, err = run_main(monkeypatch, capsys, "validate", str(SAMPLE), "--report", "/dev/full")
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.startswith("error: /dev/full: No space left on device (ENOSPC); free some space")


def test_out_that_is_a_file_is_one_line_naming_it(tmp_path, monkeypatch, capsys):
    (tmp_path / "out").write_text("not a folder")
    code, _, err = run_main(monkeypatch, capsys, "build", "safety_rm_v3", "--out",
                            str(tmp_path / "out"))
    assert code == 2
    # a CURATE_HOME without the samples also says, on a line of its own, that they are generated
    err = "".join(line for line in err.splitlines(keepends=True)
                  if not line.startswith("curate: generating the bundled sample data"))
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert str(tmp_path / "out") in err


@pytest.mark.parametrize(("code", "problem", "fix"), [
    (errno.ENOSPC, "No space left on device (ENOSPC)", "free some space"),
    (errno.EROFS, "Read-only file system (EROFS)", "read-only: write somewhere else (--out)"),
    (errno.EACCES, "Permission denied (EACCES)", "fix the permissions"),
])
def test_system_errors_name_the_path_the_problem_and_the_fix(code, problem, fix):
    message = describe_os_error(OSError(code, os.strerror(code), "out/safety_rm/v3"))
    assert message.startswith(f"out/safety_rm/v3: {problem}; ") and fix in message


def test_missing_file_from_python_m_curate_is_one_line_exit_2(tmp_path):
    result = run_module("validate", str(tmp_path / "missing.jsonl"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert "missing.jsonl" in result.stderr

