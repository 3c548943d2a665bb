"""Moderation work owned by apps above conversations.

Consultation comments are moderated like messages (flagged, hidden in the open, appealed:
decision 0014), but they live in `consultations`, a layer above. That app tells
conversations, once at start-up, what to add to the moderators' queue under /moderation/
and to each agency's public moderation log, so moderators have one place to work and the
public one log to read, without conversations importing it.

- A **queue source** is `fn(user, agency_ids)` (`agency_ids` as
  `moderation.moderated_agency_ids` answers: None for a site-wide moderator) returning a
  `QueueSection`: a heading, the items and the template that shows them. It must cost a
  fixed number of queries whatever the data.
- A **log source** is `fn(agency)` returning a `LogFeed`: a queryset of the agency's
  entries, newest first, and `rows`, which turns a slice of it into `LogRow`s (a fixed
  number of queries). The log merges every feed by date (`moderation_queries.MergedLog`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class QueueSection:
    """One part of the moderators' queue: `name` is its anchor (`#name`)."""

    name: str
    title: str
    items: Sequence[Any]
    template: str


@dataclass(frozen=True)
class LogRow:
    """One line of the public moderation log from another app: when, what was done (as
    shown), where (a label and a link), by which moderator, and the public reason."""

    created_at: dt.datetime
    action_label: str
    place: str
    url: str
    moderator_name: str
    reason: str


@dataclass(frozen=True)
class LogFeed:
    """A source of log entries: `entries` newest first (any order: the log orders them by
    `at_field`, then id), and `rows`, which turns a batch of them into what the page
    shows, in the same order."""

    entries: QuerySet[Any]
    rows: Callable[[list[Any]], list[LogRow]]
    at_field: str = "created_at"


QueueSource = Callable[[Any, "list[int] | None"], QueueSection]
LogSource = Callable[[Any], LogFeed]

_QUEUE_SOURCES: dict[str, QueueSource] = {}
_LOG_SOURCES: dict[str, LogSource] = {}


def register_queue_source(name: str, fn: QueueSource) -> None:
    """Add a section to the moderators' queue (shown in the order registered)."""
    _QUEUE_SOURCES[name] = fn


def queue_sources() -> list[QueueSource]:
    return list(_QUEUE_SOURCES.values())


def register_log_source(name: str, fn: LogSource) -> None:
    """Add entries to each agency's public moderation log."""
    _LOG_SOURCES[name] = fn


def log_sources() -> list[LogSource]:
    return list(_LOG_SOURCES.values())
