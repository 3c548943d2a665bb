"""The scheduled check: standard commitments from filing, at-risk flags, broken promises."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from townhall.activity.models import Activity, Visibility
from townhall.agencies import actions as agency_actions
from townhall.agencies.models import ServiceKind
from townhall.commitments import actions
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.commitments.tasks import check_commitments
from townhall.commitments.tests.commitment_examples import (
    AFTER_DUE,
    CHICAGO,
    FRIDAY,
    make,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def foi(agency: Any, site_admin: Any) -> Any:
    return agency_actions.add_service(
        by=site_admin,
        agency=agency,
        code="foi",
        name="Freedom of information request",
        kind=ServiceKind.FOI_REQUEST,
        acknowledge_working_days=5,
        respond_working_days=20,
    )


# --- standard commitments -----------------------------------------------------------------


def test_standard_commitments_follow_the_working_day_rule(
    agency: Any, foi: Any, citizen: Any
) -> None:
    received = datetime(2026, 11, 20, 16, 30, tzinfo=CHICAGO)  # a Friday, before Thanksgiving
    acknowledge, respond = actions.make_standard_commitments(
        agency=agency,
        service=foi,
        received_at=received,
        made_to=citizen,
        subject=foi,
        is_public=True,
    )
    assert acknowledge.kind == CommitmentKind.ACKNOWLEDGE
    # Mon 23, Tue 24, Wed 25, (Thanksgiving on Thu 26 does not count), Fri 27, Mon 30.
    assert acknowledge.due_at.isoformat() == "2026-11-30T23:59:59-06:00"
    assert respond.kind == CommitmentKind.RESPOND
    assert respond.due_at.isoformat() == "2026-12-21T23:59:59-06:00"
    for made in (acknowledge, respond):
        assert (made.made_by, made.made_by_persona, made.made_to) == (None, None, citizen)
        assert (made.subject, made.is_public, made.state) == (foi, True, CommitmentState.OPEN)
    entries = Activity.objects.filter(verb="commitment.made")
    assert entries.count() == 2
    assert {entry.actor for entry in entries} == {None}


def test_standard_commitments_skip_the_agencys_closure_days(
    agency: Any, foi: Any, citizen: Any, site_admin: Any
) -> None:
    actions.add_closure(
        by=site_admin, agency=agency, date=datetime(2026, 12, 21).date(), reason="Snow day"
    )
    received = datetime(2026, 11, 20, 16, 30, tzinfo=CHICAGO)
    _, respond = actions.make_standard_commitments(
        agency=agency,
        service=foi,
        received_at=received,
        made_to=citizen,
        subject=None,
        is_public=False,
    )
    assert respond.due_at.isoformat() == "2026-12-22T23:59:59-06:00"


def test_standard_commitments_refuse_a_service_of_another_agency(
    other_agency: Any, foi: Any, citizen: Any
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.make_standard_commitments(
            agency=other_agency,
            service=foi,
            received_at=FRIDAY,
            made_to=citizen,
            subject=None,
            is_public=False,
        )
    assert not Commitment.objects.exists()


# --- broken -------------------------------------------------------------------------------


def test_an_open_commitment_past_due_breaks_once_publicly_when_it_is_public(
    staff_member: Any, agency: Any, citizen: Any
) -> None:
    public = make(staff_member.user, agency, citizen, is_public=True)
    private = make(staff_member.user, agency, citizen, due_at=FRIDAY + timedelta(hours=1))
    not_yet = make(staff_member.user, agency, citizen, due_at=AFTER_DUE + timedelta(days=1))
    assert actions.mark_broken_commitments(now=AFTER_DUE) == 2
    assert actions.mark_broken_commitments(now=AFTER_DUE) == 0
    for commitment in (public, private, not_yet):
        commitment.refresh_from_db()
    assert (public.state, public.broken_at) == (CommitmentState.BROKEN, AFTER_DUE)
    assert private.state == CommitmentState.BROKEN
    assert not_yet.state == CommitmentState.OPEN
    entries = {
        entry.target_id: entry for entry in Activity.objects.filter(verb="commitment.broken")
    }
    assert set(entries) == {str(public.pk), str(private.pk)}
    assert entries[str(public.pk)].visibility == Visibility.PUBLIC
    assert entries[str(private.pk)].visibility == Visibility.PARTICIPANTS
    assert entries[str(public.pk)].citizen == citizen
    assert entries[str(public.pk)].actor is None
    assert entries[str(public.pk)].summary == (
        "The promise “I will call you by Friday” by 2030-03-08 10:00 CST was broken"
    )


def test_two_checks_racing_log_exactly_one_broken_entry_per_commitment(
    staff_member: Any, agency: Any, citizen: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker A reads the overdue commitments; worker B breaks them all before A writes."""
    first = make(staff_member.user, agency, citizen)
    second = make(staff_member.user, agency, citizen, due_at=FRIDAY + timedelta(hours=2))
    read_overdue = actions._overdue_batch
    calls = {"A": 0}

    def worker_a_reads_then_b_runs(now: datetime) -> list[Commitment]:
        stale = read_overdue(now)
        if calls["A"] == 0:
            calls["A"] += 1
            monkeypatch.setattr(actions, "_overdue_batch", read_overdue)
            assert actions.mark_broken_commitments(now=now) == 2  # worker B
        return stale

    monkeypatch.setattr(actions, "_overdue_batch", worker_a_reads_then_b_runs)
    assert actions.mark_broken_commitments(now=AFTER_DUE) == 0  # worker A changes nothing
    for commitment in (first, second):
        entries = Activity.objects.filter(verb="commitment.broken", target_id=str(commitment.pk))
        assert entries.count() == 1
    assert Commitment.objects.filter(state=CommitmentState.BROKEN).count() == 2


def test_a_kept_commitment_never_breaks(promise: Commitment, staff_member: Any) -> None:
    actions.keep_commitment(by=staff_member.user, commitment=promise, at=FRIDAY)
    assert actions.mark_broken_commitments(now=AFTER_DUE) == 0
    assert not Activity.objects.filter(verb="commitment.broken").exists()


def test_breaking_handles_more_commitments_than_one_batch(
    staff_member: Any, agency: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(actions, "BATCH_SIZE", 2)
    for hours in range(5):
        make(staff_member.user, agency, due_at=FRIDAY + timedelta(hours=hours))
    assert actions.mark_broken_commitments(now=AFTER_DUE) == 5
    assert Activity.objects.filter(verb="commitment.broken").count() == 5


# --- at risk ------------------------------------------------------------------------------


def test_at_risk_counts_working_days_across_a_weekend(
    staff_member: Any, agency: Any, citizen: Any
) -> None:
    now = FRIDAY  # Friday 8 March 2030, 10:00 in Chicago
    today = make(staff_member.user, agency, citizen, due_at=now + timedelta(hours=5))
    monday = make(staff_member.user, agency, citizen, due_at=now + timedelta(days=3, hours=13))
    make(staff_member.user, agency, citizen, due_at=now + timedelta(days=4))  # Tuesday
    overdue = make(staff_member.user, agency, citizen, due_at=now + timedelta(hours=1))
    later = now + timedelta(hours=2)
    assert set(Commitment.objects.at_risk(later)) == {today, monday}
    assert set(Commitment.objects.overdue(later)) == {overdue}


def test_a_closure_on_monday_puts_tuesday_at_risk_on_friday(
    staff_member: Any, agency: Any, site_admin: Any
) -> None:
    tuesday = make(staff_member.user, agency, due_at=FRIDAY + timedelta(days=4))
    assert not Commitment.objects.at_risk(FRIDAY).exists()
    actions.add_closure(
        by=site_admin, agency=agency, date=datetime(2030, 3, 11).date(), reason="Snow"
    )
    assert list(Commitment.objects.at_risk(FRIDAY)) == [tuesday]


def test_at_risk_is_flagged_once_for_staff(staff_member: Any, agency: Any, citizen: Any) -> None:
    soon = make(staff_member.user, agency, citizen, is_public=True)
    make(staff_member.user, agency, citizen, due_at=FRIDAY + timedelta(days=10))
    now = FRIDAY - timedelta(hours=3)
    assert actions.flag_at_risk_commitments(now=now) == 1
    assert actions.flag_at_risk_commitments(now=now) == 0
    entry = Activity.objects.get(verb="commitment.at_risk")
    assert (entry.target, entry.visibility, entry.citizen) == (soon, Visibility.STAFF, citizen)
    assert entry.agency == agency


def test_at_risk_takes_a_bounded_number_of_queries(
    staff_member: Any,
    agency: Any,
    other_agency: Any,
    site_admin: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for hours in range(6):
        make(staff_member.user, agency, due_at=FRIDAY + timedelta(hours=hours))
        make(site_admin, other_agency, due_at=FRIDAY + timedelta(hours=hours))
    with django_assert_max_num_queries(3):
        assert len(Commitment.objects.at_risk(FRIDAY - timedelta(hours=1))) == 12


# --- the scheduled check ------------------------------------------------------------------


def test_the_management_command_breaks_and_flags_and_can_run_again(
    agency: Any, foi: Any, citizen: Any
) -> None:
    actions.make_standard_commitments(
        agency=agency,
        service=foi,
        received_at=datetime(2026, 1, 5, 9, tzinfo=CHICAGO),
        made_to=citizen,
        subject=foi,
        is_public=True,
    )
    out = StringIO()
    call_command("check_commitments", stdout=out)
    assert out.getvalue().strip() == "0 commitment(s) at risk, 2 commitment(s) broken."
    call_command("check_commitments", stdout=out)
    assert "0 commitment(s) at risk, 0 commitment(s) broken." in out.getvalue()
    assert Activity.objects.filter(verb="commitment.broken").count() == 2


def test_the_command_explains_how_often_to_run_it() -> None:
    from townhall.commitments.management.commands.check_commitments import Command

    assert "every few minutes" in Command.help
    assert "cron" in Command.help


def test_the_background_task_runs_both_checks(agency: Any, foi: Any, citizen: Any) -> None:
    actions.make_standard_commitments(
        agency=agency,
        service=foi,
        received_at=datetime(2026, 1, 5, 9, tzinfo=CHICAGO),
        made_to=citizen,
        subject=foi,
        is_public=False,
    )
    result = check_commitments.enqueue()
    assert result.return_value == {"at_risk": 0, "broken": 2}
    assert Commitment.objects.filter(state=CommitmentState.BROKEN).count() == 2
