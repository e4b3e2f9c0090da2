"""Charts drawn on the server as SVG, with the numbers in a table beside them.

Nothing needs JavaScript, and the CSP stays strict: every colour and font comes from a class in
the stylesheet (``app-chart__*``), never from a ``style`` attribute. The SVG is a picture of the
table next to it, so it is labelled as an image with a one-line summary; the table carries the data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence

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


# Lines told apart without colour: each its own dash pattern and marker, and its name at its end.
DASHES = ("", "8 4", "2 4", "12 4 2 4", "4 4", "16 6")
MARKERS = ("circle", "square", "diamond", "triangle")
NAME_WIDTH_LIMIT = 24  # characters of a line's name drawn at its end (the table has them in full)
LINE_LABEL_GAP = 16  # least distance between two names at the lines' ends


def _marker(kind: str, cx: float, cy: float) -> str:
    if kind == "square":
        return f'<rect class="app-chart__point" x="{cx - 4:.1f}" y="{cy - 4:.1f}" width="8" height="8"/>'
    if kind == "diamond":
        points = f"{cx:.1f},{cy - 5:.1f} {cx + 5:.1f},{cy:.1f} {cx:.1f},{cy + 5:.1f} {cx - 5:.1f},{cy:.1f}"
        return f'<polygon class="app-chart__point" points="{points}"/>'
    if kind == "triangle":
        points = f"{cx:.1f},{cy - 5:.1f} {cx + 5:.1f},{cy + 4:.1f} {cx - 5:.1f},{cy + 4:.1f}"
        return f'<polygon class="app-chart__point" points="{points}"/>'
    return f'<circle class="app-chart__point" cx="{cx:.1f}" cy="{cy:.1f}" r="4"/>'


def _spread(positions: list[float], *, low: float, high: float, gap: float) -> list[float]:
    """Nudge label positions (already in order) apart so that no two are closer than ``gap``."""
    placed: list[float] = []
    for position in positions:
        placed.append(max(position, placed[-1] + gap) if placed else max(position, low))
    overflow = placed[-1] - high if placed else 0
    if overflow > 0:  # pushed off the bottom: move them all up, keeping the gaps
        placed = [position - overflow for position in placed]
    return placed


def lines_chart(
    x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, title: str, chart_id: str
) -> Markup:
    """An SVG chart of several lines over the same x labels (e.g. each candidate's total at each stage).

    Lines differ by dash pattern and marker, not by colour alone, and each carries its name at its
    right-hand end; ``title`` names the chart for screen readers, and the table beside it has the
    numbers. Dash patterns are SVG presentation attributes, which the CSP allows (no ``style``).
    """
    if not series or not x_labels:
        return Markup("")
    names = [name if len(name) <= NAME_WIDTH_LIMIT else name[: NAME_WIDTH_LIMIT - 1] + "…" for name, _values in series]
    name_width = max(len(name) for name in names) * CHAR_WIDTH + 16
    width = max(WIDTH, LEFT + 320 + name_width)
    right = name_width + 8
    top = nice_ceiling(max((max(values) for _name, values in series if values), default=1))
    plot_width, plot_height = width - LEFT - right, HEIGHT - TOP - BOTTOM
    count = len(x_labels)

    def x(index: int) -> float:
        return LEFT + (plot_width * index / (count - 1) if count > 1 else plot_width / 2)

    def y(value: float) -> float:
        return TOP + plot_height * (1 - value / top)

    parts = [
        f'<svg class="app-chart" viewBox="0 0 {width} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" focusable="false" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
    ]
    for step in range(5):
        value = top * step / 4
        parts.append(
            f'<line class="app-chart__grid" x1="{LEFT}" x2="{LEFT + plot_width}" '
            f'y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
        )
        parts.append(
            f'<text class="app-chart__label app-chart__label--end" x="{LEFT - 8}" y="{y(value) + 5:.1f}">'
            f"{escape(_number(value))}</text>"
        )
    parts.append(f'<line class="app-chart__axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_height}"/>')
    parts.append(
        f'<line class="app-chart__axis" x1="{LEFT}" x2="{LEFT + plot_width}" '
        f'y1="{TOP + plot_height}" y2="{TOP + plot_height}"/>'
    )
    shown = x_label_indexes(list(x_labels), plot_width)
    for index in shown:
        anchor = "start" if index == 0 and len(shown) > 1 else "end" if index == shown[-1] and index else "middle"
        parts.append(
            f'<text class="app-chart__label app-chart__label--{anchor}" x="{x(index):.1f}" '
            f'y="{TOP + plot_height + 24}">{escape(x_labels[index])}</text>'
        )
    ends = []
    for number, (_name, values) in enumerate(series):
        points = " ".join(f"{x(index):.1f},{y(value):.1f}" for index, value in enumerate(values))
        dash = DASHES[number % len(DASHES)]
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline class="app-chart__line"{dash_attribute} points="{points}"/>')
        kind = MARKERS[number % len(MARKERS)]
        parts += [_marker(kind, x(index), y(value)) for index, value in enumerate(values)]
        if values:
            ends.append((y(values[-1]), number, x(len(values) - 1)))
    ends.sort()
    positions = _spread([end[0] + 5 for end in ends], low=TOP + 10, high=TOP + plot_height + 5, gap=LINE_LABEL_GAP)
    for (_y, number, end_x), label_y in zip(ends, positions, strict=True):
        parts.append(
            f'<text class="app-chart__label app-chart__label--start" x="{end_x + 10:.1f}" y="{label_y:.1f}">'
            f"{escape(names[number])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value above went through escape() or is a number


BAR_HEIGHT, BAR_GAP = 24, 12  # each bar, and the space between two
BAR_PLOT_WIDTH = 320  # the least room for the bars themselves


def _desc(chart_id: str, description: str) -> tuple[str, str]:
    """The ``aria-describedby`` attribute and ``<desc>`` element for an optional longer description."""
    if not description:
        return "", ""
    return (
        f' aria-describedby="{escape(chart_id)}-desc"',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    )


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    chart_id: str,
    description: str = "",
    value_labels: Sequence[str] | None = None,
    tick_format: Callable[[float], str] | None = None,
    hollow: Collection[int] = (),
) -> Markup:
    """An SVG chart of horizontal bars, one for each (label, value), in the order given; empty for no data.

    Each bar has its label on the left and its value at its end (``value_labels`` when given, e.g.
    "£1,200.00 (12%)"; else the number), so the chart reads without the axis. Bars at the indexes in
    ``hollow`` are drawn as outlines only (e.g. money not spent beside money spent): they differ by
    shape, not by colour alone. ``title`` names the chart and ``description`` (optional) says more;
    the table beside it has the numbers. ``tick_format`` writes the axis's numbers (default: 1,234).
    """
    if not bars:
        return Markup("")
    tick = tick_format or _number
    labels = [label if len(label) <= NAME_WIDTH_LIMIT else label[: NAME_WIDTH_LIMIT - 1] + "…" for label, _v in bars]
    values = [max(0.0, float(value)) for _label, value in bars]
    ends = list(value_labels) if value_labels is not None else [_number(value) for value in values]
    top = nice_ceiling(max(values))
    left = max(len(label) for label in labels) * CHAR_WIDTH + 16
    end_width = max(len(end) for end in ends) * CHAR_WIDTH + 16
    # The last tick's number is centred on the axis's end: leave room for its half beyond it.
    right = max(end_width, len(tick(top)) * CHAR_WIDTH // 2 + RIGHT)
    width = max(WIDTH, left + BAR_PLOT_WIDTH + right)
    plot_width = width - left - right
    plot_height = len(bars) * (BAR_HEIGHT + BAR_GAP)
    height = TOP + plot_height + BOTTOM

    def x(value: float) -> float:
        return left + plot_width * value / top

    describedby, desc = _desc(chart_id, description)
    parts = [
        f'<svg class="app-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title"{describedby} focusable="false" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        desc,
    ]
    step = nice_ceiling(top / 5)  # whole steps of 1, 2 or 5 × 10ⁿ: never a tick at 2.5 votes
    for value in range(0, top + 1, step):  # grid lines and their numbers
        parts.append(
            f'<line class="app-chart__grid" x1="{x(value):.1f}" x2="{x(value):.1f}" '
            f'y1="{TOP}" y2="{TOP + plot_height}"/>'
        )
        parts.append(
            f'<text class="app-chart__label app-chart__label--middle" x="{x(value):.1f}" '
            f'y="{TOP + plot_height + 24}">{escape(tick(value))}</text>'
        )
    for index, (label, value, end) in enumerate(zip(labels, values, ends, strict=True)):
        y = TOP + index * (BAR_HEIGHT + BAR_GAP) + BAR_GAP / 2
        middle = y + BAR_HEIGHT / 2 + 5
        parts.append(
            f'<text class="app-chart__label app-chart__label--end" x="{left - 8}" y="{middle:.1f}">'
            f"{escape(label)}</text>"
        )
        length = x(value) - left
        if length > 0:
            kind = "app-chart__line" if index in hollow else "app-chart__point"
            # An outline is drawn half outside its box: inset it so it keeps the bar's length.
            inset = 1.5 if index in hollow else 0
            parts.append(
                f'<rect class="{kind}" x="{left + inset:.1f}" y="{y + inset:.1f}" '
                f'width="{max(length - 2 * inset, 0):.1f}" height="{BAR_HEIGHT - 2 * inset:.1f}"/>'
            )
        parts.append(
            f'<text class="app-chart__label app-chart__label--start" x="{x(value) + 8:.1f}" y="{middle:.1f}">'
            f"{escape(end)}</text>"
        )
    parts.append(f'<line class="app-chart__axis" x1="{left}" x2="{left}" y1="{TOP}" y2="{TOP + plot_height}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value above went through escape() or is a number
