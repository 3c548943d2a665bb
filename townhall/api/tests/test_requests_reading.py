"""GET /api/v1/requests/ and /api/v1/requests/{reference}/: the names clients rely on,
who may read what, and what a page costs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from townhall.service_requests import actions

LIST = "/api/v1/requests/"


def detail(reference: str) -> str:
    return f"/api/v1/requests/{reference}/"


@pytest.fixture
def far_future() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=3650)


# --- the shape item 7 of issue 3 promised -----------------------------------------------------


def test_a_request_has_every_field_clients_rely_on(
    citizen: Any,
    staff_member: Any,
    file_pothole: Any,
    as_user: Any,
    far_future: dt.datetime,
) -> None:
    filed = file_pothole(is_public=True)
    actions.take_request(by=staff_member.user, request=filed)
    actions.reply_to_request(
        by=staff_member.user,
        request=filed,
        body="We will look at it.",
        promise="I will call you",
        promise_due_at=far_future,
    )
    response = as_user(citizen).get(detail(filed.reference))
    assert response.status_code == 200
    data = response.json()
    assert {
        "reference",
        "service",
        "status",
        "submitted_at",
        "public",
        "agency",
        "assignee",
        "expected_at",
        "commitments",
        "timeline",
        "description",
        "attributes",
        "location",
        "status_page",
        "url",
    } <= set(data)
    assert data["reference"] == filed.reference
    assert data["service"] == "pothole"
    assert data["status"] == "acknowledged"
    assert data["public"] is True
    assert parse_datetime(data["submitted_at"]) == filed.submitted_at
    assert data["agency"]["slug"] == "public-works"
    assert data["assignee"] == {"name": "Sam Rivera", "title": "Road Maintenance Supervisor"}
    assert data["expected_at"] is not None
    assert data["status_page"] == f"http://testserver/requests/{filed.reference}/"
    assert data["attributes"] == {"size": "large"}
    assert data["location"] == {"lat": 39.7817, "long": -89.6501, "address": "12 Monroe St"}

    commitments = {c["kind"]: c for c in data["commitments"]}
    assert set(commitments) == {"acknowledge", "respond", "custom"}
    for commitment in data["commitments"]:
        assert {"kind", "due_at", "state", "made_by", "kept_at"} <= set(commitment)
    assert commitments["acknowledge"]["state"] == "kept"
    assert commitments["acknowledge"]["kept_at"] is not None
    assert commitments["acknowledge"]["made_by"] is None  # from the service's standard
    assert commitments["respond"]["state"] == "open"
    assert commitments["respond"]["kept_at"] is None
    assert commitments["respond"]["due_at"] == data["expected_at"]
    assert commitments["custom"]["made_by"] == {
        "name": "Sam Rivera",
        "title": "Road Maintenance Supervisor",
    }
    assert commitments["custom"]["description"] == "I will call you"

    timeline = data["timeline"]
    for entry in timeline:
        assert set(entry) == {"occurred_at", "verb", "summary", "by"}
    verbs = [entry["verb"] for entry in timeline]
    assert verbs[0] == "request.filed" and "request.taken" in verbs
    assert timeline[0]["by"] == "Alex Park"
    taken = next(entry for entry in timeline if entry["verb"] == "request.taken")
    assert taken["by"].startswith("Sam Rivera, Road Maintenance Supervisor")
    assert [m["body"] for m in data["messages"]] == ["We will look at it."]
    assert data["messages"][0]["from_staff"] is True


def test_a_list_entry_has_the_same_names(citizen: Any, file_pothole: Any, as_user: Any) -> None:
    filed = file_pothole()
    results = as_user(citizen).get(LIST).json()["results"]
    assert len(results) == 1
    entry = results[0]
    assert entry["reference"] == filed.reference
    assert entry["url"] == f"http://testserver{detail(filed.reference)}"
    assert {
        "reference",
        "service",
        "status",
        "submitted_at",
        "public",
        "agency",
        "assignee",
        "expected_at",
        "status_page",
    } <= set(entry)


def test_the_services_endpoint_keeps_the_names_filing_needs(
    pothole_service: Any, api_client: APIClient
) -> None:
    service = api_client.get("/api/v1/services/pothole/").json()
    assert {
        "code",
        "name",
        "kind",
        "agency",
        "standard",
        "allows_private",
        "public_by_default",
        "location_required",
        "attributes",
    } <= set(service)
    assert {"slug", "jurisdiction", "timezone"} <= set(service["agency"])
    assert set(service["standard"]) == {
        "acknowledge_working_days",
        "respond_working_days",
        "extension_working_days",
    }
    attribute = service["attributes"][0]
    assert {"code", "datatype", "required", "order", "values"} <= set(attribute)
    assert attribute["values"][0] == {"key": "small", "name": "Smaller than a plate"}


def test_a_lower_case_reference_finds_the_request(
    citizen: Any, file_pothole: Any, as_user: Any
) -> None:
    filed = file_pothole()
    response = as_user(citizen).get(detail(filed.reference.lower()))
    assert response.status_code == 200
    assert response.json()["reference"] == filed.reference


@pytest.mark.parametrize(
    "reference", ["SPR-2026-999999", "nonsense", "SPR-2026-000001'--", "%00", "x" * 300]
)
def test_an_unknown_reference_is_a_json_404(citizen: Any, as_user: Any, reference: str) -> None:
    response = as_user(citizen).get(detail(reference))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "status": 404}


# --- who may read a private request -----------------------------------------------------------


def test_a_private_request_is_read_by_its_requester_and_the_agencys_staff(
    citizen: Any, staff_member: Any, site_admin: Any, file_pothole: Any, as_user: Any
) -> None:
    filed = file_pothole(is_public=False)
    for reader in [citizen, staff_member, site_admin]:
        response = as_user(reader).get(detail(filed.reference))
        assert response.status_code == 200, reader
        assert response.json()["public"] is False


def test_a_private_request_does_not_exist_for_anyone_else(
    citizen2: Any, other_staff: Any, file_pothole: Any, as_user: Any, api_client: APIClient
) -> None:
    filed = file_pothole(is_public=False)
    for client in [as_user(citizen2), as_user(other_staff), api_client]:
        response = client.get(detail(filed.reference))
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "status": 404}
        assert filed.reference not in response.content.decode()


def test_a_public_request_is_read_by_anyone(file_pothole: Any, api_client: APIClient) -> None:
    filed = file_pothole(is_public=True)
    response = api_client.get(detail(filed.reference))
    assert response.status_code == 200
    assert response.json()["reference"] == filed.reference


def test_internal_notes_never_reach_the_requester_or_the_public(
    citizen: Any, staff_member: Any, file_pothole: Any, as_user: Any, api_client: APIClient
) -> None:
    filed = file_pothole(is_public=True)
    actions.add_internal_note(
        by=staff_member.user, request=filed, body="Caller sounded annoyed; SECRET-NOTE"
    )
    for client in [as_user(citizen), api_client]:
        body = client.get(detail(filed.reference)).content.decode()
        assert "SECRET-NOTE" not in body
        assert "request.noted" not in body
    staff_view = as_user(staff_member).get(detail(filed.reference)).json()
    assert "SECRET-NOTE" not in str(staff_view["messages"])  # notes live under /notes/
    assert "request.noted" in [entry["verb"] for entry in staff_view["timeline"]]


# --- lists ------------------------------------------------------------------------------------


def test_a_citizen_lists_only_their_own_requests(
    citizen: Any, citizen2: Any, file_pothole: Any, as_user: Any
) -> None:
    mine = [file_pothole(), file_pothole()]
    theirs = file_pothole(by=citizen2, is_public=True)
    references = [r["reference"] for r in as_user(citizen).get(LIST).json()["results"]]
    assert references == [mine[1].reference, mine[0].reference]  # newest first
    other = [r["reference"] for r in as_user(citizen2).get(LIST).json()["results"]]
    assert other == [theirs.reference]


def test_the_list_needs_a_token(api_client: APIClient, db: Any) -> None:
    response = api_client.get(LIST)
    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_a_citizen_has_no_queue(citizen: Any, as_user: Any) -> None:
    response = as_user(citizen).get(LIST + "?queue=all")
    assert response.status_code == 403
    assert "Only agency staff" in response.json()["detail"]


def test_staff_queues_hold_the_agencys_requests_only(
    citizen: Any,
    staff_member: Any,
    other_staff: Any,
    file_pothole: Any,
    as_user: Any,
) -> None:
    first, second = file_pothole(), file_pothole()
    actions.take_request(by=staff_member.user, request=first)
    staff = as_user(staff_member)

    def references(query: str, client: Any = staff) -> list[str]:
        response = client.get(LIST + query)
        assert response.status_code == 200, response.json()
        return [r["reference"] for r in response.json()["results"]]

    assert set(references("?queue=all")) == {first.reference, second.reference}
    assert references("?queue=mine") == [first.reference]
    assert references("?queue=unassigned") == [second.reference]
    assert references("?queue=waiting") == []
    assert references("?queue=all&status=closed") == []
    assert set(references("?queue=all&service=pothole")) == {first.reference, second.reference}
    assert references(f"?queue=all&q={second.reference}") == [second.reference]
    assert references("?queue=all", as_user(other_staff)) == []
    assert references("") == []  # staff filed nothing themselves


def test_a_citizen_can_filter_their_requests(
    citizen: Any, staff_member: Any, file_pothole: Any, as_user: Any
) -> None:
    first, second = file_pothole(), file_pothole()
    actions.close_request(by=staff_member.user, request=first)
    client = as_user(citizen)
    closed = client.get(LIST + "?status=closed").json()["results"]
    assert [r["reference"] for r in closed] == [first.reference]
    assert client.get(LIST + "?service=no-such").json()["results"] == []
    assert len(client.get(LIST + "?service=pothole").json()["results"]) == 2
    assert second.reference in str(client.get(LIST + "?status=").json())


@pytest.mark.parametrize(
    "query, field",
    [
        ("?queue=everything", "queue"),
        ("?queue=all&status=lost", "status"),
        ("?status=%3Cscript%3E", "status"),
        ("?service=' OR 1=1 --", "service"),
        ("?team=streets", "queue"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(
    staff_member: Any, as_user: Any, query: str, field: str
) -> None:
    response = as_user(staff_member).get(LIST + query)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_lists_come_in_pages(citizen: Any, file_pothole: Any, as_user: Any) -> None:
    filed = [file_pothole() for _ in range(5)]
    client = as_user(citizen)
    first = client.get(LIST + "?page_size=2").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    seen = [r["reference"] for page in (first, second, third) for r in page["results"]]
    assert seen == [r.reference for r in reversed(filed)]
    assert third["next"] is None


# --- query counts -----------------------------------------------------------------------------


def count_queries(client: Any, url: str) -> int:
    client.get(url)  # the first use of a token records when it was used
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.json()
    return len(queries)


@pytest.mark.parametrize("query", ["", "?status=submitted&service=pothole"])
def test_my_requests_cost_the_same_queries_whatever_their_number(
    citizen: Any,
    staff_member: Any,
    file_pothole: Any,
    as_user: Any,
    django_assert_max_num_queries: Any,
    query: str,
) -> None:
    client = as_user(citizen)
    for _ in range(2):
        actions.take_request(by=staff_member.user, request=file_pothole())
    few = count_queries(client, LIST + query)
    for _ in range(15):
        actions.take_request(by=staff_member.user, request=file_pothole())
    many = count_queries(client, LIST + query)
    assert few == many
    with django_assert_max_num_queries(3):
        client.get(LIST + query)


@pytest.mark.parametrize("queue", ["all", "mine", "team", "unassigned", "at_risk", "overdue"])
def test_staff_queues_cost_the_same_queries_whatever_their_size(
    citizen: Any,
    staff_member: Any,
    file_pothole: Any,
    as_user: Any,
    django_assert_max_num_queries: Any,
    queue: str,
) -> None:
    client = as_user(staff_member)
    for _ in range(2):
        actions.take_request(by=staff_member.user, request=file_pothole())
    few = count_queries(client, f"{LIST}?queue={queue}")
    for _ in range(15):
        actions.take_request(by=staff_member.user, request=file_pothole())
        file_pothole()
    many = count_queries(client, f"{LIST}?queue={queue}")
    assert few == many
    with django_assert_max_num_queries(6):
        client.get(f"{LIST}?queue={queue}")


def test_one_request_costs_the_same_queries_however_long_its_history(
    citizen: Any,
    staff_member: Any,
    file_pothole: Any,
    as_user: Any,
    far_future: dt.datetime,
) -> None:
    filed = file_pothole(is_public=True)
    client = as_user(citizen)
    url = detail(filed.reference)
    actions.take_request(by=staff_member.user, request=filed)

    def converse(times: int) -> None:
        for n in range(times):
            actions.reply_to_request(
                by=staff_member.user,
                request=filed,
                body=f"Update {n}",
                promise=f"Promise {n}",
                promise_due_at=far_future,
            )
            actions.reply_to_request(by=citizen, request=filed, body=f"Thanks {n}")

    converse(1)
    few = count_queries(client, url)
    converse(8)
    many = count_queries(client, url)
    assert many == few
    assert len(client.get(url).json()["timeline"]) > 20


# --- files ------------------------------------------------------------------------------------


@pytest.fixture
def text_file(settings: Any, tmp_path: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from townhall.conversations.attachments import check_upload

    settings.MEDIA_ROOT = str(tmp_path)

    def make(name: str = "where.txt", content: bytes = b"By the bus stop.") -> Any:
        return check_upload(SimpleUploadedFile(name, content, content_type="text/plain"))

    return make


def test_files_are_listed_and_downloaded_by_those_who_may_read_the_request(
    citizen: Any,
    citizen2: Any,
    staff_member: Any,
    other_staff: Any,
    file_pothole: Any,
    text_file: Any,
    as_user: Any,
    api_client: APIClient,
) -> None:
    filed = file_pothole(is_public=False, files=[text_file()])
    data = as_user(citizen).get(detail(filed.reference)).json()
    [listed] = data["attachments"]
    assert listed["name"] == "where.txt" and listed["size"] == 16
    for reader in [citizen, staff_member]:
        response = as_user(reader).get(listed["url"])
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == b"By the bus stop."
    for client in [as_user(citizen2), as_user(other_staff), api_client]:
        response = client.get(listed["url"])
        assert response.status_code == 404
        assert response.json()["status"] == 404


def test_files_of_internal_notes_are_the_staffs_only(
    citizen: Any,
    staff_member: Any,
    file_pothole: Any,
    text_file: Any,
    as_user: Any,
) -> None:
    filed = file_pothole(is_public=True)
    note = actions.add_internal_note(
        by=staff_member.user, request=filed, body="See file.", files=[text_file("memo.txt")]
    )
    [attachment] = note.attachments.all()
    address = f"/api/v1/requests/{filed.reference}/files/{attachment.pk}/"
    assert as_user(staff_member).get(address).status_code == 200
    notes = as_user(staff_member).get(detail(filed.reference) + "notes/").json()
    assert notes[0]["attachments"][0]["name"] == "memo.txt"
    assert as_user(citizen).get(address).status_code == 404
    assert "memo.txt" not in as_user(citizen).get(detail(filed.reference)).content.decode()


def test_an_unknown_file_is_a_404(citizen: Any, file_pothole: Any, as_user: Any) -> None:
    filed = file_pothole()
    response = as_user(citizen).get(f"/api/v1/requests/{filed.reference}/files/999/")
    assert response.status_code == 404
