"""The lifecycle endpoints under /api/v1/requests/{reference}/: staff take, assign,
transfer, reply, note, clarify, answer, close, decline, mark duplicates and extend; the
requester replies; other citizens say “me too”. Same permission rules as the pages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from townhall.activity.models import Activity
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.service_requests import actions
from townhall.service_requests.models import ServiceRequest, Support


def url(request: ServiceRequest, action: str = "") -> str:
    return f"/api/v1/requests/{request.reference}/" + (f"{action}/" if action else "")


def post(client: APIClient, address: str, body: Any = None) -> Any:
    if body is None:
        return client.post(address)
    return client.post(address, json.dumps(body), content_type="application/json")


def fresh(request: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.get(pk=request.pk)


@pytest.fixture
def filed(file_pothole: Any) -> ServiceRequest:
    """Alex's public pothole report."""
    return file_pothole(is_public=True)


@pytest.fixture
def private(file_pothole: Any) -> ServiceRequest:
    """Alex's private pothole report."""
    return file_pothole(is_public=False)


# --- take, assign, transfer -------------------------------------------------------------------


def test_staff_take_a_request_and_are_named_as_its_holder(
    filed: ServiceRequest, staff_member: Any, as_user: Any
) -> None:
    response = post(as_user(staff_member), url(filed, "take"))
    assert response.status_code == 200, response.json()
    assert response.json()["assignee"] == {
        "name": "Sam Rivera",
        "title": "Road Maintenance Supervisor",
    }
    assert fresh(filed).assignee == staff_member


def test_taking_a_request_someone_else_holds_says_who_holds_it(
    filed: ServiceRequest, staff_member: Any, colleague: Any, as_user: Any
) -> None:
    assert post(as_user(colleague), url(filed, "take")).status_code == 200
    response = post(as_user(staff_member), url(filed, "take"))
    assert response.status_code == 400
    assert "Kim Osei" in str(response.json()["errors"])
    assert fresh(filed).assignee == colleague


def test_citizens_and_staff_of_another_agency_cannot_take_a_request(
    filed: ServiceRequest, citizen2: Any, other_staff: Any, as_user: Any
) -> None:
    for who in [citizen2, other_staff]:
        response = post(as_user(who), url(filed, "take"))
        assert response.status_code == 403
        assert response.json()["detail"].startswith("Only staff of Public Works")
    assert fresh(filed).assignee is None


def test_staff_of_another_agency_get_a_404_for_a_private_request(
    private: ServiceRequest, other_staff: Any, citizen2: Any, as_user: Any
) -> None:
    for who in [other_staff, citizen2]:
        for action in ["take", "close", "notes", "reply", "answer"]:
            response = post(as_user(who), url(private, action), {"body": "x", "note": "x"})
            assert response.status_code == 404, (who, action)
    assert fresh(private).status == "submitted"


def test_anonymous_visitors_cannot_act(filed: ServiceRequest, api_client: APIClient) -> None:
    for action in ["take", "reply", "support", "close"]:
        assert post(api_client, url(filed, action), {"body": "x"}).status_code == 401


def test_a_manager_assigns_a_request_to_a_colleague_and_a_team(
    filed: ServiceRequest, manager: Any, colleague: Any, team: Any, as_user: Any
) -> None:
    body = {"assignee": colleague.slug, "team": team.slug}
    response = post(as_user(manager), url(filed, "assign"), body)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["assignee"]["name"] == "Kim Osei"
    assert data["team"] == {"slug": team.slug, "name": "Streets"}


def test_plain_staff_cannot_assign_others(
    filed: ServiceRequest, staff_member: Any, colleague: Any, as_user: Any
) -> None:
    response = post(as_user(staff_member), url(filed, "assign"), {"assignee": colleague.slug})
    assert response.status_code == 403
    assert fresh(filed).assignee is None


@pytest.mark.parametrize(
    "body, field",
    [({"assignee": "nobody-here"}, "assignee"), ({"team": "no-team"}, "team")],
)
def test_assigning_to_someone_unknown_is_a_400(
    filed: ServiceRequest, manager: Any, as_user: Any, body: dict, field: str
) -> None:
    response = post(as_user(manager), url(filed, "assign"), body)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_staff_of_another_agency_cannot_be_assigned(
    filed: ServiceRequest, manager: Any, other_staff: Any, as_user: Any
) -> None:
    response = post(as_user(manager), url(filed, "assign"), {"assignee": other_staff.slug})
    assert response.status_code == 400


def test_a_transfer_to_another_agency_moves_it_with_a_public_note(
    filed: ServiceRequest,
    staff_member: Any,
    other_agency: Any,
    as_user: Any,
    api_client: APIClient,
) -> None:
    body = {"agency": other_agency.slug, "note": "Trees are for Parks."}
    response = post(as_user(staff_member), url(filed, "transfer"), body)
    assert response.status_code == 200, response.json()
    assert response.json()["agency"]["slug"] == other_agency.slug
    assert response.json()["status_reason"] == "Trees are for Parks."
    public = api_client.get(url(filed)).json()
    assert any("Trees are for Parks." in e["summary"] for e in public["timeline"])


def test_transferring_a_private_request_away_answers_204(
    private: ServiceRequest, staff_member: Any, other_agency: Any, as_user: Any
) -> None:
    body = {"agency": other_agency.slug, "note": "Not ours."}
    response = post(as_user(staff_member), url(private, "transfer"), body)
    assert response.status_code == 204
    assert fresh(private).agency == other_agency
    assert as_user(staff_member).get(url(private)).status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"agency": "parks-and-recreation"}, "note"),
        ({"agency": "no-such-agency", "note": "x"}, "agency"),
        ({"note": "Nowhere in particular."}, "non_field_errors"),
    ],
)
def test_a_transfer_without_a_note_or_a_destination_is_refused(
    filed: ServiceRequest,
    staff_member: Any,
    other_agency: Any,
    as_user: Any,
    body: dict,
    field: str,
) -> None:
    response = post(as_user(staff_member), url(filed, "transfer"), body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert fresh(filed).agency != other_agency


# --- the conversation -------------------------------------------------------------------------


def test_a_staff_reply_with_a_promise_records_a_commitment(
    filed: ServiceRequest, staff_member: Any, as_user: Any
) -> None:
    due = (timezone.now() + dt.timedelta(days=3650)).isoformat()
    body = {"body": "I'll check it.", "promise": {"text": "I will call you", "due_at": due}}
    response = post(as_user(staff_member), url(filed, "reply"), body)
    assert response.status_code == 201, response.json()
    message = response.json()
    assert message["body"] == "I'll check it."
    assert message["by"].startswith("Sam Rivera, Road Maintenance Supervisor")
    assert message["from_staff"] is True and message["internal"] is False
    promise = Commitment.objects.get(kind=CommitmentKind.CUSTOM)
    assert promise.description == "I will call you"
    assert promise.made_by_persona == staff_member
    assert fresh(filed).status == "acknowledged"


@pytest.mark.parametrize(
    "promise",
    [
        {"text": "Soon", "due_at": "2001-01-01T00:00:00Z"},
        {"text": "Soon", "due_at": "tomorrow"},
        {"due_at": "2100-01-01T00:00:00Z"},
        {"text": "x" * 301, "due_at": "2100-01-01T00:00:00Z"},
    ],
    ids=["past", "not-a-date", "no-words", "too-long"],
)
def test_a_bad_promise_is_refused_with_nothing_sent(
    filed: ServiceRequest, staff_member: Any, as_user: Any, promise: dict
) -> None:
    response = post(as_user(staff_member), url(filed, "reply"), {"body": "Hi", "promise": promise})
    assert response.status_code == 400
    assert "promise" in response.json()["errors"]
    assert not Commitment.objects.filter(kind=CommitmentKind.CUSTOM).exists()
    assert fresh(filed).status == "submitted"


def test_the_requester_replies_on_their_own_request(
    filed: ServiceRequest, citizen: Any, as_user: Any
) -> None:
    response = post(as_user(citizen), url(filed, "reply"), {"body": "It got bigger."})
    assert response.status_code == 201
    assert response.json()["from_staff"] is False
    assert response.json()["by"] == "Alex Park"


def test_another_citizen_cannot_reply(filed: ServiceRequest, citizen2: Any, as_user: Any) -> None:
    response = post(as_user(citizen2), url(filed, "reply"), {"body": "Me too!"})
    assert response.status_code == 403


def test_a_citizen_cannot_make_promises(filed: ServiceRequest, citizen: Any, as_user: Any) -> None:
    body = {"body": "Hi", "promise": {"text": "I will wait", "due_at": "2100-01-01T00:00:00Z"}}
    response = post(as_user(citizen), url(filed, "reply"), body)
    assert response.status_code == 403


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "  "}, {"body": "a\x00b"}, []])
def test_an_empty_or_unusable_reply_is_a_400(
    filed: ServiceRequest, staff_member: Any, as_user: Any, body: Any
) -> None:
    response = post(as_user(staff_member), url(filed, "reply"), body)
    assert response.status_code == 400
    assert response.json()["errors"]


def test_a_huge_reply_is_refused(filed: ServiceRequest, staff_member: Any, as_user: Any) -> None:
    response = post(as_user(staff_member), url(filed, "reply"), {"body": "x" * 20_001})
    assert response.status_code == 400
    assert "body" in response.json()["errors"]


def test_clarifying_pauses_and_the_requesters_reply_resumes(
    filed: ServiceRequest, citizen: Any, staff_member: Any, as_user: Any
) -> None:
    response = post(as_user(staff_member), url(filed, "clarify"), {"body": "Which side?"})
    assert response.status_code == 201, response.json()
    assert fresh(filed).status == "waiting_for_citizen"
    assert post(as_user(citizen), url(filed, "reply"), {"body": "North side."}).status_code == 201
    assert fresh(filed).status == "in_progress"


def test_an_answer_keeps_the_respond_commitment(
    filed: ServiceRequest, staff_member: Any, as_user: Any
) -> None:
    response = post(as_user(staff_member), url(filed, "answer"), {"body": "Filled today."})
    assert response.status_code == 201, response.json()
    data = as_user(staff_member).get(url(filed)).json()
    assert data["status"] == "answered"
    respond = next(c for c in data["commitments"] if c["kind"] == "respond")
    assert respond["state"] == "kept" and respond["kept_at"] is not None


# --- internal notes ---------------------------------------------------------------------------


def test_staff_write_and_read_internal_notes(
    private: ServiceRequest, staff_member: Any, colleague: Any, as_user: Any
) -> None:
    response = post(as_user(staff_member), url(private, "notes"), {"body": "Check the drain."})
    assert response.status_code == 201, response.json()
    assert response.json()["internal"] is True
    notes = as_user(colleague).get(url(private, "notes"))
    assert notes.status_code == 200
    assert [n["body"] for n in notes.json()] == ["Check the drain."]
    assert notes.json()[0]["by"].startswith("Sam Rivera")


def test_internal_notes_are_a_404_for_everyone_but_the_agencys_staff(
    filed: ServiceRequest,
    private: ServiceRequest,
    citizen: Any,
    citizen2: Any,
    staff_member: Any,
    other_staff: Any,
    as_user: Any,
) -> None:
    for request in [filed, private]:
        actions.add_internal_note(by=staff_member.user, request=request, body="SECRET")
    for who in [citizen, citizen2, other_staff]:
        for request in [filed, private]:
            response = as_user(who).get(url(request, "notes"))
            assert response.status_code == 404, (who, request)
            assert "SECRET" not in response.content.decode()
            write = post(as_user(who), url(request, "notes"), {"body": "sneaky"})
            assert write.status_code == 404
    assert Activity.objects.filter(verb="request.noted").count() == 2


def test_internal_notes_need_a_token(filed: ServiceRequest, api_client: APIClient) -> None:
    assert api_client.get(url(filed, "notes")).status_code == 401


# --- closing, declining, duplicates, extensions ----------------------------------------------


def test_closing_a_closed_request_is_a_400(
    filed: ServiceRequest, staff_member: Any, as_user: Any
) -> None:
    client = as_user(staff_member)
    first = post(client, url(filed, "close"), {"note": "Fixed."})
    assert first.status_code == 200, first.json()
    assert first.json()["status"] == "closed"
    again = post(client, url(filed, "close"))
    assert again.status_code == 400
    assert "already closed" in str(again.json()["errors"])


def test_the_requester_may_withdraw_their_request(
    filed: ServiceRequest, citizen: Any, citizen2: Any, as_user: Any
) -> None:
    assert post(as_user(citizen2), url(filed, "close")).status_code == 403
    response = post(as_user(citizen), url(filed, "close"), {"note": "Someone fixed it."})
    assert response.status_code == 200
    assert response.json()["status"] == "closed"


def test_declining_needs_a_reason_and_shows_it(
    filed: ServiceRequest, staff_member: Any, as_user: Any
) -> None:
    client = as_user(staff_member)
    assert post(client, url(filed, "decline"), {}).status_code == 400
    assert post(client, url(filed, "decline"), {"reason": ""}).status_code == 400
    response = post(client, url(filed, "decline"), {"reason": "This is a private road."})
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "declined"
    assert data["status_reason"] == "This is a private road."
    assert all(c["state"] != "open" for c in data["commitments"])


def test_a_duplicate_points_to_its_original(
    filed: ServiceRequest, file_pothole: Any, citizen2: Any, staff_member: Any, as_user: Any
) -> None:
    copy = file_pothole(by=citizen2, is_public=True)
    response = post(as_user(staff_member), url(copy, "duplicate"), {"original": filed.reference})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "duplicate"
    assert response.json()["duplicate_of"] == filed.reference
    assert Support.objects.filter(request=filed, user=citizen2).exists()


@pytest.mark.parametrize("original", ["SPR-2026-999999", "not-a-reference", "self"])
def test_a_duplicate_of_nothing_or_of_itself_is_refused(
    filed: ServiceRequest, staff_member: Any, as_user: Any, original: str
) -> None:
    original = filed.reference if original == "self" else original
    response = post(as_user(staff_member), url(filed, "duplicate"), {"original": original})
    assert response.status_code == 400
    assert "original" in response.json()["errors"]


def test_staff_of_another_agency_cannot_mark_duplicates(
    filed: ServiceRequest, file_pothole: Any, other_staff: Any, as_user: Any
) -> None:
    copy = file_pothole(is_public=True)
    response = post(as_user(other_staff), url(copy, "duplicate"), {"original": filed.reference})
    assert response.status_code == 403
    assert fresh(copy).status == "submitted"


def test_a_private_original_the_caller_cannot_see_is_unknown_to_them(
    private: ServiceRequest, file_pothole: Any, citizen2: Any, other_staff: Any, as_user: Any
) -> None:
    other = file_pothole(by=citizen2, is_public=True)
    response = post(as_user(other_staff), url(other, "duplicate"), {"original": private.reference})
    assert response.status_code == 400
    assert "original" in response.json()["errors"]


def test_an_foi_deadline_is_extended_once(
    citizen: Any, foi_service: Any, staff_member: Any, as_user: Any
) -> None:
    foi = actions.file_request(by=citizen, service=foi_service, description="All contracts.")
    client = as_user(staff_member)
    response = post(client, url(foi, "extend"), {"reason": "We must consult a third party."})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["is_extended"] is True
    kinds = {c["kind"]: c["state"] for c in data["commitments"]}
    assert kinds["respond"] == CommitmentState.RENEGOTIATED
    assert kinds["extension"] == CommitmentState.OPEN
    again = post(client, url(foi, "extend"), {"reason": "Once more."})
    assert again.status_code == 400


def test_a_pothole_deadline_cannot_be_extended(
    filed: ServiceRequest, staff_member: Any, as_user: Any
) -> None:
    response = post(as_user(staff_member), url(filed, "extend"), {"reason": "Busy."})
    assert response.status_code == 400
    assert fresh(filed).is_extended is False


# --- “me too” ---------------------------------------------------------------------------------


def test_another_citizen_says_me_too_once_and_can_take_it_back(
    filed: ServiceRequest, citizen2: Any, as_user: Any
) -> None:
    client = as_user(citizen2)
    first = post(client, url(filed, "support"))
    assert first.status_code == 200, first.json()
    assert first.json() == {"supporting": True, "supporter_count": 1}
    assert post(client, url(filed, "support")).json() == {
        "supporting": True,
        "supporter_count": 1,
    }
    withdrawn = client.delete(url(filed, "support"))
    assert withdrawn.status_code == 200
    assert withdrawn.json() == {"supporting": False, "supporter_count": 0}
    assert client.delete(url(filed, "support")).json()["supporter_count"] == 0


def test_nobody_supports_their_own_or_a_private_request(
    filed: ServiceRequest, private: ServiceRequest, citizen: Any, citizen2: Any, as_user: Any
) -> None:
    assert post(as_user(citizen), url(filed, "support")).status_code == 400
    assert post(as_user(citizen2), url(private, "support")).status_code == 404
    assert fresh(filed).supporter_count == 0
