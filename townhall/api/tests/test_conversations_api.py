"""Conversations over the REST API: /me lists staff memberships, starting a conversation
with a staff member or a team, reading it, writing in it with a promise, the caller's
list, permissions (404 for outsiders) and bad input in the standard error format."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from townhall.activity.models import Notification
from townhall.commitments.models import Commitment
from townhall.conversations.models import Message, Thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(as_user: Any, citizen: Any, staff_member: Any) -> dict[str, Any]:
    response = as_user(citizen).post(
        "/api/v1/conversations/",
        {"staff": staff_member.pk, "subject": "Pothole", "body": "When is it *fixed*?"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_me_lists_staff_memberships_with_id_agency_and_title(
    as_user: Any, staff_member: Any
) -> None:
    memberships = as_user(staff_member).get("/api/v1/me/").json()["staff_memberships"]
    assert len(memberships) == 1
    assert memberships[0]["id"] == staff_member.pk
    assert memberships[0]["agency"] == "public-works"
    assert memberships[0]["title"] == "Road Maintenance Supervisor"


def test_staff_id_is_the_one_in_the_agencys_public_staff_list(
    api_client: Any, staff_member: Any
) -> None:
    staff = api_client.get("/api/v1/agencies/public-works/").json()["staff"]
    assert staff[0]["id"] == staff_member.pk


def test_citizen_starts_a_conversation_with_a_named_staff_member(
    asked: dict[str, Any], staff_member: Any
) -> None:
    assert asked["kind"] == "direct" and asked["subject"] == "Pothole"
    assert asked["url"] == f"http://testserver/conversations/{asked['id']}/"
    assert asked["staff"] == {
        "id": staff_member.pk,
        "name": "Sam Rivera",
        "title": "Road Maintenance Supervisor",
    }
    [message] = asked["messages"]
    assert message["author"] == "Alex Park" and message["title"] is None
    assert message["body_html"] == "<p>When is it <em>fixed</em>?</p>\n"
    assert message["hidden"] is False and message["created_at"]
    assert Notification.objects.filter(recipient=staff_member.user).count() == 1


def test_citizen_writes_to_a_team_by_slug(as_user: Any, citizen: Any, team: Any) -> None:
    response = as_user(citizen).post(
        "/api/v1/conversations/",
        {"team": team.slug, "subject": "Sign", "body": "Bent."},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["team"] == team.slug and response.json()["kind"] == "team"


def test_staff_answers_with_a_promise_and_the_citizen_sees_it_read_and_promised(
    asked: dict[str, Any], as_user: Any, citizen: Any, staff_member: Any
) -> None:
    staff = as_user(staff_member)
    assert staff.get(f"/api/v1/conversations/{asked['id']}/").status_code == 200
    due = (timezone.now() + dt.timedelta(days=3)).isoformat()
    response = staff.post(
        f"/api/v1/conversations/{asked['id']}/messages/",
        {"body": "This week.", "promise": {"text": "I will call you", "due_at": due}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    reply = response.json()
    assert reply["author"] == "Sam Rivera" and reply["title"] == "Road Maintenance Supervisor"
    assert reply["url"].endswith(f"/conversations/{asked['id']}/#message-{reply['id']}")
    assert Commitment.objects.get().holder == staff_member

    seen = as_user(citizen).get(f"/api/v1/conversations/{asked['id']}/").json()
    assert seen["messages"][0]["read"]["by"] == "Sam Rivera"
    assert [p["text"] for p in seen["promises"]] == ["I will call you"]
    assert seen["promises"][0]["held_by"] == "Sam Rivera, Road Maintenance Supervisor"


def test_citizen_cannot_promise(asked: dict[str, Any], as_user: Any, citizen: Any) -> None:
    due = (timezone.now() + dt.timedelta(days=3)).isoformat()
    response = as_user(citizen).post(
        f"/api/v1/conversations/{asked['id']}/messages/",
        {"body": "Thanks", "promise": {"text": "I promise", "due_at": due}},
        format="json",
    )
    assert response.status_code == 403 and response.json()["status"] == 403
    assert Message.objects.count() == 1


def test_outsiders_get_404_in_the_standard_format(
    asked: dict[str, Any], as_user: Any, citizen2: Any, other_staff: Any
) -> None:
    for outsider in (as_user(citizen2), as_user(other_staff)):
        response = outsider.get(f"/api/v1/conversations/{asked['id']}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "status": 404}
        posted = outsider.post(
            f"/api/v1/conversations/{asked['id']}/messages/", {"body": "Hi"}, format="json"
        )
        assert posted.status_code == 404
        assert outsider.get("/api/v1/conversations/").json()["results"] == []
    assert Message.objects.count() == 1


def test_visitors_must_sign_in(api_client: Any, asked: dict[str, Any]) -> None:
    assert api_client.get("/api/v1/conversations/").status_code == 401


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"staff": 999999, "subject": "Hi", "body": "Hello"}, "staff"),
        ({"team": "no-such-team", "subject": "Hi", "body": "Hello"}, "team"),
        ({"subject": "Hi", "body": "Hello"}, "staff"),
        ({"staff": "STAFF", "subject": "Hi", "body": "Hello"}, "staff"),
        ({"staff": None, "subject": "", "body": "Hello"}, "staff"),
        ("STAFF_ID", "body"),
        ("STAFF_ID", "subject"),
    ],
)
def test_bad_input_is_a_400_in_the_standard_format_and_writes_nothing(
    as_user: Any, citizen: Any, staff_member: Any, payload: Any, field: str
) -> None:
    if payload == "STAFF_ID":
        payload = {"staff": staff_member.pk, "subject": "Hi", "body": "Hello"}
        payload[field] = "" if field == "subject" else "x" * 100_000
    response = as_user(citizen).post("/api/v1/conversations/", payload, format="json")
    assert response.status_code in (400, 413), response.json()
    data = response.json()
    assert data["status"] == response.status_code and data["detail"]
    if response.status_code == 400:
        assert field in data["errors"]
    assert not Thread.objects.exists()


def test_a_bad_promise_points_at_its_field(
    asked: dict[str, Any], as_user: Any, staff_member: Any
) -> None:
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    response = as_user(staff_member).post(
        f"/api/v1/conversations/{asked['id']}/messages/",
        {"body": "Soon", "promise": {"text": "I will call", "due_at": past}},
        format="json",
    )
    assert response.status_code == 400
    assert "promise.due_at" in response.json()["errors"]
    assert Message.objects.count() == 1 and not Commitment.objects.exists()


def test_html_in_the_body_is_neutralised(as_user: Any, citizen: Any, staff_member: Any) -> None:
    response = as_user(citizen).post(
        "/api/v1/conversations/",
        {"staff": staff_member.pk, "subject": "<b>x</b>", "body": "<script>alert(1)</script>"},
        format="json",
    )
    html = response.json()["messages"][0]["body_html"]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_double_submit_gives_back_the_same_conversation(
    asked: dict[str, Any], as_user: Any, citizen: Any, staff_member: Any
) -> None:
    again = as_user(citizen).post(
        "/api/v1/conversations/",
        {"staff": staff_member.pk, "subject": "Pothole", "body": "When is it *fixed*?"},
        format="json",
    )
    assert again.json()["id"] == asked["id"] and Thread.objects.count() == 1


def test_the_list_is_paged_by_cursor_with_a_fixed_query_count(
    as_user: Any,
    citizen: Any,
    staff_member: Any,
    django_assert_max_num_queries: Any,
) -> None:
    from townhall.conversations import actions

    for n in range(12):
        actions.start_conversation(by=citizen, staff=staff_member, subject=f"Q{n}", body="Hi")
    client = as_user(citizen)
    with django_assert_max_num_queries(6):
        page = client.get("/api/v1/conversations/?page_size=5").json()
    assert [c["subject"] for c in page["results"]] == ["Q11", "Q10", "Q9", "Q8", "Q7"]
    second = client.get(page["next"]).json()
    assert [c["subject"] for c in second["results"]] == ["Q6", "Q5", "Q4", "Q3", "Q2"]
    staff_list = as_user(staff_member).get("/api/v1/conversations/").json()["results"]
    assert len(staff_list) == 12


def test_reading_a_long_conversation_costs_a_fixed_number_of_queries(
    asked: dict[str, Any],
    as_user: Any,
    citizen: Any,
    staff_member: Any,
    django_assert_max_num_queries: Any,
) -> None:
    from townhall.conversations import actions

    thread = Thread.objects.get()
    for n in range(25):
        actions.reply_in_conversation(by=citizen, thread=thread, body=f"Q {n}")
        actions.reply_in_conversation(by=staff_member.user, thread=thread, body=f"A {n}")
    client = as_user(citizen)
    with django_assert_max_num_queries(12):
        data = client.get(f"/api/v1/conversations/{asked['id']}/").json()
    assert len(data["messages"]) == 51
