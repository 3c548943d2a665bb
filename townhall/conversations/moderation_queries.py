"""Read models of moderation: the moderators' queue and the public moderation log.

The queue shows only what the reader moderates (`moderation.moderated_agency_ids`); the log is
public, and tells of a private conversation only that it was one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Min, Prefetch, Q, QuerySet

from townhall.activity import keyset
from townhall.agencies.models import Agency

from .models import Message, Thread
from .moderation import (
    hidden_notice,
    latest_hide_entries,
    moderated_agency_ids,
    moderated_scope,
)
from .moderation_models import Appeal, AppealOutcome, Flag, FlagState, ModerationEntry
from .moderation_registry import LogFeed, QueueSection, log_sources, queue_sources

# Entries on one page of an agency's public moderation log.
LOG_PAGE_SIZE = 50

# Most items each part of the queue shows at once (oldest first: work through them).
QUEUE_LIMIT = 50


@dataclass
class Queue:
    flagged: Sequence[Message] = field(default_factory=list)
    appeals: list[Appeal] = field(default_factory=list)
    hidden: list[Message] = field(default_factory=list)
    locked: list[Thread] = field(default_factory=list)


def moderation_queue(user: Any) -> Queue:
    """What `user` has to moderate, in a fixed number of queries: messages with open
    flags (each with `open_flags`, oldest flag first), pending appeals, recently hidden
    messages (to restore) and locked threads. Empty for anyone who moderates nothing."""
    agency_ids = moderated_agency_ids(user)
    if agency_ids == []:
        return Queue()
    scope = moderated_scope(agency_ids)
    messages = Message.objects.public().select_related(
        "thread__agency", "author", "persona__agency"
    )
    open_flags = Flag.objects.open().select_related("flagged_by").order_by("created_at", "pk")
    flagged = list(
        messages.filter(scope, flags__state=FlagState.OPEN)
        .annotate(first_flagged_at=Min("flags__created_at", filter=Q(flags__state=FlagState.OPEN)))
        .prefetch_related(Prefetch("flags", queryset=open_flags, to_attr="open_flags"))
        .order_by("first_flagged_at", "pk")[:QUEUE_LIMIT]
    )
    appeals = list(
        Appeal.objects.filter(
            moderated_scope(agency_ids, "message__thread__agency"),
            outcome=AppealOutcome.PENDING,
        )
        .select_related("message__thread__agency", "message__author", "message__persona")
        .order_by("created_at", "pk")[:QUEUE_LIMIT]
    )
    hidden = list(messages.filter(scope, is_hidden=True).order_by("-pk")[:QUEUE_LIMIT])
    locked = list(
        Thread.objects.filter(moderated_scope(agency_ids, "agency"), is_locked=True)
        .select_related("agency")
        .order_by("-pk")[:QUEUE_LIMIT]
    )
    entries = latest_hide_entries(
        [m.pk for m in hidden] + [a.message_id for a in appeals]  # one query for both
    )
    for message in hidden:
        message.hidden_notice = hidden_notice(entries.get(message.pk))  # type: ignore[attr-defined]
    for appeal in appeals:
        appeal.message.hidden_notice = hidden_notice(entries.get(appeal.message_id))  # type: ignore[attr-defined]
    return Queue(flagged=flagged, appeals=appeals, hidden=hidden, locked=locked)


def moderation_log(agency: Agency) -> QuerySet[ModerationEntry]:
    """Every hide, restore, lock and unlock in the agency's threads, newest first, with
    the thread (one query per page)."""
    return (
        ModerationEntry.objects.filter(agency=agency)
        .select_related("thread")
        .order_by("-created_at", "-pk")
    )


def other_sections(user: Any, agency_ids: list[int] | None) -> list[QueueSection]:
    """The queue's parts other apps add (reported consultation comments, their appeals...),
    for the agencies `user` moderates (`agency_ids`, as `moderated_agency_ids` answers);
    each costs a fixed number of queries. Empty for anyone who moderates nothing."""
    if agency_ids == []:
        return []
    return [source(user, agency_ids) for source in queue_sources()]


def public_log(agency: Agency, cursor: str | None = None, size: int = LOG_PAGE_SIZE) -> keyset.Page:
    """A page of the agency's public log, newest first: its `ModerationEntry` rows and
    the entries other apps add (`moderation_registry.register_log_source`), merged by
    date and cut by a keyset cursor (`keyset.Cursor`, from the previous page): per page,
    one query per feed plus what each feed's `rows` needs, however deep the page.
    ValidationError on "cursor" for a cursor that is not one."""
    feeds = [LogFeed(entries=moderation_log(agency), rows=list)]
    feeds += [source(agency) for source in log_sources()]
    sources = [
        keyset.Source(
            kind=f"feed{index}",
            rows=feed.entries,
            at_field=feed.at_field,
            shape=lambda row, index=index: (index, row),  # type: ignore[misc]
        )
        for index, feed in enumerate(feeds)
    ]
    page = keyset.merged_page(sources, keyset.Cursor.decode(cursor), size)
    # Each feed shapes its own rows in one batch; the page keeps the merged order.
    batches: dict[int, list[Any]] = {}
    for index, row in page.items:
        batches.setdefault(index, []).append(row)
    shaped = {index: iter(feeds[index].rows(rows)) for index, rows in batches.items()}
    page.items = [next(shaped[index]) for index, _row in page.items]
    return page
