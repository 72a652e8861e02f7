"""The recipe model: one YAML file per dataset version, validated here (data, not code).

>>> recipe = Recipe.model_validate({
...     "name": "demo", "version": 1, "kind": "preference", "seed": 7,
...     "sources": {"a": {"path": "a.jsonl", "format": "curate"}},
...     "mix": [{"group": "all", "from": ["a"], "take": "all"}]})
>>> recipe.id, recipe.mix[0].take
('demo_v1', 'all')
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from curate.errors import InputError

MANDATORY_EXCLUSIONS = ("bad_field", "user_data")  # contract, and Llama 2 used no user data
DEFAULT_EXCLUSIONS = ("safety_category_4",)  # excluded unless the recipe says `keep:`


class RecipeError(InputError):
    """A recipe that is malformed or cannot be met (unusable input: exit 2)."""


_PLAIN_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,99}")  # a folder name that stays in OUT
# A Hub repo id as the Hub accepts it: ORG/NAME, letters, digits, '-', '_', '.'.
HUB_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}")
ORIGINS = ("catalog", "path", "synth", "hub")  # where a source's records come from: one of them


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SourceSpec(_Strict):
    """Where a source's records come from: a catalog entry, files, the sample generator, or a
    dataset repo on the Hub at a revision (resolved to a commit by the build, pinned by
    `curate lock`).

    >>> SourceSpec(hub="Anthropic/hh-rlhf", files="harmless-base/*.jsonl.gz").revision is None
    True
    """

    catalog: str | None = Field(None, description="Name of an entry of the catalog.yaml "
                                "beside the recipe.")
    path: str | list[str] | None = Field(None, description="A file, a glob or a list of them; "
                                         "relative paths are from the recipe's folder.")
    synth: str | None = Field(None, description="A sample dataset made by `curate synth`.")
    hub: str | None = Field(None, description="A dataset repo ORG/NAME on the Hub (HF_ENDPOINT, "
                            "else huggingface.co); its files are downloaded into the HF cache.")
    revision: str | None = Field(None, description="With `hub:`: a commit, tag or branch "
                                 "(default: main); the build resolves it to a commit, or uses "
                                 "the one in the recipe's lock file.")
    files: str | list[str] | None = Field(None, description="With `hub:`: a glob or a list of "
                                          "globs of paths inside the repo (default: every data "
                                          "file: .jsonl, .json, .ndjson, .parquet, maybe .gz).")
    format: str | None = Field(None, description="Input format; detected when omitted.")
    format_options: dict[str, Any] = Field(
        default_factory=dict, description="Settings of the format (those its adapter declares, "
        "e.g. {lang: en} for oasst); a catalog entry's, updated by the recipe's.")
    set: dict[str, Any] = Field(default_factory=dict, description="Fields to fill for every "
                                "record (e.g. criterion: safety for HH-RLHF): text, a number, "
                                "true/false or null.")
    description: str | None = None
    license: str | None = None
    sample: bool = Field(False, description="True for the project's bundled sample data.")

    @field_validator("set")
    @classmethod
    def check_set_values_are_single(cls, values: dict[str, Any]) -> dict[str, Any]:
        for key, value in values.items():
            if not isinstance(value, (str, int, float, bool, type(None))):
                raise ValueError(f"`{key}` is {type(value).__name__} {value!r}, but a field is "
                                 "set to one value (text, a number, true/false or null)")
        return values

    @field_validator("hub")
    @classmethod
    def check_hub_is_a_repo_id(cls, repo: str | None) -> str | None:
        if repo is not None and (not HUB_REPO.fullmatch(repo) or ".." in repo):
            raise ValueError(f"hub {repo!r} is not a dataset repo id: write ORG/NAME, e.g. "
                             "Anthropic/hh-rlhf")
        return repo

    @field_validator("path")
    @classmethod
    def check_hf_paths_parse(cls, paths: str | list[str] | None) -> str | list[str] | None:
        """A malformed hf:// path is refused here, where the error names the recipe and the
        source, not when the build reaches it."""
        from curate.hub.refs import is_hf_path, parse_hf_path

        for path in [paths] if isinstance(paths, str) else paths or []:
            if is_hf_path(path):
                try:
                    parse_hf_path(path)
                except InputError as exc:
                    raise ValueError(str(exc)) from None
        return paths

    @field_validator("revision")
    @classmethod
    def check_revision_is_not_empty(cls, revision: str | None) -> str | None:
        if revision is not None and not revision.strip():  # not silently main
            raise ValueError("revision is empty: write a branch, tag or commit (e.g. revision: "
                             "main), or leave `revision:` out for main")
        return revision

    @field_validator("files")
    @classmethod
    def check_files_are_repo_globs(cls, files: str | list[str] | None) -> str | list[str] | None:
        if files == []:  # not silently every data file
            raise ValueError("files is an empty list: write globs inside the repo (e.g. files: "
                             "[data/*.jsonl]), or leave `files:` out for every data file")
        for pattern in [files] if isinstance(files, str) else files or []:
            if not pattern.strip() or pattern.startswith("/") or ".." in pattern.split("/"):
                raise ValueError(f"files {pattern!r} is not a glob inside the repo: write a "
                                 "relative pattern such as data/*.jsonl.gz")
        return files

    @model_validator(mode="after")
    def check_one_origin(self) -> SourceSpec:
        given = [k for k in ORIGINS if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(f"give exactly one of catalog, path, synth or hub (got "
                             f"{given or 'none'})")
        stray = [k for k in ("revision", "files") if getattr(self, k) is not None]
        if stray and not self.hub:
            raise ValueError(f"{' and '.join(stray)} go with `hub: ORG/NAME` only; for files "
                             "on disk use `path:`")
        return self


class MixGroup(_Strict):
    """One group of the mix. Sizing: `take: all`, `share`, `n_rows` or `fraction`."""

    group: str
    from_: list[str] = Field(alias="from", min_length=1)
    take: Literal["all"] | None = Field(None, description="Every record of these sources.")
    share: float | None = Field(None, gt=0, lt=1, description="This group's share of the final "
                                "mix, sized from the groups taken in full.")
    n_rows: int | None = Field(None, gt=0, description="An absolute number of records.")
    fraction: float | None = Field(None, gt=0, le=1, description="A fraction of the group's records.")
    uniform: Literal["pooled", "per_source"] = Field(
        "pooled", description="Sample over the pooled records, or in equal parts per source.")

    @model_validator(mode="after")
    def check_sizing(self) -> MixGroup:
        sizes = [k for k in ("share", "n_rows", "fraction") if getattr(self, k) is not None]
        if self.take == "all" and {"n_rows", "fraction"} & set(sizes):
            raise ValueError(f"group {self.group}: `take: all` cannot be combined with {sizes}")
        if self.take is None and len(sizes) != 1:
            raise ValueError(f"group {self.group}: give `take: all` or exactly one of share, "
                             f"n_rows, fraction (got {sizes or 'none'})")
        return self


class TestSplit(_Strict):
    per_batch: int | None = Field(None, ge=0, description="Up to this many records of each "
                                  "weekly batch go to test (Llama 2: 1,000).")
    otherwise: float = Field(0.0, ge=0, lt=1, description="Test fraction of records with no batch.")


class Split(_Strict):
    test: TestSplit = Field(default_factory=TestSplit)
    seed: int = Field(0, description="Split seed; independent of the mix seed so that changing "
                      "the mix never moves a record between train and test.")


class Requires(_Strict):
    latest_batch_from: str | None = Field(None, description="The newest batch of each batched "
                                          "source must come from this model iteration.")


class Output(_Strict):
    """How the version's rows are written: one of TRL's dataset formats (curate.kinds)."""

    format: Literal["conversational", "standard"] = Field(
        "conversational", description="conversational: dialogues and responses as lists of "
        "{role, content} messages (TRL's conversational preference / language modeling); "
        "standard: plain strings, the dialogue as one transcript text (TRL's standard "
        "preference / prompt-completion), for a user who applies a chat template themselves.")


class Recipe(_Strict):
    name: str = Field(description="Plain identifier naming the folder OUT/NAME/ (lowercase "
                      "letters, digits, `_`, `.`, `-`).")
    version: int = Field(ge=1, le=1_000_000, strict=True, description="Positive integer: the "
                         "folder OUT/NAME/vN/ and the tag vN.")
    kind: Literal["preference", "sft"]
    description: str = ""
    seed: int = 0
    sources: dict[str, SourceSpec]
    mix: list[MixGroup] = Field(min_length=1)
    exclude: list[str] = Field(default_factory=list, description="Check reasons whose records "
                               "are excluded (bad_field and user_data always are).")
    keep: list[str] = Field(default_factory=list, description="Reasons excluded by default "
                            "that this recipe keeps (only safety_category_4).")
    split: Split = Field(default_factory=Split)
    margin: Literal["small", "large", "none"] = "none"
    requires: Requires = Field(default_factory=Requires)
    output: Output = Field(default_factory=Output)
    rows_per_shard: int = Field(50_000, gt=0, description="Rows per Parquet shard (~150 MB "
                                "of Table 6-sized text; two are encoded at a time).")
    publish: dict[str, Any] | None = Field(None, description="Publish target, e.g. {repo: org/name}.")

    @property
    def id(self) -> str:
        return f"{self.name}_v{self.version}"

    @field_validator("name")
    @classmethod
    def check_name_is_plain(cls, name: str) -> str:
        if not _PLAIN_NAME.fullmatch(name) or ".." in name:
            raise ValueError(f"recipe name {name!r} must be a plain identifier (it names the "
                             "folder OUT/NAME/): 1-100 lowercase letters, digits, '_', '.' or "
                             "'-', starting with a letter or digit, no '..' and no '/'; e.g. "
                             "safety_rm")
        return name

    @model_validator(mode="after")
    def check_groups_cover_sources(self) -> Recipe:
        seen: dict[str, str] = {}
        for group in self.mix:
            for source in group.from_:
                if source not in self.sources:
                    raise ValueError(f"group {group.group} takes from unknown source {source!r}; "
                                     f"sources: {', '.join(self.sources)}")
                if source in seen:
                    raise ValueError(f"source {source!r} is in groups {seen[source]} and "
                                     f"{group.group}; a source belongs to one group")
                seen[source] = group.group
        unused = [s for s in self.sources if s not in seen]
        if unused:
            raise ValueError(f"sources {unused} are in no mix group; add them to one or remove them")
        return self

    def excluded_reasons(self, known: list[str]) -> list[str]:
        """The check reasons this recipe excludes, in check order."""
        unknown = [r for r in self.exclude + self.keep if r not in known]
        if unknown:
            raise RecipeError(f"{self.id}: unknown reasons {unknown}; known: {', '.join(known)}")
        forced = [r for r in self.keep if r in MANDATORY_EXCLUSIONS]
        if forced:
            raise RecipeError(f"{self.id}: cannot keep {forced}: contract violations and user "
                              "data are always excluded")
        wanted = (set(self.exclude) | set(MANDATORY_EXCLUSIONS) | set(DEFAULT_EXCLUSIONS)) - set(
            self.keep)
        return [r for r in known if r in wanted]
