"""Supervised fine-tuning on an SFT version with TRL's SFTTrainer, the way Llama 2 did it (section 3.1).

    python trainers/sft.py --dataset out/sft/v1 --model tiny --max-steps 20 --output-dir out/sft
    python trainers/sft.py --dataset org/sft@v1 --model path/to/base-model --output-dir out/sft

The version's `messages` (TRL's conversational language modeling) go through the Llama 2 chat
template; the loss counts only assistant answers (`assistant_only_loss`: the template marks them
with `{% generation %}`), or only the completion of a standard `prompt`/`completion` version.
Examples are concatenated and cut into blocks of --seq-len tokens (packing, Llama 2's "wrapped"
concatenation by default). The loss is averaged over the answer tokens of the whole optimizer
step, so long and short answers weigh by their tokens, whatever the micro-batching.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python trainers/sft.py`: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collections.abc import Sequence
from typing import Any, Literal

import trl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from trainers.config import fill_unset, parse_config
from trainers.data import load_split, resolve_dataset, trl_format
from trainers.loop import LogLastStep, logged_losses, save_checkpoint, start_run, trl_arguments, write_metrics
from trainers.models import load_causal_lm, load_tokenizer, model_name_for_tokenizer


class SFTOptions(BaseModel):
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
    packing_strategy: Literal["wrapped", "bfd"] = Field(
        "wrapped", description="'wrapped': concatenate and cut, examples may cross blocks (Llama 2); "
        "'bfd': TRL's best-fit packing, each example whole in one block and attending only to itself")
    max_train_dialogues: int | None = Field(None, description="train on the first N dialogues only "
                                            "(a uniform sample: a version's rows are in sampling-key order)")
    max_test_dialogues: int | None = Field(None, description="evaluate on the first N test dialogues; default all")
    weight_decay: float = Field(0.1, description="AdamW weight decay; Llama 2: 0.1")
    grad_clip: float = Field(1.0, description="gradient norm clip; Llama 2 pretraining: 1.0")
    seed: int = Field(0, description="seed of the model initialisation and the data order")
    log_every: int = Field(10, description="log a training line every this many steps")
    save_model: bool = Field(True, description="write the model and tokenizer to <output-dir>/model")

    @model_validator(mode="after")
    def fill_sizes(self) -> SFTOptions:
        fill_unset(self, llama2={"batch_size": 64, "seq_len": 4096}, tiny={"batch_size": 4, "seq_len": 512})
        return self


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    options = parse_config(SFTOptions, argv)
    output_dir, runtime = start_run(options.output_dir, seed=options.seed)

    # --- data: the version's splits as built (sft_v1: 3,423 train and 71 test dialogues)
    version = resolve_dataset(options.dataset)
    train = load_split(version, "train", n_rows=options.max_train_dialogues)
    test = load_split(version, "test", n_rows=options.max_test_dialogues, required=False)
    columns = ("messages",) if "messages" in train.column_names else ("prompt", "completion")
    conversational = trl_format(train, columns, label=f"dataset {version} (train)") == "conversational"
    n_test = len(test) if test is not None else 0
    print(f"dataset {version}: {len(train):,} train and {n_test:,} test dialogues "
          f"({'conversational' if conversational else 'standard'} {'/'.join(columns)})")

    # --- model and tokenizer (the Llama 2 chat template, whose answers are `{% generation %}`)
    tokenizer = load_tokenizer(model_name_for_tokenizer(options.model, options.tokenizer))
    model = load_causal_lm(options.model, tokenizer=tokenizer, runtime=runtime, seed=options.seed)

    # --- TRL's SFTTrainer: answer-only loss, packing, AdamW (0.9, 0.95, eps 1e-5), cosine schedule
    args = trl.SFTConfig(
        **trl_arguments(options, output_dir, runtime, schedule="cosine_with_min_lr",
                        warmup_steps=options.warmup_steps, min_lr_ratio=options.min_lr_ratio),
        max_length=options.seq_len, packing=options.packing, packing_strategy=options.packing_strategy,
        assistant_only_loss=conversational,  # a standard prompt/completion version: completion only
        shuffle_dataset=True)  # before packing, so a block does not hold neighbours of the build order
    trainer = trl.SFTTrainer(model=model, args=args, train_dataset=train, eval_dataset=test,
                             processing_class=tokenizer, callbacks=[LogLastStep()])
    print(f"{len(trainer.train_dataset):,} sequences of up to {options.seq_len} tokens")
    trainer.train()

    # --- evaluate: loss per answer token on the test split
    eval_loss = trainer.evaluate()["eval_loss"] if test is not None else None
    if eval_loss is not None:
        print(f"test loss {eval_loss:.4f} per answer token")

    # --- save
    losses = logged_losses(trainer)
    metrics = {"loss": losses[-1], "train_losses": losses, "eval_loss": eval_loss,
               "steps": trainer.state.global_step, "n_sequences": len(trainer.train_dataset),
               "n_dialogues": len(train), "dataset": str(version), "config": options.model_dump()}
    write_metrics(output_dir, metrics)
    if options.save_model:
        save_checkpoint(output_dir, trainer.model, tokenizer)
    return metrics


if __name__ == "__main__":
    main()
