"""Personas are kept apart (decision 0016): a staff member cannot start a conversation, as a
citizen, with a team or a named colleague of their own agency. The page and the REST API
both refuse it, with a message pointing to their work face; nothing is written. Staff of
another agency, and people who no longer work there, write like any citizen."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from townhall.activity.models import Activity
from townhall.agencies import actions as agency_actions
from townhall.conversations import actions
from townhall.conversations.models import Message, Thread

pytestmark = pytest.mark.django_db

REFUSAL = "You work for Public Works, so you cannot write to its staff or teams as a citizen."
TO_COLLEAGUE = "/conversations/new/public-works/people/kim-osei/"
WORDS: dict[str, Any] = {"subject": "Bent sign", "body": "The stop sign on 5th is bent."}


@pytest.fixture
def api_as() -> Any:
    from townhall.identity.actions import issue_api_token

    def make(user: Any) -> APIClient:
        _token, key = issue_api_token(by=user, user=user, name="T", via="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make


def _to_team(team: Any) -> str:
    return f"/conversations/new/public-works/teams/{team.slug}/"


def _nothing_written() -> None:
    assert not Thread.objects.conversations().exists()
    assert not Message.objects.exists()
    assert not Activity.objects.filter(verb="conversation.started").exists()


def test_the_action_refuses_a_staff_member_writing_to_their_own_team(
    manager: Any, team: Any
) -> None:
    with pytest.raises(actions.PermissionDenied, match="You work for Public Works"):
        actions.start_conversation(by=manager.user, team=team, **WORDS)
    _nothing_written()


def test_the_action_refuses_any_team_or_colleague_of_their_own_agency(
    staff_member: Any, colleague: Any, team: Any
) -> None:
    # Sam is not in the Streets team, but it is still their own agency's queue.
    with pytest.raises(actions.PermissionDenied):
        actions.start_conversation(by=staff_member.user, team=team, **WORDS)
    with pytest.raises(actions.PermissionDenied):
        actions.start_conversation(by=staff_member.user, staff=colleague, **WORDS)
    _nothing_written()


def test_the_page_refuses_it_with_the_message_above_the_form(
    staff_client_for: Any, manager: Any, colleague: Any, team: Any
) -> None:
    client: Client = staff_client_for(manager.user)
    for url in (_to_team(team), TO_COLLEAGUE):
        response = client.post(url, WORDS)
        assert response.status_code == 400
        body = response.content.decode()
        assert REFUSAL in body
        assert "inbox" in body
        assert "usa-alert--error" in body or "usa-error-message" in body
    _nothing_written()


def test_the_api_refuses_it_with_a_403_saying_why(
    api_as: Any, manager: Any, colleague: Any, team: Any
) -> None:
    api = api_as(manager.user)
    for sent in (
        {"team": team.slug, **WORDS},
        {"team": team.slug, "agency": "public-works", **WORDS},
        {"staff": colleague.pk, **WORDS},
    ):
        response = api.post("/api/v1/conversations/", sent, format="json")
        assert response.status_code == 403, sent
        data = response.json()
        assert REFUSAL in data["detail"]
        assert data["status"] == 403
    _nothing_written()


def test_staff_of_another_agency_write_as_citizens(
    staff_client_for: Any, api_as: Any, other_staff: Any, colleague: Any, team: Any
) -> None:
    response = staff_client_for(other_staff.user).post(_to_team(team), WORDS)
    assert response.status_code == 302
    answer = api_as(other_staff.user).post(
        "/api/v1/conversations/", {"staff": colleague.pk, **WORDS}, format="json"
    )
    assert answer.status_code == 201
    assert Thread.objects.conversations().filter(citizen=other_staff.user).count() == 2


def test_someone_who_no_longer_works_there_writes_as_a_citizen(
    client: Client, staff_member: Any, site_admin: Any, team: Any
) -> None:
    agency_actions.update_staff_membership(
        by=site_admin, membership=staff_member, changes={"is_active": False}
    )
    client.force_login(staff_member.user)
    assert client.post(_to_team(team), WORDS).status_code == 302
    assert Thread.objects.conversations().get().citizen == staff_member.user


def test_citizens_are_not_affected(client: Client, citizen: Any, colleague: Any) -> None:
    client.force_login(citizen)
    assert client.post(TO_COLLEAGUE, WORDS).status_code == 302
    assert Thread.objects.conversations().get().staff == colleague


def test_writing_to_oneself_still_gets_its_own_message(staff_member: Any) -> None:
    with pytest.raises(actions.ValidationError, match="with yourself"):
        actions.start_conversation(by=staff_member.user, staff=staff_member, **WORDS)


# --- a conversation started before they joined the agency ---------------------------------

JOINED = "You now work for Public Works, so you cannot write in this conversation as a citizen."


@pytest.fixture
def joined_later(make_user: Any, team: Any, site_admin: Any) -> tuple[Any, Any]:
    """Jo wrote to the Streets team as a citizen, then joined Public Works."""
    jo = make_user("jo@example.org", "Jo")
    thread = actions.start_conversation(by=jo, team=team, **WORDS)
    agency_actions.add_staff_member(
        by=site_admin, agency=team.agency, user=jo, public_name="Jo Ward", job_title="Clerk"
    )
    return jo, thread


def test_a_citizen_who_joined_the_agency_cannot_reply_as_a_citizen(
    joined_later: tuple[Any, Any], staff_client_for: Any, api_as: Any
) -> None:
    jo, thread = joined_later
    with pytest.raises(actions.PermissionDenied, match="You now work for Public Works"):
        actions.reply_in_conversation(by=jo, thread=thread, body="Any news?")
    page = staff_client_for(jo).post(f"/conversations/{thread.pk}/messages/", {"body": "News?"})
    assert page.status_code == 400
    assert JOINED in page.content.decode()
    answer = api_as(jo).post(
        f"/api/v1/conversations/{thread.pk}/messages/", {"body": "News?"}, format="json"
    )
    assert answer.status_code == 403
    assert JOINED in answer.json()["detail"]
    assert thread.messages.count() == 1


def test_other_citizens_still_reply_in_their_own_conversations(
    citizen: Any, team: Any, manager: Any
) -> None:
    thread = actions.start_conversation(by=citizen, team=team, **WORDS)
    actions.reply_in_conversation(by=manager.user, thread=thread, body="On it.")
    actions.reply_in_conversation(by=citizen, thread=thread, body="Thanks!")
    assert thread.messages.count() == 3
