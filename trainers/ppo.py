"""PPO with Llama 2's combined reward (section 3.2.3); TRL removed its PPO trainer, so this one is ours.

    python trainers/ppo.py --dataset out/safety_rm/v3 --model tiny --max-steps 5 --output-dir out/ppo
    python trainers/ppo.py --dataset org/prompts@v1 --model out/sft/model \
        --safety-rm out/safety_rm/model --helpfulness-rm out/helpful_rm/model --output-dir out/ppo

Each iteration: sample answers to a batch of the version's prompts from the policy; score them with
both reward models; Rc = Rs if the prompt is safety-tagged (criterion == "safety") or Rs < 0.15,
else Rh; the sequence reward is whiten(logit(Rc)), and every token pays beta * KL(policy || initial
policy). Advantages by GAE from a value head on the policy; one clipped gradient step per mini-batch.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python trainers/ppo.py`: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import copy
import time
from collections.abc import Callable, Collection, Sequence
from typing import Any

import torch
from pydantic import BaseModel, ConfigDict, Field, model_validator

from curate.errors import InputError
from trainers.chat import tokenize_answer, tokenize_prompt
from trainers.config import fill_unset, parse_config
from trainers.data import load_split, resolve_dataset
from trainers.loop import adamw, optimizer_step, save_checkpoint, shuffled_forever, start_run, write_metrics
from trainers.models import (TINY, load_causal_lm, load_reward_model, load_tokenizer,
                             model_name_for_tokenizer, score)
from trainers.policy import PolicyWithValue, gae, masked_whiten, response_mask, whiten


class PPOConfig(BaseModel):
    """PPO with Llama 2's combined safety/helpfulness reward; Llama 2's numbers are the defaults."""

    model_config = ConfigDict(extra="forbid")

    dataset: str = Field(description="a version with prompts: a preference version (`prompt`, "
                         "`criterion`) or an SFT version (`messages` minus the last answer)")
    output_dir: str = Field(description="where metrics.json and the trained policy go")
    model: str = Field("tiny", description="the initial policy: 'tiny' or a model folder (Llama 2: the SFT/RLHF model)")
    tokenizer: str | None = Field(None, description="tokenizer folder; default: the model's own")
    safety_rm: str | None = Field(None, description="safety reward model folder (reward.py's <out>/model); "
                                  "'tiny' or unset with --model tiny: a random tiny RM (smoke test)")
    helpfulness_rm: str | None = Field(None, description="helpfulness reward model folder, as --safety-rm")
    max_steps: int = Field(200, description="PPO iterations; Llama 2: 200 to 400")
    batch_size: int | None = Field(None, description="prompts per iteration; default Llama 2's 512, 8 for tiny")
    mini_batch_size: int | None = Field(None, description="sequences per gradient step, one step each; default Llama 2's 64, 4 for tiny")
    lr: float = Field(1e-6, description="constant learning rate; Llama 2: 1e-6")
    beta: float = Field(0.01, description="KL penalty; Llama 2: 0.01 for 7B/13B, 0.005 for 34B/70B")
    clip: float = Field(0.2, description="PPO ratio clip; Llama 2: 0.2")
    value_clip: float = Field(0.2, description="value clip around the rollout's values")
    vf_coef: float = Field(0.1, description="weight of the value loss")
    gamma: float = Field(1.0, description="discount; the reward comes once, at the end")
    lam: float = Field(0.95, description="GAE lambda")
    threshold: float = Field(0.15, description="Rs below this counts as unsafe; Llama 2: 0.15 "
                             "(precision 0.89, recall 0.55 on Meta Safety test)")
    weight_decay: float = Field(0.1, description="AdamW weight decay; Llama 2: 0.1")
    grad_clip: float = Field(1.0, description="gradient norm clip; Llama 2: 1.0")
    max_prompt_length: int = Field(1024, description="prompt tokens kept (the last ones)")
    max_new_tokens: int | None = Field(None, description="answer tokens sampled per prompt; default 256, 16 for tiny")
    temperature: float = Field(1.0, description="sampling temperature of the rollouts")
    seed: int = Field(0, description="seed of initialisation, prompt order and sampling")
    log_every: int = Field(1, description="print a line every this many iterations")
    save_model: bool = Field(True, description="write the policy and tokenizer to <output-dir>/model")

    @model_validator(mode="after")
    def fill_sizes(self) -> PPOConfig:
        fill_unset(self, llama2={"batch_size": 512, "mini_batch_size": 64, "max_new_tokens": 256},
                   tiny={"batch_size": 8, "mini_batch_size": 4, "max_new_tokens": 16})
        return self


# Scores answers: (prompts, answer texts, answer token ids) -> (Rs, Rh), probabilities in (0, 1).
ScoreFn = Callable[[list[list[dict[str, str]]], list[str], list[list[int]]], tuple[torch.Tensor, torch.Tensor]]


def combined_reward(r_safety: torch.Tensor, r_helpfulness: torch.Tensor, is_safety_prompt: torch.Tensor,
                    threshold: float = 0.15) -> torch.Tensor:
    """Llama 2's Rc: the safety score where the prompt is safety-tagged or Rs < threshold, else Rh.

    >>> combined_reward(torch.tensor([0.9, 0.1, 0.9]), torch.tensor([0.5, 0.5, 0.5]),
    ...                 torch.tensor([True, False, False]))
    tensor([0.9000, 0.1000, 0.5000])
    """
    return torch.where(is_safety_prompt | (r_safety < threshold), r_safety, r_helpfulness)


def logit(p: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """log(p / (1 - p)), with p kept inside (eps, 1 - eps) so a saturated score stays finite."""
    p = p.clamp(eps, 1 - eps)
    return torch.log(p) - torch.log1p(-p)


def reward_model_scorer(safety: tuple[Any, Any], helpfulness: tuple[Any, Any], *, max_length: int) -> ScoreFn:
    """A ScoreFn from two (reward model, tokenizer) pairs: sigmoid of each model's score.

    A rollout is tokenized as TRL's RewardTrainer tokenizes `prompt + chosen` and scored at its
    last token, so a reward model reads rollouts as it was trained.
    """

    def probabilities(model: Any, tokenizer: Any, prompts: list, answers: list[str]) -> torch.Tensor:
        sequences = [tokenize_answer(tokenizer, p, a, max_length=max_length) for p, a in zip(prompts, answers)]
        with torch.no_grad():
            return torch.sigmoid(score(model, sequences, pad_id=tokenizer.pad_token_id)).cpu()

    def score_fn(prompts: list, answers: list[str], _ids: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        return probabilities(*safety, prompts, answers), probabilities(*helpfulness, prompts, answers)

    return score_fn


def prompts_of(rows: Collection[dict[str, Any]]) -> list[tuple[list[dict[str, str]], bool]]:
    """(dialogue ending with a user turn, is_safety_prompt) per row of a preference or SFT version
    in TRL's conversational format (a standard version's prompts are texts: no turns to sample)."""
    prompts = []
    for row in rows:
        if isinstance(row.get("prompt"), str):
            raise InputError("PPO samples answers to a dialogue of messages, but this version's "
                             "`prompt` is text (TRL's standard format); use a version built in the "
                             "conversational format (the default)")
        if row.get("prompt"):
            dialogue = row["prompt"]
        elif row.get("messages") and row["messages"][-1]["role"] == "assistant":
            dialogue = row["messages"][:-1]
        else:
            continue
        prompts.append((dialogue, row.get("criterion") == "safety"))
    if not prompts:
        raise InputError(f"no prompts in {len(rows)} rows: PPO needs a `prompt` column (preference "
                         "version) or `messages` ending with an answer (SFT version)")
    return prompts


def main(argv: Sequence[str] | None = None, *, score_fn: ScoreFn | None = None) -> dict[str, Any]:
    config = parse_config(PPOConfig, argv)
    output_dir, runtime = start_run(config.output_dir, seed=config.seed)

    # --- prompts: the train split of a version; safety-tagged where criterion == "safety"
    version = resolve_dataset(config.dataset)
    prompts = prompts_of(load_split(version, "train"))  # the version's rows as built
    tokenizer = load_tokenizer(model_name_for_tokenizer(config.model, config.tokenizer))
    print(f"dataset {version}: {len(prompts):,} prompts, {sum(s for _, s in prompts):,} safety-tagged")

    # --- models: policy with a value head, frozen reference (the initial policy), reward models
    policy = PolicyWithValue(load_causal_lm(config.model, tokenizer=tokenizer, runtime=runtime, seed=config.seed),
                             temperature=config.temperature)
    reference = copy.deepcopy(policy.lm).eval().requires_grad_(False)
    if score_fn is None:
        rms = []
        for name in (config.safety_rm, config.helpfulness_rm):
            if name is None and config.model != TINY:
                raise InputError("PPO needs --safety-rm and --helpfulness-rm (reward.py's <out>/model "
                                 "folders); only --model tiny may run with random tiny reward models")
            name = name or TINY
            rm_tokenizer = tokenizer if name == TINY else load_tokenizer(name)
            rm = load_reward_model(name, tokenizer=rm_tokenizer, runtime=runtime, seed=config.seed + len(rms) + 1)
            rms.append((rm.eval().requires_grad_(False), rm_tokenizer))
        score_fn = reward_model_scorer(rms[0], rms[1], max_length=config.max_prompt_length + config.max_new_tokens)
    optimizer = adamw(policy.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    order = shuffled_forever(len(prompts))  # a seeded shuffle per pass over the prompts
    history: list[dict[str, float]] = []
    started = time.perf_counter()
    for step in range(1, config.max_steps + 1):
        # --- rollout: left-padded prompts, sampled answers, masks up to and including </s>
        batch = [prompts[next(order)] for _ in range(config.batch_size)]
        prompt_ids = [tokenize_prompt(tokenizer, dialogue)[-config.max_prompt_length :] for dialogue, _ in batch]
        width = max(len(p) for p in prompt_ids)
        ids = torch.full((len(batch), width), tokenizer.pad_token_id, dtype=torch.long)
        attention = torch.zeros_like(ids)
        for row, p in enumerate(prompt_ids):
            ids[row, width - len(p) :], attention[row, width - len(p) :] = torch.tensor(p), 1
        policy.eval()
        with torch.no_grad():
            sequences = policy.lm.generate(
                input_ids=ids.to(runtime.device), attention_mask=attention.to(runtime.device),
                do_sample=True, temperature=config.temperature, top_k=0, top_p=1.0,
                max_new_tokens=config.max_new_tokens, pad_token_id=tokenizer.pad_token_id,
                eos_token_id=tokenizer.eos_token_id)
        answers = sequences[:, width:]
        answer_mask = response_mask(answers, eos_id=tokenizer.eos_token_id)
        full_mask = torch.cat([attention.to(runtime.device), answer_mask], dim=1)
        answer_ids = [a[m.bool()].tolist() for a, m in zip(answers, answer_mask)]
        answer_texts = tokenizer.batch_decode(answer_ids, skip_special_tokens=True)

        # --- reward: Rc, whitened logit at the last answer token, minus beta * KL on every token
        r_safety, r_helpfulness = score_fn([d for d, _ in batch], answer_texts, answer_ids)
        is_safety = torch.tensor([s for _, s in batch])
        r_combined = combined_reward(r_safety, r_helpfulness, is_safety, config.threshold)
        with torch.no_grad():
            old_logprobs, old_values = policy.answer_logprobs_and_values(sequences, full_mask, width)
            ref_logprobs = policy.answer_logprobs(reference, sequences, full_mask, width)
        kl = (old_logprobs - ref_logprobs) * answer_mask
        rewards = -config.beta * kl
        last = (answer_mask.sum(1) - 1).clamp(min=0)
        rewards[torch.arange(len(batch)), last] += whiten(logit(r_combined)).to(rewards.device)
        advantages, returns = gae(rewards, old_values, answer_mask, gamma=config.gamma, lam=config.lam)
        advantages = masked_whiten(advantages, answer_mask)

        # --- PPO: one clipped gradient step per mini-batch (Llama 2)
        policy.train()
        clipped = []
        perm = torch.randperm(len(batch), device=runtime.device)
        for start in range(0, len(batch), config.mini_batch_size):
            mb = perm[start : start + config.mini_batch_size]
            mask = answer_mask[mb]
            logprobs, values = policy.answer_logprobs_and_values(sequences[mb], full_mask[mb], width)
            ratio = torch.exp(logprobs - old_logprobs[mb])
            policy_loss = torch.max(-advantages[mb] * ratio,
                                    -advantages[mb] * ratio.clamp(1 - config.clip, 1 + config.clip))
            values_clipped = old_values[mb] + (values - old_values[mb]).clamp(-config.value_clip, config.value_clip)
            value_loss = 0.5 * torch.max((values - returns[mb]) ** 2, (values_clipped - returns[mb]) ** 2)
            n_tokens = mask.sum().clamp(min=1)
            loss = ((policy_loss + config.vf_coef * value_loss) * mask).sum() / n_tokens
            loss.backward()
            optimizer_step(policy.parameters(), optimizer, grad_clip=config.grad_clip)
            clipped.append((((ratio - 1).abs() > config.clip).float() * mask).sum().item() / n_tokens.item())

        record = {"step": step, "reward": r_combined.mean().item(), "r_safety": r_safety.mean().item(),
                  "r_helpfulness": r_helpfulness.mean().item(), "kl": kl.sum(1).mean().item(),
                  "answer_tokens": answer_mask.sum(1).float().mean().item(),
                  "clip_fraction": sum(clipped) / len(clipped)}
        history.append(record)
        if step % config.log_every == 0 or step == config.max_steps:
            print(f"step {step}/{config.max_steps} reward {record['reward']:.4f} kl {record['kl']:.4f} "
                  f"answer tokens {record['answer_tokens']:.1f} clip {record['clip_fraction']:.3f} "
                  f"elapsed {time.perf_counter() - started:.1f}s")

    # --- save
    metrics = {"reward": history[-1]["reward"], "history": history, "dataset": str(version),
               "config": config.model_dump()}
    write_metrics(output_dir, metrics)
    if config.save_model:
        save_checkpoint(output_dir, policy.lm, tokenizer)
        torch.save(policy.value_head.state_dict(), output_dir / "value_head.pt")
    return metrics


if __name__ == "__main__":
    main()
