"""What an adapter is: a pure mapping from one raw source row to zero or more record dicts.

An adapter never reads files (curate.io does) and never drops a row silently: it returns
records, or raises `Reject` with a stable reason, the offending field and a fix.
Writing one (and shipping it as a plugin): docs/adapters.md.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError

from curate.errors import InputError
from curate.io.yamlsafe import validation_message
from curate.preview import preview


class Reject(Exception):
    """A raw row that cannot become a record (it is counted and reported, not dropped)."""

    def __init__(self, message: str, *, field: str | None = None, reason: str = "bad_field") -> None:
        super().__init__(message)
        self.message, self.field, self.reason = message, field, reason


class Skip(Reject):
    """A raw row left out on purpose by a format's or a mapping's rule (a `where:` filter, a
    deleted OpenAssistant message): counted with its reason, but not an invalid record, so
    `curate validate` does not fail on it."""


# Detection priority: lower is tried first; ties go by name (then kind), so the order never
# depends on import or registration order. Curate's own records are recognised before any
# adapter is tried.
NAMED_DATASET = 100  # one public dataset's own fields, which no other format uses together
GENERIC_FORMAT = 200  # a layout many datasets share (alpaca, OpenAI chat)
TRL_COLUMNS = 300  # TRL's generic columns: the catch-all for prompt/chosen/rejected rows
NEVER: None = None  # never claims a row by sniffing: chosen only by name (`--format`)


class Adapter(ABC):
    """Base class: subclasses set `name`, `kind`, `priority` (and `fields` or `sniff`), and
    implement `convert`.

    `priority` places the adapter in detection (lower first, see NAMED_DATASET,
    GENERIC_FORMAT, TRL_COLUMNS), or is NEVER for a format that must be named;
    `defaults_for(path)` gives field values the file's path implies.
    """

    name: ClassVar[str]
    kind: ClassVar[str]  # "preference" or "sft"
    priority: ClassVar[int | None]  # declared by every adapter; checked on registration
    fields: ClassVar[tuple[str, ...]] = ()  # raw fields that identify the format (for sniffing)
    # Every raw column the adapter reads; the others are ignored, and `curate validate` lists
    # them once. None: not declared, nothing is listed.
    columns: ClassVar[tuple[str, ...] | None] = None
    description: ClassVar[str] = ""
    # True: curate hands `convert_file` all the rows of a file at once, for formats whose
    # records span rows (OpenAssistant's flat message lists); `convert` is then unused by reading.
    whole_file: ClassVar[bool] = False
    # The settings a recipe's `format_options:` or `--format-option` may give (a pydantic
    # model whose fields are the constructor's keywords); None: the format takes none.
    options: ClassVar[type[BaseModel] | None] = None

    def configured(self, options: Mapping[str, Any]) -> Adapter:
        """This format with `options` applied (validated by its `options` model).

        >>> from curate.adapters import get_adapter
        >>> get_adapter("oasst").configured({"lang": "en"}).langs
        frozenset({'en'})
        """
        if not options:
            return self
        if self.options is None:
            raise InputError(f"format {self.name} takes no options (got {sorted(options)}); "
                             "remove them")
        try:
            settings = self.options.model_validate(dict(options))
        except ValidationError as exc:
            allowed = ", ".join(self.options.model_fields)
            raise InputError(f"format {self.name}: bad option ({validation_message(exc)}); "
                             f"its options: {allowed}") from None
        return type(self)(**settings.model_dump())

    def sniff(self, row: Mapping[str, Any]) -> bool:
        """True when a raw row looks like this format (all identifying fields present; other
        columns do not matter)."""
        return bool(self.fields) and all(f in row for f in self.fields)

    def ignored_columns(self, names: Iterable[str]) -> list[str]:
        """The raw column names (a row, or every name a file's rows hold) this adapter does
        not read; empty when it does not declare `columns`.

        >>> from curate.adapters import get_adapter
        >>> get_adapter("alpaca").ignored_columns({"instruction": "i", "output": "o", "id": 3})
        ['id']
        """
        if self.columns is None:
            return []
        return sorted(str(k) for k in names if k not in self.columns)

    @abstractmethod
    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The records one raw row gives (usually one), or `Reject` saying why none."""

    def defaults_for(self, path: Path) -> dict[str, Any]:
        """Field values implied by the file a row comes from (`set:` and `--set` win)."""
        return {}

    def convert_file(self, rows: Iterable[tuple[int, Mapping[str, Any]]],
                     ) -> Iterator[tuple[int, list[dict[str, Any]] | Reject]]:
        """For a `whole_file` adapter: the (line, records) and (line, Reject) outcomes of all
        of a file's (line, row) pairs, in any order; every row must be in a record or have
        its Reject (a row used by several records, a thread's first message, needs neither)."""
        for line, row in rows:
            try:
                yield line, self.convert(row)
            except Reject as exc:
                yield line, exc


def require(row: Mapping[str, Any], field: str, kind: type | tuple[type, ...] = str,
            *, format_name: str = "") -> Any:
    """A raw field's value, or a Reject naming the field and what was expected."""
    if field not in row or row[field] is None:
        have = ", ".join(sorted(row)) or "none"
        raise Reject(f"missing field `{field}` required by format {format_name} "
                     f"(fields present: {have})", field=field)
    value = row[field]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise Reject(f"field `{field}` should be {names}, got {type(value).__name__} "
                     f"{preview(value)}", field=field)
    return value


def optional(row: Mapping[str, Any], field: str, kind: type, empty: Any) -> Any:
    """A raw field that may be absent or null (then `empty`), else of `kind`: 0 or false is
    never taken for "absent"."""
    value = row.get(field)
    if value is None:
        return empty
    if not isinstance(value, kind):
        raise Reject(f"field `{field}` should be {kind.__name__}, got {type(value).__name__} "
                     f"{preview(value)}", field=field)
    return value


def user_turn(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def assistant_turn(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


def instruction_prompt(instruction: str, input_text: str | None) -> str:
    """The alpaca-style user turn.

    >>> instruction_prompt("Fix the grammar. ", "i has a cat\\n")
    'Fix the grammar.\\n\\ni has a cat'
    >>> instruction_prompt("Tell a joke.\\n", "")
    'Tell a joke.'
    """
    instruction, input_text = instruction.strip(), (input_text or "").strip()
    return f"{instruction}\n\n{input_text}" if input_text else instruction

