"""When a promise is at risk its holder is told; when it breaks, the team's managers too."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from townhall.activity.models import Notification
from townhall.commitments import actions
from townhall.commitments.models import Commitment

from .commitment_examples import AFTER_DUE, FRIDAY, make


@pytest.fixture
def held_promise(staff_member: Any, agency: Any, citizen: Any, team: Any) -> Commitment:
    promise = make(staff_member.user, agency, citizen)
    assert actions.hand_over_commitments(subject=agency, holder=staff_member, team=team) == 1
    promise.refresh_from_db()
    return promise


def recipients(verb: str) -> set[str]:
    return set(
        Notification.objects.filter(activity__verb=verb).values_list("recipient__email", flat=True)
    )


def test_the_holder_is_told_when_a_promise_is_at_risk_and_managers_are_not(
    held_promise: Commitment, manager: Any
) -> None:
    assert actions.flag_at_risk_commitments(now=FRIDAY - timedelta(hours=3)) == 1
    assert recipients("commitment.at_risk") == {"sam@example.org"}
    notification = Notification.objects.get()
    assert notification.read_at is None
    assert "hold" in notification.reason


def test_the_holder_and_the_team_manager_are_told_when_a_promise_breaks(
    held_promise: Commitment, manager: Any
) -> None:
    assert actions.mark_broken_commitments(now=AFTER_DUE) == 1
    assert recipients("commitment.broken") == {"sam@example.org", "lee@example.org"}


def test_an_at_risk_promise_nobody_holds_goes_to_the_team_managers(
    staff_member: Any, agency: Any, citizen: Any, team: Any, manager: Any
) -> None:
    make(staff_member.user, agency, citizen)
    actions.hand_over_commitments(subject=agency, holder=None, team=team)
    actions.flag_at_risk_commitments(now=FRIDAY - timedelta(hours=3))
    assert recipients("commitment.at_risk") == {"lee@example.org"}


def test_running_the_checks_again_never_notifies_twice(
    held_promise: Commitment, manager: Any
) -> None:
    actions.flag_at_risk_commitments(now=FRIDAY - timedelta(hours=3))
    actions.mark_broken_commitments(now=AFTER_DUE)
    actions.flag_at_risk_commitments(now=FRIDAY - timedelta(hours=3))
    actions.mark_broken_commitments(now=AFTER_DUE)
    assert Notification.objects.count() == 3


def test_a_kept_promise_is_not_handed_over(
    held_promise: Commitment, staff_member: Any, colleague: Any
) -> None:
    actions.keep_commitment(by=staff_member.user, commitment=held_promise, at=FRIDAY)
    changed = actions.hand_over_commitments(
        subject=held_promise.agency, holder=colleague, team=None
    )
    assert changed == 0
    held_promise.refresh_from_db()
    assert held_promise.holder == staff_member


def test_a_broken_promise_reaches_the_holder_and_manager_by_email_once(
    held_promise: Commitment,
    manager: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.mark_broken_commitments(now=AFTER_DUE)
    with django_capture_on_commit_callbacks(execute=True):
        actions.mark_broken_commitments(now=AFTER_DUE)

    assert sorted(address for message in mailoutbox for address in message.to) == [
        "lee@example.org",
        "sam@example.org",
    ]
    assert all("/notifications/unsubscribe/" in message.body for message in mailoutbox)
