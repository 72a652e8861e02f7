"""Supervised fine-tuning on an SFT version, the way Llama 2 did it (section 3.1).

    python trainers/sft.py --dataset out/sft/v1 --model tiny --max-steps 20 --output-dir out/sft
    python trainers/sft.py --dataset org/sft@v1 --model path/to/base-model --output-dir out/sft

Each dialogue goes through the chat template; the loss counts only assistant answers (labels -100
on every other token); examples are concatenated and cut into blocks of --seq-len tokens (packing).
The loss is averaged over answer tokens of the whole optimizer step, so long and short answers
weigh by their tokens, whatever the micro-batching.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python trainers/sft.py`: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import math
import random
import time
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from pydantic import BaseModel, ConfigDict, Field, model_validator
from transformers import get_cosine_with_min_lr_schedule_with_warmup

from curate.errors import InputError
from trainers.chat import IGNORE_INDEX, pack_examples, tokenize_dialogue
from trainers.config import fill_unset, parse_config
from trainers.data import read_rows, resolve_dataset, split_files
from trainers.loop import adamw, optimizer_step, save_checkpoint, shuffled_forever, start_run, write_metrics
from trainers.models import load_causal_lm, load_tokenizer, model_name_for_tokenizer


class SFTConfig(BaseModel):
    """Supervised fine-tuning with answer-only loss and packing; Llama 2's numbers are the defaults."""

    model_config = ConfigDict(extra="forbid")

    dataset: str = Field(description="a build folder (<out>/<name>/v<N>) or ORG/NAME@vN")
    output_dir: str = Field(description="where metrics.json and the trained model go")
    model: str = Field("tiny", description="'tiny' (random 2-layer Llama) or a model folder")
    tokenizer: str | None = Field(None, description="tokenizer folder; default: the model's own, "
                                  "or ../shared/data/tokenizers/llama2 for tiny")
    epochs: float = Field(2.0, description="passes over train; Llama 2: 2")
    max_steps: int | None = Field(None, description="optimizer steps; overrides --epochs, cycling the data")
    lr: float = Field(2e-5, description="peak learning rate, cosine schedule; Llama 2: 2e-5")
    min_lr_ratio: float = Field(0.0, description="cosine decay floor as a share of the peak")
    warmup_steps: int = Field(0, description="linear warm-up steps (Llama 2 names none for SFT)")
    batch_size: int | None = Field(None, description="sequences per optimizer step; default Llama 2's 64, 4 for tiny")
    micro_batch_size: int = Field(1, description="sequences per forward pass (gradient accumulation)")
    seq_len: int | None = Field(None, description="tokens per sequence; default Llama 2's 4096, 512 for tiny")
    packing: bool = Field(True, description="concatenate examples to fill each sequence (Llama 2 does)")
    weight_decay: float = Field(0.1, description="AdamW weight decay; Llama 2: 0.1")
    grad_clip: float = Field(1.0, description="gradient norm clip; Llama 2 pretraining: 1.0")
    seed: int = Field(0, description="seed of the model initialisation and the data order")
    log_every: int = Field(10, description="print a training line every this many steps")
    save_model: bool = Field(True, description="write the model and tokenizer to <output-dir>/model")

    @model_validator(mode="after")
    def fill_sizes(self) -> SFTConfig:
        fill_unset(self, llama2={"batch_size": 64, "seq_len": 4096}, tiny={"batch_size": 4, "seq_len": 512})
        return self


def answer_loss_sum(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Summed next-token cross-entropy over positions whose target is an answer token.

    Position t predicts token t+1, so labels shift left by one; -100 targets add nothing.
    """
    return F.cross_entropy(logits[:, :-1].flatten(0, 1).float(), labels[:, 1:].flatten(),
                           ignore_index=IGNORE_INDEX, reduction="sum")


def sequences(tokenizer: Any, rows: list[dict[str, Any]], *, seq_len: int,
              packing: bool) -> list[tuple[list[int], list[int]]]:
    """Packed blocks (or one padded, truncated sequence per example) with answer-only labels."""
    examples = [tokenize_dialogue(tokenizer, r["messages"]) for r in rows]
    without_answer = sum(all(label == IGNORE_INDEX for label in labels) for _, labels in examples)
    if without_answer == len(examples):
        raise InputError(f"none of the {len(examples)} dialogues has an assistant answer to learn; "
                         "SFT needs `messages` ending with an assistant turn: use an SFT version")
    if packing:
        return pack_examples(examples, seq_len=seq_len, pad_id=tokenizer.pad_token_id)
    pad = tokenizer.pad_token_id
    return [(ids[:seq_len] + [pad] * (seq_len - len(ids[:seq_len])),
             labels[:seq_len] + [IGNORE_INDEX] * (seq_len - len(labels[:seq_len])))
            for ids, labels in examples]


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    config = parse_config(SFTConfig, argv)
    output_dir, runtime = start_run(config.output_dir, seed=config.seed)

    # --- data: an SFT version (messages ending with an assistant turn); order shuffled before packing
    folder = resolve_dataset(config.dataset)
    tokenizer = load_tokenizer(model_name_for_tokenizer(config.model, config.tokenizer))
    train_rows = read_rows(folder, split="train", required=("messages",))
    random.shuffle(train_rows)
    train = sequences(tokenizer, train_rows, seq_len=config.seq_len, packing=config.packing)
    test_rows = read_rows(folder, split="test", required=("messages",)) if split_files(folder, split="test") else []
    test = sequences(tokenizer, test_rows, seq_len=config.seq_len, packing=config.packing) if test_rows else []
    print(f"dataset {folder}: {len(train_rows):,} dialogues -> {len(train):,} sequences of "
          f"{config.seq_len} tokens; {len(test_rows):,} test dialogues")

    # --- model, optimizer (AdamW 0.9, 0.95, eps 1e-5 as in Llama 2 pretraining), cosine schedule
    model = load_causal_lm(config.model, tokenizer=tokenizer, runtime=runtime, seed=config.seed)
    n_steps = config.max_steps or max(1, math.ceil(config.epochs * len(train) / config.batch_size))
    optimizer = adamw(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    scheduler = get_cosine_with_min_lr_schedule_with_warmup(
        optimizer, num_warmup_steps=config.warmup_steps, num_training_steps=n_steps,
        min_lr_rate=config.min_lr_ratio)

    def to_tensors(batch: list[tuple[list[int], list[int]]]) -> tuple[torch.Tensor, torch.Tensor]:
        ids = torch.tensor([i for i, _ in batch], device=runtime.device)
        return ids, torch.tensor([l for _, l in batch], device=runtime.device)

    order = shuffled_forever(len(train))  # a seeded shuffle per epoch, for as many steps as asked

    # --- train: loss per answer token of the whole step
    model.train()
    losses: list[float] = []
    started = time.perf_counter()
    for step in range(1, n_steps + 1):
        batch = [train[next(order)] for _ in range(config.batch_size)]
        n_answer = sum(sum(label != IGNORE_INDEX for label in labels[1:]) for _, labels in batch)
        step_loss = 0.0
        for start in range(0, len(batch), config.micro_batch_size):
            ids, labels = to_tensors(batch[start : start + config.micro_batch_size])
            loss = answer_loss_sum(model(input_ids=ids).logits, labels) / max(n_answer, 1)
            loss.backward()
            step_loss += loss.item()
        optimizer_step(model.parameters(), optimizer, grad_clip=config.grad_clip, scheduler=scheduler)
        losses.append(step_loss)
        if step % config.log_every == 0 or step == n_steps:
            elapsed = time.perf_counter() - started
            tokens_per_s = step * config.batch_size * config.seq_len / elapsed
            print(f"step {step}/{n_steps} loss {step_loss:.4f} lr {scheduler.get_last_lr()[0]:.2e} "
                  f"tokens/s {tokens_per_s:,.0f}")

    # --- evaluate: loss per answer token on the test split
    model.eval()
    eval_loss = None
    if test:
        total, n_tokens = 0.0, 0
        with torch.no_grad():
            for start in range(0, len(test), config.micro_batch_size):
                ids, labels = to_tensors(test[start : start + config.micro_batch_size])
                total += answer_loss_sum(model(input_ids=ids).logits, labels).item()
                n_tokens += int((labels[:, 1:] != IGNORE_INDEX).sum())
        eval_loss = total / max(n_tokens, 1)
        print(f"test loss {eval_loss:.4f} per answer token")

    # --- save
    metrics = {"loss": losses[-1], "train_losses": losses, "eval_loss": eval_loss, "steps": n_steps,
               "n_sequences": len(train), "n_dialogues": len(train_rows), "dataset": str(folder),
               "config": config.model_dump()}
    write_metrics(output_dir, metrics)
    if config.save_model:
        save_checkpoint(output_dir, model, tokenizer)
    return metrics


if __name__ == "__main__":
    main()
