"""Public discussions over the REST API: starting one, the list (with the agency filter
and cursor pages), one discussion with its messages, writing, replying, official
answers, helpful marks, who may do what, and bad input in the standard error format."""

from __future__ import annotations

from typing import Any

import pytest

from townhall.activity.models import Notification
from townhall.conversations.models import Message, Thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(as_user: Any, citizen: Any, agency: Any) -> dict[str, Any]:
    response = as_user(citizen).post(
        "/api/v1/discussions/",
        {"agency": "public-works", "title": "Snow clearing", "body": "East side *still* white."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_citizen_starts_a_discussion(started: dict[str, Any]) -> None:
    assert started["title"] == "Snow clearing" and started["agency"] == "public-works"
    assert started["url"] == f"http://testserver/discussions/{started['id']}/"
    [message] = started["messages"]
    assert message["author"] == "Alex Park" and message["title"] is None
    assert message["body_html"] == "<p>East side <em>still</em> white.</p>\n"
    assert message["hidden"] is False and message["created_at"]
    assert message["url"] == f"{started['url']}#message-{message['id']}"
    assert message["parent"] is None and message["official"] is False
    assert message["helpful"] == 0


def test_anyone_reads_discussions_without_an_account(
    api_client: Any, started: dict[str, Any]
) -> None:
    listed = api_client.get("/api/v1/discussions/").json()
    assert [d["id"] for d in listed["results"]] == [started["id"]]
    assert listed["results"][0]["messages_count"] == 1
    one = api_client.get(f"/api/v1/discussions/{started['id']}/")
    assert one.status_code == 200 and one.json()["messages"][0]["author"] == "Alex Park"


def test_list_filters_by_agency_and_pages_with_a_cursor(
    api_client: Any, as_user: Any, citizen: Any, agency: Any, other_agency: Any
) -> None:
    client = as_user(citizen)
    for number in range(3):
        client.post(
            "/api/v1/discussions/",
            {"agency": "public-works", "title": f"Works {number}", "body": "Hi"},
            format="json",
        )
    client.post(
        "/api/v1/discussions/",
        {"agency": "parks-and-recreation", "title": "Parks", "body": "Hi"},
        format="json",
    )
    parks = api_client.get("/api/v1/discussions/?agency=parks-and-recreation").json()
    assert [d["title"] for d in parks["results"]] == ["Parks"]
    first = api_client.get("/api/v1/discussions/?agency=public-works&page_size=2").json()
    assert [d["title"] for d in first["results"]] == ["Works 2", "Works 1"]
    second = api_client.get(first["next"]).json()
    assert [d["title"] for d in second["results"]] == ["Works 0"]


def test_list_costs_a_fixed_number_of_queries(
    settings: Any,
    api_client: Any,
    as_user: Any,
    citizen: Any,
    agency: Any,
    django_assert_max_num_queries: Any,
) -> None:
    settings.MESSAGES_PER_MINUTE = settings.MESSAGES_PER_HOUR = 10_000
    client = as_user(citizen)
    for number in range(12):
        client.post(
            "/api/v1/discussions/",
            {"agency": "public-works", "title": f"Topic {number}", "body": "Hi"},
            format="json",
        )
    with django_assert_max_num_queries(3):
        assert len(api_client.get("/api/v1/discussions/").json()["results"]) == 12


def test_staff_reply_is_signed_and_can_be_the_official_answer(
    started: dict[str, Any], as_user: Any, staff_member: Any
) -> None:
    top = started["messages"][0]["id"]
    response = as_user(staff_member).post(
        f"/api/v1/discussions/{started['id']}/messages/",
        {"body": "Ploughs go out at six.", "parent": top, "official": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    reply = response.json()
    assert reply["author"] == "Sam Rivera" and reply["title"] == "Road Maintenance Supervisor"
    assert reply["agency"] == "Public Works"
    assert reply["official"] is True and reply["parent"] == top


def test_reply_to_a_reply_is_attached_to_the_top_level_message(
    started: dict[str, Any], as_user: Any, citizen2: Any, staff_member: Any
) -> None:
    top = started["messages"][0]["id"]
    url = f"/api/v1/discussions/{started['id']}/messages/"
    reply = as_user(citizen2).post(url, {"body": "Me too", "parent": top}, format="json").json()
    deeper = as_user(staff_member).post(
        url, {"body": "Noted", "parent": reply["id"]}, format="json"
    )
    assert deeper.json()["parent"] == top


def test_citizen_cannot_give_an_official_answer(
    started: dict[str, Any], as_user: Any, citizen2: Any, other_staff: Any
) -> None:
    url = f"/api/v1/discussions/{started['id']}/messages/"
    for who in (citizen2, other_staff):
        response = as_user(who).post(url, {"body": "Official!", "official": True}, format="json")
        assert response.status_code == 403
        assert response.json()["status"] == 403 and "official" in response.json()["detail"]
    assert Message.objects.count() == 1


def test_visitor_cannot_start_or_write(api_client: Any, started: dict[str, Any]) -> None:
    start = api_client.post(
        "/api/v1/discussions/", {"agency": "public-works", "title": "x", "body": "y"}, format="json"
    )
    assert start.status_code == 401 and start.json()["status"] == 401
    write = api_client.post(
        f"/api/v1/discussions/{started['id']}/messages/", {"body": "y"}, format="json"
    )
    assert write.status_code == 401
    assert Thread.objects.count() == 1 and Message.objects.count() == 1


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"agency": "public-works", "title": "", "body": "Hi"}, "title"),
        ({"agency": "public-works", "title": "Hi", "body": "   "}, "body"),
        ({"agency": "public-works", "title": "Hi", "body": "x" * 20_001}, "body"),
        ({"agency": "public-works", "title": "Hi", "body": "a\x00b"}, "body"),
        ({"agency": "nowhere", "title": "Hi", "body": "Hi"}, "agency"),
        ({"agency": "Not a slug!", "title": "Hi", "body": "Hi"}, "agency"),
        ({"title": "Hi", "body": "Hi"}, "agency"),
        (
            {"agency": "public-works", "title": "Hi", "body": "Hi", "service_request": "X"},
            "service_request",
        ),
    ],
)
def test_bad_input_is_refused_in_the_standard_format(
    as_user: Any, citizen: Any, agency: Any, sent: dict[str, Any], field: str
) -> None:
    response = as_user(citizen).post("/api/v1/discussions/", sent, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and field in body["errors"], body
    assert not Thread.objects.exists() and not Message.objects.exists()


def test_discussion_links_to_a_request_its_starter_can_see(
    as_user: Any, api_client: Any, citizen: Any, citizen2: Any, pothole_request: Any
) -> None:
    sent = {
        "agency": "public-works",
        "title": "The Monroe Street pothole",
        "body": "Anyone else?",
        "service_request": pothole_request.reference,
    }
    refused = as_user(citizen2).post("/api/v1/discussions/", sent, format="json")
    assert refused.status_code == 400 and "service_request" in refused.json()["errors"]
    made = as_user(citizen).post("/api/v1/discussions/", sent, format="json").json()
    assert made["linked_url"].endswith(pothole_request.get_absolute_url())
    # A private request's page is not shown to people who may not see it.
    assert api_client.get(f"/api/v1/discussions/{made['id']}/").json()["linked_url"] is None


def test_unknown_parent_and_locked_discussion_are_refused(
    started: dict[str, Any], as_user: Any, citizen2: Any
) -> None:
    url = f"/api/v1/discussions/{started['id']}/messages/"
    response = as_user(citizen2).post(url, {"body": "Hi", "parent": 999999}, format="json")
    assert response.status_code == 400 and "parent" in response.json()["errors"]
    Thread.objects.filter(pk=started["id"]).update(is_locked=True)
    locked = as_user(citizen2).post(url, {"body": "Hi"}, format="json")
    assert locked.status_code == 400 and "locked" in str(locked.json()["errors"])
    assert Message.objects.count() == 1


def test_unknown_discussion_is_a_404_in_json(api_client: Any, as_user: Any, citizen: Any) -> None:
    response = api_client.get("/api/v1/discussions/424242/")
    assert response.status_code == 404 and response.json() == {
        "detail": "Not found.",
        "status": 404,
    }
    posted = as_user(citizen).post(
        "/api/v1/discussions/424242/messages/", {"body": "x"}, format="json"
    )
    assert posted.status_code == 404


def test_conversations_are_not_reachable_as_discussions(
    api_client: Any, as_user: Any, citizen: Any, staff_member: Any
) -> None:
    private = (
        as_user(citizen)
        .post(
            "/api/v1/conversations/",
            {"staff": staff_member.pk, "subject": "Private", "body": "Only for Sam"},
            format="json",
        )
        .json()
    )
    assert api_client.get(f"/api/v1/discussions/{private['id']}/").status_code == 404
    assert as_user(citizen).get(f"/api/v1/discussions/{private['id']}/").status_code == 404


def test_helpful_toggles_and_counts(
    started: dict[str, Any], as_user: Any, citizen: Any, citizen2: Any, api_client: Any
) -> None:
    message = started["messages"][0]["id"]
    url = f"/api/v1/discussions/{started['id']}/messages/{message}/helpful/"
    assert as_user(citizen2).post(url).json() == {"helpful": True, "count": 1}
    shown = api_client.get(f"/api/v1/discussions/{started['id']}/").json()
    assert shown["messages"][0]["helpful"] == 1
    assert as_user(citizen2).post(url).json() == {"helpful": False, "count": 0}
    own = as_user(citizen).post(url)
    assert own.status_code == 400 and own.json()["status"] == 400
    assert api_client.post(url).status_code == 401


def test_mentioned_staff_member_is_notified(
    started: dict[str, Any], as_user: Any, citizen2: Any, staff_member: Any
) -> None:
    as_user(citizen2).post(
        f"/api/v1/discussions/{started['id']}/messages/",
        {"body": "@sam-rivera, any news?"},
        format="json",
    )
    assert Notification.objects.filter(recipient=staff_member.user).exists()


def test_hostile_title_and_display_name_come_back_as_data(
    as_user: Any, make_user: Any, agency: Any
) -> None:
    hostile = make_user("evil@example.org", "<img src=x onerror=alert(1)>")
    made = (
        as_user(hostile)
        .post(
            "/api/v1/discussions/",
            {"agency": "public-works", "title": "<script>x</script>", "body": "<script>x</script>"},
            format="json",
        )
        .json()
    )
    assert made["title"] == "<script>x</script>"  # JSON data; pages escape it
    assert "<script" not in made["messages"][0]["body_html"]


def test_hidden_message_has_an_empty_body_except_for_its_author(
    started: dict[str, Any], as_user: Any, api_client: Any, citizen: Any, citizen2: Any
) -> None:
    Message.objects.filter(pk=started["messages"][0]["id"]).update(is_hidden=True)
    seen = api_client.get(f"/api/v1/discussions/{started['id']}/").json()["messages"][0]
    assert seen["hidden"] is True and seen["body_html"] == ""
    other = as_user(citizen2).get(f"/api/v1/discussions/{started['id']}/").json()["messages"][0]
    assert other["body_html"] == ""
    own = as_user(citizen).get(f"/api/v1/discussions/{started['id']}/").json()["messages"][0]
    assert "white" in own["body_html"]
