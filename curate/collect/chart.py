"""The report's PNG chart: degrees, safety bins beside Llama 2's, and lengths by sampler.

Drawn on matplotlib's Agg canvas directly (no pyplot, no global backend switch), so it works on
a headless machine and leaves a notebook's backend alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from curate.collect.report import LLAMA2_SAFETY_BINS
from curate.records import DEGREES

BIN_NAMES = {"1": "chosen safe, rejected unsafe", "2": "both safe", "3": "both unsafe"}


def _label(group: dict[str, Any]) -> str:
    return f"{group['batch']}\n{group['model_iteration']}"


def _stacked(ax: Any, labels: list[str], rows: list[list[float]], names: list[str], title: str) -> None:
    left = [0.0] * len(labels)
    for i, name in enumerate(names):
        widths = [100 * (row[i] or 0.0) for row in rows]
        ax.barh(labels, widths, left=left, label=name)
        left = [a + b for a, b in zip(left, widths)]
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of pairs")
    ax.set_title(title)
    ax.invert_yaxis()
    ax.legend(fontsize=7, loc="lower right")


def write_chart(report: dict[str, Any], path: str | Path) -> Path:
    """Write the chart of `report` (curate.collect.report.batch_report) as a PNG."""
    groups = report["groups"]
    figure = Figure(figsize=(11, 3 + 0.6 * len(groups)), layout="constrained")
    FigureCanvasAgg(figure)
    degrees, safety, lengths = figure.subplots(1, 3)
    labels = [_label(g) for g in groups]
    _stacked(degrees, labels, [[g["degrees"][d]["share"] for d in DEGREES] for g in groups],
             [d.replace("_", " ") for d in DEGREES], "Degree (negligibly = tie/unsure)")
    bins = list(BIN_NAMES)
    _stacked(safety, ["Llama 2", *labels],
             [[LLAMA2_SAFETY_BINS[int(b)] for b in bins],
              *[[g["safety"]["bins"][b]["share"] for b in bins] for g in groups]],
             list(BIN_NAMES.values()), "Safety bins (category 4 excluded)")
    rows = [(f"{g['batch']} {g['model_iteration']}\n{r['variant']} T={r['temperature']}",
             r["mean_chars"])
            for g in groups for r in g["lengths"]]
    lengths.barh([name for name, _ in rows], [value for _, value in rows])
    lengths.invert_yaxis()
    lengths.tick_params(axis="y", labelsize=7)
    lengths.set_xlabel("mean characters")
    lengths.set_title("Length by variant, temperature")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=100, metadata={"Software": None})
    return path
