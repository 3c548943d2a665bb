"""Keyset pages over several kinds of rows merged by time, newest first.

A page is cut by a cursor on (time, kind, id): each source (one kind of row, with the
field holding its time) is read once per page, `size + 1` rows after the cursor, through
its (time, id) index, so a deep page costs what the first does. The cursor travels in the
page's address, base64 of "time|kind|id". Used by the joined-up view and My government
(`citizens`) and by each agency's public moderation log (`conversations`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Cursor:
    at: datetime
    kind: str
    id: int

    def encode(self) -> str:
        raw = f"{self.at.isoformat()}|{self.kind}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """The cursor a page gave, or None for the first page; ValidationError on
        "cursor" for anything else."""
        if not text:
            return None
        invalid = ValidationError({"cursor": _("This page link is not valid; start again.")})
        if not isinstance(text, str) or len(text) > 200:
            raise invalid
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            at_text, kind, id_text = raw.split("|")
            at = parse_datetime(at_text)
            number = int(id_text)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise invalid from None
        if at is None or at.tzinfo is None or not kind.isidentifier() or not 0 < number < 2**63:
            raise invalid
        return cls(at, kind, number)


@dataclass
class Page:
    items: list[Any]
    next_cursor: str = ""

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)


@dataclass
class Source:
    """One kind of record: its rows (already narrowed to the citizen and the viewer),
    the field holding their time, and how a row becomes an entry."""

    kind: str
    rows: QuerySet[Any]
    at_field: str
    shape: Callable[[Any], Any]

    def after(self, cursor: Cursor | None) -> QuerySet[Any]:
        """The rows after `cursor` in (time, kind, id) descending order."""
        if cursor is None:
            return self.rows
        at = self.at_field
        if self.kind < cursor.kind:
            return self.rows.filter(**{f"{at}__lte": cursor.at})
        if self.kind > cursor.kind:
            return self.rows.filter(**{f"{at}__lt": cursor.at})
        return self.rows.filter(
            Q(**{f"{at}__lt": cursor.at}) | Q(**{at: cursor.at, "pk__lt": cursor.id})
        )


def merged_page(sources: Iterable[Source], cursor: Cursor | None, size: int) -> Page:
    """The newest `size` entries of all sources after `cursor`: one query per source."""
    found: list[tuple[datetime, str, int, Any]] = []
    for source in sources:
        rows = source.after(cursor).order_by(f"-{source.at_field}", "-pk")[: size + 1]
        for row in rows:
            found.append((getattr(row, source.at_field), source.kind, row.pk, source.shape(row)))
    found.sort(key=lambda entry: (entry[0], entry[1], entry[2]), reverse=True)
    shown = found[:size]
    next_cursor = ""
    if len(found) > size:
        at, kind, pk, _entry = shown[-1]
        next_cursor = Cursor(at, kind, pk).encode()
    return Page([entry for *_key, entry in shown], next_cursor)
