"""Train a reward model on a preference version with TRL's RewardTrainer and Llama 2's margin loss.

    python trainers/reward.py --dataset out/safety_rm/v3 --model tiny --max-steps 30 --output-dir out/rm
    python trainers/reward.py --dataset org/safety-rm@v3 --model path/to/chat-model --output-dir out/rm

TRL reads the version as built (conversational preference: `prompt` messages, `chosen` and
`rejected` one assistant message each) through the chat template, and a one-output regression
head scores the last token. Loss (section 3.2.2): -log sigmoid(r_chosen - r_rejected - margin),
where `margin` is the version's column (the recipe's Table 27 margin per degree; TRL uses the
column when it is there). After training, the test pairs TRL tokenized are scored once more to
report accuracy overall, per degree and per safety bin, as Llama 2's Tables 7-8 and Figure 6 do,
in <output-dir>/metrics.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python trainers/reward.py`: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import datasets
import torch
import torch.nn.functional as F
import trl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from trainers.config import fill_unset, parse_config
from trainers.data import load_pairs, require_rows, resolve_dataset
from trainers.loop import LogLastStep, logged_losses, save_checkpoint, start_run, trl_arguments, write_metrics
from trainers.models import load_reward_model, load_tokenizer, model_name_for_tokenizer, score


class RewardOptions(BaseModel):
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
    max_length: int = Field(4096, description="tokens per prompt + answer; TRL leaves out longer pairs")
    weight_decay: float = Field(0.1, description="AdamW weight decay; Llama 2 reuses pretraining's 0.1")
    grad_clip: float = Field(1.0, description="gradient norm clip; Llama 2 pretraining: 1.0")
    seed: int = Field(0, description="seed of the model initialisation and the data order")
    log_every: int = Field(10, description="log a training line every this many steps")
    save_model: bool = Field(True, description="write the model and tokenizer to <output-dir>/model")

    @model_validator(mode="after")
    def fill_batch_sizes(self) -> RewardOptions:
        fill_unset(self, llama2={"batch_size": 512, "micro_batch_size": 8, "max_test_pairs": 0},
                   tiny={"batch_size": 8, "micro_batch_size": 8, "max_test_pairs": 512})
        return self


def margin_loss(r_chosen: torch.Tensor, r_rejected: torch.Tensor, margin: torch.Tensor) -> torch.Tensor:
    """Llama 2's binary ranking loss with margin, as TRL's RewardTrainer computes it: mean of
    -log sigmoid(r_c - r_r - m).

    >>> round(margin_loss(torch.tensor([2.0]), torch.tensor([0.0]), torch.tensor([1.0])).item(), 4)
    0.3133
    """
    return -F.logsigmoid(r_chosen - r_rejected - margin).mean()


def score_pairs(model: Any, pairs: datasets.Dataset, *, micro_batch_size: int,
                pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(r_chosen, r_rejected) of pairs TRL tokenized (`chosen_ids`, `rejected_ids`), on the CPU."""
    chosen, rejected = [], []
    with torch.no_grad():
        for start in range(0, len(pairs), micro_batch_size):
            batch = pairs[start : start + micro_batch_size]
            rewards = score(model, batch["chosen_ids"] + batch["rejected_ids"], pad_id=pad_id).cpu()
            n_pairs = len(batch["chosen_ids"])
            chosen.append(rewards[:n_pairs])
            rejected.append(rewards[n_pairs:])
    return torch.cat(chosen), torch.cat(rejected)


def group_accuracy(correct: list[bool], pairs: datasets.Dataset, column: str) -> dict[str, dict[str, float]]:
    """Accuracy and count per value of `column` (None, or no such column: "none"), sorted by value."""
    keys = list(pairs[column]) if column in pairs.column_names else [None] * len(correct)
    groups: dict[str, list[bool]] = defaultdict(list)
    for ok, key in zip(correct, keys):
        groups["none" if key is None else str(key)].append(ok)
    return {k: {"accuracy": sum(v) / len(v), "n": len(v)} for k, v in sorted(groups.items())}


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    options = parse_config(RewardOptions, argv)
    output_dir, runtime = start_run(options.output_dir, seed=options.seed)

    # --- data: a preference version as built (safety_rm_v3: 37,544 train and 8,794 test pairs)
    version = resolve_dataset(options.dataset)
    n_seen = options.max_steps * options.batch_size if options.max_steps else None  # what the steps see
    train, test = load_pairs(version, n_train=n_seen, n_test=options.max_test_pairs)

    # --- model and tokenizer (the Llama 2 chat template)
    tokenizer = load_tokenizer(model_name_for_tokenizer(options.model, options.tokenizer))
    model = load_reward_model(options.model, tokenizer=tokenizer, runtime=runtime, seed=options.seed)

    # --- TRL's RewardTrainer: margin loss, AdamW (0.9, 0.95, eps 1e-5), cosine to 10% after warm-up
    # counted on the pairs before TRL leaves out those over --max-length (few at Llama 2's 4,096)
    n_steps = options.max_steps or max(1, math.ceil(options.epochs * math.ceil(len(train) / options.batch_size)))
    n_warmup = max(options.min_warmup_steps, math.ceil(options.warmup_ratio * n_steps))
    args = trl.RewardConfig(
        **trl_arguments(options, output_dir, runtime, schedule="cosine_with_min_lr", max_steps=n_steps,
                        warmup_steps=n_warmup, min_lr_ratio=options.min_lr_ratio),
        max_length=options.max_length)
    trainer = trl.RewardTrainer(model=model, args=args, train_dataset=train, eval_dataset=test,
                                processing_class=tokenizer, callbacks=[LogLastStep()])
    train_pairs, test_pairs = trainer.train_dataset, trainer.eval_dataset  # tokenized, the columns kept
    print(f"dataset {version}: {len(train_pairs):,} train pairs, {len(test_pairs):,} test pairs "
          f"(of {len(train):,} and {len(test):,}; longer than {options.max_length} tokens left out)")
    require_rows(version, {"train": train_pairs, "test": test_pairs}, max_length=options.max_length)
    trainer.train()

    # --- evaluate on test: accuracy overall, per degree and per safety bin
    model.eval()
    r_chosen, r_rejected = score_pairs(model, test_pairs, micro_batch_size=options.micro_batch_size,
                                       pad_id=tokenizer.pad_token_id)
    has_margin = "margin" in test_pairs.column_names  # no column: Table 27's "no margin"
    margins = torch.tensor(list(test_pairs["margin"]) if has_margin else [0.0] * len(test_pairs))
    correct = (r_chosen > r_rejected).tolist()
    metrics = {
        "accuracy": sum(correct) / len(correct),
        "loss": margin_loss(r_chosen, r_rejected, margins).item(),
        "train_loss": logged_losses(trainer)[-1],
        "n_test": len(test_pairs),
        "n_train": len(train_pairs),
        "steps": trainer.state.global_step,
        "accuracy_by_degree": group_accuracy(correct, test_pairs, "degree"),
        "accuracy_by_safety_category": group_accuracy(correct, test_pairs, "safety_category"),
        "accuracy_by_criterion": group_accuracy(correct, test_pairs, "criterion"),
        "dataset": str(version),
        "config": options.model_dump(),
    }
    print(f"test accuracy {metrics['accuracy']:.3f} loss {metrics['loss']:.4f} on {len(test_pairs):,} pairs")

    # --- save
    write_metrics(output_dir, metrics)
    if options.save_model:
        save_checkpoint(output_dir, trainer.model, tokenizer)
    return metrics


if __name__ == "__main__":
    main()
