"""Adapters from public formats into curate records; `get_adapter(name)` and `detect(row)`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.adapters.alpaca import Alpaca
from curate.adapters.alpaca_eval import AlpacaEvalOutputs, AlpacaEvalPairs
from curate.adapters.base import Adapter, Reject, Skip
from curate.adapters.chatbot_arena import ChatbotArena
from curate.adapters.gptj_pairwise import GPTJPairwise
from curate.adapters.helpsteer2 import HelpSteer2Preference
from curate.adapters.hh_rlhf import HHRLHF
from curate.adapters.mapping import ColumnMapping
from curate.adapters.native import Native, native_kind
from curate.adapters.nectar import Nectar
from curate.adapters.oasst import OASST, OASSTSFT, OASSTBestPath
from curate.adapters.openai_chat import OpenAIChat
from curate.adapters.openai_summarize import OpenAISummarize
from curate.adapters.openai_webgpt import OpenAIWebGPT
from curate.adapters.pku_saferlhf import PKUSafeRLHF
from curate.adapters.registry import Registry
from curate.adapters.self_instruct import SelfInstruct
from curate.adapters.stack_exchange import StackExchangePaired
from curate.adapters.stanford_shp import StanfordSHP
from curate.adapters.trl import TRLSFT, TRLPreference
from curate.adapters.ultrafeedback import UltraFeedback
from curate.errors import InputError

# Detection order comes from each adapter's declared `priority` (curate.adapters.base), not
# from this list: named datasets, then generic layouts, then TRL's catch-all columns.
BUILTIN_ADAPTERS: tuple[Adapter, ...] = (
    Alpaca(), GPTJPairwise(), HHRLHF(), OpenAIChat(), OpenAISummarize(), OpenAIWebGPT(),
    PKUSafeRLHF(), SelfInstruct(), StackExchangePaired(), StanfordSHP(), TRLPreference(), TRLSFT(),
    AlpacaEvalPairs(), AlpacaEvalOutputs(), HelpSteer2Preference(), Nectar(), UltraFeedback(),
    ChatbotArena(), OASST(), OASSTSFT(), OASSTBestPath())
_registry = Registry(BUILTIN_ADAPTERS)


def register(adapter: Adapter | type[Adapter]) -> None:
    """Add an adapter in this process (plugins use the `curate.adapters` entry-point group).

    It takes its place in detection by its `priority`; one with the name and kind of a known
    adapter replaces it. See docs/adapters.md.
    """
    _registry.register(adapter)


def detection_order() -> list[Adapter]:
    """The adapters detection tries, in order (those with priority NEVER are left out)."""
    return list(_registry.detection_order())


def adapter_names() -> list[str]:
    return ["curate"] + sorted({a.name for a in _registry.adapters()})


def get_adapter(name: str | Adapter | ColumnMapping, *, kind: str | None = None,
                row: Mapping[str, Any] | None = None) -> Adapter:
    """The adapter for a format name, a column mapping (or its YAML file), or an adapter.

    Where several adapters share a name (`trl`, `alpaca-eval`: one per record kind), `kind`
    picks; without it, the first raw `row` does: the adapter whose `sniff` accepts it, else
    a `chosen` column means comparisons; else the first one.
    """
    if isinstance(name, Adapter):
        return name
    if isinstance(name, ColumnMapping):
        return name.adapter()
    if name.endswith((".yaml", ".yml")):
        return ColumnMapping.read_yaml(name).adapter()
    if name == "curate":
        return Native(kind or "preference")
    named = [a for a in _registry.adapters() if a.name == name]
    if kind is None and row is not None and len(named) > 1:
        sniffed = [a.kind for a in named if a.sniff(row)]
        kind = sniffed[0] if sniffed else (
            "preference" if "chosen" in row or "rejected" in row else "sft")
    for adapter in named:
        if kind is None or adapter.kind == kind:
            return adapter
    if named:
        return named[0]  # the caller reports the kind mismatch with its context
    raise InputError(f"unknown format {name!r}; known formats: {', '.join(adapter_names())}")


def needs_row(name: object) -> bool:
    """True when a format name stands for several record kinds, so a row must pick one."""
    return sum(a.name == name for a in _registry.adapters()) > 1


def detect(row: Mapping[str, Any], *, where: str) -> Adapter:
    """The adapter for a raw row, or an InputError listing what the row's fields look like."""
    kind = native_kind(row)
    if kind:
        return Native(kind)
    for adapter in _registry.detection_order():
        if adapter.sniff(row):
            return adapter
    raise InputError(f"{where}: cannot tell the format from the fields "
                     f"{sorted(row)[:12]}; pass --format (one of {', '.join(adapter_names())}) "
                     "or a column mapping")


__all__ = ["Adapter", "ColumnMapping", "Reject", "Skip", "adapter_names", "detect", "detection_order",
           "get_adapter", "needs_row", "register"]
