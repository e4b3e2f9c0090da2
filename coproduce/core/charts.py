"""Charts drawn on the server as SVG, with the numbers in a table beside them.

Nothing needs JavaScript, and the CSP stays strict: every colour and font comes from a class in
the stylesheet (``app-chart__*``), never from a ``style`` attribute. The SVG is a picture of the
table next to it, so it is labelled as an image with a one-line summary; the table carries the data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 24, 16, 48
MAX_X_LABELS = 6
# Labels are 14px system-ui (see .app-chart__label): about 8 units a character, with a gap between.
CHAR_WIDTH, LABEL_GAP = 8, 16


def x_label_indexes(labels: Sequence[str], plot_width: float) -> list[int]:
    """Which x labels to draw: evenly spaced, as many as fit side by side, always the first and last."""
    if len(labels) <= 1:
        return list(range(len(labels)))
    widest = max(len(label) for label in labels) * CHAR_WIDTH + LABEL_GAP
    fit = max(2, min(MAX_X_LABELS, int(plot_width // widest)))
    every = max(1, math.ceil((len(labels) - 1) / (fit - 1)))
    last = len(labels) - 1
    # Every ``every``-th label, leaving out any that would sit closer than ``every`` to the last.
    return [index for index in range(0, last, every) if last - index >= every] + [last]


def nice_ceiling(value: float) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ at or above ``value`` (at least 1): the top of the y axis."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def _number(value: float) -> str:
    return f"{value:,.0f}"


def line_chart(series: Sequence[tuple[str, int]], *, title: str, chart_id: str) -> Markup:
    """An SVG line chart of (x label, value) pairs, evenly spaced; empty markup for no data.

    ``title`` names the chart for screen readers (the table beside it has the numbers);
    ``chart_id`` makes the ids in the page unique.
    """
    if not series:
        return Markup("")
    values = [value for _label, value in series]
    top = nice_ceiling(max(values))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + (plot_width * index / (len(series) - 1) if len(series) > 1 else plot_width / 2)

    def y(value: float) -> float:
        return TOP + plot_height * (1 - value / top)

    parts = [
        f'<svg class="app-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" focusable="false" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
    ]
    for step in range(5):  # grid lines and y labels at 0, ¼, ½, ¾ and the top
        value = top * step / 4
        parts.append(
            f'<line class="app-chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
        )
        parts.append(
            f'<text class="app-chart__label app-chart__label--end" x="{LEFT - 8}" y="{y(value) + 5:.1f}">'
            f"{escape(_number(value))}</text>"
        )
    parts.append(f'<line class="app-chart__axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_height}"/>')
    parts.append(
        f'<line class="app-chart__axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
        f'y1="{TOP + plot_height}" y2="{TOP + plot_height}"/>'
    )
    labels = [label for label, _value in series]
    shown = x_label_indexes(labels, plot_width)
    for index in shown:
        # The first and last labels grow inwards from their points, so neither is cut off at an edge.
        anchor = "start" if index == 0 and len(shown) > 1 else "end" if index == shown[-1] and index else "middle"
        parts.append(
            f'<text class="app-chart__label app-chart__label--{anchor}" x="{x(index):.1f}" '
            f'y="{TOP + plot_height + 24}">{escape(labels[index])}</text>'
        )
    points = " ".join(f"{x(index):.1f},{y(value):.1f}" for index, value in enumerate(values))
    parts.append(f'<polyline class="app-chart__line" points="{points}"/>')
    parts += [
        f'<circle class="app-chart__point" cx="{x(index):.1f}" cy="{y(value):.1f}" r="4"/>'
        for index, value in enumerate(values)
    ]
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value above went through escape() or is a number
