"""Agency administrators close their agency for a day; the day stops counting, in public."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from townhall.activity.models import Activity, Visibility
from townhall.agencies import actions as agency_actions
from townhall.agencies.models import StaffRole
from townhall.commitments import actions
from townhall.commitments.models import AgencyClosure
from townhall.commitments.queries import calendar_for

CHICAGO = ZoneInfo("America/Chicago")
SNOW_DAY = date(2026, 12, 22)


@pytest.fixture
def agency_admin(make_user: Any, agency: Any, site_admin: Any) -> Any:
    user = make_user("ada@example.org", "Ada")
    agency_actions.add_staff_member(
        by=site_admin,
        agency=agency,
        user=user,
        public_name="Ada Okafor",
        job_title="Director",
        role=StaffRole.ADMIN,
    )
    return user


@pytest.fixture
def other_agency_admin(make_user: Any, other_agency: Any, site_admin: Any) -> Any:
    user = make_user("otto@example.org", "Otto")
    agency_actions.add_staff_member(
        by=site_admin,
        agency=other_agency,
        user=user,
        public_name="Otto Parks",
        job_title="Director",
        role=StaffRole.ADMIN,
    )
    return user


def test_an_agency_administrator_closes_the_agency_for_a_snow_day_in_public(
    agency: Any, agency_admin: Any
) -> None:
    closure = actions.add_closure(by=agency_admin, agency=agency, date=SNOW_DAY, reason="Snow day")
    assert closure.agency == agency
    entry = Activity.objects.get(verb="closure.added")
    assert entry.summary == "Public Works is closed on 2026-12-22: Snow day"
    assert entry.visibility == Visibility.PUBLIC
    assert entry.actor == agency_admin
    assert entry.agency == agency
    assert entry.persona is not None and entry.persona.public_name == "Ada Okafor"
    assert entry.target == closure


def test_a_site_administrator_can_close_any_agency(agency: Any, site_admin: Any) -> None:
    actions.add_closure(by=site_admin, agency=agency, date=SNOW_DAY, reason="Snow day")
    assert Activity.objects.get(verb="closure.added").persona is None


def test_citizens_staff_managers_and_other_agencies_administrators_cannot_close_an_agency(
    agency: Any,
    citizen: Any,
    staff_member: Any,
    other_agency_admin: Any,
    make_user: Any,
    site_admin: Any,
) -> None:
    manager = make_user("mo@example.org", "Mo")
    agency_actions.add_staff_member(
        by=site_admin,
        agency=agency,
        user=manager,
        public_name="Mo Manager",
        job_title="Manager",
        role=StaffRole.MANAGER,
    )
    for intruder in [
        citizen,
        staff_member.user,
        manager,
        other_agency_admin,
        AnonymousUser(),
        None,
    ]:
        with pytest.raises(PermissionDenied):
            actions.add_closure(by=intruder, agency=agency, date=SNOW_DAY, reason="Snow day")
    assert not AgencyClosure.objects.exists()
    assert not Activity.objects.filter(verb="closure.added").exists()


def test_a_former_administrator_cannot_close_the_agency(
    agency: Any, agency_admin: Any, site_admin: Any
) -> None:
    membership = agency_admin.staff_memberships.get(agency=agency)
    agency_actions.update_staff_membership(
        by=site_admin, membership=membership, changes={"is_active": False}
    )
    with pytest.raises(PermissionDenied):
        actions.add_closure(by=agency_admin, agency=agency, date=SNOW_DAY, reason="Snow day")


def test_closing_the_same_day_twice_is_refused_with_a_clear_message(
    agency: Any, agency_admin: Any
) -> None:
    actions.add_closure(by=agency_admin, agency=agency, date=SNOW_DAY, reason="Snow day")
    with pytest.raises(ValidationError) as raised:
        actions.add_closure(by=agency_admin, agency=agency, date=SNOW_DAY, reason="Again")
    assert raised.value.message_dict == {"date": ["Public Works is already closed on 2026-12-22."]}
    assert AgencyClosure.objects.count() == 1
    assert Activity.objects.filter(verb="closure.added").count() == 1


def test_two_agencies_can_close_on_the_same_day(
    agency: Any, other_agency: Any, site_admin: Any
) -> None:
    actions.add_closure(by=site_admin, agency=agency, date=SNOW_DAY, reason="Snow day")
    actions.add_closure(by=site_admin, agency=other_agency, date=SNOW_DAY, reason="Snow day")
    assert AgencyClosure.objects.count() == 2


@pytest.mark.parametrize("reason", ["", "   ", "x" * 201])
def test_a_closure_needs_a_reason_of_sensible_length(
    agency: Any, site_admin: Any, reason: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        actions.add_closure(by=site_admin, agency=agency, date=SNOW_DAY, reason=reason)
    assert "reason" in raised.value.message_dict
    assert not AgencyClosure.objects.exists()


@pytest.mark.parametrize("day", [None, "2026-12-22", datetime(2026, 12, 22, 9, 0)])
def test_a_closure_day_must_be_a_date(agency: Any, site_admin: Any, day: Any) -> None:
    with pytest.raises(ValidationError):
        actions.add_closure(by=site_admin, agency=agency, date=day, reason="Snow day")


def test_a_reason_with_html_is_kept_as_text(agency: Any, site_admin: Any) -> None:
    reason = "<script>alert(1)</script>'; DROP TABLE x;--"
    closure = actions.add_closure(by=site_admin, agency=agency, date=SNOW_DAY, reason=reason)
    assert AgencyClosure.objects.get(pk=closure.pk).reason == reason


def test_removing_a_closure_makes_the_day_count_again_in_public(
    agency: Any, agency_admin: Any
) -> None:
    closure = actions.add_closure(by=agency_admin, agency=agency, date=SNOW_DAY, reason="Snow day")
    actions.remove_closure(by=agency_admin, closure=closure)
    assert not AgencyClosure.objects.exists()
    entry = Activity.objects.get(verb="closure.removed")
    assert entry.visibility == Visibility.PUBLIC
    assert entry.summary == "Public Works is open on 2026-12-22 after all (was: Snow day)"
    assert calendar_for(agency).is_working_day(SNOW_DAY)


def test_removing_a_closure_twice_logs_it_once(agency: Any, site_admin: Any) -> None:
    closure = actions.add_closure(by=site_admin, agency=agency, date=SNOW_DAY, reason="Snow day")
    actions.remove_closure(by=site_admin, closure=closure)
    actions.remove_closure(by=site_admin, closure=closure)
    assert Activity.objects.filter(verb="closure.removed").count() == 1


def test_only_administrators_of_the_agency_can_remove_its_closures(
    agency: Any, site_admin: Any, citizen: Any, staff_member: Any, other_agency_admin: Any
) -> None:
    closure = actions.add_closure(by=site_admin, agency=agency, date=SNOW_DAY, reason="Snow day")
    for intruder in [citizen, staff_member.user, other_agency_admin, AnonymousUser()]:
        with pytest.raises(PermissionDenied):
            actions.remove_closure(by=intruder, closure=closure)
    assert AgencyClosure.objects.filter(pk=closure.pk).exists()


def test_the_agency_calendar_uses_its_jurisdiction_time_zone_and_closures(
    agency: Any, other_agency: Any, site_admin: Any, django_assert_num_queries: Any
) -> None:
    actions.add_closure(by=site_admin, agency=agency, date=SNOW_DAY, reason="Snow day")
    actions.add_closure(by=site_admin, agency=other_agency, date=date(2026, 12, 23), reason="Flood")
    with django_assert_num_queries(1):
        calendar = calendar_for(agency)
    assert calendar.jurisdiction == "US-IL"
    assert calendar.time_zone.key == "America/Chicago"
    assert dict(calendar.closures) == {SNOW_DAY: "Snow day"}


def test_a_snow_day_moves_an_agency_deadline_by_one_working_day(
    agency: Any, site_admin: Any
) -> None:
    received = datetime(2026, 12, 21, 9, 0, tzinfo=CHICAGO)
    before = calendar_for(agency).deadline(received, 3)
    actions.add_closure(by=site_admin, agency=agency, date=SNOW_DAY, reason="Snow day")
    after = calendar_for(agency).deadline(received, 3)
    # Tuesday 22 (snow), Wednesday 23, Thursday 24, Friday 25 (Christmas), Monday 28.
    assert before.due_at == datetime(2026, 12, 24, 23, 59, 59, tzinfo=CHICAGO)
    assert after.due_at == datetime(2026, 12, 28, 23, 59, 59, tzinfo=CHICAGO)
    assert calendar_for(agency).working_days_between(before.due_on, after.due_on) == 1
    assert [(d.date, d.name, d.kind) for d in after.skipped][0] == (
        SNOW_DAY,
        "Snow day",
        "closure",
    )
