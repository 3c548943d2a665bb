"""One login, two faces: the header says which face acts, and a staff member cannot act
as a citizen towards their own agency (decision 0016)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from townhall.agencies import actions as agency_actions
from townhall.service_requests import actions as request_actions
from townhall.service_requests.forms import new_idempotency_key
from townhall.service_requests.models import ServiceRequest

pytestmark = pytest.mark.django_db

SIGNATURE = "Sam Rivera, Road Maintenance Supervisor, Public Works"


def face(html: str) -> str:
    start = html.find('id="acting-face"')
    return html[start : html.find("</p>", start)] if start >= 0 else ""


def test_staff_pages_say_which_work_persona_acts(staff_client_for: Any, staff_member: Any) -> None:
    client = staff_client_for(staff_member.user)

    html = client.get(reverse("inbox:queue")).content.decode()

    assert "Acting as <strong>" in face(html)
    assert SIGNATURE in face(html)


def test_citizen_pages_say_the_staff_member_acts_as_themselves(
    staff_client_for: Any, staff_member: Any
) -> None:
    client = staff_client_for(staff_member.user)

    html = client.get(reverse("requests:request-new")).content.decode()

    assert "Acting as yourself, <strong>sammy</strong>, not for your agency" in face(html)
    assert SIGNATURE not in face(html)


def test_citizens_and_visitors_see_no_face_label(client: Client, citizen: Any) -> None:
    assert face(client.get("/").content.decode()) == ""
    client.force_login(citizen)
    assert face(client.get("/").content.decode()) == ""


def test_a_staff_member_cannot_file_a_citizen_request_to_their_own_agency(
    staff_member: Any, pothole_service: Any
) -> None:
    with pytest.raises(PermissionDenied, match="You work for Public Works"):
        request_actions.file_request(
            by=staff_member.user,
            service=pothole_service,
            description="A hole.",
            answers={"size": "small"},
            latitude="39.7817",
            longitude="-89.6501",
        )
    assert not ServiceRequest.objects.exists()


def test_the_filing_page_says_why_and_files_nothing(
    staff_client_for: Any, staff_member: Any, foi_service: Any
) -> None:
    client = staff_client_for(staff_member.user)

    response = client.post(
        reverse("requests:request-file", args=[foi_service.code]),
        {
            "step": "review",
            "description": "All road contracts.",
            "idempotency_key": new_idempotency_key(),
        },
    )

    assert response.status_code == 403
    assert "You work for Public Works" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_a_staff_member_may_file_to_another_agency_as_themselves(
    staff_member: Any, other_agency: Any, site_admin: Any
) -> None:
    service = agency_actions.add_service(
        by=site_admin, agency=other_agency, code="bench", name="Broken bench", kind="question"
    )

    filed = request_actions.file_request(
        by=staff_member.user, service=service, description="The bench by the pond is broken."
    )

    assert filed.requester == staff_member.user


def test_a_staff_member_cannot_reply_as_a_citizen_in_their_own_agencys_queue(
    pothole_request: Any, citizen: Any, agency: Any, site_admin: Any
) -> None:
    agency_actions.add_staff_member(
        by=site_admin, agency=agency, user=citizen, public_name="Alex Park", job_title="Clerk"
    )

    with pytest.raises(PermissionDenied, match="your own agency's queue"):
        request_actions.reply_to_request(by=citizen, request=pothole_request, body="Any news?")


def test_the_requester_still_replies_when_they_work_elsewhere(
    pothole_request: Any, citizen: Any, other_agency: Any, site_admin: Any
) -> None:
    agency_actions.add_staff_member(
        by=site_admin, agency=other_agency, user=citizen, public_name="Alex", job_title="Clerk"
    )

    message = request_actions.reply_to_request(by=citizen, request=pothole_request, body="News?")

    assert message.persona is None


def test_the_api_refuses_it_too_with_a_403(staff_member: Any, foi_service: Any) -> None:
    from townhall.identity.actions import issue_api_token

    _token, key = issue_api_token(by=staff_member.user, user=staff_member.user, name="t", via="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = client.post(
        "/api/v1/requests/",
        {"service": foi_service.code, "description": "All road contracts."},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert "You work for Public Works" in response.json()["detail"]
    assert not ServiceRequest.objects.exists()
