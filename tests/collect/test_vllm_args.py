"""The vLLM path without vLLM or a GPU: what curate would pass to it. Each variant's share of
the GPU (vLLM frees nothing when a model is dropped, so all of them stay loaded), the prompt
tokens (the transformers path's, Llama 2's chat template for a model without one), and each
request's own seed and temperature."""

from __future__ import annotations

import sys

import pytest

from curate.collect.generate import (GPU_MEMORY, SEED_MASK, Request, chat_ids, load_sampler,
                                     vllm_engine_args, vllm_prompts, vllm_sampling_args)
from curate.collect.sample import n_models, parse_models
from curate.errors import InputError
from curate.lm import LLAMA2_CHAT_TEMPLATE, load_tokenizer


def test_each_variant_takes_an_equal_share_of_the_gpu_memory():
    assert GPU_MEMORY == 0.85
    assert vllm_engine_args("org/rlhf-v4", n_models=2) == {
        "model": "org/rlhf-v4", "seed": 0, "gpu_memory_utilization": 0.425}
    assert vllm_engine_args("ckpt/a", n_models=4, gpu_memory=0.6)["gpu_memory_utilization"] == 0.15
    # two names for one model load it once: the share is per model, not per name
    assert n_models(parse_models(["a=tiny:1", "b=tiny:1", "tiny:2"])) == 2


def test_a_model_without_a_chat_template_is_prompted_with_llama_2s(tmp_path, shared_data):
    bare = load_tokenizer()
    bare.chat_template = None
    bare.save_pretrained(tmp_path / "model")  # a model folder whose tokenizer has no template
    tokenizer = load_tokenizer(tmp_path / "model", model_option="--model")
    prompt = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    [tokens] = vllm_prompts(tokenizer, [Request(prompt, temperature=1.0, seed=1)])
    expected = bare.apply_chat_template(prompt, chat_template=LLAMA2_CHAT_TEMPLATE, tokenize=True,
                                        return_dict=True, add_generation_prompt=True)["input_ids"]
    assert tokens == {"prompt_token_ids": list(expected)} == {
        "prompt_token_ids": chat_ids(tokenizer, prompt)}  # what the transformers path feeds
    assert tokens["prompt_token_ids"].count(tokenizer.bos_token_id) == 1  # no second <s>
    assert tokenizer.decode(tokens["prompt_token_ids"]).startswith("<s>[INST] <<SYS>>")


def test_each_request_keeps_its_own_seed_and_temperature():
    request = Request([{"role": "user", "content": "Hi"}], temperature=1.3, seed=(1 << 64) - 1)
    assert vllm_sampling_args(request, max_new_tokens=16) == {
        "temperature": 1.3, "seed": SEED_MASK, "max_tokens": 16}


def test_engine_vllm_without_vllm_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "vllm", None)  # `import vllm` fails, installed or not
    with pytest.raises(InputError, match=r"^--engine vllm: vllm is not installed here"):
        load_sampler("org/rlhf-v4", max_new_tokens=4, engine="vllm")
