"""A pause (waiting for the citizen) moves the answer's commitments later by the working
days it lasted; renegotiating can change a commitment's kind (an FOI extension)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from townhall.activity.models import Activity
from townhall.commitments import actions
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState

from .commitment_examples import make

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
# Respond due Monday 11 March 2030, end of day (Springfield).
DUE = datetime(2030, 3, 11, 23, 59, 59, tzinfo=CHICAGO)
TUESDAY_5 = datetime(2030, 3, 5, 9, 0, tzinfo=CHICAGO)
THURSDAY_7 = datetime(2030, 3, 7, 16, 0, tzinfo=CHICAGO)


def respond(staff_member: Any, agency: Any, citizen: Any, **extra: Any) -> Commitment:
    return make(
        staff_member.user,
        agency,
        citizen,
        due_at=extra.pop("due_at", DUE),
        kind=extra.pop("kind", CommitmentKind.RESPOND),
        description="",
        **extra,
    )


def test_a_pause_moves_open_respond_commitments_by_its_working_days(
    staff_member: Any, agency: Any, citizen: Any
) -> None:
    commitment = respond(staff_member, agency, citizen)
    moved = actions.extend_commitments_for_pause(
        subject=agency, pause_start=TUESDAY_5, pause_end=THURSDAY_7
    )
    assert moved == [commitment]
    commitment.refresh_from_db()
    # Tuesday and Wednesday were paused: two working days after Monday 11 is Wednesday 13.
    assert commitment.due_at == datetime(2030, 3, 13, 23, 59, 59, tzinfo=CHICAGO)
    entry = Activity.objects.get(verb="commitment.paused")
    assert "stood still for 2 working days" in entry.summary
    assert entry.target == commitment


def test_a_pause_across_a_weekend_counts_only_working_days(
    staff_member: Any, agency: Any, citizen: Any
) -> None:
    commitment = respond(staff_member, agency, citizen)
    # Friday 8 to Monday 11: only Friday counts.
    actions.extend_commitments_for_pause(
        subject=agency,
        pause_start=datetime(2030, 3, 8, 15, 0, tzinfo=CHICAGO),
        pause_end=datetime(2030, 3, 11, 8, 0, tzinfo=CHICAGO),
    )
    commitment.refresh_from_db()
    assert commitment.due_at == datetime(2030, 3, 12, 23, 59, 59, tzinfo=CHICAGO)


def test_a_pause_within_one_day_moves_nothing(staff_member: Any, agency: Any, citizen: Any) -> None:
    commitment = respond(staff_member, agency, citizen)
    moved = actions.extend_commitments_for_pause(
        subject=agency,
        pause_start=datetime(2030, 3, 5, 9, 0, tzinfo=CHICAGO),
        pause_end=datetime(2030, 3, 5, 17, 0, tzinfo=CHICAGO),
    )
    assert moved == []
    commitment.refresh_from_db()
    assert commitment.due_at == DUE
    assert not Activity.objects.filter(verb="commitment.paused").exists()


def test_two_pauses_move_as_far_as_one_long_pause(
    staff_member: Any, agency: Any, citizen: Any
) -> None:
    split = respond(staff_member, agency, citizen)
    middle = datetime(2030, 3, 6, 12, 0, tzinfo=CHICAGO)
    actions.extend_commitments_for_pause(subject=agency, pause_start=TUESDAY_5, pause_end=middle)
    actions.extend_commitments_for_pause(subject=agency, pause_start=middle, pause_end=THURSDAY_7)
    split.refresh_from_db()
    assert split.due_at == datetime(2030, 3, 13, 23, 59, 59, tzinfo=CHICAGO)


def test_a_pause_leaves_custom_promises_and_closed_commitments_alone(
    staff_member: Any, agency: Any, citizen: Any
) -> None:
    promise = make(staff_member.user, agency, citizen, due_at=DUE)
    kept = respond(staff_member, agency, citizen)
    actions.keep_commitment(by=staff_member.user, commitment=kept, at=TUESDAY_5)
    moved = actions.extend_commitments_for_pause(
        subject=agency, pause_start=TUESDAY_5, pause_end=THURSDAY_7
    )
    assert moved == []
    promise.refresh_from_db()
    kept.refresh_from_db()
    assert promise.due_at == DUE and kept.due_at == DUE
    assert kept.state == CommitmentState.KEPT


def test_a_pause_ending_before_it_starts_is_refused(agency: Any) -> None:
    with pytest.raises(ValidationError):
        actions.extend_commitments_for_pause(
            subject=agency, pause_start=THURSDAY_7, pause_end=TUESDAY_5
        )


def test_renegotiating_can_turn_a_respond_commitment_into_an_extension(
    staff_member: Any, agency: Any, citizen: Any
) -> None:
    old = respond(staff_member, agency, citizen)
    new = actions.renegotiate_commitment(
        by=staff_member.user,
        commitment=old,
        new_due_at=datetime(2030, 3, 25, 23, 59, 59, tzinfo=CHICAGO),
        reason="The records are archived off site",
        kind=CommitmentKind.EXTENSION,
    )
    assert new.kind == CommitmentKind.EXTENSION
    old.refresh_from_db()
    assert old.kind == CommitmentKind.RESPOND and old.replaced_by == new


def test_renegotiating_into_an_unknown_kind_is_refused(
    staff_member: Any, agency: Any, citizen: Any
) -> None:
    old = respond(staff_member, agency, citizen)
    with pytest.raises(ValidationError):
        actions.renegotiate_commitment(
            by=staff_member.user,
            commitment=old,
            new_due_at=datetime(2030, 3, 25, tzinfo=CHICAGO),
            reason="x",
            kind="forever",
        )
    old.refresh_from_db()
    assert old.state == CommitmentState.OPEN
