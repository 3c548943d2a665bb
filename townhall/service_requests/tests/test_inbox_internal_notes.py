"""An internal note written in the inbox stays with the agency's staff: the citizen, other
citizens, visitors and staff of other agencies never see it."""

from __future__ import annotations

from typing import Any

import pytest

from townhall.activity.models import Activity
from townhall.conversations.models import Message
from townhall.service_requests import queries

from .conftest_inbox import inbox_url, page_text

pytestmark = pytest.mark.django_db

NOTE = "Resident is difficult; crew 4 knows the site."


@pytest.fixture
def noted(sam_client: Any, foi_request: Any) -> Any:
    """A public FOI request with an internal note and a public reply, written in the inbox."""
    sam_client.post(inbox_url("note", foi_request), {"note-body": NOTE})
    sam_client.post(inbox_url("reply", foi_request), {"reply-body": "We are collecting them."})
    assert Message.objects.filter(thread=foi_request.thread).count() == 2
    return foi_request


def test_the_note_is_stored_as_internal_and_logged_for_staff_only(noted: Any) -> None:
    note = Message.objects.get(thread=noted.thread, body=NOTE)

    assert note.is_internal
    entries = Activity.objects.filter(target_id=str(noted.pk), verb__contains="note")
    assert entries
    assert {entry.visibility for entry in entries} == {"staff"}
    assert all(NOTE not in entry.summary for entry in entries)


@pytest.mark.parametrize("who", ["citizen", "citizen2", "anonymous", "other_staff"])
def test_nobody_outside_the_agency_reads_the_note(request: Any, noted: Any, who: str) -> None:
    user = None
    if who != "anonymous":
        found = request.getfixturevalue(who)
        user = getattr(found, "user", found)

    messages = queries.request_messages(noted, user)
    assert [m.body for m in messages] == ["We are collecting them."]
    summaries = [entry.summary for entry in queries.timeline(noted, user)]
    assert not [s for s in summaries if "note" in s.lower()]


def test_the_citizens_status_page_does_not_show_the_note(
    client: Any, citizen: Any, noted: Any
) -> None:
    client.force_login(citizen)

    response = client.get(noted.get_absolute_url())

    assert response.status_code == 200
    assert "We are collecting them." in page_text(response)
    assert NOTE not in page_text(response)
    assert "Internal note" not in page_text(response)


def test_the_public_status_page_does_not_show_the_note(client: Any, noted: Any) -> None:
    response = client.get(noted.get_absolute_url())

    assert response.status_code == 200
    assert NOTE not in page_text(response)


def test_the_citizen_cannot_open_the_inbox_to_read_it(
    client: Any, citizen: Any, noted: Any
) -> None:
    client.force_login(citizen)

    response = client.get(inbox_url("request", noted))

    assert response.status_code == 403
    assert NOTE not in response.content.decode()


def test_colleagues_read_the_note_marked_as_internal(
    staff_client_for: Any, colleague: Any, noted: Any
) -> None:
    text = page_text(staff_client_for(colleague.user).get(inbox_url("request", noted)))

    assert "Internal note — not shown to the citizen Sam Rivera" in text
    assert NOTE in text
