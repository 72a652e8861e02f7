"""The shared loop pieces: seeded order, AdamW settings, a checkpoint the next trainer loads."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import islice
from pathlib import Path

import pytest
import torch
import trl

from curate.errors import InputError
from trainers.loop import adamw, save_checkpoint, shuffled_forever, start_run, trl_arguments, write_metrics
from trainers.models import load_causal_lm, load_tokenizer, pick_runtime
from trainers.reward import RewardOptions

REPO = Path(__file__).resolve().parents[2]


def test_each_pass_of_the_shuffled_order_covers_every_item_once(tmp_path):
    start_run(tmp_path, seed=3)
    order = list(islice(shuffled_forever(5), 15))
    assert [sorted(order[i : i + 5]) for i in (0, 5, 10)] == [list(range(5))] * 3
    assert order[:5] != order[5:10] or order[5:10] != order[10:15]  # a fresh shuffle per pass


def test_the_same_seed_gives_the_same_order_and_prints_the_runtime(tmp_path, capsys):
    orders = []
    for seed in (7, 7, 8):
        folder, runtime = start_run(tmp_path / "run" / str(seed), seed=seed)
        assert folder.is_dir() and runtime == pick_runtime()
        orders.append(list(islice(shuffled_forever(50), 50)))
    assert orders[0] == orders[1] != orders[2]
    assert capsys.readouterr().out.startswith(f"runtime: {pick_runtime().device} ")


def test_adamw_uses_llama2_pretraining_settings():
    group = adamw([torch.nn.Parameter(torch.zeros(2))], lr=1e-5, weight_decay=0.1).param_groups[0]
    assert (group["lr"], group["betas"], group["eps"], group["weight_decay"]) == (1e-5, (0.9, 0.95), 1e-5, 0.1)


def test_trl_gets_llama2_adamw_the_accumulation_and_the_runtimes_precision(tmp_path):
    runtime = pick_runtime()
    options = RewardOptions(dataset="-", output_dir=str(tmp_path), model="base-model")  # Llama 2's sizes
    args = trl.RewardConfig(**trl_arguments(options, tmp_path, runtime, schedule="cosine_with_min_lr",
                                            warmup_steps=5, min_lr_ratio=0.1))
    assert (args.adam_beta1, args.adam_beta2, args.adam_epsilon, args.weight_decay) == (0.9, 0.95, 1e-5, 0.1)
    assert (args.per_device_train_batch_size, args.gradient_accumulation_steps) == (8, 64)  # 512 pairs
    assert args.max_steps == -1 and args.num_train_epochs == 1 and args.lr_scheduler_kwargs == {"min_lr_rate": 0.1}
    assert args.bf16 == (runtime.dtype == torch.bfloat16) and args.save_strategy == "no"
    with pytest.raises(InputError, match="--batch-size 12 is not a multiple of --micro-batch-size 8.*"
                                         "--micro-batch-size 6"):
        trl_arguments(options.model_copy(update={"batch_size": 12}), tmp_path, runtime, schedule="cosine")


def test_a_saved_checkpoint_loads_as_the_next_model(tmp_path):
    tokenizer, runtime = load_tokenizer(), pick_runtime()
    model = load_causal_lm("tiny", tokenizer=tokenizer, runtime=runtime, seed=1)
    folder = save_checkpoint(tmp_path, model, tokenizer)
    write_metrics(tmp_path, {"loss": 0.5})
    reloaded = load_causal_lm(str(folder), tokenizer=load_tokenizer(folder), runtime=runtime)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), reloaded.state_dict().values()))
    assert json.loads((tmp_path / "metrics.json").read_text()) == {"loss": 0.5}


def test_ppo_scores_rollouts_without_importing_the_reward_trainer():
    script = """
import sys
from trainers.models import load_reward_model, load_tokenizer, pick_runtime
from trainers.ppo import reward_model_scorer
tok = load_tokenizer()
rm = load_reward_model("tiny", tokenizer=tok, runtime=pick_runtime()).eval()
rs, rh = reward_model_scorer((rm, tok), (rm, tok), max_length=64)(
    [[{"role": "user", "content": "Hi?"}]] * 2, ["Hello.", "Go away."], [[], []])
assert rs.shape == rh.shape == (2,) and bool(((rs > 0) & (rs < 1)).all()), (rs, rh)
assert "trainers.reward" not in sys.modules, "ppo pulled in the reward trainer"
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr[-2000:]
