"""The public "When is my answer due?" page: the working-day rule, worked out for you."""

from __future__ import annotations

from datetime import date, datetime, time

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from . import deadlines
from .forms import DueDateForm
from .queries import calendar_for

# The names people use for the time zones of the United States; others show their IANA
# name with the abbreviation in force (such as "Europe/Madrid (CET)").
TIME_ZONE_NAMES = {
    "America/New_York": gettext_lazy("Eastern time"),
    "America/Detroit": gettext_lazy("Eastern time"),
    "America/Indiana/Indianapolis": gettext_lazy("Eastern time"),
    "America/Chicago": gettext_lazy("Central time"),
    "America/Denver": gettext_lazy("Mountain time"),
    "America/Boise": gettext_lazy("Mountain time"),
    "America/Phoenix": gettext_lazy("Mountain time (Arizona)"),
    "America/Los_Angeles": gettext_lazy("Pacific time"),
    "America/Anchorage": gettext_lazy("Alaska time"),
    "Pacific/Honolulu": gettext_lazy("Hawaii time"),
    "America/Puerto_Rico": gettext_lazy("Atlantic time"),
}


def time_zone_label(moment: datetime) -> str:
    key = getattr(moment.tzinfo, "key", "")
    if key in TIME_ZONE_NAMES:
        return str(TIME_ZONE_NAMES[key])
    return f"{key} ({moment.tzname()})" if key else str(moment.tzname())


def day_in_words(day: date | datetime) -> str:
    """ "Friday, 4 December 2026" in the active language."""
    return formats.date_format(day, pgettext("long date with weekday", "l, j F Y"))


def in_words(moment: datetime) -> str:
    """ "Friday, 4 December 2026 at 11:59 p.m. (Central time)" in the active language."""
    return _("%(day)s at %(time)s (%(zone)s)") % {
        "day": day_in_words(moment),
        "time": formats.date_format(moment, "P"),
        "zone": time_zone_label(moment),
    }


def due_date(request: HttpRequest) -> HttpResponse:
    form = DueDateForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        agency = form.cleaned_data["agency"]
        try:
            calendar = calendar_for(agency)
            received_at = datetime.combine(
                form.cleaned_data["received_date"],
                form.cleaned_data["received_time"] or time(0, 0),
                tzinfo=calendar.time_zone,
            )
            deadline = calendar.deadline(received_at, form.cleaned_data["working_days"])
        except deadlines.OutOfCalendarRange as error:
            form.add_error(
                "received_date",
                _(
                    "Our holiday calendar covers the years %(first)s to %(last)s. Choose a "
                    "date and a number of working days that stay within them."
                )
                % {"first": error.first, "last": error.last},
            )
        except deadlines.CalendarError:
            form.add_error(
                "agency",
                _(
                    "The calendar of %(agency)s is not set up correctly, so we cannot work out "
                    "its due dates. Please choose another agency or contact the site's "
                    "administrators."
                )
                % {"agency": agency.name},
            )
        else:
            result = {
                "agency": agency,
                "working_days": form.cleaned_data["working_days"],
                "received_in_words": day_in_words(deadline.received_on),
                "due_at": deadline.due_at,
                "due_in_words": in_words(deadline.due_at),
                "skipped": [
                    {
                        "date": day.date,
                        "in_words": day_in_words(day.date),
                        # Holiday names come from the `holidays` package (in English);
                        # closure reasons are what the agency typed.
                        "name": _("weekend") if day.kind == "weekend" else day.name,
                    }
                    for day in deadline.skipped
                ],
            }
    return render(request, "commitments/due_date.html", {"form": form, "result": result})
