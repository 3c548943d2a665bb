"""While a request waits for the citizen its promises neither turn at risk nor break; the
citizen's reply moves them later by the paused working days. A request the citizen
withdraws has its open promises cancelled, in public, and they never break afterwards."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser

from townhall.activity.models import Activity
from townhall.commitments.actions import flag_at_risk_commitments, mark_broken_commitments
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.service_requests import actions, queries
from townhall.service_requests.models import ServiceRequest, Status

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
# Filed Monday 4 March 2030: acknowledge by Wednesday 6, answer by Monday 11 (23:59:59).
FILED = datetime(2030, 3, 4, 10, 0, tzinfo=CHICAGO)
ASKED = datetime(2030, 3, 5, 9, 0, tzinfo=CHICAGO)  # Tuesday
RESPOND_DUE = datetime(2030, 3, 11, 23, 59, 59, tzinfo=CHICAGO)
# The citizen replies on Tuesday 12 March: the clock stood still on Tuesday 5, Wednesday 6,
# Thursday 7, Friday 8 and Monday 11, five working days. The answer is due five working
# days after Monday 11: Monday 18 March.
REPLIED = datetime(2030, 3, 12, 8, 0, tzinfo=CHICAGO)
MOVED_DUE = datetime(2030, 3, 18, 23, 59, 59, tzinfo=CHICAGO)


def commitments_of(request: ServiceRequest) -> Any:
    return Commitment.objects.filter(
        subject_type__model="servicerequest", subject_id=str(request.pk)
    )


def respond_of(request: ServiceRequest) -> Commitment:
    return commitments_of(request).get(kind=CommitmentKind.RESPOND)


@pytest.fixture
def waiting(file_pothole: Any, sam: Any) -> ServiceRequest:
    """Alex's public pothole report, filed on FILED; Sam asked a question on ASKED."""
    request = file_pothole(at=FILED, is_public=True)
    actions.request_clarification(by=sam, request=request, body="Which side?", at=ASKED)
    return request


def test_a_request_waiting_for_the_citizen_past_its_due_time_is_not_broken(
    waiting: ServiceRequest,
) -> None:
    assert respond_of(waiting).paused_at == ASKED
    a_week_late = RESPOND_DUE + timedelta(days=7)
    assert mark_broken_commitments(now=a_week_late) == 0
    respond = respond_of(waiting)
    assert respond.state == CommitmentState.OPEN and respond.broken_at is None
    assert not Activity.objects.filter(verb="commitment.broken").exists()


def test_a_paused_promise_is_not_flagged_at_risk(waiting: ServiceRequest) -> None:
    assert flag_at_risk_commitments(now=RESPOND_DUE - timedelta(hours=12)) == 0
    assert not Activity.objects.filter(verb="commitment.at_risk").exists()


def test_after_the_citizen_replies_the_due_date_moved_and_it_breaks_only_after_it(
    waiting: ServiceRequest, citizen: Any
) -> None:
    actions.reply_to_request(by=citizen, request=waiting, body="The north side.", at=REPLIED)
    waiting.refresh_from_db()
    respond = respond_of(waiting)
    assert waiting.status == Status.IN_PROGRESS and waiting.paused_at is None
    assert respond.paused_at is None
    assert respond.due_at == MOVED_DUE and waiting.expected_at == MOVED_DUE

    # Past the old due date, before the new one: still open.
    assert mark_broken_commitments(now=MOVED_DUE - timedelta(minutes=1)) == 0
    assert respond_of(waiting).state == CommitmentState.OPEN
    # Once the new due date has passed, the check breaks it, once.
    after = MOVED_DUE + timedelta(minutes=1)
    assert mark_broken_commitments(now=after) == 1
    assert mark_broken_commitments(now=after + timedelta(days=1)) == 0
    respond = respond_of(waiting)
    assert respond.state == CommitmentState.BROKEN and respond.broken_at == after


def test_a_second_clarification_pauses_again_and_both_pauses_count(
    waiting: ServiceRequest, citizen: Any, sam: Any
) -> None:
    actions.reply_to_request(by=citizen, request=waiting, body="The north side.", at=REPLIED)
    # Asked again on Wednesday 13, answered on Friday 15: two more working days.
    actions.request_clarification(
        by=sam, request=waiting, body="A photo?", at=datetime(2030, 3, 13, 9, tzinfo=CHICAGO)
    )
    assert mark_broken_commitments(now=MOVED_DUE + timedelta(days=1)) == 0
    actions.reply_to_request(
        by=citizen, request=waiting, body="Attached.", at=datetime(2030, 3, 15, 9, tzinfo=CHICAGO)
    )
    assert respond_of(waiting).due_at == datetime(2030, 3, 20, 23, 59, 59, tzinfo=CHICAGO)


# --- withdrawal ----------------------------------------------------------------------------


def test_a_withdrawn_requests_promises_are_cancelled_in_public_and_never_break(
    file_pothole: Any, sam: Any, citizen: Any
) -> None:
    request = file_pothole(at=FILED, is_public=True)
    actions.reply_to_request(
        by=sam,
        request=request,
        body="We will look.",
        promise="I will inspect it by Friday",
        promise_due_at=datetime(2030, 3, 8, 17, tzinfo=CHICAGO),
        at=FILED + timedelta(hours=1),
    )
    actions.close_request(by=citizen, request=request, at=FILED + timedelta(hours=2))

    request.refresh_from_db()
    assert request.status == Status.CLOSED
    states = dict(commitments_of(request).values_list("kind", "state"))
    assert states == {
        CommitmentKind.ACKNOWLEDGE: CommitmentState.KEPT,  # Sam replied
        CommitmentKind.RESPOND: CommitmentState.CANCELLED,
        CommitmentKind.CUSTOM: CommitmentState.CANCELLED,
    }
    for commitment in commitments_of(request).filter(state=CommitmentState.CANCELLED):
        assert commitment.closed_reason == "The requester withdrew the request."
    # The reason is public: anyone reading the status page sees it in the timeline.
    public = [entry.summary for entry in queries.timeline(request, AnonymousUser())]
    assert "The promise to respond was cancelled: The requester withdrew the request." in public
    assert "Alex Park withdrew this request" in public

    assert mark_broken_commitments(now=RESPOND_DUE + timedelta(days=30)) == 0
    assert not commitments_of(request).filter(broken_at__isnull=False).exists()


def test_a_request_withdrawn_while_waiting_for_the_citizen_is_cancelled_not_broken(
    waiting: ServiceRequest, citizen: Any
) -> None:
    actions.close_request(by=citizen, request=waiting, note="Fixed by a neighbour.", at=REPLIED)
    respond = respond_of(waiting)
    assert respond.state == CommitmentState.CANCELLED and respond.paused_at is None
    assert mark_broken_commitments(now=MOVED_DUE + timedelta(days=30)) == 0


def test_a_promise_already_broken_stays_broken_when_the_citizen_withdraws(
    file_pothole: Any, citizen: Any
) -> None:
    request = file_pothole(at=FILED, is_public=True)
    late = RESPOND_DUE + timedelta(hours=1)
    assert mark_broken_commitments(now=late) == 2  # acknowledge and respond
    actions.close_request(by=citizen, request=request, at=late + timedelta(hours=1))
    assert set(commitments_of(request).values_list("state", flat=True)) == {CommitmentState.BROKEN}


def test_a_citizen_cannot_withdraw_someone_elses_request(file_pothole: Any, citizen2: Any) -> None:
    from django.core.exceptions import PermissionDenied

    request = file_pothole(at=FILED, is_public=True)
    with pytest.raises(PermissionDenied):
        actions.close_request(by=citizen2, request=request)
    assert not commitments_of(request).filter(state=CommitmentState.CANCELLED).exists()
