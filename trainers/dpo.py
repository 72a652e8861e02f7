"""Direct preference optimisation on a preference version with TRL's DPOTrainer.

    python trainers/dpo.py --dataset out/safety_rm/v3 --model tiny --max-steps 5 --output-dir out/dpo
    python trainers/dpo.py --dataset org/safety-rm@v3 --model out/sft/model --output-dir out/dpo

DPO (Rafailov et al. 2023) trains the policy on the preference pairs directly, without a reward
model or sampling: loss -log sigmoid(beta * (log-ratio of chosen - log-ratio of rejected)), each
log-ratio the policy's log-probability of the answer minus the reference model's (the initial
policy, frozen). TRL reads the version as built (conversational preference: `prompt` messages,
`chosen` and `rejected` one assistant message each) through the Llama 2 chat template; `margin`
is a reward-model column that DPO does not use. The defaults are the DPO paper's (beta 0.1, 1e-6,
batch 64, 150 warm-up steps), with Llama 2's AdamW instead of RMSprop.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python trainers/dpo.py`: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collections.abc import Sequence
from typing import Any

import trl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from trainers.config import fill_unset, parse_config
from trainers.data import load_pairs, require_rows, resolve_dataset
from trainers.loop import LogLastStep, logged_losses, save_checkpoint, start_run, trl_arguments, write_metrics
from trainers.models import load_causal_lm, load_tokenizer, model_name_for_tokenizer


class DPOOptions(BaseModel):
    """Direct preference optimisation; the DPO paper's numbers are the defaults."""

    model_config = ConfigDict(extra="forbid")

    dataset: str = Field(description="a preference version: a build folder (<out>/<name>/v<N>) or ORG/NAME@vN")
    output_dir: str = Field(description="where metrics.json and the trained policy go")
    model: str = Field("tiny", description="the initial policy: 'tiny' (random 2-layer Llama) or a "
                       "model folder (sft.py's <out>/model); also the frozen reference")
    tokenizer: str | None = Field(None, description="tokenizer folder; default: the model's own, "
                                  "or ../shared/data/tokenizers/llama2 for tiny")
    beta: float = Field(0.1, description="how far the policy may move from the reference; DPO paper: 0.1")
    epochs: float = Field(1.0, description="passes over train")
    max_steps: int | None = Field(None, description="optimizer steps; overrides --epochs, cycling the data")
    lr: float = Field(1e-6, description="learning rate, constant after warm-up; DPO paper: 1e-6")
    warmup_steps: int | None = Field(None, description="linear warm-up steps; default the DPO paper's 150, 0 for tiny")
    batch_size: int | None = Field(None, description="pairs per optimizer step; default the DPO paper's 64, 4 for tiny")
    micro_batch_size: int | None = Field(None, description="pairs per forward pass (gradient accumulation); default 8, 4 for tiny")
    max_test_pairs: int | None = Field(None, description="evaluate on the first N test pairs (a uniform "
                                       "sample); default all, 64 for tiny; 0 means all")
    max_length: int = Field(4096, description="tokens per prompt + answer; longer answers are cut at "
                            "the end, pairs whose prompt alone fills them left out")
    weight_decay: float = Field(0.1, description="AdamW weight decay; Llama 2: 0.1")
    grad_clip: float = Field(1.0, description="gradient norm clip; Llama 2: 1.0")
    seed: int = Field(0, description="seed of the model initialisation and the data order")
    log_every: int = Field(10, description="log a training line every this many steps")
    save_model: bool = Field(True, description="write the policy and tokenizer to <output-dir>/model")

    @model_validator(mode="after")
    def fill_sizes(self) -> DPOOptions:
        fill_unset(self, llama2={"warmup_steps": 150, "batch_size": 64, "micro_batch_size": 8, "max_test_pairs": 0},
                   tiny={"warmup_steps": 0, "batch_size": 4, "micro_batch_size": 4, "max_test_pairs": 64})
        return self


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    options = parse_config(DPOOptions, argv)
    output_dir, runtime = start_run(options.output_dir, seed=options.seed)

    # --- data: a preference version as built (safety_rm_v3: 37,544 train and 8,794 test pairs)
    version = resolve_dataset(options.dataset)
    n_seen = options.max_steps * options.batch_size if options.max_steps else None  # what the steps see
    train, test = load_pairs(version, n_train=n_seen, n_test=options.max_test_pairs)
    print(f"dataset {version}: {len(train):,} train pairs, {len(test):,} test pairs")

    # --- policy and reference: the same model loaded twice (same seed: the same tiny weights)
    tokenizer = load_tokenizer(model_name_for_tokenizer(options.model, options.tokenizer))
    policy = load_causal_lm(options.model, tokenizer=tokenizer, runtime=runtime, seed=options.seed)
    reference = load_causal_lm(options.model, tokenizer=tokenizer, runtime=runtime, seed=options.seed)

    # --- TRL's DPOTrainer: sigmoid loss, AdamW (0.9, 0.95, eps 1e-5), constant after warm-up
    args = trl.DPOConfig(
        **trl_arguments(options, output_dir, runtime, schedule="constant_with_warmup",
                        warmup_steps=options.warmup_steps),
        beta=options.beta, max_length=options.max_length)
    trainer = trl.DPOTrainer(model=policy, ref_model=reference, args=args, train_dataset=train,
                             eval_dataset=test, processing_class=tokenizer, callbacks=[LogLastStep()])
    require_rows(version, {"train": trainer.train_dataset, "test": trainer.eval_dataset},
                 max_length=options.max_length)
    trainer.train()

    # --- evaluate on test: the DPO loss and how often the implicit reward ranks chosen first
    evaluation = trainer.evaluate()
    print(f"test loss {evaluation['eval_loss']:.4f}, reward accuracy "
          f"{evaluation['eval_rewards/accuracies']:.3f} on {len(trainer.eval_dataset):,} pairs")

    # --- save
    losses = logged_losses(trainer)
    metrics = {"loss": losses[-1], "train_losses": losses, "eval_loss": evaluation["eval_loss"],
               "reward_accuracy": evaluation["eval_rewards/accuracies"],
               "reward_margin": evaluation["eval_rewards/margins"], "steps": trainer.state.global_step,
               "n_train": len(trainer.train_dataset), "n_test": len(trainer.eval_dataset),
               "dataset": str(version), "config": options.model_dump()}
    write_metrics(output_dir, metrics)
    if options.save_model:
        save_checkpoint(output_dir, trainer.model, tokenizer)
    return metrics


if __name__ == "__main__":
    main()
