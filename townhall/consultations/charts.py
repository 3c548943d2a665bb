"""Bar charts as server-rendered SVG (pure code, no ORM). Each chart is decorative for
screen readers (`aria-hidden`): pages put the same figures in a table next to it."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 220


def bar_chart(rows: Sequence[tuple[str, Sequence[int]]], colours: Sequence[str]) -> SafeString:
    """Horizontal bars: one row per label, one bar per series (stacked), figures at the
    end. `colours` are USWDS-like hex colours, one per series."""
    if not rows:
        return mark_safe("")
    top = max(1, max(sum(values) for _label, values in rows))
    room = WIDTH - LABEL_WIDTH - 60
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-hidden="true" focusable="false" class="consultation-chart">'
    ]
    for index, (label, values) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 6}" text-anchor="end" '
            f'font-size="13" fill="#1b1b1b">{escape(short)}</text>'
        )
        x = float(LABEL_WIDTH)
        for value, colour in zip(values, colours, strict=False):
            width = room * value / top
            if width > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                    f'fill="{escape(colour)}"></rect>'
                )
            x += width
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + BAR_HEIGHT - 6}" font-size="13" fill="#1b1b1b">'
            f"{sum(values)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
