"""Sentences of the dataset card computed from the manifest: how the test split was drawn, in
which of TRL's formats the rows are, and the snippet that loads the version.

The load snippet sits between two markers that carry the version's tag, so that `card_for_repo`
can swap the folder's snippet for the Hub repo's once the version is pushed.
"""

from __future__ import annotations

import re
from typing import Any

LOAD_START, LOAD_END = "<!-- curate:load:start {tag} -->", "<!-- curate:load:end -->"
_LOAD = re.compile(r"<!-- curate:load:start (v\d+) -->\n.*?<!-- curate:load:end -->", re.S)
# The columns whose form differs between TRL's conversational and standard formats.
_FORMED = ("prompt", "chosen", "rejected", "messages", "completion")


def _share(fraction: float) -> str:
    return f"{100 * fraction:g}%"


def split_rule(split: dict[str, Any], manifest: dict[str, Any]) -> str:
    """The recipe's test-split rule in one sentence, then this version's numbers.

    >>> m = {"splits": {"train": 80, "test": 20}, "stats": {"by_source": {
    ...      "train": {"a": 72, "b": 8}, "test": {"a": 18, "b": 2}}}}
    >>> text = split_rule({"test": {"per_batch": 1000, "otherwise": 0.02}, "seed": 0}, m)
    >>> text.startswith("Up to 1,000 records of each weekly batch of a source go to test "
    ...                 "(Llama 2 holds out 1,000 of each batch), and 2% of the records that "
    ...                 "have no batch;")
    True
    >>> text.split(". ")[-1]
    'Here test holds 20 of 100 rows (20.0%): a 18 of 90, b 2 of 10.'
    """
    test, seed = split.get("test") or {}, split.get("seed", 0)
    per_batch, otherwise = test.get("per_batch"), test.get("otherwise") or 0.0
    if per_batch is None and not otherwise:
        return "There is no test split: every record is in train."
    if per_batch is None:
        rule = f"{_share(otherwise)} of the records go to test"
    else:
        rest = (f"and {_share(otherwise)} of the records that have no batch" if otherwise
                else "and records that have no batch stay in train")
        rule = (f"Up to {per_batch:,} records of each weekly batch of a source go to test "
                f"(Llama 2 holds out 1,000 of each batch), {rest}")
    n_test, total = manifest["splits"].get("test", 0), sum(manifest["splits"].values())
    by_source = manifest.get("stats", {}).get("by_source") or {}
    per_source = by_source.get("test") or {}
    rows = {name: sum(split.get(name, 0) for split in by_source.values()) for name in per_source}
    counts = ", ".join(f"{name} {n:,} of {rows[name]:,}" for name, n in
                       sorted(per_source.items(), key=lambda kv: (-kv[1], kv[0])))
    share = f"{100 * n_test / total:.1f}%" if total else "-"
    return (f"{rule}; which records follows from each one's split key (split seed {seed}), "
            "drawn before the mix samples, so changing the mix never moves a record between "
            f"train and test. Here test holds {n_test:,} of {total:,} rows ({share})"
            + (f": {counts}." if counts else "."))


def output_format(manifest: dict[str, Any]) -> str | None:
    """`conversational` or `standard` (TRL's dataset formats): the recipe's `output` when the
    manifest has it, else read off the shards' features (lists of messages or plain strings);
    None for rows in neither (versions built before the formats: messages and strings mixed).

    >>> output_format({"recipe": {"output": {"format": "standard"}}})
    'standard'
    >>> output_format({"recipe": {}, "dataset_info": {"features": [
    ...     {"name": "messages", "list": [{"name": "role", "dtype": "string"}]}]}})
    'conversational'
    """
    output = manifest["recipe"].get("output")
    if output:
        return output.get("format", "conversational")
    features = (manifest.get("dataset_info") or {}).get("features") or []
    forms = {"list" in f for f in features if f.get("name") in _FORMED}
    if forms == {True}:
        return "conversational"
    return "standard" if forms == {False} else None


def load_section(tag: str, *, splits: list[str], repo: str | None = None) -> str:
    """The card's "Load it" code: from the Hub repo at revision `tag`, or from the folder.

    >>> print(load_section("v3", splits=["train"], repo="org/safety"))
    <!-- curate:load:start v3 -->
    ```python
    from datasets import load_dataset
    <BLANKLINE>
    ds = load_dataset("org/safety", revision="v3")
    ```
    <BLANKLINE>
    The `revision` pins this version: a published version never changes.
    <!-- curate:load:end -->
    """
    if repo:
        code = f'ds = load_dataset("{repo}", revision="{tag}")'
        note = "The `revision` pins this version: a published version never changes."
    else:
        files = "".join(f'    "{split}": "data/{split}-*.parquet",\n' for split in splits)
        code = f'ds = load_dataset("parquet", data_files={{\n{files}}})'
        note = ("Run it in this version's folder (the one holding this README.md). The card "
                "that `curate push`\nuploads loads the version from its Hub repo instead.")
    return "\n".join([LOAD_START.format(tag=tag), "```python", "from datasets import load_dataset",
                      "", code, "```", "", note, LOAD_END])


def card_for_repo(card_text: str, repo: str) -> str:
    """The card with its load snippet naming the Hub repo `repo` (ORG/NAME): what a push
    uploads, while the README.md in the build folder keeps loading from the folder. Applied
    again, the later repo wins. Cards written before the markers get `"ORG/NAME"` replaced.

    >>> card = "# t\\n\\n" + load_section("v1", splits=["train"]) + "\\n\\n## Next\\n"
    >>> pushed = card_for_repo(card, "org/t")
    >>> 'load_dataset("org/t", revision="v1")' in pushed, "data_files" in pushed
    (True, False)
    >>> card_for_repo(pushed, "org/u") == card_for_repo(card, "org/u")
    True
    """
    match = _LOAD.search(card_text)
    if match is None:
        return card_text.replace('"ORG/NAME"', f'"{repo}"')
    section = load_section(match.group(1), splits=[], repo=repo)
    return card_text[:match.start()] + section + card_text[match.end():]
