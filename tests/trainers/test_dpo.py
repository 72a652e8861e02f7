"""DPO on TRL's DPOTrainer: the policy learns to prefer the chosen answers of a toy version."""

from __future__ import annotations

import json
import math

from trainers.dpo import main


def test_dpo_moves_the_policy_towards_the_chosen_answers(preference_version, tmp_path):
    metrics = main(["--dataset", str(preference_version), "--output-dir", str(tmp_path / "dpo"),
                    "--max-steps", "4", "--batch-size", "4", "--lr", "1e-3", "--beta", "0.5",
                    "--max-test-pairs", "16", "--max-length", "64", "--log-every", "2"])
    losses = metrics["train_losses"]
    assert metrics["steps"] == 4 and len(losses) == 2
    assert losses[-1] < math.log(2) - 0.05  # log 2: the loss while policy and reference agree
    assert metrics["eval_loss"] < math.log(2) and metrics["reward_accuracy"] > 0.9
    assert metrics["n_train"] == 16 and metrics["n_test"] == 16
    assert json.loads((tmp_path / "dpo" / "metrics.json").read_text())["reward_margin"] > 0
    assert (tmp_path / "dpo" / "model" / "config.json").exists()
