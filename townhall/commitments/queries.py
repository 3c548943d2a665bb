"""Read models for commitments: an agency's working-day calendar, and the cut-offs that
decide which commitments are at risk."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet

from townhall.agencies.models import Agency

from .deadlines import CalendarError, WorkingDayCalendar
from .models import AgencyClosure, CalendarFeed, Commitment


def calendar_for(agency: Agency) -> WorkingDayCalendar:
    """The working-day calendar of an agency: its jurisdiction's holidays in its time zone,
    plus the days it closed (one query).

    Raises `deadlines.CalendarError` when the agency's jurisdiction or time zone is unknown.
    """
    closures = AgencyClosure.objects.filter(agency=agency).values_list("date", "reason")
    return WorkingDayCalendar(agency.jurisdiction, agency.time_zone, closures)


def at_risk_cutoff(calendar: WorkingDayCalendar, now: datetime) -> datetime:
    """The end (23:59:59 local) of the first working day after `now`'s local date: a
    commitment due no later than this is due within one working day."""
    return calendar.end_of_day(calendar.add_working_days(calendar.local_date(now), 1))


def at_risk_cutoffs(
    agency_ids: Iterable[int] | QuerySet[Any], now: datetime
) -> dict[int, datetime]:
    """`at_risk_cutoff` for each agency, in two queries (agencies and their closure days).

    An agency whose calendar cannot be built falls back to `now` + 24 hours.
    """
    agencies = Agency.objects.filter(
        pk__in=agency_ids if isinstance(agency_ids, QuerySet) else list(agency_ids)
    ).prefetch_related(
        Prefetch("closures", queryset=AgencyClosure.objects.only("agency_id", "date", "reason"))
    )
    cutoffs = {}
    for agency in agencies.only("pk", "jurisdiction", "time_zone"):
        try:
            calendar = WorkingDayCalendar(
                agency.jurisdiction,
                agency.time_zone,
                [(closure.date, closure.reason) for closure in agency.closures.all()],
            )
            cutoffs[agency.pk] = at_risk_cutoff(calendar, now)
        except CalendarError:
            cutoffs[agency.pk] = now + timedelta(hours=24)
    return cutoffs


def live_calendar_feed(token: str) -> CalendarFeed | None:
    """The live calendar feed with this secret, with its owner; None for an unknown or
    revoked one. One query."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        return None
    return CalendarFeed.objects.live().select_related("owner").filter(token=token).first()


def open_commitments_made_to(user: Any) -> QuerySet[Commitment]:
    """The open commitments made to `user` (read through their `visible_to`), soonest
    due first, with the agency and the staff member holding each. One query."""
    return (
        Commitment.objects.visible_to(user)
        .open()
        .filter(made_to=user)
        .select_related("agency", "holder", "made_by_persona", "team")
        .order_by("due_at", "pk")
    )
