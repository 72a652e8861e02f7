"""`turn_marker_in_response`: a response holding a turn marker of a chat transcript format.

Such a response has usually run on into the next turn (HH-RLHF has responses that open with
"Human: ...", the model writing the user's next line), or still carries a chat template's
tokens; a reward model or SFT trained on it learns to write them. A warning by default (the
record is kept and counted); a recipe's `exclude: [turn_marker_in_response]` drops them.

The markers, each case-sensitive (one regex, TURN_MARKER, the same in polars and in GX's
Python `re`):

- Anthropic HH-RLHF: `Human:` or `Assistant:` opening a line (after spaces or tabs)
- Vicuna, Guanaco: `### Human:` or `### Assistant:` opening a line
- ChatML (OpenAI, Qwen): `<|im_start|>`, `<|im_end|>`
- Llama 2 chat: `[INST]`, `[/INST]`, `<<SYS>>`
- Llama 3: `<|start_header_id|>`, `<|end_header_id|>`, `<|eot_id|>`
- Tulu, Zephyr: `<|user|>`, `<|assistant|>`, `<|system|>`
- Gemma: `<start_of_turn>`, `<end_of_turn>`
- NeMo (SteerLM, HelpSteer): `<extra_id_1>User`, `<extra_id_1>Assistant`

"Human:" or "Assistant:" inside a line is prose ("the job title Assistant: ..."), not a
marker; only a line that opens with one is. "USER:"/"ASSISTANT:" (Vicuna v1.1), "H:"/"A:" and
"Q:"/"A:" are left out: they open lines of ordinary FAQs and scripts too often.

>>> import re
>>> [bool(re.search(TURN_MARKER, t)) for t in ("Sure.\\n\\nHuman: and then?", "Human: no.",
...     "The title Assistant: a role.", "[INST] hi [/INST]", "I am an assistant: ask me.")]
[True, True, False, True, False]
"""

from __future__ import annotations

import re

import polars as pl

REASON = "turn_marker_in_response"

# A speaker label opening a line: HH-RLHF ("\n\nHuman:"), Vicuna and Guanaco ("### Human:").
SPEAKER_LINE = r"^[ \t]*(?:### ?)?(?:Human|Assistant):"
TEMPLATE_TOKENS: dict[str, str] = {  # format -> regex (Rust `regex` and Python `re` alike)
    "ChatML": r"<\|im_(?:start|end)\|>",
    "Llama 2 chat": r"\[/?INST\]|<<SYS>>",
    "Llama 3": r"<\|(?:start_header_id|end_header_id|eot_id)\|>",
    "Tulu, Zephyr": r"<\|(?:user|assistant|system)\|>",
    "Gemma": r"<(?:start|end)_of_turn>",
    "NeMo": r"<extra_id_1>(?:User|Assistant)",
}
# (?m): `^` opens every line, not only the text.
_SPEAKER = "(?m)" + SPEAKER_LINE
_TOKENS = "|".join(TEMPLATE_TOKENS.values())
TURN_MARKER = f"{_SPEAKER}|{_TOKENS}"  # the one regex GX's Python `re` is given
_MARKER = re.compile(TURN_MARKER)
# polars gets the two apart: one alternation of both loses each one's literal prefilter (1M
# pairs of ~2.5 KB from tests/benchmarks/corpus.py, chosen and rejected: 1.8 s as one regex,
# 0.4 s as two).

MESSAGE = ("the response holds a turn marker of a chat transcript (\"\\n\\nHuman:\", "
           "\"### Assistant:\", \"<|im_start|>\", \"[INST]\", ...): it ran on into the next "
           "turn or carries template tokens; cut it there, or drop such records with "
           "`exclude: [turn_marker_in_response]`")


def has_marker(text: str | None) -> bool:
    """`contains_marker` for one value."""
    return text is not None and _MARKER.search(text) is not None


def contains_marker(expr: pl.Expr) -> pl.Expr:
    """True where the text holds a turn marker (null: False)."""
    return (expr.str.contains(_SPEAKER) | expr.str.contains(_TOKENS)).fill_null(False)
