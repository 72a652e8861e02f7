"""Which adapters exist and the order detection tries them in.

Three sources: the built-ins, the plugins of the entry-point group `curate.adapters` (loaded
once, when detection or a lookup first needs the list) and adapters `register`ed in-process.
Detection order is sorted by (priority, name, kind), never by import or registration order.
A plugin that fails to load is skipped with one warning on stderr naming it, so a broken
install cannot make every curate command fail.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from curate.adapters.base import Adapter
from curate.errors import InputError
from curate.kinds import KINDS

ENTRY_POINT_GROUP = "curate.adapters"
RESERVED_NAMES = ("curate",)  # curate's own records, recognised before any adapter


def as_adapter(obj: Any, *, origin: str) -> Adapter:
    """An Adapter instance from an instance or a subclass (instantiated without arguments),
    checked for what detection and lookup rely on; else an InputError naming `origin`."""
    if isinstance(obj, type) and issubclass(obj, Adapter):
        try:
            obj = obj()
        except TypeError as exc:  # abstract `convert`, or an __init__ that needs arguments
            raise InputError(f"{origin}: cannot instantiate {obj.__name__} ({exc}); implement "
                             "convert() and take no constructor arguments, or register an "
                             "instance") from exc
    if not isinstance(obj, Adapter):
        raise InputError(f"{origin}: {obj!r} is not a curate.adapters.Adapter subclass or "
                         "instance")
    name, kind = getattr(obj, "name", None), getattr(obj, "kind", None)
    if not isinstance(name, str) or not name or name in RESERVED_NAMES:
        raise InputError(f"{origin}: adapter name {name!r} is not usable; set `name` to a "
                         f"format name other than {', '.join(RESERVED_NAMES)}")
    if kind not in KINDS:
        raise InputError(f"{origin}: adapter {name} has kind {kind!r}; set `kind` to one of "
                         f"{', '.join(KINDS)}")
    if not hasattr(obj, "priority"):
        raise InputError(f"{origin}: adapter {name} declares no `priority`; set it to an int "
                         "(lower is tried first: NAMED_DATASET, GENERIC_FORMAT, TRL_COLUMNS in "
                         "curate.adapters.base) or NEVER to be chosen only by name")
    priority = obj.priority
    if priority is not None and (not isinstance(priority, int) or isinstance(priority, bool)):
        raise InputError(f"{origin}: adapter {name} has priority {priority!r}; it must be an "
                         "int or None (NEVER)")
    return obj


def detection_key(adapter: Adapter) -> tuple[int, str, str]:
    """Lower priority first, then by name and kind; NEVER (None) sorts last."""
    priority = sys.maxsize if adapter.priority is None else adapter.priority
    return priority, adapter.name, adapter.kind


class Registry:
    """The known adapters by (name, kind); one registered under a known name and kind replaces
    it (an in-process `register` is explicit code), a plugin that would is skipped."""

    def __init__(self, builtins: Iterable[Adapter], *, group: str | None = ENTRY_POINT_GROUP):
        self._by_key: dict[tuple[str, str], Adapter] = {}
        for adapter in builtins:
            self._add(as_adapter(adapter, origin=f"built-in {type(adapter).__name__}"))
        self._group = group  # None: no plugins (tests of the built-ins alone)
        self._sorted: list[Adapter] | None = None
        # Another thread waits for the plugins; a plugin's own import may call register().
        self._loading, self._plugins_loaded = threading.RLock(), group is None

    def register(self, adapter: Adapter | type[Adapter]) -> None:
        self._load_plugins()  # first, so that code registered in-process wins over a plugin
        self._add(as_adapter(adapter, origin="register()"))

    def adapters(self) -> list[Adapter]:
        """Every adapter: detection order first, then those never detected (by name)."""
        self._load_plugins()
        if self._sorted is None:
            self._sorted = sorted(self._by_key.values(), key=detection_key)
        return self._sorted

    def detection_order(self) -> list[Adapter]:
        return [a for a in self.adapters() if a.priority is not None]

    def _add(self, adapter: Adapter) -> None:
        self._by_key[adapter.name, adapter.kind] = adapter
        self._sorted = None

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        with self._loading:
            group, self._group = self._group, None  # once, even when a plugin fails
            if group is not None:  # None here: loaded meanwhile, or re-entered from a plugin
                self._load_group(group)
                self._plugins_loaded = True

    def _load_group(self, group: str) -> None:
        for entry in sorted(entry_points(group=group), key=_plugin_label):
            label = _plugin_label(entry)
            try:
                adapter = as_adapter(entry.load(), origin=label)
                known = self._by_key.get((adapter.name, adapter.kind))
                # a plugin's own import may have register()ed the same adapter: that is fine
                if known is not None and type(known) is not type(adapter):
                    raise InputError(f"{label}: format {adapter.name} ({adapter.kind}) is "
                                     "already defined; give the adapter another name")
            except InputError as exc:
                _warn_skipped(str(exc), entry)
            except Exception as exc:  # someone else's code failed to import: skip it, say so
                _warn_skipped(f"{label}: {type(exc).__name__}: {' '.join(str(exc).split())}",
                              entry)
            else:
                self._add(adapter)


def _plugin_label(entry: EntryPoint) -> str:
    return (f"adapter plugin `{entry.name} = {entry.value}` ({entry.group} entry point of "
            f"{_distribution(entry)})")


def _distribution(entry: EntryPoint) -> str:
    return entry.dist.name if entry.dist is not None else "an unknown distribution"


def _warn_skipped(problem: str, entry: EntryPoint) -> None:
    print(f"warning: skipped {problem}; fix or uninstall {_distribution(entry)}",
          file=sys.stderr)
