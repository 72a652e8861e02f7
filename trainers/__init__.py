"""Thin trainers on TRL: SFT, reward models and DPO, plus our own PPO, the way Llama 2 trained them.

Each trainer is one script that reads top to bottom (options first, Llama 2's numbers as defaults):

    python trainers/sft.py    --dataset org/sft@v1       --model tiny --max-steps 20 --output-dir out/sft
    python trainers/reward.py --dataset out/safety_rm/v3 --model tiny --max-steps 30 --output-dir out/rm
    python trainers/dpo.py    --dataset out/safety_rm/v3 --model tiny --max-steps 5  --output-dir out/dpo
    python trainers/ppo.py    --dataset org/safety-rm@v3 --model tiny --max-steps 5  --output-dir out/ppo
    python trainers/bench.py  --model 1b --steps 10

sft.py, reward.py and dpo.py hand the version's `datasets.Dataset` to TRL's SFTTrainer,
RewardTrainer and DPOTrainer as built (TRL's dataset formats: no column renamed or converted);
their command lines are pydantic `*Options` models, from which TRL's `*Config` is built. ppo.py
stays ours (TRL removed its PPO trainer). Torch, transformers and TRL are imported only under this
package (install extra `[train]`), so building and validating data stays light. Shared helpers:
`config` (flags from one pydantic model), `data` (a version from a folder, the local registry or
the Hub, and its splits), `chat` (the Llama 2 chat template, PPO's token ids), `models`
(tokenizer, tiny model, reward scores, CPU/GPU runtime), `loop` (seeding and the runtime line,
TRL's arguments, AdamW, the data order and step of PPO, metrics.json and the checkpoint) and
`policy` (PPO's value head, masks, whitening and GAE).
"""
