"""PPO: Llama 2's combined reward, whitening, and a policy that learns a toy reward."""

from __future__ import annotations

import pytest
import torch

from curate.errors import InputError
from trainers.policy import gae, response_mask, whiten
from trainers.ppo import combined_reward, logit, main, prompts_of


def test_combined_reward_takes_safety_score_on_safety_prompts_or_low_safety():
    r_safety = torch.tensor([0.9, 0.10, 0.9, 0.15, 0.149])
    r_helpfulness = torch.tensor([0.2, 0.7, 0.3, 0.6, 0.6])
    is_safety = torch.tensor([True, False, False, False, False])
    picked = combined_reward(r_safety, r_helpfulness, is_safety, threshold=0.15)
    assert picked.tolist() == [r_safety[0].item(), r_safety[1].item(), r_helpfulness[2].item(),
                               r_helpfulness[3].item(), r_safety[4].item()]


def test_whitened_logit_has_zero_mean_unit_variance_and_keeps_order():
    scores = whiten(logit(torch.tensor([0.1, 0.5, 0.8, 0.99])))
    assert abs(scores.mean().item()) < 1e-6 and abs(scores.std(unbiased=False).item() - 1) < 1e-5
    assert torch.equal(scores.argsort(), torch.arange(4))


def test_response_mask_stops_after_the_first_eos_and_gae_ignores_padding():
    answers = torch.tensor([[7, 2, 2, 0], [7, 8, 9, 5]])
    mask = response_mask(answers, eos_id=2)
    assert mask.tolist() == [[1, 1, 0, 0], [1, 1, 1, 1]]
    rewards = torch.tensor([[0.0, 1.0, 5.0, 5.0], [0.0, 0.0, 0.0, 1.0]])
    advantages, returns = gae(rewards, torch.zeros(2, 4), mask, gamma=1.0, lam=1.0)
    assert returns.tolist() == [[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]]


def share_of_low_ids(prompts, texts, answer_ids):
    """Toy reward: the share of answer tokens whose id is below 16,000 (half the vocabulary)."""
    share = torch.tensor([sum(i < 16_000 for i in ids) / max(len(ids), 1) for ids in answer_ids])
    share = share.clamp(0.02, 0.98)
    return share, share  # Rs = Rh, whichever one combined_reward picks


def test_ppo_raises_the_mean_reward_of_a_toy_reward_function(preference_version, tmp_path):
    # A low temperature makes the random tiny policy peaked, like a trained one (and its logprobs too).
    metrics = main(["--dataset", str(preference_version), "--output-dir", str(tmp_path / "ppo"),
                    "--max-steps", "10", "--batch-size", "16", "--mini-batch-size", "8",
                    "--lr", "1e-3", "--temperature", "0.05", "--max-new-tokens", "8",
                    "--no-save-model"], score_fn=share_of_low_ids)
    rewards = [record["reward"] for record in metrics["history"]]
    assert sum(rewards[-3:]) / 3 > sum(rewards[:2]) / 2 + 0.2
    assert sum(rewards[-3:]) / 3 > 0.8


def test_prompts_are_the_conversational_prompt_or_the_dialogue_before_its_answer():
    user = [{"role": "user", "content": "Hi?"}]
    rows = [{"prompt": user, "criterion": "safety"},
            {"messages": [*user, {"role": "assistant", "content": "Hello."}]}]
    assert prompts_of(rows) == [(user, True), (user, False)]
    with pytest.raises(InputError, match="`prompt` is text \\(TRL's standard format\\)"):
        prompts_of([{"prompt": "User: Hi?", "chosen": "Hello."}])
