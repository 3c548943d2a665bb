"""Flags over the REST API (`POST /api/v1/messages/{id}/flags/`): 201 with the flag, the
standard error format for bad input and second flags, 404 for a message the caller may not
read, 401 for visitors; moderators hide, restore and lock under /api/v1/moderation/, and
a hidden message's text is withheld from everyone but its author and the moderators."""

from __future__ import annotations

from typing import Any

import pytest

from townhall.conversations import moderation
from townhall.conversations.models import Message, Thread
from townhall.conversations.moderation_models import Flag, ModerationEntry

pytestmark = pytest.mark.django_db


def flags_url(message: Message) -> str:
    return f"/api/v1/messages/{message.pk}/flags/"


def test_citizen_flags_a_message_and_gets_the_flag(
    as_user: Any, bea_message: Message, citizen: Any
) -> None:
    response = as_user(citizen).post(
        flags_url(bea_message),
        {"reason": "A neighbour's phone number", "category": "personal_data"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["message"] == bea_message.pk and body["state"] == "open"
    assert body["reason"] == "A neighbour's phone number"
    assert body["category"] == "personal_data"
    assert Flag.objects.get().pk == body["id"]


def test_category_defaults_to_something_else(
    as_user: Any, bea_message: Message, citizen: Any
) -> None:
    response = as_user(citizen).post(flags_url(bea_message), {"reason": "Odd"}, format="json")
    assert response.status_code == 201 and response.json()["category"] == "other"


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 501}, "reason"),
        ({"reason": "Spam", "category": "rude"}, "category"),
    ],
)
def test_missing_or_too_long_reason_is_a_400_in_the_standard_format(
    as_user: Any, bea_message: Message, citizen: Any, sent: dict[str, Any], field: str
) -> None:
    response = as_user(citizen).post(flags_url(bea_message), sent, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and body["detail"] and field in body["errors"]
    assert not Flag.objects.exists()


def test_second_flag_by_the_same_person_is_a_400_and_stores_nothing(
    as_user: Any, bea_message: Message, citizen: Any
) -> None:
    client = as_user(citizen)
    assert client.post(flags_url(bea_message), {"reason": "x"}, format="json").status_code == 201
    again = client.post(flags_url(bea_message), {"reason": "y"}, format="json")
    assert again.status_code == 400
    assert "already reported" in again.json()["errors"]["non_field_errors"][0]
    assert Flag.objects.count() == 1


def test_own_message_is_a_400(as_user: Any, bea_message: Message, citizen2: Any) -> None:
    response = as_user(citizen2).post(flags_url(bea_message), {"reason": "x"}, format="json")
    assert response.status_code == 400


def test_message_one_cannot_read_is_a_404(
    as_user: Any, conversation: Thread, citizen2: Any
) -> None:
    message = conversation.messages.get()
    response = as_user(citizen2).post(flags_url(message), {"reason": "x"}, format="json")
    assert response.status_code == 404 and response.json() == {
        "detail": "Not found.",
        "status": 404,
    }
    missing = as_user(citizen2).post(
        "/api/v1/messages/999999/flags/", {"reason": "x"}, format="json"
    )
    assert missing.status_code == 404
    assert not Flag.objects.exists()


def test_visitors_get_a_401(api_client: Any, bea_message: Message) -> None:
    response = api_client.post(flags_url(bea_message), {"reason": "x"}, format="json")
    assert response.status_code == 401 and response.json()["status"] == 401


def test_body_that_is_not_json_is_a_415(as_user: Any, bea_message: Message, citizen: Any) -> None:
    response = as_user(citizen).post(
        flags_url(bea_message), "reason=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


# --- moderators over the API ----------------------------------------------------------------


def test_moderator_reads_the_queue_and_hides_with_a_reason(
    as_user: Any, bea_message: Message, citizen: Any, moderator: Any
) -> None:
    moderation.flag_message(by=citizen, message=bea_message, reason="Phone number")
    client = as_user(moderator)
    [queued] = client.get("/api/v1/moderation/queue/").json()
    assert queued["id"] == bea_message.pk and queued["flags"][0]["reason"] == "Phone number"
    url = f"/api/v1/moderation/messages/{bea_message.pk}/hide/"
    assert client.post(url, {"reason": ""}, format="json").status_code == 400
    response = client.post(url, {"reason": "personal data"}, format="json")
    assert response.status_code == 201
    assert response.json()["moderator"] == "Lee Chen" and response.json()["action"] == "hide"
    restore = f"/api/v1/moderation/messages/{bea_message.pk}/restore/"
    assert client.post(restore, {"reason": "fine after all"}, format="json").status_code == 201
    assert ModerationEntry.objects.count() == 2


def test_moderation_api_refuses_citizens_and_other_agencies(
    as_user: Any, bea_message: Message, citizen: Any, other_moderator: Any
) -> None:
    assert as_user(citizen).get("/api/v1/moderation/queue/").status_code == 403
    url = f"/api/v1/moderation/messages/{bea_message.pk}/hide/"
    assert as_user(citizen).post(url, {"reason": "x"}, format="json").status_code == 404
    assert as_user(other_moderator).post(url, {"reason": "x"}, format="json").status_code == 404
    lock = f"/api/v1/moderation/threads/{bea_message.thread_id}/lock/"
    assert as_user(other_moderator).post(lock, {"reason": "x"}, format="json").status_code == 404
    assert not ModerationEntry.objects.exists()


def test_moderator_locks_a_thread_over_the_api(
    as_user: Any, discussion: Thread, moderator: Any
) -> None:
    url = f"/api/v1/moderation/threads/{discussion.pk}/lock/"
    response = as_user(moderator).post(url, {"reason": "too heated"}, format="json")
    assert response.status_code == 201 and response.json()["message"] is None
    discussion.refresh_from_db()
    assert discussion.is_locked


def test_hidden_message_text_is_withheld_in_the_conversation_api_but_not_from_its_author(
    as_user: Any, conversation: Thread, citizen: Any, staff_member: Any, moderator: Any
) -> None:
    message = conversation.messages.get()
    moderation.hide_message(by=moderator.user, message=message, reason="personal data")
    url = f"/api/v1/conversations/{conversation.pk}/"
    [for_staff] = as_user(staff_member).get(url).json()["messages"]
    assert for_staff["hidden"] is True and for_staff["body_html"] == ""
    assert for_staff["hidden_notice"] == "Hidden by moderator Lee Chen: personal data"
    [for_author] = as_user(citizen).get(url).json()["messages"]
    assert "account number" in for_author["body_html"]
