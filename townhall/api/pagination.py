"""Keyset (cursor) pagination: the cost of a page does not grow with its depth."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request


class KeysetPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"

    def decode_cursor(self, request: Request) -> Cursor | None:
        """A forged cursor can smuggle any text into the position: refuse what no
        database column can hold (NUL) or no ordering value needs (very long text)."""
        cursor = super().decode_cursor(request)
        position: Any = cursor.position if cursor else None
        if isinstance(position, str) and ("\x00" in position or len(position) > 500):
            raise NotFound(self.invalid_cursor_message)
        return cursor
