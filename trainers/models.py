"""Tokenizer, models, reward scores and the CPU/GPU runtime of the trainers; nothing is downloaded.

`--model tiny` builds a two-layer Llama with random weights from a config: enough to prove the
trainers' behaviour on a CPU in seconds. Any other value is a local model folder (or a Hub id when
the user's environment allows it). On CUDA the runtime switches to bf16, SDPA (or FlashAttention 2
when installed) and gradient checkpointing; on the CPU it stays in float32.

>>> tok = load_tokenizer()
>>> tok.pad_token != tok.eos_token, tok.chat_template is not None
(True, True)
>>> model = load_causal_lm("tiny", tokenizer=tok, runtime=pick_runtime())
>>> model.config.num_hidden_layers, model.config.vocab_size == len(tok)
(2, True)
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, PreTrainedModel

from curate.errors import InputError
# One home for the tokenizer and the tiny model: curate.lm (the wheel's `curate collect` samples
# from the same tiny models); re-exported here for the trainers.
from curate.lm import TINY, build_tiny, default_tokenizer_dir, load_tokenizer, tiny_config

__all__ = ["TINY", "Runtime", "default_tokenizer_dir", "load_causal_lm", "load_reward_model",
           "load_tokenizer", "model_name_for_tokenizer", "pick_runtime", "place_on_runtime",
           "score", "tiny_config"]


@dataclass(frozen=True)
class Runtime:
    """Where and how the model runs: selected automatically by `pick_runtime`."""

    device: torch.device
    dtype: torch.dtype
    attn_implementation: str
    gradient_checkpointing: bool


def pick_runtime() -> Runtime:
    """bf16 + FlashAttention 2 or SDPA + gradient checkpointing on CUDA; float32 + SDPA on the CPU."""
    if torch.cuda.is_available():
        attention = "flash_attention_2" if importlib.util.find_spec("flash_attn") else "sdpa"
        return Runtime(torch.device("cuda"), torch.bfloat16, attention, gradient_checkpointing=True)
    return Runtime(torch.device("cpu"), torch.float32, "sdpa", gradient_checkpointing=False)


def place_on_runtime(model: PreTrainedModel, runtime: Runtime) -> PreTrainedModel:
    """Move `model` to the runtime's device, with gradient checkpointing where the runtime wants it."""
    if runtime.gradient_checkpointing:
        model.gradient_checkpointing_enable()
        model.config.use_cache = False  # the cache is useless when activations are recomputed
    return model.to(runtime.device)


def _finish(model: PreTrainedModel, *, tokenizer: Any, runtime: Runtime) -> PreTrainedModel:
    if model.get_input_embeddings().num_embeddings < len(tokenizer):
        model.resize_token_embeddings(len(tokenizer))  # a pad token was added to the tokenizer
    model.config.pad_token_id = tokenizer.pad_token_id
    return place_on_runtime(model, runtime)


def _build(auto_class: Any, name: str, *, tokenizer: Any, runtime: Runtime, seed: int,
           **kwargs: Any) -> PreTrainedModel:
    if name == TINY:  # the same random tiny model for the same seed
        model = build_tiny(auto_class, vocab_size=len(tokenizer), seed=seed, dtype=runtime.dtype,
                           attn_implementation=runtime.attn_implementation, **kwargs)
    else:
        model = auto_class.from_pretrained(name, dtype=runtime.dtype,
                                           attn_implementation=runtime.attn_implementation, **kwargs)
    return _finish(model, tokenizer=tokenizer, runtime=runtime)


def load_causal_lm(name: str, *, tokenizer: Any, runtime: Runtime, seed: int = 0) -> PreTrainedModel:
    """A causal language model: `tiny` (random) or a local model folder."""
    return _build(AutoModelForCausalLM, name, tokenizer=tokenizer, runtime=runtime, seed=seed)


def load_reward_model(name: str, *, tokenizer: Any, runtime: Runtime, seed: int = 0) -> PreTrainedModel:
    """A sequence-classification model with one output, the scalar reward (Llama 2's regression head)."""
    model = _build(AutoModelForSequenceClassification, name, tokenizer=tokenizer, runtime=runtime,
                   seed=seed, num_labels=1)
    if model.config.num_labels != 1:
        raise InputError(f"model {name!r} has num_labels={model.config.num_labels}, but a reward model "
                         "needs num_labels=1; load a reward model or a base model without a head")
    return model


def score(model: Any, sequences: Sequence[list[int]], *, pad_id: int) -> torch.Tensor:
    """Rewards of token sequences (right-padded into one batch), one float per sequence.

    Right-padded, read at the last non-pad token: as TRL's RewardTrainer batches pairs. reward.py
    evaluates with it and PPO scores its rollouts with it.
    """
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
    device = next(model.parameters()).device
    return model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits[:, 0].float()


def model_name_for_tokenizer(model: str, tokenizer: str | None) -> str | Path | None:
    """The tokenizer to use: explicit `--tokenizer`, else the model folder's own, else the default."""
    if tokenizer is not None:
        return tokenizer
    return None if model == TINY else model
