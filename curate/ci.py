"""`curate init-ci`: a GitHub Actions workflow and a pre-commit hook that run `curate validate`
on the data files a change adds or modifies.

>>> files = ci_files(data="data", schema="preference")
>>> sorted(files)
['.github/workflows/validate-data.yml', '.pre-commit-config.yaml']
>>> import yaml; yaml.safe_load(files[".pre-commit-config.yaml"])["repos"][0]["hooks"][0]["entry"]
'curate validate --schema preference'
"""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from curate.errors import InputError

WORKFLOW = ".github/workflows/validate-data.yml"
PRE_COMMIT = ".pre-commit-config.yaml"
EXTENSIONS = ("jsonl", "jsonl.gz", "json", "parquet")
JUNIT = "curate-validate.xml"

# Runs on the runner with BASE set to the commit to compare with (empty or all zeros on a
# branch's first push: then every data file is validated).
CHANGED_FILES_SCRIPT = """\
set -euo pipefail
if [ -n "${{BASE:-}}" ] && ! [[ "$BASE" =~ ^0+$ ]]; then
  mapfile -t files < <(git diff --name-only --diff-filter=AMR "$BASE" HEAD -- {pathspecs})
else
  mapfile -t files < <(git ls-files -- {pathspecs})
fi
if [ "${{#files[@]}}" -eq 0 ]; then echo "no data files changed"; exit 0; fi
printf 'validating %s\\n' "${{files[@]}}"
{command} --junit {junit} "${{files[@]}}"
"""


def validate_command(schema: str | None = None, format: str | None = None) -> str:
    args = ["curate", "validate"]
    if schema:
        args += ["--schema", schema]
    if format:
        args += ["--format", format]
    return shlex.join(args)


def changed_files_script(data: str = "data", *, schema: str | None = None,
                         format: str | None = None) -> str:
    pathspecs = " ".join(shlex.quote(f":(glob){data}/**/*.{ext}") for ext in EXTENSIONS)
    return CHANGED_FILES_SCRIPT.format(pathspecs=pathspecs, junit=JUNIT,
                                       command=validate_command(schema, format))


def workflow(data: str = "data", *, schema: str | None = None, format: str | None = None,
             install: str = "curate") -> dict:
    return {
        "name": "validate-data",
        "on": {"pull_request": {"paths": [f"{data}/**"]},
               "push": {"branches": ["main"], "paths": [f"{data}/**"]}},
        "permissions": {"contents": "read", "checks": "write"},
        "jobs": {"validate": {"runs-on": "ubuntu-latest", "steps": [
            {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}},
            {"uses": "actions/setup-python@v5", "with": {"python-version": "3.11"}},
            {"name": "Install curate", "run": f"pip install {shlex.quote(install)}"},
            {"name": "Validate changed data files",
             "env": {"BASE": "${{ github.event.pull_request.base.sha || github.event.before }}"},
             "shell": "bash", "run": changed_files_script(data, schema=schema, format=format)},
            {"name": "Show failures per check and file", "if": "always()",
             "uses": "mikepenz/action-junit-report@v4",
             "with": {"report_paths": JUNIT, "fail_on_failure": False,
                      "require_tests": False}},
        ]}},
    }


def pre_commit(data: str = "data", *, schema: str | None = None,
               format: str | None = None) -> dict:
    extensions = "|".join(e.replace(".", r"\.") for e in EXTENSIONS)
    return {"repos": [{"repo": "local", "hooks": [{
        "id": "curate-validate", "name": "curate validate",
        "entry": validate_command(schema, format), "language": "system",
        "files": rf"^{data}/.*\.({extensions})$", "pass_filenames": True}]}]}


def ci_files(data: str = "data", *, schema: str | None = None, format: str | None = None,
             install: str = "curate") -> dict[str, str]:
    """File name -> text of the workflow and the pre-commit configuration."""
    header = "# Written by `curate init-ci`; edit freely.\n"

    def dump(obj: dict) -> str:
        return header + yaml.dump(obj, Dumper=_Dumper, sort_keys=False, width=100)

    return {WORKFLOW: dump(workflow(data, schema=schema, format=format, install=install)),
            PRE_COMMIT: dump(pre_commit(data, schema=schema, format=format))}


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the scripts) as literal blocks, readable in the workflow file."""


_Dumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def write_ci_files(root: Path, *, force: bool = False, **options) -> list[Path]:
    files = ci_files(**options)
    existing = [name for name in files if (root / name).exists()]
    if existing and not force:
        raise InputError(f"{', '.join(existing)} already exist(s) in {root}; pass --force to "
                         "overwrite")
    written = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written
