"""Stanford SHP: a Reddit post and two top-level comments; the collectively preferred one wins.

Fields (stanfordnlp/SHP dataset card, "Data Structure", and its `dataset_info` features):
post_id, domain, upvote_ratio, history (the post's title and text), c_root_id_A,
c_root_id_B, created_at_utc_A, created_at_utc_B, score_A, score_B, human_ref_A,
human_ref_B, labels (1 if A is preferred to B, 0 if B is preferred), seconds_difference,
score_ratio.

Mapping: prompt = `history` as one user turn; chosen/rejected = human_ref_A/B by `labels`;
criterion = helpfulness (the card: labels reflect which response is more *helpful* rather
than less harmful). Both responses are human-written Reddit comments: no model fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.adapters.base import Adapter, NAMED_DATASET, Reject, require, user_turn


class StanfordSHP(Adapter):
    name = "stanford-shp"
    kind = "preference"
    priority = NAMED_DATASET
    fields = ("post_id", "history", "human_ref_A", "human_ref_B", "labels")
    description = "stanfordnlp/SHP (and SHP-2): Reddit comment pairs ranked by score"

    def convert(self, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        history = require(row, "history", format_name=self.name)
        refs = {"A": require(row, "human_ref_A", format_name=self.name),
                "B": require(row, "human_ref_B", format_name=self.name)}
        label = require(row, "labels", int, format_name=self.name)
        if label not in (0, 1):
            raise Reject(f"field `labels` must be 1 (A preferred) or 0 (B preferred), "
                         f"got {label}", field="labels")
        best, other = ("A", "B") if label == 1 else ("B", "A")
        return [{"prompt": [user_turn(history)], "chosen": refs[best], "rejected": refs[other],
                 "criterion": "helpfulness", "source": self.name}]
