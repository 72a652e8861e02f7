"""Sampling responses from one model variant: batched, chat template, max new tokens, EOS stop.

Each request carries its own seed (from the prompt's uid, the variant, the temperature and the
packet's seed; curate.collect.sample), so a response does not depend on which other requests
share its batch, and re-running gives the same text on the same machine:

- transformers (the default; CPU or GPU): greedy decoding over temperature-scaled logits plus
  Gumbel noise drawn from a per-request torch.Generator: argmax(logits / T + Gumbel) is a draw
  from softmax(logits / T), the sampling rule, with a random stream that belongs to the request;
- vLLM, when `vllm` is importable, a GPU is present and the model is not `tiny`: SamplingParams
  with the request's seed and temperature. Same contract, another random stream, so not the
  same text as transformers. Not exercised by the CPU tests.

torch and transformers (curate[train]) are imported when a model is loaded, not before.

>>> sampler = load_sampler("tiny:1", max_new_tokens=4)
>>> jobs = [Request([{"role": "user", "content": "Hi"}], temperature=1.0, seed=7)]
>>> sampler.generate(jobs) == sampler.generate(jobs + jobs)[:1]
True
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from curate.errors import InputError
from curate.lm import build_tiny, load_tokenizer, parse_tiny

BATCH_SIZE = 8
SEED_MASK = (1 << 63) - 1  # torch.Generator.manual_seed takes a signed 64-bit seed


@dataclass(frozen=True)
class Request:
    """One response to sample: the dialogue (ending with a user turn), its temperature, its seed."""

    prompt: list[dict[str, str]]
    temperature: float
    seed: int


def _torch() -> Any:
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as exc:
        raise InputError("sampling responses needs torch and transformers: pip install "
                         "'curate[train]'") from exc
    return torch


class TransformersSampler:
    """A causal LM and its tokenizer, loaded once; `generate` answers requests in batches."""

    engine = "transformers"

    def __init__(self, ref: str, *, max_new_tokens: int, batch_size: int = BATCH_SIZE) -> None:
        torch = _torch()
        from transformers import AutoModelForCausalLM

        self.max_new_tokens, self.batch_size = max_new_tokens, batch_size
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        dtype = torch.bfloat16 if self.device.type == "cuda" else torch.float32
        seed = parse_tiny(ref)
        self.tokenizer = load_tokenizer(None if seed is not None else ref)
        if seed is not None:
            model = build_tiny(AutoModelForCausalLM, vocab_size=len(self.tokenizer), seed=seed,
                               dtype=dtype)
        else:
            try:
                model = AutoModelForCausalLM.from_pretrained(ref, dtype=dtype)
            except OSError as exc:
                raise InputError(f"--model {ref}: no model there ({exc}); give a model folder, "
                                 "a Hub id your environment can reach, or tiny:SEED") from exc
        self.model = model.to(self.device).eval()
        self.revision: str | None = getattr(model.config, "_commit_hash", None)
        n_embeddings = model.get_input_embeddings().num_embeddings
        pad = self.tokenizer.pad_token_id
        # padding is masked out; it only has to be an id the embedding table holds
        self.pad_id = pad if pad is not None and pad < n_embeddings else self.tokenizer.eos_token_id

    def _ids(self, prompt: list[dict[str, str]]) -> list[int]:
        encoded = self.tokenizer.apply_chat_template(prompt, tokenize=True, return_dict=True,
                                                     add_generation_prompt=True)
        return list(encoded["input_ids"])

    def generate(self, requests: Sequence[Request], *,
                 on_done: Callable[[int], None] | None = None) -> list[str]:
        """The responses, in the requests' order; `on_done(n)` after each batch."""
        out: list[str] = []
        for start in range(0, len(requests), self.batch_size):
            chunk = requests[start:start + self.batch_size]
            out += self._batch(chunk)
            if on_done:
                on_done(len(chunk))
        return out

    def _batch(self, requests: Sequence[Request]) -> list[str]:
        torch = _torch()
        from transformers import GenerationConfig, LogitsProcessorList

        ids = [self._ids(r.prompt) for r in requests]
        width = max(len(i) for i in ids)
        input_ids = torch.full((len(ids), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros_like(input_ids)
        for row, seq in enumerate(ids):  # left padding: every prompt ends where generation starts
            input_ids[row, width - len(seq):] = torch.tensor(seq)
            mask[row, width - len(seq):] = 1
        config = GenerationConfig(max_new_tokens=self.max_new_tokens, do_sample=False,
                                  eos_token_id=self.tokenizer.eos_token_id, pad_token_id=self.pad_id)
        noise = GumbelSampling([r.temperature for r in requests], [r.seed for r in requests])
        with torch.no_grad():
            generated = self.model.generate(input_ids=input_ids.to(self.device),
                                            attention_mask=mask.to(self.device),
                                            generation_config=config,
                                            logits_processor=LogitsProcessorList([noise]))
        return [self.tokenizer.decode(row[width:], skip_special_tokens=True).strip()
                for row in generated.tolist()]


class GumbelSampling:
    """A logits processor that turns greedy decoding into sampling at each row's temperature,
    with each row's own seeded random stream (see the module docstring)."""

    def __init__(self, temperatures: Sequence[float], seeds: Sequence[int]) -> None:
        torch = _torch()
        self.temperatures = torch.tensor(temperatures, dtype=torch.float32)[:, None]
        self.generators = [torch.Generator().manual_seed(s & SEED_MASK) for s in seeds]

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        torch = _torch()
        vocab = scores.shape[-1]
        uniform = torch.stack([torch.rand(vocab, generator=g) for g in self.generators])
        gumbel = -torch.log(-torch.log(uniform.clamp_min(1e-20)))
        scaled = scores.float() / self.temperatures.to(scores.device)
        return scaled + gumbel.to(scores.device)


class VLLMSampler:
    """The same contract on vLLM (GPU): one seeded SamplingParams per request."""

    engine = "vllm"

    def __init__(self, ref: str, *, max_new_tokens: int) -> None:
        from vllm import LLM

        self.max_new_tokens = max_new_tokens
        self.llm = LLM(model=ref, seed=0)
        self.revision: str | None = None

    def generate(self, requests: Sequence[Request], *,
                 on_done: Callable[[int], None] | None = None) -> list[str]:
        from vllm import SamplingParams

        params = [SamplingParams(temperature=r.temperature, seed=r.seed & SEED_MASK,
                                 max_tokens=self.max_new_tokens) for r in requests]
        outputs = self.llm.chat([r.prompt for r in requests], sampling_params=params,
                                use_tqdm=False)
        if on_done:
            on_done(len(requests))
        return [o.outputs[0].text.strip() for o in outputs]


def _gpu() -> bool:
    return _torch().cuda.is_available()


def load_sampler(ref: str, *, max_new_tokens: int, engine: str = "auto",
                 batch_size: int = BATCH_SIZE) -> TransformersSampler | VLLMSampler:
    """A sampler for `ref` (a model folder, a Hub id or tiny:SEED). `engine`: auto (vLLM when
    importable with a GPU and a real model, else transformers), transformers or vllm."""
    if engine not in ("auto", "transformers", "vllm"):
        raise InputError(f"--engine {engine}: use auto, transformers or vllm")
    real_model = parse_tiny(ref) is None
    if engine == "vllm" and not real_model:
        raise InputError(f"--engine vllm cannot load {ref}: tiny models are built by transformers; "
                         "use --engine transformers or a model folder")
    use_vllm = engine == "vllm" or (engine == "auto" and real_model
                                    and importlib.util.find_spec("vllm") is not None and _gpu())
    if use_vllm:
        return VLLMSampler(ref, max_new_tokens=max_new_tokens)
    return TransformersSampler(ref, max_new_tokens=max_new_tokens, batch_size=batch_size)
