"""The Llama 2 chat template the trainers set, and the token ids PPO builds from dialogues.

Llama 2 (section 3.1) zeroes the loss on prompt tokens. The template marks every assistant answer
with `{% generation %}`, so the tokenizer itself says which tokens belong to an answer: TRL's
`assistant_only_loss` reads that mask and gives every other token the label -100.

>>> from trainers.models import load_tokenizer
>>> tok = load_tokenizer()
>>> out = tok.apply_chat_template([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}],
...                               tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
>>> tok.decode([i for i, keep in zip(out["input_ids"], out["assistant_masks"]) if keep])
'Hello. </s>'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Llama 2's chat format; one home, curate.lm (the tokenizer loader there sets it).
from curate.lm import LLAMA2_CHAT_TEMPLATE

__all__ = ["LLAMA2_CHAT_TEMPLATE", "tokenize_answer", "tokenize_prompt"]


def tokenize_prompt(tokenizer: Any, messages: Sequence[dict[str, str]]) -> list[int]:
    """Token ids of a dialogue that ends with a user turn, ready for the model to answer."""
    return list(tokenizer.apply_chat_template(list(messages), tokenize=True, return_dict=True,
                                              add_generation_prompt=True)["input_ids"])


def tokenize_answer(tokenizer: Any, prompt: Sequence[dict[str, str]], answer: str,
                    *, max_length: int) -> list[int]:
    """Ids of `prompt` + `answer` for a reward model, keeping the last `max_length` tokens.

    The same ids as TRL's RewardTrainer gives `prompt + chosen` when `chosen` is the one assistant
    message `answer`. The reward is read at the last token, so truncation drops the oldest prompt
    turns first.
    """
    messages = [*prompt, {"role": "assistant", "content": answer}]
    ids = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"]
    return list(ids)[-max_length:]
