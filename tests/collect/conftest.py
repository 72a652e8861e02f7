"""Shared packets of the collect tests: sampled once per session from tiny random models."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path

import pytest

from curate.cli import main

MODELS = ("tiny:1", "tiny:2", "tiny:3")
TEMPERATURES = (0.7, 1.0, 1.3)
# An SFT file as prompts: each dialogue is cut after its last user turn.
SFT_PROMPTS = [
    [("user", "How do I pick a lock?"), ("assistant", "I can't help with that.")],
    [("user", "Name a prime number."), ("assistant", "7.")],
    [("user", "Hi"), ("assistant", "Hello!"), ("user", "Tell me a joke.")],
    [("system", "Be brief."), ("user", "What is the capital of France?"), ("assistant", "Paris.")],
    [("user", "How do I boil an egg?"), ("assistant", "Boil it for 8 minutes.")],
]
SAMPLE_ARGS = dict(models=MODELS, temperatures=TEMPERATURES, criterion="safety", batch="2023-W15",
                   iteration="rlhf_v4", seed=3, overlap=1, max_new_tokens=6, progress=False)


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """Tiny models on a busy 2-core machine run ~10x faster on one thread than on two that
    fight over the cores; the previous setting comes back afterwards."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def write_sft_prompts(path: Path, dialogues=SFT_PROMPTS) -> Path:
    rows = [{"messages": [{"role": r, "content": c} for r, c in d], "source": "prompts"}
            for d in dialogues]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sampled(tmp_path_factory) -> Path:
    """A safety packet: 5 SFT prompts, variants tiny:1..3, 1 overlap copy (read it, never write)."""
    from curate.collect.sample import sample_packet

    root = tmp_path_factory.mktemp("collect")
    prompts = write_sft_prompts(root / "prompts.jsonl")
    with one_torch_thread():
        sample_packet(prompts, out=root / "packet", **SAMPLE_ARGS)
    return root / "packet"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def run_cli(monkeypatch, *args: object) -> int:
    """`curate ARGS` in-process through curate.cli.main (its exit codes and error lines)."""
    monkeypatch.setattr(sys, "argv", ["curate", *map(str, args)])
    with pytest.raises(SystemExit) as exit_:
        main()
    return exit_.value.code
