"""Asking the citizen for a clarification stops the clock; their reply starts it again
and the answer is due later by the working days the request waited."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from townhall.activity.models import Activity
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.service_requests import actions
from townhall.service_requests.models import Status

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
# Filed Monday 4 March 2030 10:00: acknowledge by Wednesday 6, answer by Monday 11.
FILED = datetime(2030, 3, 4, 10, 0, tzinfo=CHICAGO)
ASKED = datetime(2030, 3, 5, 9, 0, tzinfo=CHICAGO)  # Tuesday
REPLIED = datetime(2030, 3, 7, 16, 0, tzinfo=CHICAGO)  # Thursday


def respond_of(request: Any) -> Commitment:
    return Commitment.objects.get(
        subject_id=str(request.pk), kind=CommitmentKind.RESPOND, state=CommitmentState.OPEN
    )


def test_a_clarification_pauses_and_the_citizens_reply_moves_the_due_date(
    file_pothole: Any, sam: Any, citizen: Any
) -> None:
    request = file_pothole(at=FILED)
    assert request.expected_at == datetime(2030, 3, 11, 23, 59, 59, tzinfo=CHICAGO)
    actions.request_clarification(by=sam, request=request, body="Which side?", at=ASKED)
    request.refresh_from_db()
    assert request.status == Status.WAITING_FOR_CITIZEN and request.paused_at == ASKED
    # Asking is a reply: the acknowledge promise is kept.
    assert (
        Commitment.objects.get(subject_id=str(request.pk), kind=CommitmentKind.ACKNOWLEDGE).state
        == CommitmentState.KEPT
    )

    actions.reply_to_request(by=citizen, request=request, body="North side", at=REPLIED)
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS and request.paused_at is None
    # Paused on Tuesday and Wednesday: two working days later, Wednesday 13 March.
    due = datetime(2030, 3, 13, 23, 59, 59, tzinfo=CHICAGO)
    assert respond_of(request).due_at == due
    assert request.expected_at == due
    assert Activity.objects.filter(verb="commitment.paused").count() == 1
    assert Activity.objects.get(verb="request.replied", actor=citizen).summary == (
        "Alex Park replied; the request is in progress again"
    )


def test_a_staff_reply_does_not_end_the_pause(file_pothole: Any, sam: Any) -> None:
    request = file_pothole(at=FILED)
    actions.request_clarification(by=sam, request=request, body="Which side?", at=ASKED)
    actions.reply_to_request(by=sam, request=request, body="Any news?", at=REPLIED)
    request.refresh_from_db()
    assert request.status == Status.WAITING_FOR_CITIZEN and request.paused_at == ASKED


def test_an_extension_commitment_moves_with_a_pause_too(
    foi_service: Any, citizen: Any, sam: Any
) -> None:
    request = actions.file_request(
        by=citizen, service=foi_service, description="Snow plough routes", at=FILED
    )
    extension = actions.extend_deadline(by=sam, request=request, reason="Archived records")
    before = extension.due_at
    actions.request_clarification(by=sam, request=request, body="Which years?", at=ASKED)
    actions.reply_to_request(by=citizen, request=request, body="2024 and 2025", at=REPLIED)
    extension.refresh_from_db()
    request.refresh_from_db()
    assert extension.due_at > before
    assert request.expected_at == extension.due_at


def test_answering_while_waiting_ends_the_pause(file_pothole: Any, sam: Any) -> None:
    request = file_pothole(at=FILED)
    actions.request_clarification(by=sam, request=request, body="Which side?", at=ASKED)
    actions.answer_request(by=sam, request=request, body="Found it and fixed it", at=REPLIED)
    request.refresh_from_db()
    assert request.status == Status.ANSWERED and request.paused_at is None


def test_the_days_waited_count_when_the_answer_comes_during_the_pause(
    file_pothole: Any, sam: Any
) -> None:
    """Answered on Tuesday 12 March, a day after the first due date, having waited for the
    citizen for two working days: on time."""
    request = file_pothole(at=FILED)
    actions.request_clarification(by=sam, request=request, body="Which side?", at=ASKED)
    actions.answer_request(
        by=sam, request=request, body="Found it", at=datetime(2030, 3, 12, 15, 0, tzinfo=CHICAGO)
    )
    respond = Commitment.objects.get(subject_id=str(request.pk), kind=CommitmentKind.RESPOND)
    assert respond.state == CommitmentState.KEPT


def test_closing_during_a_pause_counts_the_days_waited_too(file_pothole: Any, sam: Any) -> None:
    request = file_pothole(at=FILED)
    actions.request_clarification(by=sam, request=request, body="Which side?", at=ASKED)
    actions.close_request(by=sam, request=request, at=datetime(2030, 3, 12, 15, 0, tzinfo=CHICAGO))
    request.refresh_from_db()
    assert request.paused_at is None
    respond = Commitment.objects.get(subject_id=str(request.pk), kind=CommitmentKind.RESPOND)
    assert respond.state == CommitmentState.KEPT
