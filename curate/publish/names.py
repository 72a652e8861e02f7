"""What a push is told by its user, checked before anything is written: the repo id and the endpoint.

A repo id is checked as the Hub checks it (huggingface_hub's validate_repo_id), and must be
ORG/NAME: the same id names a folder of the local registry, so `..` or `/abs` must never pass.
An endpoint URL may carry a password (http://user:secret@host); it is used to connect, but every
message, error, result and log line shows the URL with the password as `***` (httpx logs each
request's URL at INFO, so log records are masked too while such a push runs).
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from curate.errors import InputError

REPO_RULE = ("ORG/NAME, each part 1-96 characters of A-Z a-z 0-9 - _ . that neither starts nor "
             "ends with - or ., without -- or .., not ending in .git")


def check_repo_id(repo: str) -> str:
    """`repo` when it is a valid ORG/NAME dataset id, else an InputError naming the rule."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    parts = repo.split("/") if isinstance(repo, str) else []
    problem = None
    if len(parts) != 2:
        problem = "it is not ORG/NAME"
    elif any(part in ("", ".", "..") for part in parts):
        problem = "an empty part, `.` or `..` names no repository"
    elif not repo.isascii():
        problem = "it holds non-ASCII characters"
    else:
        try:
            validate_repo_id(repo)
        except HFValidationError as exc:  # its text ends with the id itself: ": 'the id'."
            problem = f"huggingface_hub says {str(exc).split(': ' + chr(39), 1)[0].rstrip('.')}"
    if problem:
        raise InputError(f"--repo {repo!r}: {problem}; a dataset repo id is {REPO_RULE} "
                         "(e.g. my-org/safety-rm)")
    return repo


@dataclass(frozen=True)
class Endpoint:
    """A Hub URL: `url` to connect to, `shown` (password masked) for every message."""

    url: str

    @property
    def has_password(self) -> bool:
        return bool(urlsplit(self.url).password)

    @property
    def shown(self) -> str:
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))

    def redact(self, text: str) -> str:
        """`text` with the URL's password masked however a library spelled it."""
        password = urlsplit(self.url).password
        if not password:
            return text
        text = text.replace(self.url, self.shown)
        for spelling in sorted({password, unquote(password), quote(password, safe="")}, key=len,
                               reverse=True):
            text = text.replace(spelling, "***")
        return text

    @contextmanager
    def masking_logs(self) -> Iterator[None]:
        """While inside, every log record (any logger, any thread) has the password masked."""
        if not self.has_password:
            yield
            return
        with _masked_lock:
            _install_masking_factory()
            _masked.append(self)
        try:
            yield
        finally:
            with _masked_lock:
                _masked.remove(self)


_masked: list[Endpoint] = []  # endpoints of the pushes in flight whose URL holds a password
_masked_lock = threading.Lock()
_base_factory = None


def _install_masking_factory() -> None:
    """Once per process: wrap the log record factory; it costs nothing while no push needs it."""
    global _base_factory
    if _base_factory is not None:
        return
    _base_factory = logging.getLogRecordFactory()

    def make_record(*args, **kwargs) -> logging.LogRecord:
        record = _base_factory(*args, **kwargs)
        for endpoint in list(_masked):
            try:
                text = record.getMessage()
            except Exception:  # a malformed log call: logging reports it itself
                return record
            masked = endpoint.redact(text)
            if masked != text:
                record.msg, record.args = masked, None
        return record

    logging.setLogRecordFactory(make_record)
