"""Worked examples of the working-day rule in Springfield, Illinois (US-IL, Central time).

Each expectation was checked against a paper calendar and against what `holidays` 0.109
says Illinois observes.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import holidays
import pytest

from townhall.commitments import deadlines
from townhall.commitments.deadlines import (
    CalendarError,
    NaiveDatetime,
    OutOfCalendarRange,
    UnknownJurisdiction,
    UnknownTimeZone,
    WorkingDayCalendar,
    WorkingDaysOutOfRange,
    extend_for_pause,
    official_holidays,
)

CHICAGO = ZoneInfo("America/Chicago")
UTC = ZoneInfo("UTC")


@pytest.fixture
def illinois() -> WorkingDayCalendar:
    return WorkingDayCalendar("US-IL", "America/Chicago")


def chicago(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


def skipped(deadline: deadlines.Deadline) -> list[tuple[str, str]]:
    return [(day.date.isoformat(), day.name) for day in deadline.skipped]


# --- Thanksgiving, Christmas, New Year --------------------------------------------------------


def test_the_holidays_package_gives_illinois_thanksgiving_but_not_the_day_after() -> None:
    # Illinois state offices close on the Friday after Thanksgiving too, but `holidays`
    # 0.109 lists only the federal Thanksgiving Day for US-IL. An agency that closes that
    # Friday adds it as a closure day; the calendar follows the package, not our memory.
    official = holidays.country_holidays("US", subdiv="IL", years=2026)
    assert official.get(date(2026, 11, 26)) == "Thanksgiving Day"
    assert date(2026, 11, 27) not in official


def test_a_twenty_working_day_foi_request_skips_thanksgiving_and_the_weekends(
    illinois: WorkingDayCalendar,
) -> None:
    deadline = illinois.deadline(chicago(2026, 11, 20, 10, 0), 20)
    assert deadline.due_at.isoformat() == "2026-12-21T23:59:59-06:00"
    assert skipped(deadline) == [
        ("2026-11-21", "Saturday"),
        ("2026-11-22", "Sunday"),
        ("2026-11-26", "Thanksgiving Day"),
        ("2026-11-28", "Saturday"),
        ("2026-11-29", "Sunday"),
        ("2026-12-05", "Saturday"),
        ("2026-12-06", "Sunday"),
        ("2026-12-12", "Saturday"),
        ("2026-12-13", "Sunday"),
        ("2026-12-19", "Saturday"),
        ("2026-12-20", "Sunday"),
    ]
    assert deadline.skipped[2].kind == "holiday"
    assert deadline.skipped[0].kind == "weekend"


def test_a_deadline_across_christmas_and_new_year_skips_both_fridays(
    illinois: WorkingDayCalendar,
) -> None:
    deadline = illinois.deadline(chicago(2026, 12, 21, 9, 0), 10)
    assert deadline.due_at == chicago(2027, 1, 6, 23, 59, 59)
    assert skipped(deadline) == [
        ("2026-12-25", "Christmas Day"),
        ("2026-12-26", "Saturday"),
        ("2026-12-27", "Sunday"),
        ("2027-01-01", "New Year's Day"),
        ("2027-01-02", "Saturday"),
        ("2027-01-03", "Sunday"),
    ]


def test_christmas_eve_2026_is_a_working_day_in_illinois(illinois: WorkingDayCalendar) -> None:
    # Christmas Eve is only an "unofficial" holiday in the package.
    assert illinois.deadline(chicago(2026, 12, 23, 9, 0), 1).due_at == chicago(
        2026, 12, 24, 23, 59, 59
    )


def test_a_holiday_on_a_saturday_closes_the_friday_before(illinois: WorkingDayCalendar) -> None:
    # July 4, 2026 is a Saturday: offices close on Friday July 3 (observed).
    deadline = illinois.deadline(chicago(2026, 7, 2, 9, 0), 1)
    assert deadline.due_at.isoformat() == "2026-07-06T23:59:59-05:00"
    assert skipped(deadline) == [
        ("2026-07-03", "Independence Day (observed)"),
        ("2026-07-04", "Independence Day"),
        ("2026-07-05", "Sunday"),
    ]


def test_christmas_2027_on_a_saturday_is_observed_on_friday_the_24th(
    illinois: WorkingDayCalendar,
) -> None:
    deadline = illinois.deadline(chicago(2027, 12, 23, 9, 0), 1)
    assert deadline.due_at == chicago(2027, 12, 27, 23, 59, 59)
    assert skipped(deadline) == [
        ("2027-12-24", "Christmas Day (observed)"),
        ("2027-12-25", "Christmas Day"),
        ("2027-12-26", "Sunday"),
    ]


def test_new_year_2028_is_observed_on_the_last_day_of_2027(illinois: WorkingDayCalendar) -> None:
    deadline = illinois.deadline(chicago(2027, 12, 30, 9, 0), 1)
    assert deadline.due_at == chicago(2028, 1, 3, 23, 59, 59)
    assert skipped(deadline)[0] == ("2027-12-31", "New Year's Day (observed)")


def test_illinois_election_day_and_veterans_day_do_not_count(
    illinois: WorkingDayCalendar,
) -> None:
    # Received Monday 2 November: 4, 5, 6, 9, 10, 12 and 13 November are the seven days.
    deadline = illinois.deadline(chicago(2026, 11, 2, 9, 0), 7)
    assert deadline.due_at == chicago(2026, 11, 13, 23, 59, 59)
    assert ("2026-11-03", "Election Day") in skipped(deadline)
    assert ("2026-11-11", "Veterans Day") in skipped(deadline)


def test_a_country_without_subdivision_uses_the_federal_holidays_only() -> None:
    federal = WorkingDayCalendar("US", "America/Chicago")
    # Election Day is an Illinois holiday, not a federal one.
    assert federal.deadline(chicago(2026, 11, 2, 9, 0), 1).due_at == chicago(
        2026, 11, 3, 23, 59, 59
    )
    assert federal.jurisdiction == "US"
    assert federal.subdivision is None


# --- when the request arrived -------------------------------------------------------------------


def test_a_request_received_on_a_saturday_counts_from_that_saturday(
    illinois: WorkingDayCalendar,
) -> None:
    deadline = illinois.deadline(chicago(2026, 11, 21, 10, 0), 1)
    assert deadline.received_on == date(2026, 11, 21)
    assert deadline.due_at == chicago(2026, 11, 23, 23, 59, 59)
    # The receiving day itself is never listed; the Sunday after it is.
    assert skipped(deadline) == [("2026-11-22", "Sunday")]


def test_a_request_received_at_half_past_eleven_on_a_friday_night_counts_from_friday(
    illinois: WorkingDayCalendar,
) -> None:
    deadline = illinois.deadline(chicago(2026, 11, 20, 23, 30), 1)
    assert deadline.received_on == date(2026, 11, 20)
    assert deadline.due_at == chicago(2026, 11, 23, 23, 59, 59)
    assert illinois.deadline(chicago(2026, 11, 20, 23, 30), 2).due_at == chicago(
        2026, 11, 24, 23, 59, 59
    )


def test_a_utc_start_already_on_the_next_day_counts_from_the_local_day(
    illinois: WorkingDayCalendar,
) -> None:
    # 05:30 UTC on Friday is 23:30 on Thursday in Chicago: day 1 is Friday.
    late_thursday = datetime(2026, 11, 20, 5, 30, tzinfo=UTC)
    deadline = illinois.deadline(late_thursday, 1)
    assert deadline.received_on == date(2026, 11, 19)
    assert deadline.due_at == chicago(2026, 11, 20, 23, 59, 59)
    # 06:30 UTC is 00:30 on Friday in Chicago: day 1 is Monday.
    early_friday = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)
    assert illinois.deadline(early_friday, 1).due_at == chicago(2026, 11, 23, 23, 59, 59)


def test_a_start_given_ahead_of_the_local_zone_counts_from_the_local_day(
    illinois: WorkingDayCalendar,
) -> None:
    # 08:00 on Friday in Tokyo is 17:00 on Thursday in Chicago.
    tokyo_friday = datetime(2026, 11, 20, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert illinois.deadline(tokyo_friday, 1).received_on == date(2026, 11, 19)


def test_the_due_time_follows_daylight_saving_time(illinois: WorkingDayCalendar) -> None:
    # Daylight saving time ends in Chicago on Sunday, November 1, 2026.
    start = chicago(2026, 10, 29, 9, 0)
    friday = illinois.deadline(start, 1).due_at
    monday = illinois.deadline(start, 2).due_at
    assert friday.isoformat() == "2026-10-30T23:59:59-05:00"
    assert monday.isoformat() == "2026-11-02T23:59:59-06:00"
    # Election Day (Tuesday) does not count either.
    assert illinois.deadline(start, 3).due_at.isoformat() == "2026-11-04T23:59:59-06:00"


# --- closures and pauses --------------------------------------------------------------------------


def test_a_snow_day_moves_the_deadline_by_one_working_day_and_is_listed() -> None:
    start = chicago(2026, 12, 21, 9, 0)
    plain = WorkingDayCalendar("US-IL", "America/Chicago").deadline(start, 1)
    snowed = WorkingDayCalendar(
        "US-IL", "America/Chicago", {date(2026, 12, 22): "Snow day"}
    ).deadline(start, 1)
    assert plain.due_at == chicago(2026, 12, 22, 23, 59, 59)
    assert snowed.due_at == chicago(2026, 12, 23, 23, 59, 59)
    assert snowed.skipped == (deadlines.SkippedDay(date(2026, 12, 22), "Snow day", "closure"),)


def test_a_closure_on_a_holiday_keeps_both_names() -> None:
    calendar = WorkingDayCalendar("US-IL", "America/Chicago", [(date(2026, 12, 25), "Flood")])
    reason = calendar.non_working_reason(date(2026, 12, 25))
    assert reason is not None
    assert reason.name == "Christmas Day; Flood"
    assert reason.kind == "holiday"


def test_a_pause_moves_the_deadline_by_the_working_days_it_lasted(
    illinois: WorkingDayCalendar,
) -> None:
    start = chicago(2026, 11, 2, 9, 0)
    assert illinois.deadline(start, 5).due_at == chicago(2026, 11, 10, 23, 59, 59)
    # Paused Monday 9 November to Thursday 12 November: Monday and Tuesday count,
    # Wednesday is Veterans Day, Thursday is the day it resumed (not counted).
    pause = (chicago(2026, 11, 9, 10, 0), chicago(2026, 11, 12, 8, 0))
    assert illinois.pause_working_days(*pause) == 2
    paused = illinois.deadline(start, 5, pauses=[pause])
    assert paused.due_at == chicago(2026, 11, 13, 23, 59, 59)
    assert extend_for_pause(chicago(2026, 11, 10, 23, 59, 59), *pause, illinois) == paused.due_at


def test_a_pause_within_one_day_moves_nothing(illinois: WorkingDayCalendar) -> None:
    due_at = chicago(2026, 11, 10, 23, 59, 59)
    pause = (chicago(2026, 11, 9, 9, 0), chicago(2026, 11, 9, 17, 0))
    assert illinois.pause_working_days(*pause) == 0
    assert extend_for_pause(due_at, *pause, illinois) is due_at


def test_a_pause_over_a_weekend_alone_moves_nothing(illinois: WorkingDayCalendar) -> None:
    pause = (chicago(2026, 11, 21, 9, 0), chicago(2026, 11, 23, 9, 0))
    assert illinois.pause_working_days(*pause) == 0


# --- refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, -1, -20, deadlines.MAX_WORKING_DAYS + 1, 10**9])
def test_a_count_outside_one_to_the_maximum_is_refused(
    illinois: WorkingDayCalendar, n: int
) -> None:
    with pytest.raises(WorkingDaysOutOfRange, match="whole number from 1 to 3650"):
        illinois.deadline(chicago(2026, 11, 20, 9, 0), n)


@pytest.mark.parametrize("n", [True, 2.0, "3", None])
def test_a_count_that_is_not_a_whole_number_is_refused(
    illinois: WorkingDayCalendar, n: object
) -> None:
    with pytest.raises(WorkingDaysOutOfRange):
        illinois.deadline(chicago(2026, 11, 20, 9, 0), n)  # type: ignore[arg-type]


def test_a_naive_start_is_refused(illinois: WorkingDayCalendar) -> None:
    with pytest.raises(NaiveDatetime, match="time zone offset"):
        illinois.deadline(datetime(2026, 11, 20, 9, 0), 1)
    with pytest.raises(NaiveDatetime):
        illinois.pause_working_days(datetime(2026, 11, 20, 9, 0), chicago(2026, 11, 21, 9, 0))


def test_a_date_without_a_time_is_refused_as_a_start(illinois: WorkingDayCalendar) -> None:
    with pytest.raises(CalendarError):
        illinois.deadline(date(2026, 11, 20), 1)  # type: ignore[arg-type]


def test_a_pause_at_the_edge_of_time_is_refused_not_crashed(
    illinois: WorkingDayCalendar,
) -> None:
    with pytest.raises(CalendarError):
        illinois.pause_working_days(
            datetime(1, 1, 1, 12, 0, tzinfo=UTC), datetime(1, 1, 3, 12, 0, tzinfo=UTC)
        )


def test_a_pause_that_ends_before_it_starts_is_refused(illinois: WorkingDayCalendar) -> None:
    with pytest.raises(CalendarError, match="cannot end before it starts"):
        illinois.pause_working_days(chicago(2026, 11, 20, 9, 0), chicago(2026, 11, 19, 9, 0))


@pytest.mark.parametrize(
    "code", ["XX", "US-ZZ", "", "US-IL-SPRINGFIELD", "Illinois", "US_IL", "<script>", "US\x00"]
)
def test_an_unknown_jurisdiction_is_refused_naming_it(code: str) -> None:
    with pytest.raises(UnknownJurisdiction) as raised:
        WorkingDayCalendar(code, "America/Chicago")
    assert raised.value.code == code
    assert isinstance(raised.value, ValueError)


def test_the_message_for_an_unknown_subdivision_names_it() -> None:
    with pytest.raises(UnknownJurisdiction, match="“ZZ” is not a subdivision of US"):
        WorkingDayCalendar("US-ZZ", "America/Chicago")


def test_jurisdiction_codes_may_be_written_in_lower_case() -> None:
    assert WorkingDayCalendar("us-il", "America/Chicago").jurisdiction == "US-IL"


@pytest.mark.parametrize(
    "name",
    ["Mars/Olympus_Mons", "", "../../etc/passwd", "/usr/share/zoneinfo/UTC", "CST6", "localtime"],
)
def test_an_unknown_time_zone_is_refused(name: str) -> None:
    with pytest.raises(UnknownTimeZone, match="not a known time zone"):
        WorkingDayCalendar("US-IL", name)


def test_a_closure_that_is_not_a_date_is_refused() -> None:
    with pytest.raises(CalendarError):
        WorkingDayCalendar("US-IL", "UTC", {datetime(2026, 12, 22, 9, 0): "Snow"})


def test_years_the_holiday_package_does_not_cover_are_refused_not_treated_as_holiday_free(
    illinois: WorkingDayCalendar,
) -> None:
    with pytest.raises(OutOfCalendarRange, match="1777 to 2100"):
        illinois.deadline(chicago(2100, 12, 20, 9, 0), 30)
    with pytest.raises(OutOfCalendarRange):
        illinois.deadline(chicago(1500, 1, 5, 9, 0), 1)


def test_a_start_at_the_edge_of_time_is_refused_not_crashed(illinois: WorkingDayCalendar) -> None:
    with pytest.raises(CalendarError):
        illinois.deadline(datetime(1, 1, 1, 0, 0, tzinfo=UTC), 1)
    with pytest.raises(CalendarError):
        illinois.deadline(datetime(9999, 12, 31, 23, 0, tzinfo=UTC), 1)


# --- speed --------------------------------------------------------------------------------------------


def test_each_years_holidays_are_computed_once(
    illinois: WorkingDayCalendar, monkeypatch: pytest.MonkeyPatch
) -> None:
    official_holidays.cache_clear()
    calls: list[tuple] = []
    original = holidays.country_holidays

    def counting(*args: object, **kwargs: object) -> holidays.HolidayBase:
        calls.append((args, kwargs.get("years")))
        return original(*args, **kwargs)

    monkeypatch.setattr(deadlines.holidays, "country_holidays", counting)
    for day in range(1, 28):
        illinois.deadline(chicago(2026, 2, day, 9, 0), 20)
    WorkingDayCalendar("US-IL", "UTC").deadline(chicago(2026, 3, 2, 9, 0), 20)
    # (The first calendar of a country also asks once, without years, for its range.)
    assert [years for _args, years in calls if years is not None] == [2026]
    official_holidays.cache_clear()
