"""Training throughput of a Llama config: tokens per second and model FLOPs utilisation (MFU).

    python trainers/bench.py --model tiny --seq-len 256 --steps 5           # CPU smoke test
    python trainers/bench.py --model 1b --seq-len 4096 --micro-batch-size 4  # on a GPU

It runs the same runtime the trainers pick (bf16 + SDPA/FlashAttention 2 + gradient checkpointing
on CUDA) on random tokens, full forward + backward + AdamW steps. MFU follows PaLM (appendix B):
model FLOPs per token = 6 * N (N = parameters outside the input embedding) + 12 * layers * hidden
* seq_len (attention), divided by the device's peak dense bf16 FLOPs; recomputation from gradient
checkpointing is not counted, so MFU is the honest figure.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python trainers/bench.py`: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import json
import time
from collections.abc import Sequence
from typing import Any

import torch
from pydantic import BaseModel, ConfigDict, Field
from transformers import AutoModelForCausalLM, LlamaConfig

from curate.errors import InputError
from trainers.config import parse_config
from trainers.loop import adamw, optimizer_step
from trainers.models import pick_runtime, place_on_runtime, tiny_config

# Peak dense bf16 tensor FLOP/s by device name (vendor data sheets, without sparsity).
PEAK_BF16_FLOPS = {"H200": 989.4e12, "H100": 989.4e12, "A100": 312e12, "L40S": 362e12, "L4": 121e12,
                   "A10": 125e12}


class BenchConfig(BaseModel):
    """Measure training tokens/s and MFU for a Llama config on random tokens."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field("tiny", description="'tiny' (2 layers), '1b' (TinyLlama-1.1B shape) or '7b' (Llama 2 7B shape)")
    seq_len: int = Field(4096, description="tokens per sequence; Llama 2: 4096")
    micro_batch_size: int = Field(1, description="sequences per forward pass")
    steps: int = Field(10, description="timed optimizer steps")
    warmup_steps: int = Field(2, description="untimed steps first (allocation, kernels)")
    peak_tflops: float | None = Field(None, description="device peak in TFLOP/s; default: from the GPU name")
    output: str | None = Field(None, description="also write the result as JSON here")


def llama_config(name: str, *, seq_len: int) -> LlamaConfig:
    """The architecture for a preset name (Llama 2's 32,000-token vocabulary)."""
    if name == "tiny":
        return tiny_config(vocab_size=32_000, seq_len=seq_len)
    if name == "1b":  # TinyLlama-1.1B: 22 layers, 2048 wide, grouped-query attention with 4 KV heads
        return LlamaConfig(vocab_size=32_000, hidden_size=2048, intermediate_size=5632, num_hidden_layers=22,
                           num_attention_heads=32, num_key_value_heads=4, max_position_embeddings=seq_len)
    if name == "7b":  # Llama 2 7B (Touvron et al. 2023, Table 1 and the released config)
        return LlamaConfig(vocab_size=32_000, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                           num_attention_heads=32, num_key_value_heads=32, max_position_embeddings=seq_len)
    raise InputError(f"bench model {name!r} is unknown; use tiny, 1b or 7b")


def peak_flops(config: BenchConfig, device: torch.device) -> float | None:
    if config.peak_tflops is not None:
        return config.peak_tflops * 1e12
    if device.type != "cuda":
        return None  # no meaningful peak for a CPU; pass --peak-tflops to get an MFU anyway
    name = torch.cuda.get_device_name(device)
    return next((flops for key, flops in PEAK_BF16_FLOPS.items() if key in name), None)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    config = parse_config(BenchConfig, argv)
    runtime = pick_runtime()

    # --- model on random tokens, the trainers' runtime
    model_config = llama_config(config.model, seq_len=config.seq_len)
    model_config._attn_implementation = runtime.attn_implementation
    model = place_on_runtime(AutoModelForCausalLM.from_config(model_config, dtype=runtime.dtype), runtime)
    fused = runtime.device.type == "cuda"
    optimizer = adamw(model.parameters(), lr=1e-5, weight_decay=0.1, fused=fused)
    n_params = sum(p.numel() for p in model.parameters())
    n_flop_params = n_params - model.get_input_embeddings().weight.numel()
    ids = torch.randint(3, model_config.vocab_size, (config.micro_batch_size, config.seq_len), device=runtime.device)

    def step() -> None:
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer_step(model.parameters(), optimizer, grad_clip=1.0)

    def seconds_for(n_steps: int) -> float:  # wall time of n_steps, the GPU's queue drained
        started = time.perf_counter()
        for _ in range(n_steps):
            step()
        if fused:
            torch.cuda.synchronize()
        return time.perf_counter() - started

    # --- time it: untimed warm-up steps first
    seconds_for(config.warmup_steps)
    seconds = seconds_for(config.steps)
    tokens_per_s = config.steps * config.micro_batch_size * config.seq_len / seconds
    flops_per_token = 6 * n_flop_params + 12 * model_config.num_hidden_layers * model_config.hidden_size * config.seq_len
    peak = peak_flops(config, runtime.device)
    result = {
        "model": config.model, "parameters": n_params, "seq_len": config.seq_len,
        "micro_batch_size": config.micro_batch_size, "steps": config.steps,
        "device": torch.cuda.get_device_name() if fused else "cpu", "dtype": str(runtime.dtype),
        "attention": runtime.attn_implementation, "gradient_checkpointing": runtime.gradient_checkpointing,
        "tokens_per_s": tokens_per_s, "model_tflops_per_s": tokens_per_s * flops_per_token / 1e12,
        "mfu": tokens_per_s * flops_per_token / peak if peak else None,
        "peak_memory_gib": torch.cuda.max_memory_allocated() / 2**30 if fused else None,
    }
    print(json.dumps(result, indent=2))
    if config.output:
        Path(config.output).write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
