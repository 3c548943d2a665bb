"""Properties of the working-day rule that hold for every start, count, zone and closure.

The oracle for "working day" is built here straight from the `holidays` package, the
weekday and the closures, so the calendar is checked against the package, not itself.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from townhall.commitments.deadlines import (
    MAX_WORKING_DAYS,
    WorkingDayCalendar,
    extend_for_pause,
)

JURISDICTIONS = ["US-IL", "US", "US-NY", "US-CA", "US-TX"]
ZONES = [
    "America/Chicago",
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Honolulu",
    "UTC",
    "Asia/Tokyo",
    "Australia/Lord_Howe",  # half-hour daylight saving shift
]
FIRST, LAST = datetime(2024, 1, 1), datetime(2031, 12, 31)

moments = st.datetimes(
    min_value=FIRST,
    max_value=LAST,
    timezones=st.sampled_from([ZoneInfo(name) for name in ZONES]),
)
counts = st.integers(min_value=1, max_value=300)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[WorkingDayCalendar, datetime, int]:
    """A calendar, a start and a count, with closure days dense around the deadline."""
    start = draw(moments)
    n = draw(counts)
    first = start.date() - timedelta(days=2)
    closures = draw(
        st.dictionaries(
            st.dates(min_value=first, max_value=first + timedelta(days=n * 7 // 5 + 10)),
            st.sampled_from(["Snow day", "Flood", "Power cut"]),
            max_size=max(3, n // 3),
        )
    )
    calendar = WorkingDayCalendar(
        draw(st.sampled_from(JURISDICTIONS)), draw(st.sampled_from(ZONES)), closures
    )
    return calendar, start, n


@st.composite
def calendars(draw: st.DrawFn) -> WorkingDayCalendar:
    return draw(scenarios())[0]


def non_working_oracle(calendar: WorkingDayCalendar, first: date, last: date) -> set[date]:
    """Every non-working date in [first, last], computed without the calendar's code."""
    years = range(first.year, last.year + 1)
    official = holidays.country_holidays(calendar.country, subdiv=calendar.subdivision, years=years)
    days = set()
    day = first
    while day <= last:
        if day.weekday() >= 5 or day in official or day in calendar.closures:
            days.add(day)
        day += timedelta(days=1)
    return days


def due_date(calendar: WorkingDayCalendar, moment: datetime) -> date:
    return moment.astimezone(calendar.time_zone).date()


@given(scenarios())
def test_one_more_working_day_is_always_strictly_later(
    scenario: tuple[WorkingDayCalendar, datetime, int],
) -> None:
    calendar, start, n = scenario
    assert calendar.deadline(start, n + 1).due_at > calendar.deadline(start, n).due_at


@given(scenarios())
def test_a_deadline_never_falls_on_a_weekend_holiday_or_closure(
    scenario: tuple[WorkingDayCalendar, datetime, int],
) -> None:
    calendar, start, n = scenario
    due_on = due_date(calendar, calendar.deadline(start, n).due_at)
    assert due_on.weekday() < 5
    assert due_on not in non_working_oracle(calendar, due_on, due_on)
    assert calendar.non_working_reason(due_on) is None


@given(scenarios())
def test_a_deadline_is_always_one_second_before_local_midnight(
    scenario: tuple[WorkingDayCalendar, datetime, int],
) -> None:
    calendar, start, n = scenario
    due_at = calendar.deadline(start, n).due_at
    assert due_at.tzinfo is calendar.time_zone
    assert due_at.time() == time(23, 59, 59)
    assert due_at.astimezone(calendar.time_zone).time() == time(23, 59, 59)
    assert (due_at + timedelta(seconds=1)).astimezone(calendar.time_zone).time() == time(0, 0)


@given(scenarios())
def test_exactly_n_working_days_lie_between_the_receiving_day_and_the_due_date(
    scenario: tuple[WorkingDayCalendar, datetime, int],
) -> None:
    calendar, start, n = scenario
    deadline = calendar.deadline(start, n)
    received_on = start.astimezone(calendar.time_zone).date()
    due_on = due_date(calendar, deadline.due_at)
    assert deadline.received_on == received_on
    after_receipt = received_on + timedelta(days=1)
    non_working = non_working_oracle(calendar, after_receipt, due_on)
    assert (due_on - received_on).days - len(non_working) == n
    assert calendar.working_days_between(received_on, due_on) == n
    # ...and the skipped days are exactly those non-working dates, oldest first, named.
    assert [day.date for day in deadline.skipped] == sorted(non_working)
    assert all(day.name for day in deadline.skipped)


@given(scenarios(), st.lists(moments, min_size=3, max_size=3))
def test_two_back_to_back_pauses_move_a_deadline_as_far_as_one_long_pause(
    scenario: tuple[WorkingDayCalendar, datetime, int], instants: list[datetime]
) -> None:
    calendar, start, n = scenario
    a, b, c = sorted(instants)
    split = calendar.deadline(start, n, pauses=[(a, b), (b, c)])
    whole = calendar.deadline(start, n, pauses=[(a, c)])
    assert split == whole
    plain = calendar.deadline(start, n).due_at
    twice = extend_for_pause(extend_for_pause(plain, a, b, calendar), b, c, calendar)
    assert twice == extend_for_pause(plain, a, c, calendar) == whole.due_at


@given(scenarios(), st.lists(moments, min_size=2, max_size=2))
def test_a_pause_of_k_working_days_moves_the_deadline_by_exactly_k_working_days(
    scenario: tuple[WorkingDayCalendar, datetime, int], instants: list[datetime]
) -> None:
    calendar, start, n = scenario
    pause_start, pause_end = sorted(instants)
    k = calendar.pause_working_days(pause_start, pause_end)
    # k counts the working dates in [local date of pause start, local date of pause end).
    first = pause_start.astimezone(calendar.time_zone).date()
    last = pause_end.astimezone(calendar.time_zone).date()
    span = (last - first).days
    assert k == span - len(non_working_oracle(calendar, first, last - timedelta(days=1)))
    before = calendar.deadline(start, n).due_at
    after = calendar.deadline(start, n, pauses=[(pause_start, pause_end)]).due_at
    assert calendar.working_days_between(due_date(calendar, before), due_date(calendar, after)) == k
    assert after == calendar.deadline(start, n + k).due_at
    assert extend_for_pause(before, pause_start, pause_end, calendar) == after


@settings(max_examples=10)
@given(
    calendars(),
    st.datetimes(
        min_value=FIRST, max_value=datetime(2080, 1, 1), timezones=st.just(ZoneInfo("UTC"))
    ),
)
def test_the_longest_allowed_count_still_lands_on_a_working_day(
    calendar: WorkingDayCalendar, start: datetime
) -> None:
    deadline = calendar.deadline(start, MAX_WORKING_DAYS)
    due_on = due_date(calendar, deadline.due_at)
    assert calendar.is_working_day(due_on)
    assert calendar.working_days_between(deadline.received_on, due_on) == MAX_WORKING_DAYS
