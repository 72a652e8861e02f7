"""Tiny built versions in the real layout (data/<split>-00000-of-00001.parquet, manifest, card).

The trainer tests need torch + transformers (extra `[train]`) and the real Llama 2 tokenizer from
../shared/data/tokenizers; they skip only when ../shared is absent.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.version_fixtures import write_manifest

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
if not SHARED.exists():
    pytest.skip("../shared (the Llama 2 tokenizer) is absent", allow_module_level=True)

MESSAGE = pa.struct([("role", pa.string()), ("content", pa.string())])
# TRL's conversational preference format, as curate writes a preference version: `chosen` and
# `rejected` one assistant message each
PREFERENCE_SCHEMA = pa.schema([
    ("prompt", pa.list_(MESSAGE)), ("chosen", pa.list_(MESSAGE)), ("rejected", pa.list_(MESSAGE)),
    ("margin", pa.float64()), ("degree", pa.string()), ("criterion", pa.string()),
    ("safety_category", pa.int8()), ("uid", pa.string()), ("source", pa.string()),
    ("batch", pa.string()),  # a metadata column the trainers must ignore
])
SFT_SCHEMA = pa.schema([("messages", pa.list_(MESSAGE)), ("source", pa.string()), ("uid", pa.string())])

# Llama 2, Table 27, "small" margin per degree
SMALL_MARGIN = {"significantly_better": 1.0, "better": 2 / 3, "slightly_better": 1 / 3,
                "negligibly_better": 0.0}
TOPICS = ["tea", "rain", "maths", "bread", "chess", "rivers", "birds", "music", "cars", "stars",
          "trees", "coffee", "boats", "clocks", "glass", "honey"]


def write_version(root: Path, *, schema: pa.Schema, train: list[dict[str, Any]],
                  test: list[dict[str, Any]]) -> Path:
    """Write a built version folder the way `curate build` lays it out."""
    (root / "data").mkdir(parents=True)
    for split, rows in (("train", train), ("test", test)):
        pq.write_table(pa.Table.from_pylist(rows, schema=schema),
                       root / "data" / f"{split}-00000-of-00001.parquet")
    (root / "README.md").write_text("# fixture\n")
    write_manifest(root, name=root.parent.name, version=int(root.name[1:]),
                   kind="sft" if {"messages", "completion"} & set(schema.names) else "preference")
    return root


def answer(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


def toy_preference_rows(n_rows: int, *, seed: int) -> list[dict[str, Any]]:
    """Separable pairs: the chosen answer is helpful and kind, the rejected one curt and rude."""
    rng = random.Random(seed)
    rows = []
    for i in range(n_rows):
        topic = rng.choice(TOPICS)
        degree = rng.choice([*SMALL_MARGIN, None])
        category = rng.choice([1, 2, 3, None])
        prompt = [{"role": "user", "content": f"Can you tell me something about {topic}?"}]
        if rng.random() < 0.3:  # some multi-turn dialogues
            prompt = [{"role": "user", "content": "Hello there."},
                      {"role": "assistant", "content": "Hi! How can I help?"}, *prompt]
        rows.append({
            "prompt": prompt,
            "chosen": answer(f"Of course! Here is a short, friendly note about {topic}. Happy to help more."),
            "rejected": answer(f"No. {topic} is boring, stop asking me stupid things."),
            "margin": SMALL_MARGIN[degree] if degree else 0.0, "degree": degree,
            "criterion": "safety" if category else "helpfulness", "safety_category": category,
            "uid": f"{seed}-{i:04d}", "source": "toy", "batch": "2023-W14",
        })
    return rows


@pytest.fixture
def preference_version(tmp_path: Path) -> Path:
    return write_version(tmp_path / "toy_rm" / "v1", schema=PREFERENCE_SCHEMA,
                         train=toy_preference_rows(96, seed=1), test=toy_preference_rows(48, seed=2))


def toy_sft_rows(n_rows: int, *, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n_rows):
        topic = rng.choice(TOPICS)
        messages = [{"role": "user", "content": f"Write one line about {topic}."},
                    {"role": "assistant", "content": f"{topic.title()} make the day better."}]
        if rng.random() < 0.5:
            messages = [{"role": "system", "content": "Be brief."}, *messages,
                        {"role": "user", "content": "Another?"},
                        {"role": "assistant", "content": f"I like {topic}."}]
        rows.append({"messages": messages, "source": "toy", "uid": f"{seed}-{i:04d}"})
    return rows


@pytest.fixture
def sft_version(tmp_path: Path) -> Path:
    return write_version(tmp_path / "toy_sft" / "v1", schema=SFT_SCHEMA,
                         train=toy_sft_rows(40, seed=1), test=toy_sft_rows(8, seed=2))
