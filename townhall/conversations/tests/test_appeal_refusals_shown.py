"""A second appeal, or a decision on an appeal already decided (a double-click, two
moderators at once), is refused with the reason in words on the page, not only an
"Error:" in the title."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from townhall.conversations import moderation
from townhall.conversations.models import Message
from townhall.conversations.moderation_models import Appeal, AppealOutcome

pytestmark = pytest.mark.django_db


def test_a_second_appeal_is_refused_with_the_reason_on_the_page(
    bea_message: Message, citizen2: Any, moderator: Any
) -> None:
    moderation.hide_message(by=moderator.user, message=bea_message, reason="personal data")
    author = Client()
    author.force_login(citizen2)
    url = f"/moderation/messages/{bea_message.pk}/appeal/"
    assert author.post(url, {"text": "Joe agreed to share it."}).status_code == 302

    again = author.post(url, {"text": "Please look again."})

    assert again.status_code == 400
    page = again.content.decode()
    assert "You have already appealed; a message can be appealed once." in page
    assert [a.text for a in Appeal.objects.all()] == ["Joe agreed to share it."]


def test_deciding_an_appeal_already_decided_says_so_and_changes_nothing(
    bea_message: Message, citizen2: Any, moderator: Any, staff_client_for: Any
) -> None:
    moderation.hide_message(by=moderator.user, message=bea_message, reason="personal data")
    appeal = moderation.appeal_message(by=citizen2, message=bea_message, text="Joe agreed.")
    moderation.decide_appeal(by=moderator.user, appeal=appeal, restore=False, decision="Kept")
    page = staff_client_for(moderator.user)
    url = f"/moderation/appeals/{appeal.pk}/decide/"

    response = page.post(url, {"outcome": "restore", "decision": "Restore it"})

    assert response.status_code == 400
    assert "This appeal has already been decided." in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.outcome == AppealOutcome.UPHELD and appeal.decision == "Kept"
    assert Message.objects.get(pk=bea_message.pk).is_hidden
