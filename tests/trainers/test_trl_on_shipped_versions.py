"""TRL's SFTTrainer, RewardTrainer and DPOTrainer each train on a freshly built shipped version,
handed over as `curate.build` wrote it: the version's own `datasets.Dataset`, no column renamed,
converted or added (issue 15: "what curate builds, the ecosystem takes unchanged")."""

from __future__ import annotations

import pytest
import trl

import curate
from trainers import dpo, reward, sft
from trainers.data import trl_format

N_STEPS = 2


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """sft_v1 and safety_rm_v3 built from the bundled samples, in a fresh CURATE_HOME."""
    mp = pytest.MonkeyPatch()
    mp.setenv("CURATE_HOME", str(tmp_path_factory.mktemp("home")))
    out = tmp_path_factory.mktemp("build")
    try:
        return {r: curate.build(r, out=out, progress=False) for r in ("sft_v1", "safety_rm_v3")}
    finally:
        mp.undo()


@pytest.fixture
def handed_to_trl(monkeypatch):
    """The train_dataset each TRL trainer receives: the real trainers, recording their input."""
    seen = {}

    def recording(real):
        class Recording(real):
            def __init__(self, *args, train_dataset, **kwargs):
                seen[real.__name__] = train_dataset
                super().__init__(*args, train_dataset=train_dataset, **kwargs)
        return Recording

    for name in ("SFTTrainer", "RewardTrainer", "DPOTrainer"):
        monkeypatch.setattr(trl, name, recording(getattr(trl, name)))
    return seen


def assert_handed_over_as_built(dataset, version, n_rows: int) -> None:
    as_built = version.dataset["train"]
    assert dataset.features == as_built.features  # every column, its name and type as built
    assert dataset.to_list() == as_built.select(range(n_rows)).to_list()


def test_sft_trainer_runs_on_sft_v1_as_built(built, handed_to_trl, tmp_path):
    version = built["sft_v1"]
    assert trl_format(version.dataset["train"], ("messages",)) == "conversational"
    metrics = sft.main(["--dataset", str(version.path), "--output-dir", str(tmp_path), "--max-steps",
                        str(N_STEPS), "--max-train-dialogues", "32", "--max-test-dialogues", "8",
                        "--seq-len", "64", "--no-save-model"])
    assert metrics["steps"] == N_STEPS and metrics["loss"] > 0 and metrics["eval_loss"] > 0
    assert_handed_over_as_built(handed_to_trl["SFTTrainer"], version, 32)


def test_reward_trainer_runs_on_safety_rm_v3_as_built_with_its_margin(built, handed_to_trl, tmp_path):
    version = built["safety_rm_v3"]
    assert trl_format(version.dataset["train"], ("prompt", "chosen", "rejected")) == "conversational"
    metrics = reward.main(["--dataset", str(version.path), "--output-dir", str(tmp_path),
                           "--max-steps", str(N_STEPS), "--batch-size", "4", "--micro-batch-size", "4",
                           "--max-test-pairs", "16", "--no-save-model"])
    assert metrics["steps"] == N_STEPS and metrics["n_train"] == 8 and metrics["n_test"] == 16
    assert set(metrics["accuracy_by_safety_category"]) <= {"1", "2", "3", "none"}
    handed = handed_to_trl["RewardTrainer"]
    assert_handed_over_as_built(handed, version, 8)
    assert "margin" in handed.column_names and set(handed["margin"]) <= {0.0, 1.0, 2.0, 3.0}


def test_dpo_trainer_runs_on_safety_rm_v3_as_built(built, handed_to_trl, tmp_path):
    version = built["safety_rm_v3"]
    metrics = dpo.main(["--dataset", str(version.path), "--output-dir", str(tmp_path),
                        "--max-steps", str(N_STEPS), "--batch-size", "1", "--micro-batch-size", "1",
                        "--max-test-pairs", "2", "--max-length", "1024", "--no-save-model"])
    assert metrics["steps"] == N_STEPS and metrics["n_train"] > 0 and metrics["n_test"] > 0
    assert_handed_over_as_built(handed_to_trl["DPOTrainer"], version, 2)
