"""Ranked candidates as comparisons: the (better, worse) pairs a list of scores gives.

Two rules (a format's docstring says which it applies):
- `all`: every two candidates with different scores; n distinct scores give n(n-1)/2 pairs
  (Nectar's 7 ranked answers give 21);
- `best_vs_others`: each top-scored candidate against every lower-scored one (4 UltraFeedback
  completions with distinct scores give 3).
Ties never make a pair, so two candidates the judge could not tell apart are never compared;
fewer than two distinct scores give no pair, and the format skips the row with reason
`no_preference` (`no_preference_skip`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from curate.adapters.base import Skip

Pairing = Literal["all", "best_vs_others"]
NO_PREFERENCE = "no_preference"


def ranked_pairs(scores: Sequence[float], *, pairs: Pairing = "all",
                 higher_is_better: bool = True) -> list[tuple[int, int]]:
    """(better index, worse index) pairs, best candidates first, then by position.

    >>> ranked_pairs([7.5, 9.0, 7.5, 3.0])
    [(1, 0), (1, 2), (1, 3), (0, 3), (2, 3)]
    >>> ranked_pairs([7.5, 9.0, 7.5, 3.0], pairs="best_vs_others")
    [(1, 0), (1, 2), (1, 3)]
    >>> ranked_pairs([2, 1, 3], higher_is_better=False)  # ranks: 1 is the best
    [(1, 0), (1, 2), (0, 2)]
    >>> ranked_pairs([5.0, 5.0])
    []
    """
    if pairs not in ("all", "best_vs_others"):
        raise ValueError(f"pairs must be 'all' or 'best_vs_others', not {pairs!r}")
    goodness = [s if higher_is_better else -s for s in scores]
    order = sorted(range(len(scores)), key=lambda i: (-goodness[i], i))
    better = order if pairs == "all" else [i for i in order if goodness[i] == goodness[order[0]]]
    return [(a, b) for a in better for b in order if goodness[b] < goodness[a]]


def no_preference_skip(message: str, *, field: str) -> Skip:
    """The Skip for a row that names no better response (a tie, a 0 strength, a fraction)."""
    return Skip(message, field=field, reason=NO_PREFERENCE)
