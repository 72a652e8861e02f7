"""The Llama 2 chat template in TRL's SFT pipeline: labels only on answers, packed or not."""

from __future__ import annotations

import datasets
import trl

from trainers.loop import trl_arguments
from trainers.models import load_causal_lm, load_tokenizer, pick_runtime
from trainers.sft import SFTOptions

IGNORE_INDEX = -100  # the label torch's cross-entropy skips
DIALOGUE = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Name a colour of the sky."},
    {"role": "assistant", "content": "Blue."},
    {"role": "user", "content": "And at night?"},
    {"role": "assistant", "content": "Black, with stars."},
]
DIALOGUES = [DIALOGUE[1:3], DIALOGUE, DIALOGUE[:3]]


def prepared(tmp_path, *, packing: bool, seq_len: int) -> tuple[datasets.Dataset, object]:
    """TRL's tokenized train rows for DIALOGUES, with the options sft.py passes."""
    tokenizer, runtime = load_tokenizer(), pick_runtime()
    options = SFTOptions(dataset="-", output_dir=str(tmp_path), batch_size=1, max_steps=1)
    args = trl.SFTConfig(**trl_arguments(options, tmp_path, runtime, schedule="cosine"),
                         max_length=seq_len, packing=packing, packing_strategy="wrapped",
                         assistant_only_loss=True)
    trainer = trl.SFTTrainer(model=load_causal_lm("tiny", tokenizer=tokenizer, runtime=runtime),
                             args=args, processing_class=tokenizer,
                             train_dataset=datasets.Dataset.from_dict({"messages": DIALOGUES}))
    return trainer.train_dataset, tokenizer


def labelled(ids: list[int], labels: list[int]) -> list[int]:
    return [i for i, label in zip(ids, labels) if label != IGNORE_INDEX]


def test_labels_cover_exactly_the_assistant_answers_and_their_eos(tmp_path):
    rows, tokenizer = prepared(tmp_path, packing=False, seq_len=512)
    ids, labels = rows[1]["input_ids"], rows[1]["labels"]
    assert all(label in (IGNORE_INDEX, i) for i, label in zip(ids, labels))
    assert tokenizer.decode(labelled(ids, labels)) == "Blue. </s> Black, with stars. </s>"
    prompt_text = tokenizer.decode([i for i, label in zip(ids, labels) if label == IGNORE_INDEX])
    for turn in DIALOGUE:
        assert (turn["content"] in prompt_text) == (turn["role"] != "assistant")


def test_packed_blocks_keep_labels_only_on_answer_tokens(tmp_path):
    whole, tokenizer = prepared(tmp_path / "whole", packing=False, seq_len=512)
    blocks, _ = prepared(tmp_path / "packed", packing=True, seq_len=16)
    n_tokens = sum(len(ids) for ids in whole["input_ids"])
    assert [len(ids) for ids in blocks["input_ids"]] == [16] * (n_tokens // 16) + [n_tokens % 16]
    # examples cross block borders intact, ids and labels cut together (Llama 2's concatenation)
    assert sum(blocks["input_ids"], []) == sum(whole["input_ids"], [])
    assert sum(blocks["labels"], []) == sum(whole["labels"], [])
    answers = tokenizer.decode([i for ids, labels in zip(blocks["input_ids"], blocks["labels"])
                                for i in labelled(ids, labels)])
    assert answers == "Blue. </s> Blue. </s> Black, with stars. </s> Blue. </s>"
