"""The loop pieces every trainer shares: start a run, AdamW, TRL's arguments, saving.

A trainer still reads top to bottom; only what would otherwise be written in each of sft.py,
reward.py, dpo.py and ppo.py lives here, so they cannot drift apart (same seeding, same optimizer
settings, same files in the output folder). sft.py, reward.py and dpo.py train with TRL and take
its arguments from `trl_arguments`; ppo.py (TRL has no PPO trainer any more) runs its own loop
with `adamw`, `shuffled_forever` and `optimizer_step`.

>>> import random
>>> random.seed(0)
>>> order = shuffled_forever(3)
>>> sorted(next(order) for _ in range(3)), sorted(next(order) for _ in range(3))
([0, 1, 2], [0, 1, 2])
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import torch
from transformers import TrainerCallback

from curate.errors import InputError
from trainers.models import Runtime, pick_runtime

METRICS = "metrics.json"
CHECKPOINT = "model"  # <output-dir>/model: the trained weights and the tokenizer, loadable as --model
# AdamW as in Llama 2 pretraining (section 2.2), which its fine-tuning reuses
ADAM_BETAS, ADAM_EPS = (0.9, 0.95), 1e-5


def start_run(output_dir: str | Path, *, seed: int) -> tuple[Path, Runtime]:
    """Create the output folder, seed Python's and torch's generators, pick and print the runtime."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    random.seed(seed)  # the data order (shuffled_forever) and anything else drawn with `random`
    torch.manual_seed(seed)  # sampling, mini-batch permutations, a new head on a loaded model
    runtime = pick_runtime()
    print(f"runtime: {runtime.device} {runtime.dtype} attention={runtime.attn_implementation} "
          f"checkpointing={runtime.gradient_checkpointing}")
    return folder, runtime


def adamw(parameters: Iterable[torch.nn.Parameter], *, lr: float, weight_decay: float,
          fused: bool | None = None) -> torch.optim.AdamW:
    """AdamW as in Llama 2 pretraining (section 2.2): betas 0.9, 0.95 and eps 1e-5."""
    return torch.optim.AdamW(parameters, lr=lr, betas=ADAM_BETAS, eps=ADAM_EPS,
                             weight_decay=weight_decay, fused=fused)


def trl_arguments(options: Any, output_dir: Path, runtime: Runtime, *, schedule: str,
                  warmup_steps: int = 0, min_lr_ratio: float | None = None,
                  max_steps: int | None = None) -> dict[str, Any]:
    """Keyword arguments of a TRL config (`trl.SFTConfig(**...)`) from a trainer's options.

    `options` has seed, lr, weight_decay, grad_clip, epochs, max_steps (overridden by
    `max_steps`), log_every, and batch_size sequences (or pairs) per optimizer step in forward
    passes of micro_batch_size (gradient accumulation). AdamW takes Llama 2's betas and eps;
    `schedule` is a transformers scheduler name ("cosine_with_min_lr" takes `min_lr_ratio`). The
    runtime decides bf16 and activation checkpointing, so the CPU stays in float32. Nothing is
    saved during training (the trainer saves the final model to <output-dir>/model) and nothing
    is reported online.
    """
    batch_size, micro_batch_size = options.batch_size, options.micro_batch_size
    if batch_size % micro_batch_size:
        raise InputError(f"--batch-size {batch_size} is not a multiple of --micro-batch-size "
                         f"{micro_batch_size}; pick sizes that divide, e.g. --micro-batch-size "
                         f"{next(n for n in range(micro_batch_size, 0, -1) if batch_size % n == 0)}")
    return {
        "output_dir": str(output_dir), "seed": options.seed, "data_seed": options.seed,
        "per_device_train_batch_size": micro_batch_size, "per_device_eval_batch_size": micro_batch_size,
        "gradient_accumulation_steps": batch_size // micro_batch_size,
        "num_train_epochs": options.epochs, "max_steps": max_steps or options.max_steps or -1,
        "learning_rate": options.lr, "weight_decay": options.weight_decay, "max_grad_norm": options.grad_clip,
        "adam_beta1": ADAM_BETAS[0], "adam_beta2": ADAM_BETAS[1], "adam_epsilon": ADAM_EPS,
        "lr_scheduler_type": schedule, "warmup_steps": warmup_steps,
        "lr_scheduler_kwargs": {"min_lr_rate": min_lr_ratio} if min_lr_ratio is not None else None,
        "bf16": runtime.dtype == torch.bfloat16, "activation_checkpointing": runtime.gradient_checkpointing,
        "use_cpu": runtime.device.type == "cpu",
        "logging_steps": options.log_every, "report_to": "none", "save_strategy": "no",
        "disable_tqdm": not sys.stderr.isatty(),  # in a log: one line per logged step, no bars
    }


class LogLastStep(TrainerCallback):
    """Log the last step too, as well as every --log-every steps (transformers logs only those)."""

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if state.global_step == state.max_steps:
            control.should_log = True
        return control


def logged_losses(trainer: Any) -> list[float]:
    """The training loss at each logged step: every --log-every steps and the last one."""
    return [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]


def shuffled_forever(n_items: int) -> Iterator[int]:
    """Indices 0..n_items-1 in a fresh shuffle per pass, for as many steps as asked.

    Drawn from `random` (seeded by start_run), so the same seed gives the same order.
    """
    while True:
        order = list(range(n_items))
        random.shuffle(order)
        yield from order


def optimizer_step(parameters: Iterable[torch.nn.Parameter], optimizer: torch.optim.Optimizer, *,
                   grad_clip: float, scheduler: Any = None) -> None:
    """Clip the gradient norm, step the optimizer (and the schedule, if any), clear the gradients."""
    torch.nn.utils.clip_grad_norm_(parameters, grad_clip)
    optimizer.step()
    if scheduler is not None:
        scheduler.step()
    optimizer.zero_grad(set_to_none=True)


def write_metrics(output_dir: Path, metrics: dict[str, Any]) -> None:
    """<output-dir>/metrics.json, indented, one trailing newline."""
    (output_dir / METRICS).write_text(json.dumps(metrics, indent=2) + "\n")


def save_checkpoint(output_dir: Path, model: Any, tokenizer: Any) -> Path:
    """Save the model and its tokenizer together, so the folder works as the next --model."""
    folder = output_dir / CHECKPOINT
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
