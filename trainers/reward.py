"""Train a reward model on a preference version with Llama 2's margin loss (section 3.2.2).

    python trainers/reward.py --dataset out/safety_rm/v3 --model tiny --max-steps 30 --output-dir out/rm
    python trainers/reward.py --dataset org/safety-rm@v3 --model path/to/chat-model --output-dir out/rm

The model reads `prompt` + answer through the chat template and a one-output regression head scores
the last token. Loss: -log sigmoid(r_chosen - r_rejected - margin), where `margin` is the version's
column (the recipe's Table 27 choice of margin per degree). It reports test accuracy overall, per
degree and per safety bin, as Llama 2's Tables 7-8 and Figure 6 do, in <output-dir>/metrics.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python trainers/reward.py`: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from pydantic import BaseModel, ConfigDict, Field, model_validator
from transformers import get_cosine_with_min_lr_schedule_with_warmup

from trainers.chat import tokenize_answer
from trainers.config import fill_unset, parse_config
from trainers.data import read_rows, resolve_dataset
from trainers.loop import adamw, optimizer_step, save_checkpoint, shuffled_forever, start_run, write_metrics
from trainers.models import load_reward_model, load_tokenizer, model_name_for_tokenizer, score


class RewardConfig(BaseModel):
    """Train a reward model with Llama 2's margin loss; Llama 2's numbers are the defaults."""

    model_config = ConfigDict(extra="forbid")

    dataset: str = Field(description="a build folder (<out>/<name>/v<N>) or ORG/NAME@vN")
    output_dir: str = Field(description="where metrics.json and the trained model go")
    model: str = Field("tiny", description="'tiny' (random 2-layer Llama) or a model folder; "
                       "Llama 2 starts from the chat model checkpoint")
    tokenizer: str | None = Field(None, description="tokenizer folder; default: the model's own, "
                                  "or ../shared/data/tokenizers/llama2 for tiny")
    epochs: float = Field(1.0, description="passes over train; Llama 2: 1 (longer overfits)")
    max_steps: int | None = Field(None, description="optimizer steps; overrides --epochs, cycling the data")
    lr: float = Field(1e-5, description="peak learning rate; Llama 2: 1e-5 (5e-6 for 70B)")
    min_lr_ratio: float = Field(0.1, description="cosine decay floor; Llama 2: down to 10% of the peak")
    warmup_ratio: float = Field(0.03, description="warm-up share of steps; Llama 2: 3%")
    min_warmup_steps: int = Field(5, description="warm-up at least this many steps; Llama 2: 5")
    batch_size: int | None = Field(None, description="pairs per optimizer step; default Llama 2's 512, 8 for tiny")
    micro_batch_size: int | None = Field(None, description="pairs per forward pass (gradient accumulation); default 8")
    max_test_pairs: int | None = Field(None, description="evaluate on the first N test pairs (a "
                                       "version's rows are in sampling-key order: a uniform "
                                       "sample); default all, 512 for tiny; 0 means all")
    max_length: int = Field(4096, description="tokens per prompt + answer; the oldest are cut first")
    weight_decay: float = Field(0.1, description="AdamW weight decay; Llama 2 reuses pretraining's 0.1")
    grad_clip: float = Field(1.0, description="gradient norm clip; Llama 2 pretraining: 1.0")
    seed: int = Field(0, description="seed of the model initialisation and the data order")
    log_every: int = Field(10, description="print a training line every this many steps")
    save_model: bool = Field(True, description="write the model and tokenizer to <output-dir>/model")

    @model_validator(mode="after")
    def fill_batch_sizes(self) -> RewardConfig:
        fill_unset(self, llama2={"batch_size": 512, "micro_batch_size": 8, "max_test_pairs": 0},
                   tiny={"batch_size": 8, "micro_batch_size": 8, "max_test_pairs": 512})
        return self


def margin_loss(r_chosen: torch.Tensor, r_rejected: torch.Tensor, margin: torch.Tensor) -> torch.Tensor:
    """Llama 2's binary ranking loss with margin: mean of -log sigmoid(r_c - r_r - m).

    >>> round(margin_loss(torch.tensor([2.0]), torch.tensor([0.0]), torch.tensor([1.0])).item(), 4)
    0.3133
    """
    return -F.logsigmoid(r_chosen - r_rejected - margin).mean()


Pair = tuple[list[int], list[int], float]  # chosen tokens, rejected tokens, margin


def score_pairs(model: Any, pairs: Sequence[Pair], *, pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(r_chosen, r_rejected) of a micro-batch: chosen and rejected answers share one forward."""
    rewards = score(model, [c for c, _, _ in pairs] + [r for _, r, _ in pairs], pad_id=pad_id)
    return rewards[: len(pairs)], rewards[len(pairs) :]


def group_accuracy(correct: list[bool], keys: list[Any]) -> dict[str, dict[str, float]]:
    """Accuracy and count per key (None becomes "none"), sorted by key."""
    groups: dict[str, list[bool]] = defaultdict(list)
    for ok, key in zip(correct, keys):
        groups["none" if key is None else str(key)].append(ok)
    return {k: {"accuracy": sum(v) / len(v), "n": len(v)} for k, v in sorted(groups.items())}


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    config = parse_config(RewardConfig, argv)
    output_dir, runtime = start_run(config.output_dir, seed=config.seed)

    # --- data: a preference version (prompt, chosen, rejected, margin, degree, safety_category)
    folder = resolve_dataset(config.dataset)
    needed = ("prompt", "chosen", "rejected")
    train_rows = read_rows(folder, split="train", required=needed)
    test_rows = read_rows(folder, split="test", required=needed)
    if config.max_steps:  # only what the steps will see (rows come in sampling-key order)
        train_rows = train_rows[: config.max_steps * config.batch_size]
    if config.max_test_pairs:
        test_rows = test_rows[: config.max_test_pairs]
    tokenizer = load_tokenizer(model_name_for_tokenizer(config.model, config.tokenizer))

    def tokenize(rows: list[dict[str, Any]]) -> list[Pair]:
        return [(tokenize_answer(tokenizer, r["prompt"], r["chosen"], max_length=config.max_length),
                 tokenize_answer(tokenizer, r["prompt"], r["rejected"], max_length=config.max_length),
                 float(r.get("margin") or 0.0))  # no margin column or null: Table 27's "no margin"
                for r in rows]

    train, test = tokenize(train_rows), tokenize(test_rows)
    print(f"dataset {folder}: {len(train):,} train pairs, {len(test):,} test pairs")

    # --- model, optimizer, schedule (AdamW as in Llama 2 pretraining: 0.9, 0.95, eps 1e-5)
    model = load_reward_model(config.model, tokenizer=tokenizer, runtime=runtime, seed=config.seed)
    steps_per_epoch = math.ceil(len(train) / config.batch_size)
    n_steps = config.max_steps or max(1, math.ceil(config.epochs * steps_per_epoch))
    n_warmup = max(config.min_warmup_steps, math.ceil(config.warmup_ratio * n_steps))
    optimizer = adamw(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    scheduler = get_cosine_with_min_lr_schedule_with_warmup(
        optimizer, num_warmup_steps=n_warmup, num_training_steps=n_steps, min_lr_rate=config.min_lr_ratio)

    order = shuffled_forever(len(train))  # a seeded shuffle per epoch, for as many steps as asked

    # --- train: each step sees batch_size pairs in micro-batches; chosen and rejected share a forward
    model.train()
    train_loss, started = float("nan"), time.perf_counter()
    for step in range(1, n_steps + 1):
        batch = [train[next(order)] for _ in range(config.batch_size)]
        step_loss, n_tokens = 0.0, 0
        for start in range(0, len(batch), config.micro_batch_size):
            micro = batch[start : start + config.micro_batch_size]
            chosen, rejected = score_pairs(model, micro, pad_id=tokenizer.pad_token_id)
            margins = torch.tensor([m for _, _, m in micro], device=chosen.device)
            loss = margin_loss(chosen, rejected, margins)
            (loss * len(micro) / len(batch)).backward()
            step_loss += loss.item() * len(micro) / len(batch)
            n_tokens += sum(len(c) + len(r) for c, r, _ in micro)
        optimizer_step(model.parameters(), optimizer, grad_clip=config.grad_clip, scheduler=scheduler)
        train_loss = step_loss
        if step % config.log_every == 0 or step == n_steps:
            elapsed = time.perf_counter() - started
            print(f"step {step}/{n_steps} loss {step_loss:.4f} lr {scheduler.get_last_lr()[0]:.2e} "
                  f"tokens/step {n_tokens:,} elapsed {elapsed:.1f}s")

    # --- evaluate on test: accuracy overall, per degree and per safety bin
    model.eval()
    r_chosen, r_rejected = [], []
    with torch.no_grad():
        for start in range(0, len(test), config.micro_batch_size):
            chosen, rejected = score_pairs(model, test[start : start + config.micro_batch_size],
                                           pad_id=tokenizer.pad_token_id)
            r_chosen.append(chosen.cpu())
            r_rejected.append(rejected.cpu())
    chosen_scores, rejected_scores = torch.cat(r_chosen), torch.cat(r_rejected)
    correct = (chosen_scores > rejected_scores).tolist()
    metrics = {
        "accuracy": sum(correct) / len(correct),
        "loss": margin_loss(chosen_scores, rejected_scores, torch.tensor([m for *_, m in test])).item(),
        "train_loss": train_loss,
        "n_test": len(test),
        "n_train": len(train),
        "steps": n_steps,
        "accuracy_by_degree": group_accuracy(correct, [r.get("degree") for r in test_rows]),
        "accuracy_by_safety_category": group_accuracy(correct, [r.get("safety_category") for r in test_rows]),
        "accuracy_by_criterion": group_accuracy(correct, [r.get("criterion") for r in test_rows]),
        "dataset": str(folder),
        "config": config.model_dump(),
    }
    print(f"test accuracy {metrics['accuracy']:.3f} loss {metrics['loss']:.4f} on {len(test):,} pairs")

    # --- save
    write_metrics(output_dir, metrics)
    if config.save_model:
        save_checkpoint(output_dir, model, tokenizer)
    return metrics


if __name__ == "__main__":
    main()
