"""Poll results as a bar chart (PNG), in the reader's language.

matplotlib with the Agg backend and its object API: each chart is a `Figure` of its own
drawn on a `FigureCanvasAgg`, never registered with pyplot, so nothing global is shared
between charts (safe in a worker thread) and nothing stays open; the figure is cleared and
dropped in `finally` all the same. 1080 px wide, a bar per option with its count and
percentage, the question as the title; DejaVu Sans (shipped with matplotlib) has Cyrillic.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from flows.polls import percent

WIDTH_PX = 1080
DPI = 100
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def render_chart(
    question: str, labels: Sequence[str], counts: Sequence[int], voters: int, voters_line: str
) -> bytes:
    """The PNG bytes of a horizontal bar chart: `labels[i]` with `counts[i]` votes."""
    rows = len(labels)
    height_px = 220 + 90 * rows
    figure = Figure(figsize=(WIDTH_PX / DPI, height_px / DPI), dpi=DPI)
    try:
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        positions = list(range(rows))[::-1]
        axes.barh(positions, counts, color="#1f6fb2", height=0.6)
        axes.set_yticks(positions, [textwrap.shorten(label, 38) for label in labels])
        top = max(counts, default=0) or 1
        axes.set_xlim(0, top * 1.35)
        for position, count in zip(positions, counts, strict=True):
            axes.text(
                count + top * 0.02,
                position,
                f"{count} ({percent(count, voters)}%)",
                va="center",
                fontsize=15,
            )
        axes.tick_params(axis="y", labelsize=15)
        axes.tick_params(axis="x", labelsize=11)
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_title("\n".join(textwrap.wrap(question, 60)[:3]), fontsize=17, loc="left")
        axes.set_xlabel(voters_line, fontsize=13)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()
    finally:
        figure.clear()
