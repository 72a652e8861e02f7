"""Third-party adapters through the `curate.adapters` entry-point group, installed for real:
a `*.dist-info` folder on sys.path that importlib.metadata finds, in a fresh process."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import curate
from tests.conftest import FIXTURES

REPO = Path(curate.__file__).resolve().parents[1]

PLUGIN = '''
from curate.adapters.base import NAMED_DATASET, Adapter, require


class QAVote(Adapter):
    """A made-up format: a question with its most and least upvoted answers."""

    name = "qa-vote"
    kind = "preference"
    priority = NAMED_DATASET
    fields = ("question", "top_answer", "bottom_answer")

    def convert(self, row):
        return [{"prompt": [{"role": "user", "content": require(row, "question")}],
                 "chosen": require(row, "top_answer"), "rejected": require(row, "bottom_answer"),
                 "criterion": "helpfulness", "source": self.name}]
'''


def install(site: Path, dist: str, module: str | None, entry_points: str) -> None:
    """What `pip install` leaves behind, as far as importlib.metadata is concerned."""
    info = site / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[curate.adapters]\n{entry_points}\n")
    if module is not None:
        (site / f"{dist.replace('-', '_')}.py").write_text(module)


def run(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


@pytest.fixture
def votes(tmp_path) -> Path:
    install(tmp_path / "site", "curate-qa-vote", PLUGIN, "qa-vote = curate_qa_vote:QAVote")
    path = tmp_path / "votes.jsonl"
    rows = [{"question": "Best pasta shape?", "top_answer": "Rigatoni.", "bottom_answer": "Soup."},
            {"question": "Tea or coffee?", "top_answer": "Either.", "bottom_answer": "Neither!"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_validate_detects_an_installed_plugins_format(votes):
    result = run(votes.parent / "site", "-m", "curate", "validate", votes.name, cwd=votes.parent)
    assert result.returncode == 0, result.stderr
    assert "valid: 2 records read, 2 valid, 0 rejected (qa-vote)" in result.stdout
    assert result.stderr == ""


def test_format_names_an_installed_plugin_and_unknown_formats_list_it(votes):
    named = run(votes.parent / "site", "-m", "curate", "validate", "--format", "qa-vote",
                votes.name, cwd=votes.parent)
    assert named.returncode == 0, named.stderr
    assert "(qa-vote)" in named.stdout
    unknown = run(votes.parent / "site", "-m", "curate", "validate", "--format", "qa-votes",
                  votes.name, cwd=votes.parent)
    assert unknown.returncode == 2
    assert "unknown format 'qa-votes'; known formats: " in unknown.stderr
    assert "qa-vote," in unknown.stderr


def test_curate_read_picks_an_installed_plugin(votes):
    code = textwrap.dedent("""
        import curate
        frame = curate.read("votes.jsonl")
        print(frame.select("source", "chosen").rows())
    """)
    result = run(votes.parent / "site", "-c", code, cwd=votes.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[('qa-vote', 'Rigatoni.'), ('qa-vote', 'Either.')]\n"


def test_a_broken_plugin_is_skipped_with_one_warning_naming_it(tmp_path):
    site = tmp_path / "site"
    install(site, "curate-broken", None, "broken = curate_broken_missing:Adapter")
    install(site, "curate-not-an-adapter", "class Thing:\n    pass\n",
            "thing = curate_not_an_adapter:Thing")
    result = run(site, "-m", "curate", "validate",
                 str(FIXTURES / "stack-exchange-paired" / "train.jsonl"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "(stack-exchange-paired)" in result.stdout
    warnings = result.stderr.splitlines()
    assert warnings == [
        "warning: skipped adapter plugin `broken = curate_broken_missing:Adapter` "
        "(curate.adapters entry point of curate-broken): ModuleNotFoundError: No module named "
        "'curate_broken_missing'; fix or uninstall curate-broken",
        "warning: skipped adapter plugin `thing = curate_not_an_adapter:Thing` "
        "(curate.adapters entry point of curate-not-an-adapter): <class "
        "'curate_not_an_adapter.Thing'> is not a curate.adapters.Adapter subclass or instance; "
        "fix or uninstall curate-not-an-adapter",
    ]


def test_a_plugin_cannot_take_a_builtin_formats_name(tmp_path):
    site = tmp_path / "site"
    install(site, "curate-fake-hh", PLUGIN.replace('"qa-vote"', '"hh-rlhf"'),
            "hh = curate_fake_hh:QAVote")
    result = run(site, "-m", "curate", "validate", "--format", "hh-rlhf",
                 str(FIXTURES / "hh-rlhf" / "harmless-sample.jsonl"), cwd=tmp_path)
    assert "format hh-rlhf (preference) is already defined" in result.stderr
    # the built-in read the transcripts (the plugin's adapter would reject every row)
    assert "4 records read, 3 valid, 1 rejected (hh-rlhf)" in result.stdout
