"""Follows over the REST API: what I follow (kind, title, url), following a request by
its reference, a conversation or a discussion by id and an agency by its slug, stopping;
never what one cannot see (404), nobody else's follows, bad input in the standard error
format, and a limit on how fast one follows."""

from __future__ import annotations

from typing import Any

import pytest

from townhall.activity.models import Follow

pytestmark = pytest.mark.django_db


def _follow(client: Any, kind: str, identifier: Any) -> Any:
    return client.post("/api/v1/follows/", {"type": kind, "id": identifier}, format="json")


@pytest.fixture
def conversation(citizen: Any, staff_member: Any) -> Any:
    from townhall.conversations.actions import start_conversation

    return start_conversation(by=citizen, staff=staff_member, subject="Trees", body="Hello")


@pytest.fixture
def discussion(citizen: Any, agency: Any) -> Any:
    from townhall.conversations.discussions import start_discussion

    return start_discussion(by=citizen, agency=agency, title="Snow", body="Who clears it?")


def test_a_citizen_follows_a_public_request_by_its_reference(
    as_user: Any, citizen2: Any, foi_request: Any
) -> None:
    response = _follow(as_user(citizen2), "request", foi_request.reference.lower())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "request" and body["target"] == foi_request.reference
    assert body["title"] == f"{foi_request.reference}: Freedom of information request"
    assert body["url"] == f"http://testserver{foi_request.get_absolute_url()}"
    again = _follow(as_user(citizen2), "request", foi_request.reference)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Follow.objects.filter(user=citizen2).count() == 1


def test_following_an_agency_by_slug_and_a_discussion_by_id(
    as_user: Any, citizen2: Any, agency: Any, discussion: Any
) -> None:
    client = as_user(citizen2)
    agency_follow = _follow(client, "agency", agency.slug).json()
    assert agency_follow["kind"] == "agency" and agency_follow["title"] == agency.name
    discussion_follow = _follow(client, "discussion", discussion.pk).json()
    assert discussion_follow["kind"] == "discussion" and discussion_follow["title"] == "Snow"
    listed = client.get("/api/v1/follows/").json()["results"]
    assert [item["kind"] for item in listed] == ["discussion", "agency"]


def test_what_one_cannot_see_cannot_be_followed(
    as_user: Any,
    citizen2: Any,
    other_staff: Any,
    pothole_request: Any,
    conversation: Any,
    discussion: Any,
) -> None:
    for who in (citizen2, other_staff):
        client = as_user(who)
        for kind, identifier in [
            ("request", pothole_request.reference),  # Alex's private request
            ("request", "SPR-2026-999999"),
            ("conversation", conversation.pk),  # Alex's conversation with Public Works
            ("conversation", discussion.pk),  # a discussion is not a conversation
            ("discussion", conversation.pk),
            ("agency", "no-such-agency"),
            ("conversation", "12abc"),
            ("conversation", "9" * 40),
        ]:
            response = _follow(client, kind, identifier)
            assert response.status_code == 404, (kind, identifier)
            assert response.json() == {"detail": "Not found.", "status": 404}
    assert not Follow.objects.filter(user__in=[citizen2, other_staff.user]).exists()


def test_an_unpublished_agency_cannot_be_followed(as_user: Any, citizen2: Any, agency: Any) -> None:
    agency.is_published = False
    agency.save(update_fields=["is_published"])
    assert _follow(as_user(citizen2), "agency", agency.slug).status_code == 404


def test_staff_of_the_agency_follow_a_conversation_addressed_to_them(
    as_user: Any, staff_member: Any, conversation: Any
) -> None:
    response = _follow(as_user(staff_member), "conversation", conversation.pk)
    assert response.status_code == 201
    assert response.json()["title"] == "Trees"


def test_bad_input_is_a_clear_400(as_user: Any, citizen: Any) -> None:
    client = as_user(citizen)
    for sent, field in [
        ({"type": "person", "id": "1"}, "type"),
        ({"id": "1"}, "type"),
        ({"type": "request"}, "id"),
        ({"type": "request", "id": "x" * 101}, "id"),
        ({"type": "request", "id": "SPR\x00"}, "id"),
        ({"type": "request", "id": ["SPR-2026-000001"]}, "id"),
        ({"type": True, "id": True}, "type"),
    ]:
        response = client.post("/api/v1/follows/", sent, format="json")
        assert response.status_code == 400, sent
        assert field in response.json()["errors"], sent
        assert response.json()["status"] == 400
    assert (
        client.post("/api/v1/follows/", "[[[", content_type="application/json").status_code == 400
    )
    not_json = client.post("/api/v1/follows/", {"type": "agency"})  # a form, not JSON
    assert not_json.status_code == 415


def test_my_follows_are_mine_alone(
    as_user: Any, citizen: Any, citizen2: Any, site_admin: Any, foi_request: Any
) -> None:
    # Alex follows her request since she filed it.
    [mine] = as_user(citizen).get("/api/v1/follows/").json()["results"]
    assert mine["target"] == foi_request.reference
    assert as_user(citizen2).get("/api/v1/follows/").json()["results"] == []
    assert as_user(site_admin).get("/api/v1/follows/").json()["results"] == []
    for other in (citizen2, site_admin):
        response = as_user(other).delete(f"/api/v1/follows/{mine['id']}/")
        assert response.status_code == 404
    assert Follow.objects.filter(pk=mine["id"]).exists()


def test_stopping_to_follow(as_user: Any, citizen: Any, foi_request: Any) -> None:
    client = as_user(citizen)
    [mine] = client.get("/api/v1/follows/").json()["results"]
    assert client.delete(f"/api/v1/follows/{mine['id']}/").status_code == 204
    assert client.delete(f"/api/v1/follows/{mine['id']}/").status_code == 404
    assert client.get("/api/v1/follows/").json()["results"] == []


def test_what_one_can_no_longer_see_is_listed_without_title_and_can_be_dropped(
    as_user: Any, citizen2: Any, foi_request: Any
) -> None:
    client = as_user(citizen2)
    made = _follow(client, "request", foi_request.reference).json()
    foi_request.is_public = False
    foi_request.save(update_fields=["is_public"])
    [listed] = client.get("/api/v1/follows/").json()["results"]
    assert listed["id"] == made["id"] and listed["kind"] == "request"
    assert listed["title"] == "" and listed["url"] is None and listed["target"] == ""
    assert client.delete(f"/api/v1/follows/{made['id']}/").status_code == 204


def test_visitors_get_401(api_client: Any, foi_request: Any) -> None:
    assert api_client.get("/api/v1/follows/").status_code == 401
    response = _follow(api_client, "request", foi_request.reference)
    assert response.status_code == 401 and response.json()["status"] == 401
    follow_id = Follow.objects.get().pk
    assert api_client.delete(f"/api/v1/follows/{follow_id}/").status_code == 401


def test_the_list_takes_a_fixed_number_of_queries(
    as_user: Any,
    citizen: Any,
    agency: Any,
    file_pothole: Any,
    django_assert_max_num_queries: Any,
) -> None:
    from townhall.activity.actions import follow
    from townhall.conversations.discussions import start_discussion

    client = as_user(citizen)
    for number in range(4):
        file_pothole(description=f"Pothole number {number} is deep.")
        start_discussion(by=citizen, agency=agency, title=f"Topic {number}", body="Hi")
    follow(by=citizen, target=agency)
    # token, its last use, the page, requests, conversations, discussions, agencies
    with django_assert_max_num_queries(8):
        results = client.get("/api/v1/follows/").json()["results"]
    assert len(results) == 5  # four requests and the agency (discussions are not auto-followed)
    assert all(item["title"] for item in results)


def test_following_is_rate_limited(as_user: Any, citizen2: Any, foi_request: Any) -> None:
    client = as_user(citizen2)
    for _number in range(60):
        assert _follow(client, "request", foi_request.reference).status_code in (200, 201)
    response = _follow(client, "request", foi_request.reference)
    assert response.status_code == 429 and response.json()["status"] == 429
