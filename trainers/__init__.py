"""Thin trainers over transformers: SFT, reward models and PPO, the way Llama 2 trained them.

Each trainer is one script that reads top to bottom (config first, Llama 2's numbers as defaults):

    python trainers/sft.py    --dataset org/sft@v1       --model tiny --max-steps 20 --output-dir out/sft
    python trainers/reward.py --dataset out/safety_rm/v3 --model tiny --max-steps 30 --output-dir out/rm
    python trainers/ppo.py    --dataset org/safety-rm@v3 --model tiny --max-steps 5  --output-dir out/ppo
    python trainers/bench.py  --model 1b --steps 10

Torch and transformers are imported only under this package (install extra `[train]`), so building
and validating data stays light. Shared helpers: `config` (flags from one pydantic model), `data`
(a version from a folder, the local registry or the Hub), `chat` (template, answer-only labels,
packing), `models` (tokenizer, tiny model, reward scores, CPU/GPU runtime), `loop` (seeding and the
runtime line, AdamW, the shuffled data order, the optimizer step, metrics.json and the checkpoint)
and `policy` (PPO's value head, masks, whitening and GAE).
"""
