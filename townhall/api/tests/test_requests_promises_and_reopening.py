"""POST /api/v1/requests/{reference}/commitments/{id}/keep/ (staff mark a promise typed in
a reply as kept) and POST /api/v1/requests/{reference}/reopen/ (the requester or staff)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from townhall.activity.models import Activity
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.service_requests import actions
from townhall.service_requests.models import ServiceRequest


def post(client: APIClient, address: str, body: Any = None) -> Any:
    if body is None:
        return client.post(address)
    return client.post(address, json.dumps(body), content_type="application/json")


def commitments_of(request: ServiceRequest) -> Any:
    return Commitment.objects.filter(
        subject_type__model="servicerequest", subject_id=str(request.pk)
    )


def keep_url(request: ServiceRequest, commitment_id: int) -> str:
    return f"/api/v1/requests/{request.reference}/commitments/{commitment_id}/keep/"


def promise_on(request: ServiceRequest, by: Any) -> Commitment:
    actions.reply_to_request(
        by=by,
        request=request,
        body="We will look at it.",
        promise="I will call you by Friday",
        promise_due_at=timezone.now() + timedelta(days=3),
    )
    return commitments_of(request).get(kind=CommitmentKind.CUSTOM)


@pytest.fixture
def filed(file_pothole: Any) -> ServiceRequest:
    return file_pothole(is_public=True)


@pytest.fixture
def private(file_pothole: Any) -> ServiceRequest:
    return file_pothole(is_public=False)


# --- keeping a promise ------------------------------------------------------------------------


def test_staff_mark_a_promise_kept_and_see_it_in_the_request(
    filed: ServiceRequest, staff_member: Any, as_user: Any
) -> None:
    promise = promise_on(filed, staff_member.user)
    response = post(as_user(staff_member), keep_url(filed, promise.pk))
    assert response.status_code == 200, response.json()
    shown = {c["id"]: c for c in response.json()["commitments"]}
    assert shown[promise.pk]["state"] == "kept" and shown[promise.pk]["kept_at"]
    assert any("kept the promise" in entry["summary"] for entry in response.json()["timeline"])


def test_keeping_a_promise_twice_is_a_harmless_no_op(
    filed: ServiceRequest, staff_member: Any, as_user: Any
) -> None:
    promise = promise_on(filed, staff_member.user)
    client = as_user(staff_member)
    assert post(client, keep_url(filed, promise.pk)).status_code == 200
    assert post(client, keep_url(filed, promise.pk)).status_code == 200
    assert Activity.objects.filter(verb="request.promise_kept").count() == 1


def test_the_requester_cannot_mark_a_promise_kept(
    filed: ServiceRequest, staff_member: Any, citizen: Any, as_user: Any
) -> None:
    promise = promise_on(filed, staff_member.user)
    response = post(as_user(citizen), keep_url(filed, promise.pk))
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Only staff of Public Works")
    assert Commitment.objects.get(pk=promise.pk).state == CommitmentState.OPEN


def test_staff_of_another_agency_cannot_mark_a_promise_kept(
    filed: ServiceRequest,
    private: ServiceRequest,
    staff_member: Any,
    other_staff: Any,
    as_user: Any,
) -> None:
    public_promise = promise_on(filed, staff_member.user)
    private_promise = promise_on(private, staff_member.user)
    client = as_user(other_staff)
    assert post(client, keep_url(filed, public_promise.pk)).status_code == 403
    assert post(client, keep_url(private, private_promise.pk)).status_code == 404
    assert not Commitment.objects.filter(state=CommitmentState.KEPT, kind="custom").exists()


def test_a_standard_commitment_is_refused_with_a_clear_message(
    filed: ServiceRequest, staff_member: Any, as_user: Any
) -> None:
    respond = commitments_of(filed).get(kind=CommitmentKind.RESPOND)
    response = post(as_user(staff_member), keep_url(filed, respond.pk))
    assert response.status_code == 400
    assert "Only a promise written in a reply" in response.json()["errors"]["commitment"][0]


def test_a_promise_of_another_request_is_refused_with_a_clear_message(
    filed: ServiceRequest, file_pothole: Any, staff_member: Any, as_user: Any
) -> None:
    other = file_pothole(is_public=True, description="Another one, up the street.")
    promise = promise_on(other, staff_member.user)
    response = post(as_user(staff_member), keep_url(filed, promise.pk))
    assert response.status_code == 400
    assert response.json()["errors"]["commitment"] == [
        f"That promise is not about {filed.reference}."
    ]
    assert Commitment.objects.get(pk=promise.pk).state == CommitmentState.OPEN


def test_an_unknown_promise_is_a_404(
    filed: ServiceRequest, staff_member: Any, as_user: Any
) -> None:
    response = post(as_user(staff_member), keep_url(filed, 2**40))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "status": 404}


# --- reopening --------------------------------------------------------------------------------


def answered(request: ServiceRequest, staff: Any) -> ServiceRequest:
    actions.answer_request(by=staff.user, request=request, body="Filled this morning.")
    return request


def test_the_requester_reopens_an_answered_request_with_a_reason(
    filed: ServiceRequest, staff_member: Any, citizen: Any, as_user: Any
) -> None:
    answered(filed, staff_member)
    response = post(
        as_user(citizen), f"/api/v1/requests/{filed.reference}/reopen/", {"reason": "Still there."}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "in_progress"
    assert any("reopened" in entry["summary"] for entry in response.json()["timeline"])


def test_staff_reopen_a_closed_request(
    filed: ServiceRequest, staff_member: Any, as_user: Any
) -> None:
    actions.close_request(by=staff_member.user, request=filed)
    response = post(
        as_user(staff_member),
        f"/api/v1/requests/{filed.reference}/reopen/",
        {"reason": "The patch sank."},
    )
    assert response.status_code == 200
    assert ServiceRequest.objects.get(pk=filed.pk).status == "in_progress"


def test_another_citizen_cannot_reopen_someone_elses_request(
    filed: ServiceRequest, staff_member: Any, citizen2: Any, as_user: Any
) -> None:
    answered(filed, staff_member)
    response = post(
        as_user(citizen2), f"/api/v1/requests/{filed.reference}/reopen/", {"reason": "Me too."}
    )
    assert response.status_code == 403
    assert ServiceRequest.objects.get(pk=filed.pk).status == "answered"


@pytest.mark.parametrize("body", [{}, {"reason": "   "}, {"reason": "x\x00"}])
def test_reopening_needs_a_reason(
    filed: ServiceRequest, staff_member: Any, citizen: Any, as_user: Any, body: Any
) -> None:
    answered(filed, staff_member)
    response = post(as_user(citizen), f"/api/v1/requests/{filed.reference}/reopen/", body)
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_an_open_request_cannot_be_reopened(
    filed: ServiceRequest, citizen: Any, as_user: Any
) -> None:
    response = post(
        as_user(citizen), f"/api/v1/requests/{filed.reference}/reopen/", {"reason": "Why not."}
    )
    assert response.status_code == 400
    assert "nothing to reopen" in str(response.json()["errors"])


def test_both_endpoints_are_documented(api_client: APIClient, db: Any) -> None:
    paths = api_client.get("/api/v1/schema/?format=json").json()["paths"]
    assert "post" in paths["/api/v1/requests/{reference}/reopen/"]
    keep = paths["/api/v1/requests/{reference}/commitments/{id}/keep/"]["post"]
    assert {p["name"] for p in keep["parameters"]} == {"reference", "id"}
    assert {"200", "400", "403", "404"} <= set(keep["responses"])
