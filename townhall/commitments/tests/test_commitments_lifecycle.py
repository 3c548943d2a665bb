"""A commitment moves open → kept | broken | renegotiated | cancelled, and nowhere else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from townhall.activity.models import Activity, Visibility
from townhall.commitments import actions
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.commitments.tests.commitment_examples import (
    AFTER_DUE,
    FRIDAY,
    make,
)

pytestmark = pytest.mark.django_db
LATER = FRIDAY + timedelta(days=7)
OPEN, KEPT, BROKEN = CommitmentState.OPEN, CommitmentState.KEPT, CommitmentState.BROKEN
RENEGOTIATED, CANCELLED = CommitmentState.RENEGOTIATED, CommitmentState.CANCELLED


def put_in_state(commitment: Commitment, state: str, by: Any) -> Commitment:
    if state == KEPT:
        actions.keep_commitment(by=by, commitment=commitment, at=FRIDAY - timedelta(hours=1))
    elif state == BROKEN:
        actions.mark_broken_commitments(now=AFTER_DUE)
    elif state == RENEGOTIATED:
        actions.renegotiate_commitment(
            by=by, commitment=commitment, new_due_at=LATER, reason="Waiting for a part"
        )
    elif state == CANCELLED:
        actions.cancel_commitment(by=by, commitment=commitment, reason="Withdrawn")
    commitment.refresh_from_db()
    assert commitment.state == state
    return commitment


def keep(by: Any, c: Commitment) -> Any:
    return actions.keep_commitment(by=by, commitment=c, at=FRIDAY - timedelta(hours=1))


def renegotiate(by: Any, c: Commitment) -> Any:
    return actions.renegotiate_commitment(
        by=by, commitment=c, new_due_at=LATER, reason="The part is late"
    )


def cancel(by: Any, c: Commitment) -> Any:
    return actions.cancel_commitment(by=by, commitment=c, reason="The request was withdrawn")


TRANSITIONS: list[tuple[str, Callable[..., Any], str | None]] = [
    # (from, action, resulting state of the commitment; None = refused)
    (OPEN, keep, KEPT),
    (OPEN, renegotiate, RENEGOTIATED),
    (OPEN, cancel, CANCELLED),
    (KEPT, keep, KEPT),  # a safe no-op
    (KEPT, renegotiate, None),
    (KEPT, cancel, None),
    (BROKEN, keep, BROKEN),  # stays broken; done_at recorded
    (BROKEN, renegotiate, RENEGOTIATED),
    (BROKEN, cancel, CANCELLED),
    (RENEGOTIATED, keep, None),
    (RENEGOTIATED, renegotiate, None),
    (RENEGOTIATED, cancel, None),
    (CANCELLED, keep, None),
    (CANCELLED, renegotiate, None),
    (CANCELLED, cancel, None),
]


@pytest.mark.parametrize(
    ("start", "action", "result"),
    TRANSITIONS,
    ids=[f"{s}-{a.__name__}-{r or 'refused'}" for s, a, r in TRANSITIONS],
)
def test_every_transition_is_allowed_or_refused_as_the_table_says(
    promise: Commitment, staff_member: Any, start: str, action: Any, result: str | None
) -> None:
    by = staff_member.user
    put_in_state(promise, start, by)
    before = Activity.objects.count()
    if result is None:
        with pytest.raises(ValidationError, match="already"):
            action(by, promise)
        promise.refresh_from_db()
        assert promise.state == start
        assert Activity.objects.count() == before
        return
    action(by, promise)
    promise.refresh_from_db()
    assert promise.state == result
    if start == result == KEPT:
        assert Activity.objects.count() == before  # nothing happened, nothing logged


def test_a_commitment_kept_on_time_records_when(promise: Commitment, staff_member: Any) -> None:
    at = FRIDAY - timedelta(hours=2)
    kept = actions.keep_commitment(by=staff_member.user, commitment=promise, at=at)
    assert (kept.state, kept.kept_at, kept.done_at, kept.broken_at) == (KEPT, at, at, None)
    entry = Activity.objects.get(verb="commitment.kept")
    assert entry.persona == staff_member
    assert entry.visibility == Visibility.PARTICIPANTS


def test_a_broken_commitment_stays_broken_when_the_work_is_done_later(
    promise: Commitment, staff_member: Any
) -> None:
    actions.mark_broken_commitments(now=AFTER_DUE)
    done = AFTER_DUE + timedelta(days=2)
    kept = actions.keep_commitment(by=staff_member.user, commitment=promise, at=done)
    assert kept.state == BROKEN
    assert kept.broken_at == AFTER_DUE
    assert kept.done_at == done
    assert kept.kept_at is None
    assert Commitment.objects.ever_broken().get() == promise


def test_work_done_after_the_due_time_breaks_the_promise_even_before_the_check_runs(
    promise: Commitment, staff_member: Any
) -> None:
    done = FRIDAY + timedelta(minutes=5)
    kept = actions.keep_commitment(by=staff_member.user, commitment=promise, at=done)
    assert (kept.state, kept.broken_at, kept.done_at) == (BROKEN, FRIDAY, done)
    assert actions.mark_broken_commitments(now=AFTER_DUE) == 0


def test_renegotiation_links_the_new_commitment_and_keeps_the_reason_public(
    staff_member: Any, agency: Any, citizen: Any
) -> None:
    old = make(staff_member.user, agency, citizen, is_public=True)
    new = actions.renegotiate_commitment(
        by=staff_member.user, commitment=old, new_due_at=LATER, reason="  The part is late  "
    )
    old.refresh_from_db()
    assert old.state == RENEGOTIATED
    assert old.replaced_by == new
    assert old.closed_reason == "The part is late"
    assert (new.state, new.due_at, new.made_to, new.kind) == (OPEN, LATER, citizen, old.kind)
    assert (new.subject, new.is_public, new.description) == (agency, True, old.description)
    entry = Activity.objects.get(verb="commitment.renegotiated")
    assert entry.visibility == Visibility.PUBLIC
    assert "The part is late" in entry.summary
    assert entry.citizen == citizen


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 501, "nul\x00byte"])
def test_renegotiating_or_cancelling_needs_a_sensible_reason(
    promise: Commitment, staff_member: Any, reason: Any
) -> None:
    with pytest.raises(ValidationError):
        actions.renegotiate_commitment(
            by=staff_member.user, commitment=promise, new_due_at=LATER, reason=reason
        )
    with pytest.raises(ValidationError):
        actions.cancel_commitment(by=staff_member.user, commitment=promise, reason=reason)
    promise.refresh_from_db()
    assert promise.state == OPEN


def test_a_reason_with_html_is_stored_as_typed(promise: Commitment, staff_member: Any) -> None:
    reason = "<script>alert(1)</script>'; DROP TABLE commitments_commitment; --"
    actions.cancel_commitment(by=staff_member.user, commitment=promise, reason=reason)
    promise.refresh_from_db()
    assert promise.closed_reason == reason
    assert Commitment.objects.count() == 1


def test_renegotiating_to_a_past_time_is_refused(promise: Commitment, staff_member: Any) -> None:
    with pytest.raises(ValidationError, match="future"):
        actions.renegotiate_commitment(
            by=staff_member.user,
            commitment=promise,
            new_due_at=FRIDAY.replace(year=2020),
            reason="Oops",
        )


# --- making one ---------------------------------------------------------------------------


def test_staff_make_a_custom_promise_signed_with_their_persona(
    staff_member: Any, agency: Any, citizen: Any
) -> None:
    made = make(staff_member.user, agency, citizen)
    assert (made.made_by, made.made_by_persona, made.state) == (
        staff_member.user,
        staff_member,
        OPEN,
    )
    entry = Activity.objects.get(verb="commitment.made")
    assert entry.persona == staff_member and entry.citizen == citizen
    assert "I will call you by Friday" in entry.summary


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"due_at": FRIDAY.replace(year=2020)}, "due_at"),
        ({"due_at": FRIDAY.replace(tzinfo=None)}, "due_at"),
        ({"due_at": "2030-03-08"}, "due_at"),
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 301}, "description"),
        ({"kind": "promise-ish"}, "kind"),
    ],
)
def test_a_promise_that_makes_no_sense_is_refused_clearly(
    staff_member: Any, agency: Any, changes: dict[str, Any], field: str
) -> None:
    arguments = {"kind": CommitmentKind.CUSTOM, "description": "Call", "due_at": FRIDAY}
    with pytest.raises(ValidationError) as error:
        actions.make_commitment(by=staff_member.user, agency=agency, **{**arguments, **changes})
    assert field in error.value.message_dict
    assert not Commitment.objects.exists()


def test_a_team_of_another_agency_cannot_make_the_promise(
    staff_member: Any, agency: Any, other_agency: Any, site_admin: Any
) -> None:
    from townhall.agencies import actions as agency_actions

    team = agency_actions.create_team(by=site_admin, agency=other_agency, name="Rangers")
    with pytest.raises(ValidationError):
        actions.make_commitment(
            by=staff_member.user,
            agency=agency,
            kind=CommitmentKind.RESPOND,
            due_at=FRIDAY,
            team=team,
        )


# --- permissions --------------------------------------------------------------------------


def test_a_citizen_cannot_make_or_change_commitments(
    promise: Commitment, citizen: Any, agency: Any
) -> None:
    with pytest.raises(PermissionDenied):
        make(citizen, agency, citizen)
    for act in (keep, renegotiate, cancel):
        with pytest.raises(PermissionDenied):
            act(citizen, promise)
    promise.refresh_from_db()
    assert promise.state == OPEN


def test_staff_of_another_agency_cannot_make_or_change_its_commitments(
    promise: Commitment, other_staff: Any, agency: Any
) -> None:
    with pytest.raises(PermissionDenied):
        make(other_staff.user, agency)
    for act in (keep, renegotiate, cancel):
        with pytest.raises(PermissionDenied):
            act(other_staff.user, promise)
    promise.refresh_from_db()
    assert promise.state == OPEN


def test_an_inactive_staff_member_cannot_keep_a_commitment(
    promise: Commitment, staff_member: Any
) -> None:
    staff_member.is_active = False
    staff_member.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        keep(staff_member.user, promise)


def test_a_site_admin_can_keep_a_commitment_without_a_persona(
    promise: Commitment, site_admin: Any
) -> None:
    assert keep(site_admin, promise).state == KEPT
    assert Activity.objects.get(verb="commitment.kept").persona is None
