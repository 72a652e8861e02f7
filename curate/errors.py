"""One exception family: every error says the value, the rule and the fix."""

from __future__ import annotations


class CurateError(Exception):
    """Base class of every error curate raises on purpose. Its message is one line: causes
    quoted from pyarrow or pydantic often span several, which breaks `file:line: ...` logs."""

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str) and ("\n" in args[0] or "\r" in args[0]):
            args = (" ".join(part.strip() for part in args[0].splitlines() if part.strip()),
                    *args[1:])
        super().__init__(*args)


class InputError(CurateError):
    """Unusable input: a missing or unreadable file, a truncated gzip, an unknown format.

    The CLI maps it to exit code 2 (the data could not even be judged).
    """


class VerdictError(CurateError):
    """Audit verdicts that do not fit their packet: an unknown item id, a duplicate verdict, a
    missing key entry. `curate audit score` exits 1 on it (the packet itself was readable).
    """


class PublishError(CurateError):
    """A push did not complete: the target refused it or the network failed. Nothing was tagged;
    running the same push again is safe.
    """


class VersionConflictError(PublishError):
    """A version tag already holds a build with another fingerprint: published versions never change."""


class RecordError(CurateError):
    """One record breaks the contract; carries where it came from."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None, reason: str = "bad_record") -> None:
        self.file, self.line, self.field, self.reason = file, line, field, reason
        where = ":".join(str(p) for p in (file, line) if p is not None)
        prefix = f"{where}: " if where else ""
        suffix = f" (field `{field}`)" if field else ""
        super().__init__(f"{prefix}{message}{suffix}")
