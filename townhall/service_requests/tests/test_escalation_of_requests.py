"""Escalation, end to end through requests: the staff member holding a request is told in
the app when one of its promises is at risk, and the team's managers too when it breaks;
taking, assigning, transferring and routing a request move who holds its promises."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from townhall.activity.models import Notification
from townhall.agencies import actions as agency_actions
from townhall.agencies.models import StaffRole
from townhall.commitments.actions import flag_at_risk_commitments, mark_broken_commitments
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.service_requests import actions
from townhall.service_requests.models import ServiceRequest

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
# Filed Monday 4 March 2030: acknowledge by Wednesday 6, answer by Monday 11 (23:59:59).
FILED = datetime(2030, 3, 4, 10, 0, tzinfo=CHICAGO)
ACK_AT_RISK = datetime(2030, 3, 5, 12, 0, tzinfo=CHICAGO)  # Tuesday: due by tomorrow night
ACK_BROKEN = datetime(2030, 3, 7, 1, 0, tzinfo=CHICAGO)  # Thursday, just after midnight
RESPOND_AT_RISK = datetime(2030, 3, 8, 12, 0, tzinfo=CHICAGO)  # Friday: due Monday night


def commitments_of(request: ServiceRequest) -> Any:
    return Commitment.objects.filter(
        subject_type__model="servicerequest", subject_id=str(request.pk)
    )


def told(user: Any) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user).select_related("activity").order_by("pk")
    )


@pytest.fixture
def drains(agency: Any, site_admin: Any) -> Any:
    return agency_actions.create_team(by=site_admin, agency=agency, name="Drains")


@pytest.fixture
def drains_manager(make_user: Any, agency: Any, site_admin: Any, drains: Any) -> Any:
    """Jo Banks, the Drains team's manager (the membership)."""
    return agency_actions.add_staff_member(
        by=site_admin,
        agency=agency,
        user=make_user("jo@example.org", "Jo"),
        public_name="Jo Banks",
        job_title="Drains Manager",
        role=StaffRole.MANAGER,
        teams=[drains],
    )


@pytest.fixture
def held(file_pothole: Any, team: Any, manager: Any, sam: Any, staff_member: Any) -> Any:
    """Alex's pothole report, assigned to the Streets team (manager Lee Chen) by Lee and
    taken by Sam."""
    request = file_pothole(at=FILED)
    actions.assign_request(by=manager.user, request=request, team=team)
    actions.take_request(by=sam, request=request)
    return request


def test_taking_a_request_of_a_team_makes_its_promises_held_by_you_for_the_team(
    held: ServiceRequest, staff_member: Any, team: Any
) -> None:
    for commitment in commitments_of(held):
        assert commitment.holder == staff_member and commitment.team == team


def test_the_holder_is_told_when_a_promise_is_at_risk_with_a_link_to_the_request(
    held: ServiceRequest, sam: Any, manager: Any
) -> None:
    assert flag_at_risk_commitments(now=ACK_AT_RISK) == 1  # acknowledge, not respond
    (notice,) = told(sam)
    assert notice.activity.verb == "commitment.at_risk"
    target = notice.activity.target
    assert isinstance(target, Commitment) and target.kind == CommitmentKind.ACKNOWLEDGE
    assert notice.url == held.get_absolute_url() == f"/requests/{held.reference}/"
    assert notice.reason == "You hold the request this promise belongs to."
    assert told(manager.user) == []  # someone holds it: the manager is not bothered yet
    # Flagged once: the next run tells nobody again.
    assert flag_at_risk_commitments(now=ACK_AT_RISK + timedelta(hours=1)) == 0
    assert len(told(sam)) == 1


def test_the_holder_and_the_team_manager_are_told_when_it_breaks(
    held: ServiceRequest, sam: Any, manager: Any, colleague: Any
) -> None:
    assert mark_broken_commitments(now=ACK_BROKEN) == 1
    for person in (sam, manager.user):
        (notice,) = told(person)
        assert notice.activity.verb == "commitment.broken"
        assert notice.url == held.get_absolute_url()
    assert told(manager.user)[0].reason == "You manage the team this promise belongs to."
    assert told(colleague.user) == []  # not on the team, not holding it
    # Breaking is checked again later: nobody is told twice.
    assert mark_broken_commitments(now=ACK_BROKEN + timedelta(hours=1)) == 0
    assert len(told(sam)) == len(told(manager.user)) == 1


def test_a_transfer_leaves_the_promises_held_by_nobody_and_tells_the_new_teams_managers(
    held: ServiceRequest, sam: Any, manager: Any, drains: Any, drains_manager: Any
) -> None:
    actions.transfer_request(by=sam, request=held, note="A drain, not the road.", team=drains)
    for commitment in commitments_of(held).filter(state=CommitmentState.OPEN):
        assert commitment.holder is None and commitment.team == drains

    assert flag_at_risk_commitments(now=ACK_AT_RISK) == 1
    (notice,) = told(drains_manager.user)
    assert notice.activity.verb == "commitment.at_risk"
    assert notice.reason == "You manage the team this promise belongs to."
    assert told(sam) == [] and told(manager.user) == []  # no longer theirs


def test_assigning_to_a_colleague_moves_the_holder(
    held: ServiceRequest, manager: Any, colleague: Any
) -> None:
    actions.assign_request(by=manager.user, request=held, assignee=colleague)
    assert {c.holder_id for c in commitments_of(held)} == {colleague.pk}
    mark_broken_commitments(now=ACK_BROKEN)
    assert len(told(colleague.user)) == 1


def test_a_routed_request_is_held_by_nobody_for_the_team_from_the_start(
    file_pothole: Any, team: Any, manager: Any, site_admin: Any, agency: Any
) -> None:
    actions.add_routing_rule(by=site_admin, agency=agency, team=team, keywords=["pothole"])
    request = file_pothole(at=FILED)
    assert request.team == team
    assert {(c.holder_id, c.team_id) for c in commitments_of(request)} == {(None, team.pk)}
    # Nobody holds it: the team's manager hears of the promise at risk.
    assert flag_at_risk_commitments(now=ACK_AT_RISK) == 1
    assert len(told(manager.user)) == 1


def test_a_kept_promise_is_not_escalated(held: ServiceRequest, sam: Any) -> None:
    actions.reply_to_request(by=sam, request=held, body="On our list.", at=FILED)
    assert flag_at_risk_commitments(now=ACK_AT_RISK) == 0
    assert mark_broken_commitments(now=ACK_BROKEN) == 0
    assert told(sam) == []


def test_the_answer_at_risk_after_a_pause_is_flagged_again_for_its_new_date(
    held: ServiceRequest, sam: Any, citizen: Any
) -> None:
    assert flag_at_risk_commitments(now=RESPOND_AT_RISK) == 1  # the answer, due Monday night
    actions.request_clarification(by=sam, request=held, body="Which side?", at=RESPOND_AT_RISK)
    actions.reply_to_request(
        by=citizen, request=held, body="North.", at=datetime(2030, 3, 12, 9, tzinfo=CHICAGO)
    )
    respond = commitments_of(held).get(kind=CommitmentKind.RESPOND)
    assert respond.at_risk_notified is False  # the moved date will be flagged on its own
    assert flag_at_risk_commitments(now=respond.due_at - timedelta(hours=6)) == 1
