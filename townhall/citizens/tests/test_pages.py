"""The joined-up view page (staff) and My government (the citizen)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from townhall.citizens import actions
from townhall.citizens.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def test_a_citizen_cannot_open_the_joined_up_view(
    client: Client, citizen: Any, citizen2: Any
) -> None:
    client.force_login(citizen2)
    assert client.get(f"/citizens/{citizen.pk}/?reason=other").status_code == 404
    assert client.get(f"/citizens/{citizen2.pk}/?reason=other").status_code == 404
    assert client.post(f"/citizens/{citizen.pk}/notes/", {"body": "hi"}).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_a_visitor_is_sent_to_sign_in(client: Client, citizen: Any) -> None:
    response = client.get(f"/citizens/{citizen.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


def test_an_unknown_citizen_is_a_404(staff_client_for: Any, staff_member: Any) -> None:
    client = staff_client_for(staff_member.user)
    assert client.get("/citizens/999999/?reason=other").status_code == 404


def test_the_first_opening_of_the_day_asks_why_and_logs_nothing(
    staff_client_for: Any, staff_member: Any, citizen: Any, pothole_request: Any
) -> None:
    client = staff_client_for(staff_member.user)
    response = client.get(f"/citizens/{citizen.pk}/")
    assert response.status_code == 200
    assert "Why are you opening this record?" in response.content.decode()
    assert pothole_request.reference not in response.content.decode()
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("reason", ["", "because", "<script>alert(1)</script>"])
def test_a_missing_or_unknown_reason_shows_the_error_by_the_field(
    staff_client_for: Any, staff_member: Any, citizen: Any, reason: str
) -> None:
    client = staff_client_for(staff_member.user)
    response = client.get(f"/citizens/{citizen.pk}/", {"reason": reason})
    assert response.status_code == 400
    body = response.content.decode()
    assert "usa-error-message" in body
    assert "<script>alert(1)</script>" not in body
    assert not AccessLogEntry.objects.exists()


def test_with_a_reason_the_record_shows_and_each_opening_is_logged(
    open_record: Any,
    staff_member: Any,
    citizen: Any,
    pothole_request: Any,
    parks_request: Any,
) -> None:
    client, response = open_record(staff_member, citizen, subject=pothole_request.reference)
    assert response.status_code == 200
    body = response.content.decode()
    assert pothole_request.reference in body
    assert parks_request.reference not in body  # Parks' private request
    assert "Email verified" in body
    # The second opening today needs no reason, and is logged too.
    assert client.get(f"/citizens/{citizen.pk}/").status_code == 200
    entries = list(AccessLogEntry.objects.order_by("at", "id"))
    assert [e.reason for e in entries] == ["answering_request", "answering_request"]
    assert entries[0].subject == pothole_request.reference


def test_a_hostile_subject_is_not_logged(open_record: Any, staff_member: Any, citizen: Any) -> None:
    _client, response = open_record(staff_member, citizen, subject="<img src=x onerror=alert(1)>")
    assert response.status_code == 200
    assert AccessLogEntry.objects.get().subject == ""


def test_the_citizen_sees_the_look_on_my_government(
    client: Client, open_record: Any, staff_member: Any, citizen: Any, pothole_request: Any
) -> None:
    open_record(staff_member, citizen, subject=pothole_request.reference)
    client.force_login(citizen)
    body = client.get("/my-government/").content.decode()
    assert "Sam Rivera, Public Works, viewed your record on" in body
    assert f"reason: answering your request {pothole_request.reference}" in body
    assert "sammy" not in body  # never the staff member's personal display name
    assert pothole_request.reference in body
    assert "/my-data/" in body


def test_another_citizen_does_not_see_it(
    client: Client, open_record: Any, staff_member: Any, citizen: Any, citizen2: Any
) -> None:
    open_record(staff_member, citizen)
    client.force_login(citizen2)
    for url in ("/my-government/", "/my-government/access-log/"):
        body = client.get(url).content.decode()
        assert "Sam Rivera" not in body


def test_the_citizen_switches_joining_up_on_and_staff_then_see_more(
    client: Client, open_record: Any, other_staff: Any, citizen: Any, pothole_request: Any
) -> None:
    _c, before = open_record(other_staff, citizen, reason="other")
    assert pothole_request.reference not in before.content.decode()
    client.force_login(citizen)
    response = client.post("/my-government/consent/", {"join_up": "on"})
    assert response.status_code == 302
    _c, after = open_record(other_staff, citizen, reason="other")
    assert pothole_request.reference in after.content.decode()
    client.post("/my-government/consent/", {})
    _c, again = open_record(other_staff, citizen, reason="other")
    assert pothole_request.reference not in again.content.decode()


def test_staff_share_a_note_the_citizen_reads(
    client: Client, open_record: Any, staff_member: Any, citizen: Any
) -> None:
    staff_client, _response = open_record(staff_member, citizen)
    response = staff_client.post(
        f"/citizens/{citizen.pk}/notes/", {"body": "Prefers <b>email</b>."}
    )
    assert response.status_code == 302
    client.force_login(citizen)
    body = client.get("/my-government/").content.decode()
    assert "Prefers &lt;b&gt;email&lt;/b&gt;." in body


@pytest.mark.parametrize("body", ["", "   ", "x" * 2001])
def test_a_bad_note_shows_the_error_by_the_field(
    open_record: Any, staff_member: Any, citizen: Any, body: str
) -> None:
    staff_client, _response = open_record(staff_member, citizen)
    response = staff_client.post(f"/citizens/{citizen.pk}/notes/", {"body": body})
    assert response.status_code == 400
    assert "usa-error-message" in response.content.decode()


@pytest.mark.parametrize(
    "query", ["?channel=bogus", "?agency=%3Cscript%3E", "?cursor=%00%00", "?cursor=" + "a" * 400]
)
def test_bad_page_parameters_never_fail(
    client: Client, citizen: Any, pothole_request: Any, query: str
) -> None:
    client.force_login(citizen)
    assert client.get("/my-government/" + query).status_code == 200
    assert client.get("/my-government/access-log/" + query).status_code == 200


def test_older_pages_follow_the_cursor(client: Client, citizen: Any, file_pothole: Any) -> None:
    for _ in range(30):
        file_pothole()
    client.force_login(citizen)
    first = client.get("/my-government/?channel=requests")
    assert first.context["older_url"]
    second = client.get("/my-government/" + first.context["older_url"])
    assert second.status_code == 200
    firsts = {item.reference for item in first.context["page"].items}
    seconds = {item.reference for item in second.context["page"].items}
    assert firsts and seconds and not firsts & seconds


def test_the_inbox_request_links_to_the_citizens_record(
    staff_client_for: Any, staff_member: Any, pothole_request: Any
) -> None:
    client = staff_client_for(staff_member.user)
    body = client.get(reverse("inbox:request", args=[pothole_request.reference])).content.decode()
    assert f"/citizens/{pothole_request.requester_id}/?subject={pothole_request.reference}" in body


def test_my_government_is_in_the_navigation(client: Client, citizen: Any) -> None:
    client.force_login(citizen)
    assert 'href="/my-government/"' in client.get("/my-government/").content.decode()


def _queries(client: Client, url: str, django_assert_max_num_queries: Any) -> int:
    with django_assert_max_num_queries(30) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_pages_cost_the_same_queries_for_3_or_30_requests(
    client: Client,
    staff_client_for: Any,
    staff_member: Any,
    citizen: Any,
    file_pothole: Any,
    django_assert_max_num_queries: Any,
) -> None:
    staff = staff_client_for(staff_member.user)
    client.force_login(citizen)
    for _ in range(3):
        file_pothole()
    actions.add_shared_note(by=staff_member.user, citizen=citizen, body="A note")
    url = f"/citizens/{citizen.pk}/?reason=other"
    staff.get(url)  # the first look of the day; content types cached
    few = (
        _queries(staff, url, django_assert_max_num_queries),
        _queries(client, "/my-government/", django_assert_max_num_queries),
    )
    for _ in range(27):
        file_pothole()
        actions.add_shared_note(by=staff_member.user, citizen=citizen, body="A note")
        staff.get(f"/citizens/{citizen.pk}/")
    many = (
        _queries(staff, url, django_assert_max_num_queries),
        _queries(client, "/my-government/", django_assert_max_num_queries),
    )
    assert few == many, (few, many)


def test_hostile_text_in_records_is_shown_as_text(
    open_record: Any, client: Client, staff_member: Any, citizen: Any, file_pothole: Any
) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    file_pothole(description=hostile)
    citizen.display_name = hostile[:80]
    citizen.save(update_fields=["display_name"])
    _client, response = open_record(staff_member, citizen)
    client.force_login(citizen)
    for body in (response.content.decode(), client.get("/my-government/").content.decode()):
        assert "<script>alert" not in body
        assert "<img src=x" not in body
        assert "&lt;script&gt;" in body
