"""The loop pieces every trainer shares: start a run, AdamW, the data order, one step, saving.

A trainer still reads top to bottom; only what would otherwise be written in each of sft.py,
reward.py and ppo.py lives here, so the three cannot drift apart (same seeding, same optimizer
settings, same files in the output folder).

>>> import random
>>> random.seed(0)
>>> order = shuffled_forever(3)
>>> sorted(next(order) for _ in range(3)), sorted(next(order) for _ in range(3))
([0, 1, 2], [0, 1, 2])
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import torch

from trainers.models import Runtime, pick_runtime

METRICS = "metrics.json"
CHECKPOINT = "model"  # <output-dir>/model: the trained weights and the tokenizer, loadable as --model


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
    return torch.optim.AdamW(parameters, lr=lr, betas=(0.9, 0.95), eps=1e-5,
                             weight_decay=weight_decay, fused=fused)


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
