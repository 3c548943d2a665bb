"""Readable differences between two texts (pure code on `difflib`, no ORM).

`word_diff` marks removed words with `<del>` and added ones with `<ins>`, each starting
with words for screen readers ("removed:", "added:") that sighted readers see as colour
and strike-through. Everything else is escaped: the result is safe to put in a page.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

_TOKENS = re.compile(r"\s+|\S+\s*")


def word_diff(old: str, new: str) -> SafeString:
    """`new` compared with `old`, word by word, as safe HTML."""
    before = _TOKENS.findall(old or "")
    after = _TOKENS.findall(new or "")
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    removed, added = escape(_("removed:")), escape(_("added:"))
    parts: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(before[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(
                f'<del><span class="usa-sr-only">[{removed}</span>'
                f'{escape("".join(before[i1:i2]))}<span class="usa-sr-only">]</span></del>'
            )
        if op in ("insert", "replace"):
            parts.append(
                f'<ins><span class="usa-sr-only">[{added}</span>'
                f'{escape("".join(after[j1:j2]))}<span class="usa-sr-only">]</span></ins>'
            )
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def changed(old: str, new: str) -> bool:
    return (old or "").strip() != (new or "").strip()


@dataclass
class SectionChange:
    """One section's change between two versions: `kind` is "same", "changed",
    "added" or "removed"."""

    kind: str
    heading: SafeString
    body: SafeString


def compare_sections(
    old: Sequence[tuple[str, str]], new: Sequence[tuple[str, str]]
) -> list[SectionChange]:
    """Sections (heading, body) of two versions, matched by heading first, then by
    position, as a list of changes in the new version's order, removed ones last."""
    remaining = list(range(len(old)))
    by_heading = {heading.strip().casefold(): index for index, (heading, _body) in enumerate(old)}
    changes: list[SectionChange] = []
    for position, (heading, body) in enumerate(new):
        index = by_heading.get(heading.strip().casefold())
        if index is None or index not in remaining:
            index = position if position in remaining else None
        if index is None:
            changes.append(SectionChange("added", word_diff("", heading), word_diff("", body)))
            continue
        remaining.remove(index)
        old_heading, old_body = old[index]
        kind = "changed" if changed(old_heading, heading) or changed(old_body, body) else "same"
        changes.append(
            SectionChange(kind, word_diff(old_heading, heading), word_diff(old_body, body))
        )
    for index in remaining:
        old_heading, old_body = old[index]
        changes.append(
            SectionChange("removed", word_diff(old_heading, ""), word_diff(old_body, ""))
        )
    return changes
