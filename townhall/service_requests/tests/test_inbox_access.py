"""Who reaches the staff inbox: active staff of an agency and site administrators only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from townhall.agencies import actions as agency_actions
from townhall.conversations.models import Message
from townhall.service_requests.models import ServiceRequest, Status

from .conftest_inbox import inbox_url, page_text

pytestmark = pytest.mark.django_db

POST_ENDPOINTS = [
    ("take", {}),
    ("assign", {"assign-team": "1"}),
    ("transfer", {"transfer-note": "Moving it"}),
    ("reply", {"reply-body": "Hello"}),
    ("note", {"note-body": "Secret"}),
    ("clarify", {"clarify-body": "Which side of the road?"}),
    ("answer", {"answer-body": "Fixed"}),
    ("close", {}),
    ("decline", {"decline-reason": "Not ours"}),
    ("duplicate", {"duplicate-original": "SPR-2026-000001"}),
    ("extend", {"extend-reason": "Many records"}),
]


def test_anonymous_visitor_is_sent_to_sign_in(client: Any, pothole_request: Any) -> None:
    for url in [
        inbox_url("queue"),
        inbox_url("request", pothole_request),
        inbox_url("saved-replies"),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=")


def test_anonymous_post_changes_nothing_and_is_sent_to_sign_in(
    client: Any, pothole_request: Any
) -> None:
    response = client.post(inbox_url("close", pothole_request))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    pothole_request.refresh_from_db()
    assert pothole_request.status == Status.SUBMITTED


def test_citizen_gets_a_403_page_explaining_the_inbox_is_for_staff(
    client: Any, citizen: Any, pothole_request: Any
) -> None:
    client.force_login(citizen)

    response = client.get(inbox_url("queue"))

    assert response.status_code == 403
    assert "does not work for any agency" in page_text(response)
    assert client.get(inbox_url("request", pothole_request)).status_code == 403
    assert client.get(inbox_url("saved-replies")).status_code == 403


def test_citizen_cannot_act_on_their_own_request_through_the_inbox(
    client: Any, citizen: Any, pothole_request: Any
) -> None:
    client.force_login(citizen)

    for name, data in POST_ENDPOINTS:
        assert client.post(inbox_url(name, pothole_request), data).status_code == 403, name
    pothole_request.refresh_from_db()
    assert pothole_request.status == Status.SUBMITTED
    assert not Message.objects.filter(thread=pothole_request.thread).exists()


def test_former_staff_member_is_refused_like_a_citizen(
    sign_in_staff: Any, sam_on_streets: Any, pothole_request: Any
) -> None:
    sam_on_streets.is_active = False
    sam_on_streets.save(update_fields=["is_active"])
    client = sign_in_staff(sam_on_streets.user)

    response = client.get(inbox_url("queue"))

    assert response.status_code == 403
    assert client.get(inbox_url("request", pothole_request)).status_code == 403


def test_staff_member_reaches_the_inbox_and_their_agencys_request(
    sam_client: Any, pothole_request: Any
) -> None:
    assert sam_client.get(inbox_url("queue")).status_code == 200
    response = sam_client.get(inbox_url("request", pothole_request))

    assert response.status_code == 200
    assert pothole_request.reference in page_text(response)


def test_staff_of_another_agency_gets_404_for_a_private_request(
    staff_client_for: Any, other_staff: Any, pothole_request: Any
) -> None:
    client = staff_client_for(other_staff.user)

    assert client.get(inbox_url("request", pothole_request)).status_code == 404
    for name, data in POST_ENDPOINTS:
        assert client.post(inbox_url(name, pothole_request), data).status_code == 404, name
    pothole_request.refresh_from_db()
    assert pothole_request.assignee is None
    assert pothole_request.status == Status.SUBMITTED


def test_staff_of_another_agency_gets_404_even_for_a_public_request(
    staff_client_for: Any, other_staff: Any, foi_request: Any
) -> None:
    assert foi_request.is_public
    client = staff_client_for(other_staff.user)

    assert client.get(inbox_url("request", foi_request)).status_code == 404
    assert client.post(inbox_url("take", foi_request)).status_code == 404


def test_staff_of_another_agency_does_not_see_the_request_in_any_queue(
    staff_client_for: Any, other_staff: Any, pothole_request: Any, foi_request: Any
) -> None:
    client = staff_client_for(other_staff.user)

    response = client.get(inbox_url("queue"), {"queue": "all"})

    assert response.status_code == 200
    assert pothole_request.reference not in page_text(response)
    assert foi_request.reference not in page_text(response)
    assert ("all", "All", 0) in [
        (name, str(label), count) for name, label, count in response.context["counts"]
    ]


def test_site_administrator_without_a_persona_reaches_every_request(
    sign_in_staff: Any, site_admin: Any, pothole_request: Any
) -> None:
    client = sign_in_staff(site_admin)

    response = client.get(inbox_url("queue"), {"queue": "all"})
    assert pothole_request.reference in page_text(response)
    detail = client.get(inbox_url("request", pothole_request))
    assert detail.status_code == 200
    assert "Your reply will be signed: Site Admin" in page_text(detail)


def test_unknown_or_malformed_reference_is_404(sam_client: Any) -> None:
    for reference in [
        "SPR-2026-999999",
        "nothing",
        "%3Cscript%3E",
        "SPR-2026-000001'--",
        "SPR-2026-000001%00",
        "x" * 5000,
    ]:
        assert sam_client.get(f"/inbox/{reference}/").status_code == 404, reference


def test_post_endpoints_refuse_get(sam_client: Any, pothole_request: Any) -> None:
    assert sam_client.get(inbox_url("close", pothole_request)).status_code == 405
    assert sam_client.get(inbox_url("bulk")).status_code == 405


def test_staff_download_a_file_of_their_agencys_request_only(
    sam_client: Any,
    sam_on_streets: Any,
    staff_client_for: Any,
    other_staff: Any,
    citizen: Any,
    client: Any,
    pothole_request: Any,
) -> None:
    upload = SimpleUploadedFile("notes.txt", b"Depth: 12 cm\n", content_type="text/plain")
    response = sam_client.post(
        inbox_url("reply", pothole_request),
        {"reply-body": "Measured it.", "reply-attachments": [upload]},
    )
    assert response.status_code == 302, page_text(response)
    attachment = Message.objects.get(thread=pothole_request.thread).attachments.get()

    download = sam_client.get(inbox_url("attachment", pothole_request, pk=attachment.pk))
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == b"Depth: 12 cm\n"

    other = staff_client_for(other_staff.user)
    assert other.get(inbox_url("attachment", pothole_request, pk=attachment.pk)).status_code == 404
    client.force_login(citizen)
    assert client.get(inbox_url("attachment", pothole_request, pk=attachment.pk)).status_code == 403


def test_a_file_of_another_request_is_404_through_this_requests_address(
    sam_client: Any, file_pothole: Any, pothole_request: Any
) -> None:
    second = file_pothole(description="Another hole on Adams St.")
    upload = SimpleUploadedFile("a.txt", b"x\n", content_type="text/plain")
    sam_client.post(
        inbox_url("reply", second), {"reply-body": "See file", "reply-attachments": [upload]}
    )
    attachment = Message.objects.get(thread=second.thread).attachments.get()

    assert (
        sam_client.get(inbox_url("attachment", pothole_request, pk=attachment.pk)).status_code
        == 404
    )
    assert sam_client.get(inbox_url("attachment", pothole_request, pk=2**62)).status_code == 404


def test_staff_in_two_agencies_work_on_both(
    sign_in_staff: Any,
    sam_on_streets: Any,
    other_agency: Any,
    site_admin: Any,
    pothole_request: Any,
) -> None:
    agency_actions.add_staff_member(
        by=site_admin,
        agency=other_agency,
        user=sam_on_streets.user,
        public_name="Sam Rivera",
        job_title="Volunteer Coordinator",
    )
    client = sign_in_staff(sam_on_streets.user)

    response = client.get(inbox_url("queue"), {"queue": "all"})

    assert pothole_request.reference in page_text(response)
    assert ServiceRequest.objects.handled_by(sam_on_streets.user).count() == 1
