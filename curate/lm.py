"""Chat models shared by `curate collect` and the trainers: the Llama 2 chat template, the
tokenizer loader and `tiny` random models. Nothing is downloaded for `tiny`.

One home for both: trainers/ is not in the wheel, and `curate collect sample --model tiny:1`
samples from the same tiny model the trainers' `--model tiny` trains. torch and transformers
(curate[train]) are imported only when a function here runs.

`tiny` is a two-layer Llama with random weights built from a config, seeded: `tiny:1` and
`tiny:2` are two different random variants, `tiny` is `tiny:0`.

>>> tok = load_tokenizer()
>>> tok.pad_token != tok.eos_token, tok.chat_template is not None
(True, True)
>>> parse_tiny("tiny:2"), parse_tiny("tiny"), parse_tiny("models/rlhf_v4")
(2, 0, None)
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from curate.errors import InputError

TINY = "tiny"
_TINY_REF = re.compile(r"tiny(?::(\d+))?")
_HUB_ID = re.compile(r"[\w.-]+/[\w.-]+")

# Llama 2's chat format: `<s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {answer} </s>`,
# one `<s>[INST] ... [/INST] ... </s>` block per exchange; the system text joins the first user turn.
# The answer and its `</s>` are the generation: they are what the model learns to produce.
LLAMA2_CHAT_TEMPLATE = (
    "{% set ns = namespace(system='') %}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}"
    "{% set ns.system = '<<SYS>>\\n' + message['content'] + '\\n<</SYS>>\\n\\n' %}"
    "{% elif message['role'] == 'user' %}"
    "{{ bos_token + '[INST] ' + ns.system + message['content'] + ' [/INST]' }}"
    "{% set ns.system = '' %}"
    "{% elif message['role'] == 'assistant' %}"
    "{% generation %}{{ ' ' + message['content'] + ' ' + eos_token }}{% endgeneration %}"
    "{% endif %}"
    "{% endfor %}"
)


def parse_tiny(ref: str) -> int | None:
    """The seed of a `tiny` / `tiny:SEED` reference, None for any other model reference."""
    match = _TINY_REF.fullmatch(ref)
    return None if match is None else int(match.group(1) or 0)


def default_tokenizer_dir() -> Path:
    """`$CURATE_TOKENIZER`, else the Llama 2 SentencePiece model in ../shared/data/tokenizers."""
    env = os.environ.get("CURATE_TOKENIZER")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "tokenizers" / "llama2"


def _missing(folder: str, why: str, model_option: str | None) -> InputError:
    if model_option:  # the folder was given as a model, whose own tokenizer this is
        return InputError(f"{model_option} {folder}: {why}; give a model folder, a Hub id or "
                          "tiny:SEED")
    return InputError(f"tokenizer folder {folder!r} {why}; pass --tokenizer with a folder holding "
                      "tokenizer.model (Llama 2) or encoder.json + vocab.bpe (GPT-2), a model "
                      "folder or Hub id, or set CURATE_TOKENIZER")


def check_model_ref(ref: str, *, option: str = "--model") -> None:
    """Refuse, before anything is loaded, a model reference that can name no model: not
    `tiny[:SEED]`, no folder, and not shaped like a Hub id (`org/name`)."""
    if parse_tiny(ref) is None and not Path(ref).is_dir() and _HUB_ID.fullmatch(ref) is None:
        raise _missing(ref, "no such folder", option)


def _from_files(folder: Path, model_option: str | None) -> Any:
    from transformers import AutoTokenizer, GPT2Tokenizer, LlamaTokenizer

    if (folder / "tokenizer_config.json").exists() or (folder / "tokenizer.json").exists():
        return AutoTokenizer.from_pretrained(folder)
    if (folder / "tokenizer.model").exists():
        return LlamaTokenizer.from_pretrained(folder)  # converts the SentencePiece model locally
    if (folder / "encoder.json").exists() and (folder / "vocab.bpe").exists():
        return GPT2Tokenizer(vocab=str(folder / "encoder.json"), merges=str(folder / "vocab.bpe"))
    if model_option:
        raise InputError(f"{model_option} {folder}: the model folder holds no tokenizer (no "
                         "tokenizer.json, tokenizer.model or encoder.json + vocab.bpe); save it "
                         "beside the model (tokenizer.save_pretrained(folder))")
    raise InputError(f"tokenizer folder {str(folder)!r} holds no known tokenizer files; expected "
                     "tokenizer.model, encoder.json + vocab.bpe, or tokenizer.json")


def _from_hub(repo_id: str, model_option: str | None) -> Any:
    from transformers import AutoTokenizer

    try:  # the user's environment decides: HF_ENDPOINT, the token, the cache, HF_HUB_OFFLINE
        return AutoTokenizer.from_pretrained(repo_id)
    except OSError as exc:
        why = "no such folder, and the Hub gave no tokenizer" if model_option else \
            "does not exist locally and the Hub gave no tokenizer"
        raise _missing(repo_id, f"{why} ({exc})", model_option) from exc


def load_tokenizer(path: str | Path | None = None, *, model_option: str | None = None) -> Any:
    """A fast tokenizer with a chat template and a pad token distinct from `</s>`.

    `path`: a folder with a SentencePiece `tokenizer.model` (Llama 2), GPT-2's `encoder.json` +
    `vocab.bpe`, or a saved Hugging Face tokenizer (e.g. a model folder written by a trainer);
    a Hub id (`org/name`) that is no local folder is loaded from the user's Hub environment.
    `model_option`: the option that gave `path` as a model (`curate collect`'s "--model"), so
    that a missing one is named as the model it is; else the errors speak of --tokenizer (the
    trainers' option).
    """
    folder = Path(path) if path is not None else default_tokenizer_dir()
    if folder.is_dir():
        tokenizer = _from_files(folder, model_option)
    elif path is not None and _HUB_ID.fullmatch(str(path)):
        tokenizer = _from_hub(str(path), model_option)
    else:
        raise _missing(str(folder), "no such folder" if model_option else "does not exist",
                       model_option)
    if tokenizer.chat_template is None:
        tokenizer.chat_template = LLAMA2_CHAT_TEMPLATE
    if tokenizer.pad_token is None:
        # The reward head reads the last non-pad token and PPO masks after `</s>`: pad must differ
        # from `</s>`. Llama's `<unk>` never appears (byte fallback); GPT-2 needs a new token.
        if tokenizer.unk_token is not None and tokenizer.unk_token != tokenizer.eos_token:
            tokenizer.pad_token = tokenizer.unk_token
        else:
            tokenizer.add_special_tokens({"pad_token": "<pad>"})
    return tokenizer


def tiny_config(*, vocab_size: int, seq_len: int = 4096) -> Any:
    """A two-layer Llama small enough to train on a CPU in seconds (~2M parameters, mostly embeddings)."""
    from transformers import LlamaConfig

    return LlamaConfig(vocab_size=vocab_size, hidden_size=64, intermediate_size=176,
                       num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4,
                       max_position_embeddings=seq_len, tie_word_embeddings=False)


def build_tiny(auto_class: Any, *, vocab_size: int, seed: int, dtype: Any,
               attn_implementation: str = "sdpa", **config_overrides: Any) -> Any:
    """A tiny model of `auto_class` (e.g. AutoModelForCausalLM) with random weights: the same
    weights for the same seed, on every machine."""
    import torch

    torch.manual_seed(seed)
    config = tiny_config(vocab_size=vocab_size)
    config._attn_implementation = attn_implementation
    for key, value in config_overrides.items():
        setattr(config, key, value)
    return auto_class.from_config(config, dtype=dtype)
