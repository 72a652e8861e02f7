"""Reward model on TRL's RewardTrainer: the margin column in its loss, learning a separable
preference set, the CLI's metrics per degree and safety bin."""

from __future__ import annotations

import json
import math

import pyarrow as pa
import pytest
import torch
import trl

from curate.errors import InputError
from tests.trainers.conftest import PREFERENCE_SCHEMA, toy_preference_rows, write_version
from trainers.data import load_split, resolve_dataset
from trainers.loop import trl_arguments
from trainers.models import load_reward_model, load_tokenizer, pick_runtime, score
from trainers.reward import RewardOptions, main, margin_loss


def test_margin_loss_equals_the_formula_on_hand_computed_values():
    r_chosen, r_rejected = torch.tensor([2.0, 0.5, -1.0]), torch.tensor([0.0, 0.5, 1.0])
    margin = torch.tensor([1.0, 1 / 3, 0.0])
    # -log sigmoid(d) = log(1 + exp(-d)) for d = 2 - 0 - 1, 0.5 - 0.5 - 1/3, -1 - 1 - 0
    expected = (math.log1p(math.exp(-1.0)) + math.log1p(math.exp(1 / 3)) + math.log1p(math.exp(2.0))) / 3
    assert margin_loss(r_chosen, r_rejected, margin).item() == pytest.approx(expected, rel=1e-6)


def test_trl_trains_on_the_versions_margin_and_scores_as_our_evaluation(preference_version, tmp_path):
    """TRL's loss on a batch of the version is Llama 2's margin loss with the `margin` column, and
    reward.py's own scoring of TRL's token ids gives the rewards TRL trains on."""
    tokenizer, runtime = load_tokenizer(), pick_runtime()
    model = load_reward_model("tiny", tokenizer=tokenizer, runtime=runtime, seed=3)
    options = RewardOptions(dataset="-", output_dir=str(tmp_path), batch_size=8, max_steps=1)
    args = trl.RewardConfig(**trl_arguments(options, tmp_path, runtime, schedule="cosine"), max_length=256)
    train = load_split(resolve_dataset(str(preference_version)), "train", n_rows=8)
    trainer = trl.RewardTrainer(model=model, args=args, train_dataset=train, processing_class=tokenizer)
    pairs = trainer.train_dataset[:]  # TRL's token ids beside the version's columns
    batch = trainer.data_collator([{k: pairs[k][i] for k in ("chosen_ids", "rejected_ids", "margin")}
                                   for i in range(8)])
    assert batch["margin"].tolist() == pytest.approx(pairs["margin"]) and max(pairs["margin"]) > 0
    model.eval()
    with torch.no_grad():
        trl_loss = trainer.compute_loss(model, dict(batch)).item()
        rewards = score(model, pairs["chosen_ids"] + pairs["rejected_ids"], pad_id=tokenizer.pad_token_id)
    ours = margin_loss(rewards[:8], rewards[8:], torch.tensor(pairs["margin"])).item()
    no_margin = margin_loss(rewards[:8], rewards[8:], torch.zeros(8)).item()
    assert trl_loss == pytest.approx(ours, rel=1e-5) and abs(ours - no_margin) > 1e-3


def test_reward_model_learns_a_separable_preference_set(preference_version, tmp_path):
    metrics = main(["--dataset", str(preference_version), "--output-dir", str(tmp_path / "rm"),
                    "--max-steps", "20", "--batch-size", "8", "--micro-batch-size", "8",
                    "--lr", "3e-3", "--log-every", "10", "--no-save-model"])
    assert metrics["accuracy"] > 0.9  # chance is 0.5
    assert metrics["loss"] < math.log(2)  # below the loss of a model that cannot tell them apart
    assert sum(g["n"] for g in metrics["accuracy_by_degree"].values()) == metrics["n_test"] == 48
    assert metrics["steps"] == 20


def test_reward_writes_metrics_per_degree_and_safety_bin_and_the_model(preference_version, tmp_path):
    out = tmp_path / "rm"
    main(["--dataset", str(preference_version), "--model", "tiny", "--max-steps", "3",
          "--batch-size", "8", "--output-dir", str(out)])
    metrics = json.loads((out / "metrics.json").read_text())
    assert {"accuracy", "loss", "train_loss", "n_test", "n_train", "steps", "accuracy_by_degree",
            "accuracy_by_safety_category", "accuracy_by_criterion", "dataset", "config"} == set(metrics)
    assert set(metrics["accuracy_by_safety_category"]) == {"1", "2", "3", "none"}
    assert metrics["n_train"] == 24 and metrics["steps"] == 3  # only the pairs 3 steps of 8 see
    reloaded = load_reward_model(str(out / "model"), tokenizer=load_tokenizer(out / "model"),
                                 runtime=pick_runtime())
    assert reloaded.config.num_labels == 1


def test_a_version_with_text_answers_beside_message_prompts_is_refused_by_name(tmp_path):
    """The format before issue 15 (`prompt` messages, `chosen` text) trains in no TRL format."""
    schema = pa.schema([(f.name, pa.string()) if f.name in ("chosen", "rejected") else f
                        for f in PREFERENCE_SCHEMA])
    rows = [{**r, "chosen": r["chosen"][0]["content"], "rejected": r["rejected"][0]["content"]}
            for r in toy_preference_rows(8, seed=1)]
    old = write_version(tmp_path / "old_rm" / "v1", schema=schema, train=rows, test=rows)
    with pytest.raises(InputError, match=r"\['prompt'\] are lists of messages but \['chosen', 'rejected'\]"):
        main(["--dataset", str(old), "--output-dir", str(tmp_path / "rm")])
