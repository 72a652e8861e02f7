"""A bounded look at a value for error messages: a 10 MB string or a value nested 5,000 deep
must never blow up (or overflow the stack of) the message that reports it."""

from __future__ import annotations

import reprlib

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 3, 60, 60
_REPR.maxlist = _REPR.maxdict = _REPR.maxtuple = 4


def preview(value: object, n: int = 40) -> str:
    """repr(value), cut to at most n characters.

    >>> preview("x" * 1000, 12)
    "'xxxxxxxx..."
    >>> nested = []
    >>> for _ in range(5000):
    ...     nested = [nested]
    >>> preview(nested)
    '[[[[...]]]]'
    """
    text = _REPR.repr(value)
    return text if len(text) <= n else text[:n - 3] + "..."
