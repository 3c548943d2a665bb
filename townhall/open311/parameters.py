"""Reading Open311 parameters as clients really send them. Each reader returns the clean
value or raises `BadParameter`, whose message names the parameter (the views answer 400).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import QueryDict
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

MAX_LIST_ITEMS = 100
MAX_PAGE = 1_000_000
DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 1000
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]*)\](?:\[\])?\Z")
# `+05:00` sent unencoded in a query string arrives as ` 05:00`.
SPACE_BEFORE_OFFSET = re.compile(r" (\d{2}:?\d{2})\Z")


class BadParameter(Exception):
    """A parameter is missing or wrong; `message` says which and how."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def text(data: Mapping[str, Any], name: str, *, limit: int = 1000) -> str:
    """One text parameter (the last one sent), stripped; "" when absent."""
    value = data.get(name, "")
    if not isinstance(value, str):  # pragma: no cover - QueryDicts hold strings
        value = str(value)
    value = value.strip()
    if "\x00" in value:
        raise BadParameter(
            _("%(name)s contains a character that cannot be stored.") % {"name": name}
        )
    if len(value) > limit:
        raise BadParameter(
            _("%(name)s is too long: at most %(limit)s characters.")
            % {"name": name, "limit": limit}
        )
    return value


def comma_list(data: Mapping[str, Any], name: str) -> list[str]:
    """A comma-separated list (or the parameter repeated), without blanks or repeats."""
    values = data.getlist(name) if isinstance(data, QueryDict) else [data.get(name, "")]
    items: list[str] = []
    for value in values:
        for item in str(value).split(","):
            item = item.strip()
            if item and item not in items:
                items.append(item)
    if len(items) > MAX_LIST_ITEMS:
        raise BadParameter(
            _("%(name)s lists too many values: at most %(limit)s.")
            % {"name": name, "limit": MAX_LIST_ITEMS}
        )
    if any("\x00" in item or len(item) > 100 for item in items):
        raise BadParameter(_("%(name)s holds a value that is not valid.") % {"name": name})
    return items


def moment(data: Mapping[str, Any], name: str) -> dt.datetime | None:
    """A W3C/ISO 8601 date and time (`Z`, an offset, fractional seconds; a bare date is
    its midnight UTC; no offset is UTC); None when absent."""
    value = text(data, name, limit=64)
    if not value:
        return None
    value = SPACE_BEFORE_OFFSET.sub(r"+\1", value)
    problem = _("%(name)s is not a date and time: use ISO 8601, such as 2026-01-31T09:30:00Z.") % {
        "name": name
    }
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is None:
                raise BadParameter(problem)
            parsed = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    except ValueError as error:
        raise BadParameter(problem) from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    try:
        return parsed.astimezone(dt.UTC)
    except (OverflowError, ValueError) as error:
        raise BadParameter(problem) from error


def positive_int(data: Mapping[str, Any], name: str, *, default: int, limit: int) -> int:
    value = text(data, name, limit=20)
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= limit:
        raise BadParameter(
            _("%(name)s must be a whole number from 1 to %(limit)s.")
            % {"name": name, "limit": limit}
        )
    return int(value)


def flag(data: Mapping[str, Any], name: str) -> bool:
    value = text(data, name, limit=10).lower()
    if value in ("", "false", "0", "no"):
        return False
    if value in ("true", "1", "yes"):
        return True
    raise BadParameter(_("%(name)s must be true or false.") % {"name": name})


def coordinate(data: Mapping[str, Any], name: str, *, bound: int) -> str:
    """`lat` (bound 90) or `long` (bound 180) as sent, checked to be a number in range."""
    value = text(data, name, limit=40)
    if not value:
        return ""
    try:
        number = Decimal(value)
    except InvalidOperation as error:
        raise BadParameter(
            _("%(name)s must be a number in decimal degrees, such as 39.7817.") % {"name": name}
        ) from error
    if not number.is_finite() or not -bound <= number <= bound:
        raise BadParameter(
            _("%(name)s must be between -%(bound)s and %(bound)s.") % {"name": name, "bound": bound}
        )
    return value


def attributes(data: QueryDict) -> dict[str, list[str]]:
    """`attribute[CODE]=v`, `attribute[CODE][]=v` and repeats of either, as one flat list
    of values per code, in the order sent."""
    found: dict[str, list[str]] = {}
    for key in data:
        match = ATTRIBUTE_KEY.match(key)
        if match is None:
            if key.startswith("attribute"):
                raise BadParameter(
                    _("%(name)s is not an attribute: send attribute[CODE]=value.")
                    % {"name": key[:80]}
                )
            continue
        code = match.group(1).strip()
        if not code:
            raise BadParameter(
                _("attribute: an attribute has no code; send attribute[CODE]=value.")
            )
        values = [value for value in data.getlist(key) if value.strip()]
        found.setdefault(code, []).extend(values)
    return found
