"""The one way curate reads YAML (recipes, the catalog, column mappings, `--set` values): plain
data only, bounded in size, and every problem one line naming the file, line, cause and fix.

>>> loads("a: &x [1, 2]\\nb: *x")
{'a': [1, 2], 'b': [1, 2]}
>>> loads("x: !!python/object:os.system {}")
Traceback (most recent call last):
...
yaml.constructor.ConstructorError: ...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from curate.errors import InputError

MAX_BYTES = 1 << 20  # a recipe or catalog is a few KB; more is the wrong file or an attack
MAX_NODES = 100_000  # values once aliases are expanded: "billion laughs" reaches 10^9
MAX_DEPTH = 100  # nesting; the composer recurses, so deeper would be a RecursionError


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader (no Python tags) that refuses documents whose aliases expand past MAX_NODES
    values, nesting past MAX_DEPTH, recursive aliases and a key given twice in one mapping."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._sizes: dict[int, int] = {}  # id(node) -> values in it, aliases expanded
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is not None and id(target) not in self._sizes:
                raise yaml.composer.ComposerError(
                    None, None, f"alias *{event.anchor} refers to a value that contains it "
                    "(a recursive alias); write the value out instead", event.start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep; flatten the document",
                event.start_mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._sizes[id(node)] = size = 1 + sum(self._sizes[id(c)] for c in _children(node))
        if size > MAX_NODES:
            raise yaml.composer.ComposerError(
                None, None, f"this value holds more than {MAX_NODES:,} values once its aliases "
                "are expanded (a 'billion laughs' document?); write the values out or use fewer "
                "nested aliases", node.start_mark)
        if isinstance(node, yaml.MappingNode):
            _check_unique_keys(node)
        return node

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError, KeyError) as exc:  # 4,301 digits; `!!bool maybe`
            cause = str(exc).split(";")[0]
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this value ({cause}); quote it to keep it as text",
                node.start_mark) from exc


# Record fields are text: a date-like value (batch: 2023-01-02) stays the text written.
_BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp",
                               yaml.SafeLoader.construct_yaml_str)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_unique_keys(node: yaml.MappingNode) -> None:
    seen: dict[str, yaml.Node] = {}
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value != "<<":
            if key.value in seen:
                raise yaml.composer.ComposerError(
                    None, None, f"key `{key.value}` is given twice (first on line "
                    f"{seen[key.value].start_mark.line + 1}); keep one", key.start_mark)
            seen[key.value] = key


def loads(text: str) -> Any:
    """Parse YAML text as plain data; raises yaml.YAMLError (see `load_text` for the message)."""
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load_text(text: str, *, where: str, parse: Callable[[str], Any] = loads) -> Any:
    """`parse(text)`, with any YAML problem raised as one InputError that starts with `where`."""
    try:
        return parse(text)
    except yaml.reader.ReaderError as exc:  # a character YAML forbids; it gives no line
        line = text[:exc.position].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise InputError(f"{where}:{line}: character U+{code:04X} is not allowed in YAML; "
                         "remove it or write it as an escape inside double quotes") from exc
    except yaml.YAMLError as exc:
        raise InputError(describe(exc, where=where)) from exc


def read_yaml(path: str | Path, *, what: str, parse: Callable[[str], Any] = loads) -> Any:
    """A YAML file (at most MAX_BYTES, UTF-8) parsed by `parse`; `what` names it in errors."""
    return load_text(read_text(path, what=what), where=str(path), parse=parse)


def read_text(path: str | Path, *, what: str) -> str:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror}); check the path "
                         "and its permissions") from exc
    if len(data) > MAX_BYTES:
        raise InputError(f"{path}: over {MAX_BYTES >> 20} MiB, too large for a {what} (a few KB "
                         "is usual); check that this is the right file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: byte {data[exc.start]:#04x} is not UTF-8; save the "
                         f"{what} as UTF-8") from exc


# Fixes for problems PyYAML names without one (matched on the start of its message).
_FIXES = {
    "found unhashable key": "a mapping key must be text or a number",
    "found undefined alias": "define the anchor (&name) before its first use (*name)",
    "but found another document": "a file holds one YAML document: remove the second `---`",
}


def describe(exc: yaml.YAMLError, *, where: str) -> str:
    """One line: where (file:line:column), the problem, the fix."""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        where = f"{where}:{mark.line + 1}:{mark.column + 1}"
    problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
    if "could not determine a constructor for the tag" in problem:
        tag = problem.rsplit(" ", 1)[-1].strip("'").replace("tag:yaml.org,2002:", "!!")
        return (f"{where}: the tag {tag} is not allowed: curate reads plain YAML data (mappings, "
                "lists, text, numbers), never objects; remove the tag")
    if isinstance(exc, (yaml.scanner.ScannerError, yaml.parser.ParserError)):
        context = f" {exc.context}" if exc.context else ""
        return (f"{where}: not valid YAML: {problem}{context}; fix the syntax (quote text that "
                "holds ': ' or ' #')")
    fix = next((f for start, f in _FIXES.items() if problem.startswith(start)), None)
    return f"{where}: {problem}; {fix}" if fix else f"{where}: {problem}"


def validation_message(exc: ValidationError, *, text: str | None = None,
                       prefix: Sequence[str | int] = ()) -> str:
    """The errors of a pydantic validation of YAML data, on one line: each as `line N: field:
    message (got value)`; lines are found in `text` when given. `prefix`: where the validated
    data sits in the document."""
    node = _compose(text) if text else None
    parts = []
    for err in exc.errors():
        loc = [*prefix, *err["loc"]]
        field = ".".join(str(p) for p in loc) or "(top level)"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "not a known key; check its spelling and indentation"
        elif err["type"] not in ("value_error", "missing"):
            message += f" (got {_short(err.get('input'))})"
        line = _line_of(node, loc) if node is not None else None
        parts.append(f"{'line ' + str(line) + ': ' if line else ''}{field}: {message}")
    return "; ".join(parts)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_BoundedLoader)
    except yaml.YAMLError:
        return None


def _line_of(node: yaml.Node | None, loc: Sequence[str | int]) -> int | None:
    """1-based line of the deepest node the path `loc` reaches."""
    line = None
    for step in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == str(step)),
                        None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            node = node.value[step] if step < len(node.value) else None
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line
