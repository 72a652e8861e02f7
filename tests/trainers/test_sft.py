"""SFT end to end on a tiny version, and dataset resolution from the local registry."""

from __future__ import annotations

import pytest

from curate.errors import InputError
from trainers.data import read_rows, resolve_dataset
from trainers.sft import main


def test_sft_lowers_the_answer_loss_on_toy_dialogues(sft_version, tmp_path):
    metrics = main(["--dataset", str(sft_version), "--output-dir", str(tmp_path / "sft"),
                    "--max-steps", "12", "--batch-size", "2", "--micro-batch-size", "2",
                    "--seq-len", "64", "--lr", "3e-3", "--log-every", "4"])
    losses = metrics["train_losses"]
    assert sum(losses[-3:]) / 3 < losses[0] - 1.0
    assert metrics["eval_loss"] < losses[0]
    assert (tmp_path / "sft" / "model" / "config.json").exists()


def test_unknown_dataset_spec_says_what_to_pass():
    with pytest.raises(InputError, match="ORG/NAME@vN"):
        resolve_dataset("not a dataset")
