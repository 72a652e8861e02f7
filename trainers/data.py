"""The trainers' dataset: a version reference opened by curate.version, a split as TRL takes it.

`--dataset` takes what `curate.open_version` takes: a build folder (`out/safety_rm/v3`), NAME_vN
(under ./build), or ORG/NAME@vN / ORG/NAME@<commit>: from the Hub at $HF_ENDPOINT when that is
set, else from the local registry ($CURATE_HOME/hub, where `curate push` puts versions).

A split is the version's own `datasets.Dataset` (`version.dataset["train"]`), handed to TRL with no
column renamed or converted: a version is written in one of TRL's dataset formats, conversational
(lists of messages) or standard (texts). `trl_format` names which, and refuses a split that mixes
them (a `prompt` of messages with `chosen` texts trains neither format).

>>> resolve_dataset("not a dataset")
Traceback (most recent call last):
...
curate.errors.InputError: 'not a dataset': not a version; pass a build folder (holding manifest.json), NAME_vN (a folder under --out), ORG/NAME@vN or ORG/NAME@<commit> (the local registry, or a Hub)
>>> import datasets
>>> trl_format(datasets.Dataset.from_list([{"prompt": "Hi?", "chosen": "Hello."}]), ("prompt", "chosen"))
'standard'
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Literal

import datasets

from curate.errors import InputError
from curate.version import Version, open_version


def resolve_dataset(spec: str) -> Version:
    """The version `spec` names (see the module docstring)."""
    return open_version(spec, endpoint=os.environ.get("HF_ENDPOINT") or None,
                        token=os.environ.get("HF_TOKEN") or None)


def load_split(version: Version, split: str, *, n_rows: int | None = None,
               required: bool = True) -> datasets.Dataset | None:
    """The version's `split` as a `datasets.Dataset`, its columns as built; the first `n_rows`
    rows when given (a version's rows are in sampling-key order, so they are a uniform sample).

    A split the manifest does not list is an InputError, or None when `required` is False.
    """
    if split not in version.manifest.splits:
        if not required:
            return None
        raise InputError(f"dataset {version} has no {split!r} split (its manifest lists "
                         f"{sorted(version.manifest.splits)}); build the version with a {split} "
                         "split or pick another dataset")
    dataset = version.dataset[split]
    if n_rows:
        dataset = dataset.select(range(min(n_rows, len(dataset))))
    return dataset


def _is_messages(feature: object) -> bool:
    """A list of {"role", "content"} structs: TRL's conversational form of a column."""
    inner = getattr(feature, "feature", None)
    return isinstance(feature, datasets.List) and isinstance(inner, dict) and "role" in inner


def trl_format(dataset: datasets.Dataset, columns: Sequence[str], *,
               label: str = "the dataset") -> Literal["conversational", "standard"]:
    """TRL's format of `columns`: all lists of messages (conversational) or all texts (standard).

    InputError, naming `label`, when a column is missing or the columns mix the two forms.
    """
    missing = [c for c in columns if c not in dataset.column_names]
    if missing:
        raise InputError(f"{label} lacks columns {missing} (has {dataset.column_names}); this "
                         f"trainer needs {list(columns)}: use a version of the right kind "
                         "(preference for reward.py, dpo.py and ppo.py; SFT for sft.py)")
    as_messages = {c: _is_messages(dataset.features[c]) for c in columns}
    if all(as_messages.values()):
        return "conversational"
    if not any(as_messages.values()):
        return "standard"
    messages = [c for c, is_list in as_messages.items() if is_list]
    texts = [c for c, is_list in as_messages.items() if not is_list]
    raise InputError(f"{label}: columns {messages} are lists of messages but {texts} are not: TRL reads "
                     "either all as messages (conversational) or all as texts (standard); "
                     "rebuild the version with this curate, which writes one of the two")


def load_pairs(version: Version, *, n_train: int | None,
               n_test: int | None) -> tuple[datasets.Dataset, datasets.Dataset]:
    """The train and test splits of a preference version (the first `n_train` / `n_test` pairs
    when given), checked to hold `prompt`, `chosen` and `rejected` in one TRL format."""
    train = load_split(version, "train", n_rows=n_train)
    trl_format(train, ("prompt", "chosen", "rejected"), label=f"dataset {version} (train)")
    return train, load_split(version, "test", n_rows=n_test)


def require_rows(version: Version, splits: dict[str, datasets.Dataset], *, max_length: int) -> None:
    """InputError when TRL's preparation left a split empty (it leaves out pairs longer than
    `max_length` tokens, or whose prompt alone fills them)."""
    empty = [name for name, rows in splits.items() if not len(rows)]
    if empty:
        raise InputError(f"dataset {version}: no {' or '.join(empty)} pair fits in --max-length "
                         f"{max_length} tokens; raise --max-length")
