"""Every example in README.md and docs/*.md runs as written, and shows what it prints.

Each document's fenced blocks run in order in a fresh copy of the checkout (a tmp folder with
`../shared` beside it, CURATE_HOME inside it, no network), in one subprocess per document:

- ```python: executed in one namespace per document;
- ```bash: `bash -euo pipefail`, must exit 0;
- ```console: a transcript; each `$ ` line (with `\\` continuations) runs in one bash session
  and must print the lines under it (a line `...` stands for any number of lines); it must exit
  0 unless the next command is `echo $?`, which then shows the status;
- ```toml / ```json / ```yaml: must parse.

An HTML comment on the line before a block says what else it is:

- `<!-- not run: REASON -->`: shown, not run (installs, CI's own command; keep these rare);
- `<!-- output of the block above -->`: what the block before prints, compared exactly;
- `<!-- usage -->`: a synopsis `curate CMD ... [--opt ...]`: every option is in `curate CMD --help`;
- `<!-- layout -->`: the tree of the checkout: every folder and file it names exists;
- `<!-- schema: module.Model -->`: a json/yaml document that the pydantic model accepts.

A block none of these covers fails the test, so a new kind of example needs a check here.
The runner is this file run as a script (`python tests/test_docs_examples.py DOC WORKDIR`).
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = ["README.md", *sorted(p.relative_to(REPO).as_posix() for p in (REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
MARKER = re.compile(r"<!--\s*(.*?)\s*-->\s*\Z", re.DOTALL)
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
COMMAND_TIMEOUT_S = 600


@dataclass(frozen=True)
class Block:
    line: int      # 1-based line of the opening fence
    lang: str
    code: str
    marker: str    # the HTML comment on the line before the fence, "" when none


def blocks_of(text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, each with the marker comment right before it."""
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = MARKER.search(before)
        found.append(Block(line=text.count("\n", 0, match.start()) + 1, lang=match.group(1),
                           code=match.group(2), marker=marker.group(1) if marker else ""))
    return found


# --- checks of blocks that are not run ------------------------------------------------------


def check_usage(code: str) -> str | None:
    """A synopsis names a real command and only options that command has."""
    words = code.replace("\\\n", " ").split()
    command = []
    for word in words[1:]:
        if not re.fullmatch(r"[a-z][a-z-]*", word):
            break
        command.append(word)
    help_text = subprocess.run(["curate", *command, "--help"], capture_output=True, text=True,
                               check=False, timeout=COMMAND_TIMEOUT_S)
    if words[:1] != ["curate"] or help_text.returncode != 0:
        return f"`{' '.join(words[:3])}` is not a curate command: {help_text.stderr.strip()}"
    unknown = sorted(set(OPTION.findall(code)) - set(OPTION.findall(help_text.stdout)))
    return f"`curate {' '.join(command)}` has no option {', '.join(unknown)}" if unknown else None


def check_layout(code: str, root: Path) -> str | None:
    """Each line `top/  text` names a folder of the checkout; each `x/y/` or `z.py` in the text is
    in that folder (or, like "mirrors curate/", at the top)."""
    missing, top = [], root
    for line in code.splitlines():
        first, _, rest = line.partition(" ")
        if first:
            top = root / first
            missing += [] if top.is_dir() else [first]
        for name in re.findall(r"[\w.]+(?:/[\w.]+)*/|\w+\.py\b", rest):
            missing += [] if (top / name).exists() or (root / name).exists() else [name]
    return f"the layout names what the checkout lacks: {missing}" if missing else None


def check_schema(code: str, lang: str, dotted: str) -> str | None:
    import yaml  # only here: the runner itself needs nothing beyond the standard library

    module, _, name = dotted.rpartition(".")
    model = getattr(importlib.import_module(module), name)
    value = json.loads(code) if lang == "json" else yaml.safe_load(code)
    model.model_validate(value)
    return None


def check_parses(code: str, lang: str) -> str | None:
    if lang == "toml":
        tomllib.loads(code)
    elif lang == "json":
        json.loads(code)
    else:
        import yaml

        yaml.safe_load(code)
    return None


# --- running blocks -------------------------------------------------------------------------


def matches(expected: str, actual: str) -> bool:
    """Line by line, trailing spaces ignored; a line `...` matches any number of lines."""
    pattern = "".join(r"(?:[^\n]*\n)*?" if line == "..." else re.escape(line.rstrip()) + r"\n"
                      for line in expected.splitlines())
    actual = "".join(line.rstrip() + "\n" for line in actual.splitlines())
    return re.fullmatch(pattern, actual) is not None


def mismatch(expected: str, actual: str) -> str:
    diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), "shown", "printed",
                                lineterm="")
    return "the output differs from the doc:\n" + "\n".join(diff)


def run_bash(code: str) -> tuple[str | None, str]:
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", code], capture_output=True,
                            text=True, check=False, timeout=COMMAND_TIMEOUT_S)
    output = result.stdout + result.stderr
    return (None if result.returncode == 0 else f"exit {result.returncode}:\n{output}"), output


def run_python(code: str, namespace: dict, where: str) -> tuple[str | None, str]:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, where, "exec"), namespace)  # noqa: S102 - the doc's own code
    except BaseException:  # noqa: BLE001 - an example's failure, SystemExit included, is reported
        return traceback.format_exc(), out.getvalue()
    return None, out.getvalue()


def transcript(code: str) -> list[tuple[str, str]]:
    """(command, the output shown under it) for each `$ ` command of a console block."""
    steps: list[tuple[str, list[str]]] = []
    continued = False
    for line in code.splitlines():
        if continued:
            steps[-1] = (steps[-1][0] + "\n" + line, steps[-1][1])
        elif line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        else:
            raise ValueError("a console block starts with a `$ ` command")
        continued = line.endswith("\\")
    return [(command, "".join(line + "\n" for line in shown)) for command, shown in steps]


def run_console(code: str) -> tuple[str | None, str]:
    steps = transcript(code)
    sentinel = "@@curate-docs-rc="
    script = "".join(f"{command}\n__rc=$?; printf '\\n{sentinel}%d@@\\n' $__rc; (exit $__rc)\n"
                     for command, _ in steps)
    result = subprocess.run(["bash", "-uo", "pipefail", "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, check=False,
                            timeout=COMMAND_TIMEOUT_S)
    parts = re.split(rf"\n?{re.escape(sentinel)}(\d+)@@\n", result.stdout)
    outputs, codes = parts[0:-1:2], [int(rc) for rc in parts[1::2]]
    if len(codes) != len(steps):
        return f"the transcript stopped after {len(codes)} of {len(steps)} commands", result.stdout
    for i, ((command, shown), output, rc) in enumerate(zip(steps, outputs, codes)):
        shows_status = i + 1 < len(steps) and steps[i + 1][0].strip() == "echo $?"
        if rc != 0 and not shows_status:
            return f"`{command}` exited {rc}:\n{output}", result.stdout
        if not matches(shown, output):
            return f"`{command}`: {mismatch(shown, output)}", result.stdout
    return None, result.stdout


def run_document(doc: Path) -> list[str]:
    """Run or check every block of `doc` in order from the current folder; the failures."""
    failures: list[str] = []
    namespace: dict = {"__name__": "__main__"}
    previous_output: str | None = None
    for block in blocks_of(doc.read_text()):
        where = f"{doc.name}:{block.line}"
        kind, _, detail = block.marker.partition(":")
        try:
            output = None
            if kind == "not run":
                error = None if detail.strip() else "`not run:` needs a reason"
            elif kind == "output of the block above":
                shown = previous_output is not None and matches(block.code, previous_output)
                error = None if shown else mismatch(block.code, previous_output or "")
            elif kind == "usage":
                error = check_usage(block.code)
            elif kind == "layout":
                error = check_layout(block.code, Path.cwd())
            elif kind == "schema":
                error = check_schema(block.code, block.lang, detail.strip())
            elif block.marker:
                error = f"unknown marker <!-- {block.marker} -->"
            elif block.lang == "python":
                error, output = run_python(block.code, namespace, where)
            elif block.lang == "bash":
                error, output = run_bash(block.code)
            elif block.lang == "console":
                error, output = run_console(block.code)
            elif block.lang in ("toml", "json", "yaml"):
                error = check_parses(block.code, block.lang)
            else:
                error = (f"a ```{block.lang} block with no marker: run it (python, bash, console) "
                         "or say what it is (see tests/test_docs_examples.py)")
        except Exception:  # noqa: BLE001 - a check that raises is that block's failure
            error = traceback.format_exc()
        previous_output = output
        if error:
            failures.append(f"{where}: {error}")
            if output is not None:
                break  # the examples after a failed one depend on it
    return failures


# --- the tests ------------------------------------------------------------------------------


def checkout_copy(root: Path) -> Path:
    """A copy of the checkout (tracked, or untracked and not ignored), ../shared beside it."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, check=True).stdout.decode()
    checkout = root / "checkout"
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, checkout / name)
    (root / "shared").symlink_to(REPO.parent / "shared", target_is_directory=True)
    return checkout


def docs_env(root: Path) -> dict[str, str]:
    """The venv first on PATH, curate's, HF's and the user's homes in tmp (Ray's local instance
    writes ~/.ray), nothing that reaches a network."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("CURATE_", "HF_", "PYTEST_")) and k not in ("COLUMNS", "LINES")}
    return {**keep, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "CURATE_HOME": str(root / "curate-home"), "HF_HOME": str(root / "hf-home"),
            "HOME": str(root / "home"),
            "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def run_doc_in_subprocess(doc: Path, root: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, __file__, str(doc), str(root / "failures.json")],
                          cwd=cwd, env=docs_env(root), capture_output=True, text=True,
                          check=False, timeout=COMMAND_TIMEOUT_S)


def failures_of(doc: Path, root: Path, cwd: Path) -> list[str]:
    result = run_doc_in_subprocess(doc, root, cwd)
    assert result.returncode == 0, f"the runner crashed on {doc}:\n{result.stderr[-4000:]}"
    return json.loads((root / "failures.json").read_text())


@pytest.mark.parametrize("doc", DOCS)
def test_every_example_of_the_doc_runs_as_written(doc, tmp_path):
    assert (REPO.parent / "shared" / "data").is_dir(), "the docs' examples read ../shared/data"
    failures = failures_of(REPO / doc, tmp_path, checkout_copy(tmp_path))
    assert not failures, "\n\n".join(failures)


BROKEN = {
    "bash that fails": "```bash\ntrue\nfalse\n```\n",
    "python that raises": "```python\nimport curate\ncurate.read('no-such-file.jsonl')\n```\n",
    "a transcript showing other output": "```console\n$ echo 1\n2\n```\n",
    "a transcript hiding a failure": "```console\n$ cat no-such-file\n...\n```\n",
    "a shown output that differs": "```python\nprint('a')\n```\n\n"
                                    "<!-- output of the block above -->\n```text\nb\n```\n",
    "a synopsis with an unknown option":
        "<!-- usage -->\n```text\ncurate stats PATH --tokens T\n```\n",
    "a layout naming a missing folder": "<!-- layout -->\n```text\nno-such-dir/  text\n```\n",
    "a recipe the model refuses": "<!-- schema: curate.recipe.model.Recipe -->\n"
                                  "```yaml\nname: x\nversion: 0\n```\n",
    "an unclassified block": "```text\nsomething\n```\n",
    "a not-run marker with no reason": "<!-- not run: -->\n```bash\ntrue\n```\n",
}


def test_a_broken_example_fails(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i, text in enumerate(BROKEN.values()):
        (docs / f"{i}.md").write_text("Intro.\n\n" + text)
    (docs / "fine.md").write_text("```bash\necho hi > f\n```\n\n```console\n$ cat f\nhi\n$ false\n"
                                  "$ echo $?\n1\n```\n\n```python\nprint(open('f').read())\n```\n\n"
                                  "<!-- output of the block above -->\n```text\nhi\n\n```\n")
    for i, name in enumerate(BROKEN):
        assert failures_of(docs / f"{i}.md", tmp_path, tmp_path), f"{name} went unnoticed"
    assert failures_of(docs / "fine.md", tmp_path, tmp_path) == []


if __name__ == "__main__":
    sys.path[0] = str(Path.cwd())  # as `python` started in the checkout, not this file's folder
    document, report = Path(sys.argv[1]), Path(sys.argv[2])
    report.write_text(json.dumps(run_document(document)))
