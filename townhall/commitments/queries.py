"""Read models for commitments: an agency's working-day calendar."""

from __future__ import annotations

from townhall.agencies.models import Agency

from .deadlines import WorkingDayCalendar
from .models import AgencyClosure


def calendar_for(agency: Agency) -> WorkingDayCalendar:
    """The working-day calendar of an agency: its jurisdiction's holidays in its time zone,
    plus the days it closed (one query).

    Raises `deadlines.CalendarError` when the agency's jurisdiction or time zone is unknown.
    """
    closures = AgencyClosure.objects.filter(agency=agency).values_list("date", "reason")
    return WorkingDayCalendar(agency.jurisdiction, agency.time_zone, closures)
