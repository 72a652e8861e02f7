"""The README's quick start is what CI runs."""

from tests.conftest import ROOT


def test_ci_runs_the_readme_test_command_verbatim():
    readme = (ROOT / "README.md").read_text()
    blocks = readme.split("## Quick start")[1].split("## In Python")[0].split("```bash\n")[1:]
    commands = [b.split("```")[0].strip() for b in blocks]
    assert len(commands) == 2
    assert "curate build safety_rm_v3" in commands[0]
    assert commands[1] in (ROOT / ".ci/run").read_text().splitlines()


def test_every_built_in_format_is_in_the_readme_format_table():
    import re

    import curate.adapters

    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Formats")[1].split("\n\n", 2)[2].split("\n\n")[0]
    listed = {name for row in table.splitlines() for name in
              re.findall(r"`([a-z0-9-]+)`", row.split("|")[1])}
    assert set(curate.adapters.adapter_names()) - listed == set()
