"""Record an audit's result with the dataset version it judged: manifest.json and the card.

The manifest gets an `audit` entry (the score, the packet's seed and inputs, the verdicts'
sha256). The card (README.md) gets a section between two markers, replaced on a later attach,
so re-scoring never stacks copies. Both files are rewritten atomically (temp file + rename).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


from curate.audit.score import AuditScore
from curate.errors import InputError
from curate.io.atomic import write_atomic as _write_atomic
from curate.version import CARD, MANIFEST, read_manifest

START, END = "<!-- curate:audit:start -->", "<!-- curate:audit:end -->"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _ci(row: dict[str, Any]) -> str:
    ci = row["model_win_rate_ci95"]
    return "n/a" if ci is None else f"{_pct(ci[0])} to {_pct(ci[1])}"


def card_section(result: dict[str, Any]) -> str:
    """The card's audit section in Markdown, from the score's JSON form.

    >>> row = {"n": 2, "model_wins": 1, "human_wins": 1, "ties": 0, "both_bad": 0,
    ...        "model_win_rate": 0.5, "model_win_rate_ci95": [0.0945, 0.9055]}
    >>> "| b | 2 | 1 | 1 | 0 | 0 | 50.0% (9.4% to 90.5%) |" in card_section(
    ...     {**row, "packet_id": "p", "n_items": 2, "strata": {"b": row}, "packet": {"seed": 0}})
    True
    """
    packet = result.get("packet", {})
    lines = [START, "## SFT audit: human-written against model answers", "",
             f"{result['n']} of {result['n_items']} items judged blind (packet "
             f"{result['packet_id']}, seed {packet.get('seed')}), as in Llama 2 section 3.1. "
             f"The model's answer was preferred in {result['model_wins']} "
             f"({_pct(result['model_win_rate'])}, 95% Wilson interval {_ci(result)}), the "
             f"human-written one in {result['human_wins']}; {result['ties']} ties, "
             f"{result['both_bad']} both bad.", ""]
    if result["strata"]:
        lines += ["| stratum | n | model wins | human wins | ties | both bad | model win rate (95% CI) |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {name} | {r['n']} | {r['model_wins']} | {r['human_wins']} | {r['ties']} | "
                  f"{r['both_bad']} | {_pct(r['model_win_rate'])} ({_ci(r)}) |"
                  for name, r in result["strata"].items()]
    return "\n".join(lines + [END])


def attach_score(build_dir: str | Path, score: AuditScore) -> list[Path]:
    """Write the result into BUILD_DIR/manifest.json and BUILD_DIR/README.md (when present);
    returns the files changed."""
    build_dir = Path(build_dir)
    manifest_path = build_dir / MANIFEST
    if not manifest_path.is_file():
        raise InputError(f"{build_dir}: no {MANIFEST}; --attach takes a built version's folder, "
                         "e.g. out/sft/v3 (made by `curate build`)")
    manifest = read_manifest(manifest_path.read_bytes(), where=str(manifest_path))
    result = score.as_dict()
    _write_atomic(manifest_path, manifest.model_copy(update={"audit": result}).to_json())
    changed = [manifest_path]
    card_path = build_dir / CARD
    if card_path.is_file():
        card = card_path.read_text(encoding="utf-8")
        section = card_section(result)
        if START in card and END in card:
            head, rest = card.split(START, 1)
            card = head + section + rest.split(END, 1)[1]
        else:
            card = card.rstrip("\n") + "\n\n" + section + "\n"
        _write_atomic(card_path, card.encode("utf-8"))
        changed.append(card_path)
    return changed
