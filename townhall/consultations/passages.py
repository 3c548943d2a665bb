"""Highlighting commented passages in a section's HTML (pure code, no ORM).

A passage is exact text from the section's Markdown. Where it appears as plain text in
the rendered HTML (not cut by formatting), it is wrapped in `<mark>`; elsewhere the
section is left as it is (the comment still quotes its passage).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from django.utils.safestring import SafeString, mark_safe

_TAG = re.compile(r"""(<(?:[^>"']|"[^"]*"|'[^']*')*>)""")


def highlight_passages(body_html: str, passages: Iterable[str]) -> SafeString:
    """`body_html` (already clean) with each passage's occurrences in its text marked.
    Longer passages first; text already marked is not marked again."""
    wanted = sorted(
        {html.escape(p.strip(), quote=False) for p in passages if p and p.strip()},
        key=len,
        reverse=True,
    )
    if not wanted:
        return mark_safe(body_html)  # noqa: S308 - the caller's HTML is already clean
    pattern = re.compile("|".join(re.escape(p) for p in wanted))
    parts: list[str] = []
    for part in _TAG.split(body_html):
        if part.startswith("<"):
            parts.append(part)
        else:
            parts.append(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", part))
    return mark_safe("".join(parts))  # noqa: S308 - only <mark> added around escaped text
