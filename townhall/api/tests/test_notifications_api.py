"""Notifications over the REST API: a person's own, newest first in pages, the unread
filter, marking one or all read, the unread count; nobody else's, and bad input in the
standard error format."""

from __future__ import annotations

from typing import Any

import pytest

from townhall.activity.actions import notify, record_activity
from townhall.activity.models import Notification, Visibility

pytestmark = pytest.mark.django_db


def told(user: Any, summary: str = "Your request was answered", url: str = "/x/") -> Any:
    entry = record_activity(verb="test.told", summary=summary, visibility=Visibility.PUBLIC)
    notify(recipients=[user], activity=entry, reason="You filed it", url=url)
    return Notification.objects.get(recipient=user, activity=entry)


def test_a_person_lists_their_notifications_newest_first(as_user: Any, citizen: Any) -> None:
    first = told(citizen, "First")
    second = told(citizen, "Second", url="/requests/SPR-2026-000001/")
    body = as_user(citizen).get("/api/v1/notifications/").json()
    assert [item["id"] for item in body["results"]] == [second.pk, first.pk]
    item = body["results"][0]
    assert item == {
        "id": second.pk,
        "reason": "You filed it",
        "summary": "Second",
        "url": "http://testserver/requests/SPR-2026-000001/",
        "created_at": item["created_at"],
        "read_at": None,
    }


def test_the_list_pages_with_a_cursor(as_user: Any, citizen: Any) -> None:
    for number in range(5):
        told(citizen, f"Thing {number}")
    client = as_user(citizen)
    page = client.get("/api/v1/notifications/?page_size=2").json()
    seen = [item["summary"] for item in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [item["summary"] for item in page["results"]]
    assert seen == [f"Thing {number}" for number in reversed(range(5))]


def test_the_unread_filter(as_user: Any, citizen: Any) -> None:
    read, unread = told(citizen, "Read"), told(citizen, "Unread")
    client = as_user(citizen)
    client.post(f"/api/v1/notifications/{read.pk}/read/")
    only_unread = client.get("/api/v1/notifications/?unread=true").json()["results"]
    only_read = client.get("/api/v1/notifications/?unread=false").json()["results"]
    assert [item["id"] for item in only_unread] == [unread.pk]
    assert [item["id"] for item in only_read] == [read.pk]


def test_a_bad_unread_filter_is_a_clear_400(as_user: Any, citizen: Any) -> None:
    response = as_user(citizen).get("/api/v1/notifications/?unread=maybe")
    assert response.status_code == 400
    assert response.json()["errors"] == {"unread": ["Give true or false."]}
    assert response.json()["status"] == 400


def test_nobody_sees_another_persons_notifications(
    as_user: Any, citizen: Any, citizen2: Any, staff_member: Any, site_admin: Any
) -> None:
    told(citizen)
    for other in (citizen2, staff_member, site_admin):
        assert as_user(other).get("/api/v1/notifications/").json()["results"] == []
        assert as_user(other).get("/api/v1/notifications/unread-count/").json() == {"unread": 0}


def test_visitors_get_401(api_client: Any, citizen: Any) -> None:
    note = told(citizen)
    for path in ("/api/v1/notifications/", "/api/v1/notifications/unread-count/"):
        response = api_client.get(path)
        assert response.status_code == 401 and response.json()["status"] == 401
    for path in (f"/api/v1/notifications/{note.pk}/read/", "/api/v1/notifications/read-all/"):
        assert api_client.post(path).status_code == 401
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_one_read(as_user: Any, citizen: Any) -> None:
    note, other = told(citizen), told(citizen)
    client = as_user(citizen)
    response = client.post(f"/api/v1/notifications/{note.pk}/read/")
    assert response.status_code == 200
    assert response.json()["id"] == note.pk and response.json()["read_at"] is not None
    first_read_at = response.json()["read_at"]
    assert client.post(f"/api/v1/notifications/{note.pk}/read/").json()["read_at"] == first_read_at
    other.refresh_from_db()
    assert other.read_at is None
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}


def test_marking_another_persons_notification_read_is_a_404(
    as_user: Any, citizen: Any, citizen2: Any
) -> None:
    note = told(citizen)
    for pk in (note.pk, 999999, 10**30):
        response = as_user(citizen2).post(f"/api/v1/notifications/{pk}/read/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "status": 404}
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_all_read_marks_only_ones_own(as_user: Any, citizen: Any, citizen2: Any) -> None:
    told(citizen), told(citizen)
    theirs = told(citizen2)
    response = as_user(citizen).post("/api/v1/notifications/read-all/")
    assert response.json() == {"marked": 2}
    assert as_user(citizen).get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_list_takes_a_fixed_number_of_queries(
    as_user: Any, citizen: Any, django_assert_max_num_queries: Any
) -> None:
    client = as_user(citizen)
    for number in range(3):
        told(citizen, f"Thing {number}")
    # token, token's last use, the page (with each activity joined)
    with django_assert_max_num_queries(4):
        client.get("/api/v1/notifications/")
    for number in range(60):
        told(citizen, f"More {number}")
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/notifications/").json()["results"]) == 50
