"""Working-day deadlines: pure date arithmetic on a jurisdiction's calendar.

No database here: plain dates, aware datetimes, `zoneinfo` and the `holidays` package, so
the rule can be tested exhaustively and reused by the web pages, the API and the
commitments that service requests make.

The rule
--------
A deadline of N working days (1 ≤ N ≤ `MAX_WORKING_DAYS`) falls at the end of the Nth
working day after the *local* date on which the request was received:

- the moment of receipt (an aware datetime) is first converted to the calendar's time
  zone; its date there is the receiving day, and the receiving day itself never counts,
  whatever the hour (a request received at 23:30 on a Friday counts from that Friday; one
  received on a Saturday counts from that Saturday, so Monday is its first working day);
- a working day is a date that is not a weekend day (Saturday and Sunday in the United
  States: the `holidays` package knows each country's weekend), not an official holiday of
  the jurisdiction, and not a closure day the agency added (a snow day);
- the deadline is 23:59:59 local time on that day, as an aware datetime in the zone.

N = 0 is refused rather than meaning "by the end of today": a promise measured in working
days always leaves at least one full working day.

Official holidays come from `holidays.country_holidays(country, subdiv=...)` with its
default ("public") category and observed-day rules: when July 4 is a Saturday, the Friday
before is "Independence Day (observed)" and offices close that Friday, so it is skipped;
the Saturday itself is skipped too, being a weekend day, and is listed with the holiday's
name. Each year's holidays are computed once per (country, subdivision, year) and cached.
Years outside the package's range for the country (1777–2100 for the United States) are
refused instead of being treated as holiday-free.

Pauses
------
While a request waits for the citizen the clock stops. A pause from `pause_start` to
`pause_end` (aware datetimes) lasts as many working days as there are working dates d with
    local date of pause_start ≤ d < local date of pause_end
(in the calendar's zone), and moves a deadline later by exactly that many working days. A
pause that starts and ends on the same local date lasts 0 working days. The measure is
additive: pausing from a to b and then from b to c moves the deadline exactly as far as one
pause from a to c, because the half-open date ranges [a, b) and [b, c) split [a, c).

Skipped days
------------
`Deadline.skipped` lists every non-working date after the receiving day up to and
including the due date (which is always a working day, so in practice up to the day
before), each with a name: the holiday's, the closure's reason, or the weekday name for a
plain weekend day. Working days spent in a pause are not non-working days and are not
listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, available_timezones

import holidays

MIN_WORKING_DAYS = 1
MAX_WORKING_DAYS = 3650  # about fourteen years: anything longer is a typo, not a promise
END_OF_DAY = time(23, 59, 59)

# English names for plain weekend days (the API's wire format); pages translate the date.
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_JURISDICTION = re.compile(r"(?P<country>[A-Z]{2,3})(?:-(?P<subdiv>[A-Z0-9]{1,10}))?")


# --- errors --------------------------------------------------------------------------------


class CalendarError(ValueError):
    """Input the calendar cannot work with. The message is meant for people."""


class UnknownJurisdiction(CalendarError):
    def __init__(self, code: str, reason: str = "") -> None:
        self.code = code
        super().__init__(
            reason
            or f"“{code}” is not a jurisdiction with a holiday calendar; use a country code "
            "with an optional subdivision, such as US or US-IL."
        )


class UnknownTimeZone(CalendarError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"“{name}” is not a known time zone; use an IANA name such as America/Chicago."
        )


class NaiveDatetime(CalendarError):
    def __init__(self, what: str = "The start") -> None:
        super().__init__(f"{what} must include a time zone offset.")


class WorkingDaysOutOfRange(CalendarError):
    def __init__(self, value: object) -> None:
        self.value = value
        super().__init__(
            f"The number of working days must be a whole number from {MIN_WORKING_DAYS} "
            f"to {MAX_WORKING_DAYS}; got {value!r}."
        )


class OutOfCalendarRange(CalendarError):
    def __init__(self, year: int, first: int, last: int) -> None:
        self.year, self.first, self.last = year, first, last
        super().__init__(
            f"The holiday calendar covers the years {first} to {last}; this date falls in {year}."
        )


# --- parsing inputs ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _time_zone_names() -> frozenset[str]:
    # "localtime" and "posixrules" are whatever the server is set to, not a place.
    return frozenset(available_timezones()) - {"localtime", "posixrules"}


def load_time_zone(name: str | ZoneInfo) -> ZoneInfo:
    """The IANA time zone called `name`; `UnknownTimeZone` when there is none."""
    if isinstance(name, ZoneInfo):
        return name
    if not isinstance(name, str) or name not in _time_zone_names():
        raise UnknownTimeZone(str(name))
    return ZoneInfo(name)


@lru_cache(maxsize=1)
def _supported() -> Mapping[str, frozenset[str]]:
    return MappingProxyType(
        {
            country: frozenset(subdivisions)
            for country, subdivisions in holidays.list_supported_countries(
                include_aliases=False
            ).items()
        }
    )


def parse_jurisdiction(code: str) -> tuple[str, str | None]:
    """Split "US-IL" into ("US", "IL") and "US" into ("US", None), checking both exist.

    Letters may be given in either case. Raises `UnknownJurisdiction` naming the code.
    """
    if not isinstance(code, str):
        raise UnknownJurisdiction(str(code))
    cleaned = code.strip().upper()
    match = _JURISDICTION.fullmatch(cleaned)
    if match is None:
        raise UnknownJurisdiction(code)
    country, subdiv = match["country"], match["subdiv"]
    supported = _supported()
    if country not in supported:
        raise UnknownJurisdiction(code, f"“{country}” is not a country with a holiday calendar.")
    if subdiv is not None and subdiv not in supported[country]:
        raise UnknownJurisdiction(
            code, f"“{subdiv}” is not a subdivision of {country} with a holiday calendar."
        )
    return country, subdiv


def _aware(moment: datetime, what: str) -> datetime:
    if not isinstance(moment, datetime):
        raise CalendarError(f"{what} must be a date and time.")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime(what)
    return moment


# --- official holidays, cached -------------------------------------------------------------


@lru_cache(maxsize=8)
def _year_range(country: str, subdiv: str | None) -> tuple[int, int]:
    entity = holidays.country_holidays(country, subdiv=subdiv)
    return entity.start_year, entity.end_year


@lru_cache(maxsize=8)
def _weekend(country: str, subdiv: str | None) -> frozenset[int]:
    entity = holidays.country_holidays(country, subdiv=subdiv)
    return frozenset(getattr(entity, "weekend", None) or {5, 6})


@lru_cache(maxsize=512)
def official_holidays(country: str, subdiv: str | None, year: int) -> Mapping[date, str]:
    """The official holidays (observed days included) of one year, date → name.

    Raises `OutOfCalendarRange` for years the package does not cover for this country.
    """
    first, last = _year_range(country, subdiv)
    if not first <= year <= last:
        raise OutOfCalendarRange(year, first, last)
    entity = holidays.country_holidays(country, subdiv=subdiv, years=year)
    return MappingProxyType({day: name for day, name in entity.items() if day.year == year})


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkippedDay:
    """A date that did not count. `kind` is "holiday", "closure" or "weekend"."""

    date: date
    name: str
    kind: str


@dataclass(frozen=True)
class Deadline:
    received_on: date  # the local receiving day (never counted)
    due_at: datetime  # 23:59:59 local time on the due date, aware
    skipped: tuple[SkippedDay, ...]

    @property
    def due_on(self) -> date:
        return self.due_at.date()


# --- the calendar --------------------------------------------------------------------------


class WorkingDayCalendar:
    """The working days of one agency: its jurisdiction's holidays, weekends and closures.

    >>> cal = WorkingDayCalendar("US-IL", "America/Chicago", {date(2026, 12, 24): "Snow day"})
    """

    __slots__ = ("closures", "country", "jurisdiction", "subdivision", "time_zone")

    def __init__(
        self,
        jurisdiction: str,
        time_zone: str | ZoneInfo,
        closures: Mapping[date, str] | Iterable[tuple[date, str]] = (),
    ) -> None:
        self.country, self.subdivision = parse_jurisdiction(jurisdiction)
        self.jurisdiction = (
            f"{self.country}-{self.subdivision}" if self.subdivision else self.country
        )
        self.time_zone = load_time_zone(time_zone)
        pairs = closures.items() if isinstance(closures, Mapping) else closures
        closed: dict[date, str] = {}
        for day, reason in pairs:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise CalendarError(f"A closure must be a date, not {day!r}.")
            closed[day] = str(reason)
        self.closures: Mapping[date, str] = MappingProxyType(closed)

    def __repr__(self) -> str:
        return (
            f"WorkingDayCalendar({self.jurisdiction!r}, {self.time_zone.key!r}, "
            f"{len(self.closures)} closures)"
        )

    # one day -------------------------------------------------------------------------------

    def holiday_name(self, day: date) -> str | None:
        return official_holidays(self.country, self.subdivision, day.year).get(day)

    def non_working_reason(self, day: date) -> SkippedDay | None:
        """Why `day` is not a working day, or None when it is one."""
        holiday = self.holiday_name(day)
        closure = self.closures.get(day)
        if holiday is not None:
            name = holiday if closure in (None, holiday) else f"{holiday}; {closure}"
            return SkippedDay(day, name, "holiday")
        if closure is not None:
            return SkippedDay(day, closure, "closure")
        if day.weekday() in _weekend(self.country, self.subdivision):
            return SkippedDay(day, WEEKDAY_NAMES[day.weekday()], "weekend")
        return None

    def is_working_day(self, day: date) -> bool:
        if day.weekday() in _weekend(self.country, self.subdivision):
            # Still look the year up, so a date outside the covered years is refused.
            official_holidays(self.country, self.subdivision, day.year)
            return False
        return day not in self.closures and self.holiday_name(day) is None

    # moments and dates ---------------------------------------------------------------------

    def local_date(self, moment: datetime, what: str = "The start") -> date:
        """The date in the calendar's zone at an aware moment."""
        moment = _aware(moment, what)
        try:
            return moment.astimezone(self.time_zone).date()
        except (OverflowError, ValueError) as error:
            raise CalendarError(f"{what} is outside the range of dates this can handle.") from error

    def end_of_day(self, day: date) -> datetime:
        return datetime.combine(day, END_OF_DAY, tzinfo=self.time_zone)

    def _following_days(self, day: date) -> Iterator[date]:
        while True:
            try:
                day += timedelta(days=1)
            except OverflowError as error:
                first, last = _year_range(self.country, self.subdivision)
                raise OutOfCalendarRange(day.year + 1, first, last) from error
            yield day

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`th working day after `day` (`day` itself when count is 0)."""
        if count < 0:
            raise ValueError("Cannot add a negative number of working days.")
        if count == 0:
            return day
        for candidate in self._following_days(day):
            if self.is_working_day(candidate):
                count -= 1
                if count == 0:
                    return candidate
        raise AssertionError("unreachable")  # pragma: no cover

    def working_days_between(self, after: date, through: date) -> int:
        """How many working days d satisfy after < d ≤ through (0 when through ≤ after)."""
        total = 0
        day = after
        while day < through:
            day += timedelta(days=1)
            total += self.is_working_day(day)
        return total

    def skipped_between(self, after: date, through: date) -> tuple[SkippedDay, ...]:
        """The non-working dates d with after < d ≤ through, each with its name."""
        skipped = []
        day = after
        while day < through:
            day += timedelta(days=1)
            reason = self.non_working_reason(day)
            if reason is not None:
                skipped.append(reason)
        return tuple(skipped)

    # pauses --------------------------------------------------------------------------------

    def pause_working_days(self, pause_start: datetime, pause_end: datetime) -> int:
        """Working dates d with local(pause_start) ≤ d < local(pause_end)."""
        first = self.local_date(pause_start, "The start of a pause")
        last = self.local_date(pause_end, "The end of a pause")
        if _aware(pause_end, "The end of a pause") < pause_start:
            raise CalendarError("A pause cannot end before it starts.")
        total = 0
        day = first
        while day < last:
            total += self.is_working_day(day)
            day += timedelta(days=1)
        return total

    # the rule ------------------------------------------------------------------------------

    def deadline(
        self,
        received_at: datetime,
        working_days: int,
        pauses: Iterable[tuple[datetime, datetime]] = (),
    ) -> Deadline:
        """When an answer promised within `working_days` is due (see the module's rule).

        Each pause (start, end) moves the due date by its length in working days.
        """
        if (
            isinstance(working_days, bool)
            or not isinstance(working_days, int)
            or not MIN_WORKING_DAYS <= working_days <= MAX_WORKING_DAYS
        ):
            raise WorkingDaysOutOfRange(working_days)
        received_on = self.local_date(received_at)
        paused = sum(self.pause_working_days(start, end) for start, end in pauses)
        due_on = self.add_working_days(received_on, working_days + paused)
        return Deadline(
            received_on=received_on,
            due_at=self.end_of_day(due_on),
            skipped=self.skipped_between(received_on, due_on),
        )


def extend_for_pause(
    due_at: datetime, pause_start: datetime, pause_end: datetime, calendar: WorkingDayCalendar
) -> datetime:
    """Move a deadline later by the working days a pause lasted (see the module's rule).

    The result is the end of the day that many working days after the due date; a pause of
    0 working days returns `due_at` unchanged.
    """
    paused = calendar.pause_working_days(pause_start, pause_end)
    if paused == 0:
        return _aware(due_at, "The due date")
    due_on = calendar.local_date(due_at, "The due date")
    return calendar.end_of_day(calendar.add_working_days(due_on, paused))
