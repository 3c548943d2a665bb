"""REST: GET /api/v1/citizens/{id}/timeline/?reason=..., /api/v1/me/timeline/ and
/api/v1/me/access-log/ — exact names, permissions, the reason, pages."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from townhall.citizens import actions
from townhall.citizens.models import AccessLogEntry, AccessReason

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(issue_token: Any) -> Any:
    def make(who: Any) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(getattr(who, 'user', who))}")
        return client

    return make


@pytest.fixture
def issue_token() -> Any:
    from townhall.identity.actions import issue_api_token

    def issue(user: Any) -> str:
        _token, key = issue_api_token(by=user, user=user, name="Test", via="test")
        return key

    return issue


def test_the_addresses_are_exactly_these() -> None:
    from django.urls import reverse

    assert reverse("api:citizen-timeline", kwargs={"pk": 7}) == "/api/v1/citizens/7/timeline/"
    assert reverse("api:me-timeline") == "/api/v1/me/timeline/"
    assert reverse("api:me-access-log") == "/api/v1/me/access-log/"


def test_staff_find_the_citizen_id_as_requester_id(
    as_user: Any, staff_member: Any, pothole_request: Any, citizen: Any, citizen2: Any
) -> None:
    staff = as_user(staff_member)
    detail = staff.get(f"/api/v1/requests/{pothole_request.reference}/").json()
    assert detail["requester_id"] == citizen.pk
    listed = staff.get("/api/v1/requests/?queue=all").json()["results"]
    assert listed[0]["requester_id"] == citizen.pk
    assert as_user(citizen).get("/api/v1/requests/").json()["results"][0]["requester_id"] == (
        citizen.pk
    )


def test_others_do_not_see_the_requester_id(
    as_user: Any, other_staff: Any, foi_request: Any, citizen2: Any
) -> None:
    url = f"/api/v1/requests/{foi_request.reference}/"
    assert as_user(other_staff).get(url).json()["requester_id"] is None
    assert as_user(citizen2).get(url).json()["requester_id"] is None
    assert APIClient().get(url).json()["requester_id"] is None


def test_the_first_call_of_the_day_without_a_reason_is_a_400_listing_the_reasons(
    as_user: Any, staff_member: Any, citizen: Any
) -> None:
    for query in ("", "?reason=", "?reason=because", "?reason=%3Cscript%3E"):
        response = as_user(staff_member).get(f"/api/v1/citizens/{citizen.pk}/timeline/{query}")
        assert response.status_code == 400
        body = response.json()
        assert body["status"] == 400
        assert body["allowed_reasons"] == list(AccessReason.values)
        assert "reason" in body["errors"]
    assert not AccessLogEntry.objects.exists()


def test_staff_read_the_timeline_and_the_citizen_sees_the_look(
    as_user: Any,
    staff_member: Any,
    citizen: Any,
    pothole_request: Any,
    parks_request: Any,
) -> None:
    staff = as_user(staff_member)
    url = f"/api/v1/citizens/{citizen.pk}/timeline/"
    response = staff.get(url, {"reason": "answering_request", "subject": pothole_request.reference})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    references = {entry["reference"] for entry in body["results"] if entry["kind"] == "request"}
    assert references == {pothole_request.reference}  # not Parks' private request
    # Later that day the reason may be left out.
    assert staff.get(url).status_code == 200

    log = as_user(citizen).get("/api/v1/me/access-log/").json()["results"]
    assert len(log) == 2
    assert log[-1] == {
        "staff_name": "Sam Rivera",
        "agency": "Public Works",
        "at": log[-1]["at"],
        "reason": "answering_request",
        "reason_label": "answering your request",
        "screen": "api_timeline",
        "subject": pothole_request.reference,
    }


def test_with_consent_staff_of_another_agency_see_private_requests(
    as_user: Any, other_staff: Any, citizen: Any, pothole_request: Any
) -> None:
    url = f"/api/v1/citizens/{citizen.pk}/timeline/?reason=other&channel=requests"
    before = as_user(other_staff).get(url).json()["results"]
    assert pothole_request.reference not in {entry["reference"] for entry in before}
    actions.set_join_up_consent(by=citizen, citizen=citizen, is_on=True)
    after = as_user(other_staff).get(url).json()["results"]
    assert pothole_request.reference in {entry["reference"] for entry in after}


def test_citizens_and_unknown_ids_get_a_404(
    as_user: Any, citizen: Any, citizen2: Any, staff_member: Any
) -> None:
    assert (
        as_user(citizen2).get(f"/api/v1/citizens/{citizen.pk}/timeline/?reason=other").status_code
        == 404
    )
    assert (
        as_user(staff_member).get("/api/v1/citizens/999999/timeline/?reason=other").status_code
        == 404
    )
    assert APIClient().get(f"/api/v1/citizens/{citizen.pk}/timeline/").status_code == 401


def test_my_timeline_and_log_are_mine_alone(
    as_user: Any, citizen: Any, citizen2: Any, staff_member: Any, pothole_request: Any
) -> None:
    actions.record_access(
        by=staff_member.user, citizen=citizen, screen="joined_up_view", reason="other"
    )
    mine = as_user(citizen).get("/api/v1/me/timeline/").json()["results"]
    assert pothole_request.reference in {entry["reference"] for entry in mine}
    other = as_user(citizen2)
    assert other.get("/api/v1/me/timeline/").json()["results"] == []
    assert other.get("/api/v1/me/access-log/").json()["results"] == []
    assert APIClient().get("/api/v1/me/access-log/").status_code == 401


def test_pages_follow_next_to_the_end(as_user: Any, citizen: Any, file_pothole: Any) -> None:
    for _ in range(7):
        file_pothole()
    client = as_user(citizen)
    url: str | None = "/api/v1/me/timeline/?channel=requests&page_size=3"
    seen: list[str] = []
    while url:
        body = client.get(url).json()
        seen.extend(entry["reference"] for entry in body["results"])
        url = body["next"]
    assert len(seen) == 7 == len(set(seen))


@pytest.mark.parametrize(
    "query",
    ["?cursor=garbage", "?cursor=%00", "?channel=nope", "?agency=%3Cb%3E", "?page_size=-5"],
)
def test_bad_parameters_are_a_400_or_ignored_never_a_500(
    as_user: Any, citizen: Any, query: str
) -> None:
    client = as_user(citizen)
    for url in ("/api/v1/me/timeline/", "/api/v1/me/access-log/"):
        response = client.get(url + query)
        assert response.status_code in (200, 400)
        assert response.json()["status" if response.status_code == 400 else "results"] is not None


def test_the_timeline_costs_the_same_queries_for_3_or_30_requests(
    as_user: Any,
    staff_member: Any,
    citizen: Any,
    file_pothole: Any,
    django_assert_max_num_queries: Any,
) -> None:
    staff = as_user(staff_member)
    url = f"/api/v1/citizens/{citizen.pk}/timeline/?reason=other"
    staff.get(url)
    for _ in range(3):
        file_pothole()
    with django_assert_max_num_queries(20) as few:
        staff.get(url)
    for _ in range(27):
        file_pothole()
    with django_assert_max_num_queries(20) as many:
        staff.get(url)
    assert len(few.captured_queries) == len(many.captured_queries)
