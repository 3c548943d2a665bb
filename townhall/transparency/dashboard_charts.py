"""Server-rendered SVG charts for the dashboard: no JavaScript, readable by screen readers
(`role="img"` with a title and a description; the page follows each chart with its data
as a table), and they print.

Every text placed in the SVG is escaped here; the result is marked safe for templates.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 64
# USWDS theme colours (primary, accent warm, base dark) that keep 3:1 against white.
COLOURS = ("#005ea2", "#c05600", "#3d4551")

_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def _nice_max(value: float) -> float:
    """A round number at or above `value` that splits into four whole ticks."""
    if value <= 4:
        return 4.0
    unit = 10 ** max(len(str(int(value))) - 2, 0)
    return float(math.ceil(value / (4 * unit)) * 4 * unit)


def _flat(label: str) -> str:
    return " ".join(label.split("\n"))


def _format(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.0f}%"
    if value == int(value):
        return f"{int(value)}"
    return f"{value:.1f}"


def _frame(title: str, description: str, body: list[str]) -> SafeString:
    number = next(_ids)
    title_id, desc_id = f"chart-{number}-title", f"chart-{number}-desc"
    return mark_safe(  # noqa: S308 - every text below went through escape()
        f'<svg class="dashboard-chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def _axes(labels: Sequence[str], top: float, unit: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for tick in range(5):
        value = top * tick / 4
        y = TOP + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#dfe1e2" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#1b1b1b">{escape(_format(value, unit))}</text>'
        )
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    for index, label in enumerate(labels):
        x = LEFT + slot * (index + 0.5)
        lines = "".join(
            f'<tspan x="{x:.1f}" dy="{0 if number == 0 else 13}">{escape(line)}</tspan>'
            for number, line in enumerate(label.split("\n")[:2])
        )
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="11" fill="#1b1b1b">{lines}</text>'
        )
    return parts


def _legend(series: Sequence[Series]) -> list[str]:
    parts = []
    x = LEFT
    for index, one in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 18}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{HEIGHT - 8}" font-size="12" fill="#1b1b1b">'
            f"{escape(one.name)}</text>"
        )
        x += 24 + 8 * len(one.name)
    return parts


def bar_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    top: float | None = None,
) -> SafeString:
    """Grouped bars, one group per label and one bar per series; None draws no bar."""
    values = [v for one in series for v in one.values if v is not None]
    top = top or _nice_max(max(values, default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    bar = slot * 0.8 / max(len(series), 1)
    body = _axes(labels, top, unit)
    for s_index, one in enumerate(series):
        colour = COLOURS[s_index % len(COLOURS)]
        for index, value in enumerate(one.values):
            if value is None:
                continue
            height = plot_h * min(value, top) / top
            x = LEFT + slot * index + slot * 0.1 + bar * s_index
            y = TOP + plot_h - height
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                f'fill="{colour}"><title>{escape(_flat(labels[index]))}: {escape(one.name)} '
                f"{escape(_format(value, unit))}</title></rect>"
            )
    body += _legend(series)
    return _frame(title, description, body)


def line_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
) -> SafeString:
    """Lines with a marker at each value; a None breaks the line."""
    values = [v for one in series for v in one.values if v is not None]
    top = _nice_max(max(values, default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    body = _axes(labels, top, unit)
    for s_index, one in enumerate(series):
        colour = COLOURS[s_index % len(COLOURS)]
        segment: list[str] = []
        segments = [segment]
        for index, value in enumerate(one.values):
            if value is None:
                segment = []
                segments.append(segment)
                continue
            x = LEFT + slot * (index + 0.5)
            y = TOP + plot_h - plot_h * min(value, top) / top
            segment.append(f"{x:.1f},{y:.1f}")
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                f"<title>{escape(_flat(labels[index]))}: {escape(one.name)} "
                f"{escape(_format(value, unit))}</title></circle>"
            )
        for points in segments:
            if len(points) > 1:
                body.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"/>'
                )
    body += _legend(series)
    return _frame(title, description, body)


def horizontal_bar_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    unit: str = "",
    top: float | None = None,
) -> SafeString:
    """One bar per label, the labels on the left (long names stay readable); None draws
    no bar and says “no figure”."""
    row_h, label_w = 28, 260
    height = TOP + row_h * max(len(labels), 1) + 24
    top = top or _nice_max(max((v for v in values if v is not None), default=0))
    plot_w = WIDTH - label_w - RIGHT - 48
    body = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + row_h * index
        short = label if len(label) <= 38 else label[:37] + "…"
        body.append(
            f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end" font-size="13" '
            f'fill="#1b1b1b">{escape(short)}</text>'
        )
        if value is None:
            body.append(
                f'<text x="{label_w + 4}" y="{y + 18}" font-size="12" fill="#565c65">—</text>'
            )
            continue
        width = plot_w * min(value, top) / top
        body.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{width:.1f}" height="{row_h - 8}" '
            f'fill="{COLOURS[0]}"><title>{escape(label)}: {escape(_format(value, unit))}</title>'
            f'</rect><text x="{label_w + width + 6:.1f}" y="{y + 18}" font-size="12" '
            f'fill="#1b1b1b">{escape(_format(value, unit))}</text>'
        )
    number = next(_ids)
    title_id, desc_id = f"chart-{number}-title", f"chart-{number}-desc"
    return mark_safe(  # noqa: S308 - every text above went through escape()
        f'<svg class="dashboard-chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )
