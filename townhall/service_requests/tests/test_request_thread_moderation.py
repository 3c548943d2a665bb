"""A request's replies are a thread (decision 0006): whoever may read them may report a
message there, and a hidden message shows as hidden on the status page, in the inbox and
in the API, exactly as in conversations and discussions."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.test import APIClient

from townhall.conversations import moderation
from townhall.conversations.moderation_models import Flag
from townhall.service_requests import actions

pytestmark = pytest.mark.django_db

RUDE = "My neighbour at 14 Elm St is a crook, call him on 555-0199"


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rude_reply(foi_request: Any, citizen: Any) -> Any:
    """Alex's reply on their own public FOI request, with a neighbour's details."""
    return actions.reply_to_request(by=citizen, request=foi_request, body=RUDE)


def test_anyone_who_can_read_a_public_request_reports_a_reply_through_the_form(
    rude_reply: Any, foi_request: Any, citizen2: Any
) -> None:
    client = _signed_in(citizen2)
    page = client.get(foi_request.get_absolute_url()).content.decode()
    report = f"/moderation/messages/{rude_reply.pk}/report/"
    assert report in page
    response = client.post(report, {"category": "personal_data", "reason": "A phone number"})
    assert response.status_code == 302
    assert response["Location"].startswith(foi_request.get_absolute_url())
    flag = Flag.objects.get()
    assert flag.message_id == rude_reply.pk and flag.flagged_by_id == citizen2.pk


def test_the_author_and_visitors_get_no_report_link(
    rude_reply: Any, foi_request: Any, citizen: Any
) -> None:
    report = f"/moderation/messages/{rude_reply.pk}/report/"
    assert report not in _signed_in(citizen).get(foi_request.get_absolute_url()).content.decode()
    assert report not in Client().get(foi_request.get_absolute_url()).content.decode()


def test_a_private_requests_replies_cannot_be_reported_by_people_who_cannot_see_it(
    pothole_request: Any,
    citizen: Any,
    citizen2: Any,
    other_staff: Any,
    staff_member: Any,
    staff_client_for: Any,
) -> None:
    reply = actions.reply_to_request(by=citizen, request=pothole_request, body="Still there.")
    for outsider, client in (
        (citizen2, _signed_in(citizen2)),
        (other_staff.user, staff_client_for(other_staff.user)),
    ):
        with pytest.raises(PermissionDenied):
            moderation.flag_message(by=outsider, message=reply, reason="Spam")
        assert client.get(f"/moderation/messages/{reply.pk}/report/").status_code in (
            403,
            404,
        )
    assert not Flag.objects.exists()
    # The agency's staff read it, so they may report it.
    moderation.flag_message(by=staff_member.user, message=reply, reason="Threatening tone")
    assert Flag.objects.count() == 1


def test_the_agencys_moderator_sees_the_report_and_hides_the_reply_for_everyone_else(
    rude_reply: Any,
    foi_request: Any,
    citizen: Any,
    citizen2: Any,
    moderator: Any,
    staff_client_for: Any,
) -> None:
    moderation.flag_message(by=citizen2, message=rude_reply, reason="Phone number")
    queue = staff_client_for(moderator.user).get("/moderation/").content.decode()
    assert "555-0199" in queue and "Replies to a service request" in queue

    moderation.hide_message(by=moderator.user, message=rude_reply, reason="personal data")

    url = foi_request.get_absolute_url()
    for reader in (Client(), _signed_in(citizen2)):
        page = reader.get(url).content.decode()
        assert "555-0199" not in page
        assert "personal data" in page  # the public reason, signed by the moderator
    own = _signed_in(citizen).get(url).content.decode()
    assert "555-0199" in own and "Appeal this decision" in own


def test_the_api_gives_a_hidden_reply_without_its_text_except_to_its_author(
    rude_reply: Any, foi_request: Any, citizen: Any, citizen2: Any, moderator: Any
) -> None:
    moderation.hide_message(by=moderator.user, message=rude_reply, reason="personal data")

    def reply_as(user: Any | None) -> dict[str, Any]:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        response = client.get(f"/api/v1/requests/{foi_request.reference}/")
        assert response.status_code == 200
        (found,) = [m for m in response.json()["messages"] if m["id"] == rude_reply.pk]
        return found

    for reader in (None, citizen2):
        seen = reply_as(reader)
        assert seen["hidden"] is True and seen["body"] == "" and seen["body_html"] == ""
        assert "personal data" in seen["hidden_notice"]
    mine = reply_as(citizen)
    assert mine["hidden"] is True and "555-0199" in mine["body"]


def test_the_inbox_shows_staff_the_hidden_reply_with_its_notice(
    rude_reply: Any, foi_request: Any, staff_member: Any, moderator: Any, staff_client_for: Any
) -> None:
    moderation.hide_message(by=moderator.user, message=rude_reply, reason="personal data")
    page = staff_client_for(staff_member.user).get(f"/inbox/{foi_request.reference}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "555-0199" in text and "Others who read this request see only this notice" in text


def test_restoring_tells_the_author_where_the_request_is(
    rude_reply: Any, foi_request: Any, citizen: Any, moderator: Any
) -> None:
    moderation.hide_message(by=moderator.user, message=rude_reply, reason="personal data")
    moderation.restore_message(by=moderator.user, message=rude_reply, reason="on reflection fine")
    assert rude_reply.get_absolute_url() == (
        f"{foi_request.get_absolute_url()}#message-{rude_reply.pk}"
    )
    page = Client().get(foi_request.get_absolute_url()).content.decode()
    assert "555-0199" in page


def test_one_account_cannot_flood_the_moderators_with_reports(
    foi_request: Any, citizen: Any, citizen2: Any, settings: Any
) -> None:
    settings.FLAGS_PER_HOUR = 2
    replies = [
        actions.reply_to_request(by=citizen, request=foi_request, body=f"Reply {n}")
        for n in range(4)
    ]
    for reply in replies[:2]:
        moderation.flag_message(by=citizen2, message=reply, reason="Spam")
    with pytest.raises(moderation.RateLimited, match="2 messages in the last hour"):
        moderation.flag_message(by=citizen2, message=replies[2], reason="Spam")
    client = APIClient()
    client.force_authenticate(citizen2)
    response = client.post(
        f"/api/v1/messages/{replies[3].pk}/flags/", {"reason": "Spam"}, format="json"
    )
    assert response.status_code == 429
    assert "in the last hour" in response.json()["detail"]
    assert Flag.objects.count() == 2
