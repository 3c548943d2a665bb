"""A private request exists only for its requester, the agency's staff and site
administrators: everyone else gets 404 on its page, its calendar file and its files."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image

from townhall.conversations.attachments import check_uploads
from townhall.conversations.models import Attachment
from townhall.service_requests import actions

from .conftest_citizen import status_url

pytestmark = pytest.mark.django_db


def _photo() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile("hole.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def private_report(file_pothole: Any) -> Any:
    return file_pothole(is_public=False, files=check_uploads([_photo()]))


def urls_of(service_request: Any) -> list[str]:
    attachment = Attachment.objects.get(thread=service_request.thread)
    kwargs = {"reference": service_request.reference}
    return [
        status_url(service_request),
        reverse("requests:request-ics", kwargs=kwargs),
        reverse("requests:attachment-download", kwargs={**kwargs, "pk": attachment.pk}),
    ]


def test_an_anonymous_visitor_gets_not_found_everywhere(client: Any, private_report: Any) -> None:
    for url in urls_of(private_report):
        assert client.get(url).status_code == 404, url


def test_another_citizen_gets_not_found_everywhere(
    client: Any, private_report: Any, citizen2: Any
) -> None:
    client.force_login(citizen2)
    for url in urls_of(private_report):
        assert client.get(url).status_code == 404, url


def test_staff_of_another_agency_get_not_found_everywhere(
    private_report: Any, other_staff: Any, sign_in_staff: Any
) -> None:
    client = sign_in_staff(other_staff.user)
    for url in urls_of(private_report):
        assert client.get(url).status_code == 404, url


def test_another_citizen_cannot_act_on_it_either(
    client: Any, private_report: Any, citizen2: Any
) -> None:
    client.force_login(citizen2)
    kwargs = {"reference": private_report.reference}
    for name, data in [
        ("request-support", {"support": "support"}),
        ("request-reply", {"body": "Hello"}),
        ("request-reopen", {"reason": "Because"}),
    ]:
        assert client.post(reverse(f"requests:{name}", kwargs=kwargs), data).status_code == 404
    private_report.refresh_from_db()
    assert private_report.supporter_count == 0


def test_the_requester_sees_everything(client: Any, private_report: Any, citizen: Any) -> None:
    client.force_login(citizen)
    for url in urls_of(private_report):
        assert client.get(url).status_code == 200, url


def test_staff_of_the_agency_and_site_administrators_see_everything(
    private_report: Any, staff_member: Any, site_admin: Any, sign_in_staff: Any
) -> None:
    client = sign_in_staff(staff_member.user)
    for url in urls_of(private_report):
        assert client.get(url).status_code == 200, url
    client.force_login(site_admin)
    for url in urls_of(private_report):
        assert client.get(url).status_code == 200, url


def test_an_attachment_is_a_safe_download(client: Any, private_report: Any, citizen: Any) -> None:
    client.force_login(citizen)
    response = client.get(urls_of(private_report)[2])
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_file_of_another_request_is_not_reachable_through_this_one(
    client: Any, private_report: Any, file_pothole: Any, citizen: Any, citizen2: Any
) -> None:
    public = file_pothole(by=citizen2, is_public=True, description="Another hole")
    attachment = Attachment.objects.get(thread=private_report.thread)
    url = reverse(
        "requests:attachment-download",
        kwargs={"reference": public.reference, "pk": attachment.pk},
    )
    assert client.get(url).status_code == 404
    client.force_login(citizen2)
    assert client.get(url).status_code == 404


def test_files_of_internal_notes_are_for_the_agency_staff_only(
    client: Any, file_pothole: Any, citizen: Any, staff_member: Any, sign_in_staff: Any
) -> None:
    report = file_pothole(is_public=True)
    actions.add_internal_note(
        by=staff_member.user,
        request=report,
        body="Photo from the crew",
        files=check_uploads([_photo()]),
    )
    attachment = Attachment.objects.get(thread=report.thread)
    assert attachment.is_internal
    url = reverse(
        "requests:attachment-download", kwargs={"reference": report.reference, "pk": attachment.pk}
    )
    assert client.get(url).status_code == 404
    client.force_login(citizen)
    assert client.get(url).status_code == 404
    assert "hole.png" not in client.get(status_url(report)).content.decode()
    staff = sign_in_staff(staff_member.user)
    assert staff.get(url).status_code == 200


def test_a_private_request_is_not_listed_in_anyone_elses_my_requests(
    client: Any, private_report: Any, citizen2: Any
) -> None:
    client.force_login(citizen2)
    response = client.get(reverse("requests:request-mine"))
    assert private_report.reference not in response.content.decode()
