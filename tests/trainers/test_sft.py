"""SFT on TRL's SFTTrainer end to end on tiny versions, conversational and standard."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from curate.errors import InputError
from tests.trainers.conftest import toy_sft_rows, write_version
from trainers.data import resolve_dataset
from trainers.sft import main


def test_sft_lowers_the_answer_loss_on_toy_dialogues(sft_version, tmp_path):
    metrics = main(["--dataset", str(sft_version), "--output-dir", str(tmp_path / "sft"),
                    "--max-steps", "12", "--batch-size", "2", "--micro-batch-size", "2",
                    "--seq-len", "64", "--lr", "3e-3", "--log-every", "5"])
    losses = metrics["train_losses"]
    assert metrics["steps"] == 12 and len(losses) == 3  # steps 5, 10 and the last one, 12
    assert losses[-1] < losses[0] - 1.0
    assert metrics["eval_loss"] < losses[0]
    assert metrics["n_dialogues"] == 40 and metrics["n_sequences"] < 40  # packed blocks of 64
    assert json.loads((tmp_path / "sft" / "metrics.json").read_text())["train_losses"] == losses
    assert (tmp_path / "sft" / "model" / "config.json").exists()


def test_a_standard_prompt_completion_version_trains_on_the_completion(tmp_path):
    """A recipe's `output: {format: standard}` writes `prompt` and `completion` texts (TRL's
    standard prompt-completion); TRL then counts the loss on the completion only."""
    rows = [{"prompt": f"User: {r['messages'][-2]['content']}\nAssistant:",
             "completion": " " + r["messages"][-1]["content"], "source": "toy", "uid": r["uid"]}
            for r in toy_sft_rows(16, seed=1)]
    schema = pa.schema([("prompt", pa.string()), ("completion", pa.string()), ("source", pa.string()),
                        ("uid", pa.string())])
    version = write_version(tmp_path / "toy_sft_std" / "v1", schema=schema, train=rows, test=rows[:4])
    metrics = main(["--dataset", str(version), "--output-dir", str(tmp_path / "sft"), "--max-steps", "2",
                    "--seq-len", "64", "--no-save-model"])
    assert metrics["steps"] == 2 and metrics["n_dialogues"] == 16 and metrics["eval_loss"] > 0


def test_unknown_dataset_spec_says_what_to_pass():
    with pytest.raises(InputError, match="ORG/NAME@vN"):
        resolve_dataset("not a dataset")
