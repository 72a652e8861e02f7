"""Sampling responses from one model variant: batched, chat template, max new tokens, EOS stop.

Each request carries its own seed (from the prompt's uid, the variant, the temperature and the
packet's seed; curate.collect.sample), so a response does not depend on which other requests
share its batch, and re-running gives the same text on the same machine:

- transformers (the default; CPU or GPU): greedy decoding over temperature-scaled logits plus
  Gumbel noise drawn from a per-request torch.Generator: argmax(logits / T + Gumbel) is a draw
  from softmax(logits / T), the sampling rule, with a random stream that belongs to the request;
- vLLM, when `vllm` is importable, a GPU is present and the model is not `tiny`: SamplingParams
  with the request's seed and temperature. Same contract, another random stream, so not the
  same text as transformers. The prompt is the same token ids (`chat_ids`: the model's chat
  template, Llama 2's when it has none). Every variant stays loaded (vLLM frees no GPU memory
  when an LLM is dropped), so each takes an equal share of `gpu_memory` (0.85 of the GPU
  unless told): vLLM's `gpu_memory_utilization` is `gpu_memory / n_models`. The GPU itself is
  not exercised by the CPU tests; the arguments passed to vLLM are (`vllm_engine_args`, ...).

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
# The share of the GPU's memory all vLLM variants take together; vLLM's own default (0.9) is
# for one model per GPU, and leaves nothing for a second variant.
GPU_MEMORY = 0.85


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


def chat_ids(tokenizer: Any, prompt: list[dict[str, str]]) -> list[int]:
    """The prompt as both engines feed it: the token ids of the tokenizer's chat template with
    the generation prompt (curate.lm.load_tokenizer gives Llama 2's template to a model that
    has none)."""
    encoded = tokenizer.apply_chat_template(prompt, tokenize=True, return_dict=True,
                                            add_generation_prompt=True)
    return list(encoded["input_ids"])


def check_gpu_memory(gpu_memory: float) -> None:
    if not 0 < gpu_memory <= 1:
        raise InputError(f"--gpu-memory {gpu_memory}: the fraction of the GPU's memory the vLLM "
                         f"variants share, above 0 and at most 1 (default {GPU_MEMORY})")


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
        self.tokenizer = (load_tokenizer() if seed is not None
                          else load_tokenizer(ref, model_option="--model"))
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

        ids = [chat_ids(self.tokenizer, r.prompt) for r in requests]
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


def vllm_engine_args(ref: str, *, n_models: int, gpu_memory: float = GPU_MEMORY) -> dict[str, Any]:
    """The arguments of `vllm.LLM` for one of `n_models` variants loaded side by side."""
    return {"model": ref, "seed": 0, "gpu_memory_utilization": gpu_memory / n_models}


def vllm_prompts(tokenizer: Any, requests: Sequence[Request]) -> list[dict[str, list[int]]]:
    """vLLM's TokensPrompt of each request: the ids the transformers path feeds (`chat_ids`),
    so that a model without a chat template gets Llama 2's there too."""
    return [{"prompt_token_ids": chat_ids(tokenizer, r.prompt)} for r in requests]


def vllm_sampling_args(request: Request, *, max_new_tokens: int) -> dict[str, Any]:
    """The arguments of the request's `vllm.SamplingParams`: its own seed and temperature."""
    return {"temperature": request.temperature, "seed": request.seed & SEED_MASK,
            "max_tokens": max_new_tokens}


class VLLMSampler:
    """The same contract on vLLM (GPU): one seeded SamplingParams per request."""

    engine = "vllm"

    def __init__(self, ref: str, *, max_new_tokens: int, n_models: int = 1,
                 gpu_memory: float = GPU_MEMORY) -> None:
        try:
            from vllm import LLM
        except ImportError as exc:
            raise InputError("--engine vllm: vllm is not installed here; pip install vllm (on a "
                             "machine with a GPU), or use --engine transformers") from exc

        self.max_new_tokens = max_new_tokens
        self.tokenizer = load_tokenizer(ref, model_option="--model")  # the prompts' template
        self.llm = LLM(**vllm_engine_args(ref, n_models=n_models, gpu_memory=gpu_memory))
        self.revision: str | None = None

    def generate(self, requests: Sequence[Request], *,
                 on_done: Callable[[int], None] | None = None) -> list[str]:
        from vllm import SamplingParams

        params = [SamplingParams(**vllm_sampling_args(r, max_new_tokens=self.max_new_tokens))
                  for r in requests]
        outputs = self.llm.generate(vllm_prompts(self.tokenizer, requests), sampling_params=params,
                                    use_tqdm=False)
        if on_done:
            on_done(len(requests))
        return [o.outputs[0].text.strip() for o in outputs]


def _gpu() -> bool:
    return _torch().cuda.is_available()


def load_sampler(ref: str, *, max_new_tokens: int, engine: str = "auto",
                 batch_size: int = BATCH_SIZE, n_models: int = 1,
                 gpu_memory: float = GPU_MEMORY) -> TransformersSampler | VLLMSampler:
    """A sampler for `ref` (a model folder, a Hub id or tiny:SEED). `engine`: auto (vLLM when
    importable with a GPU and a real model, else transformers), transformers or vllm.
    `n_models`, `gpu_memory`: on vLLM, this variant takes `gpu_memory / n_models` of the GPU."""
    if engine not in ("auto", "transformers", "vllm"):
        raise InputError(f"--engine {engine}: use auto, transformers or vllm")
    real_model = parse_tiny(ref) is None
    if engine == "vllm" and not real_model:
        raise InputError(f"--engine vllm cannot load {ref}: tiny models are built by transformers; "
                         "use --engine transformers or a model folder")
    use_vllm = engine == "vllm" or (engine == "auto" and real_model
                                    and importlib.util.find_spec("vllm") is not None and _gpu())
    if use_vllm:
        return VLLMSampler(ref, max_new_tokens=max_new_tokens, n_models=n_models,
                           gpu_memory=gpu_memory)
    return TransformersSampler(ref, max_new_tokens=max_new_tokens, batch_size=batch_size)
