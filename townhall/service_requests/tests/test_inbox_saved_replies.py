"""A team's saved replies: every staff member reads them, managers add and remove them."""

from __future__ import annotations

from typing import Any

import pytest

from townhall.agencies import actions as agency_actions
from townhall.service_requests import actions
from townhall.service_requests.models import SavedReply

from .conftest_inbox import inbox_url, messages_of, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(staff_client_for: Any, manager: Any) -> Any:
    return staff_client_for(manager.user)


def test_manager_adds_a_saved_reply_for_a_team(manager_client: Any, team: Any) -> None:
    response = manager_client.post(
        inbox_url("saved-replies"),
        {"team": team.pk, "title": "  Pothole   scheduled ", "body": "A crew is booked.\n"},
        follow=True,
    )

    assert messages_of(response) == ["“Pothole scheduled” is saved."]
    saved = SavedReply.objects.get()
    assert (saved.team, saved.title, saved.body) == (team, "Pothole scheduled", "A crew is booked.")
    assert "A crew is booked." in page_text(response)


def test_manager_deletes_a_saved_reply_and_deleting_again_is_harmless(
    manager_client: Any, manager: Any, team: Any
) -> None:
    saved = actions.create_saved_reply(by=manager.user, team=team, title="Old", body="Old text")

    first = manager_client.post(inbox_url("saved-replies"), {"delete": saved.pk}, follow=True)
    second = manager_client.post(inbox_url("saved-replies"), {"delete": saved.pk}, follow=True)

    assert messages_of(first) == ["“Old” is deleted."]
    assert messages_of(second) == ["That saved reply is already deleted."]
    assert not SavedReply.objects.exists()


def test_staff_member_reads_saved_replies_but_cannot_change_them(
    sam_client: Any, manager: Any, team: Any
) -> None:
    saved = actions.create_saved_reply(by=manager.user, team=team, title="Hello", body="Hi there")

    page = sam_client.get(inbox_url("saved-replies"))
    assert "Hi there" in page_text(page)
    assert "Add a saved reply" not in page_text(page)
    assert "Delete" not in page_text(page)

    created = sam_client.post(
        inbox_url("saved-replies"), {"team": team.pk, "title": "Mine", "body": "Mine"}
    )
    assert created.status_code == 403
    assert "Only managers and administrators of an agency can change its saved replies." in (
        page_text(created)
    )
    deleted = sam_client.post(inbox_url("saved-replies"), {"delete": saved.pk})
    assert deleted.status_code == 403
    assert "Only" in page_text(deleted)
    assert SavedReply.objects.count() == 1


def test_saved_replies_of_another_agency_are_not_shown_nor_deletable(
    manager_client: Any, other_agency: Any, site_admin: Any
) -> None:
    rangers = agency_actions.create_team(by=site_admin, agency=other_agency, name="Rangers")
    theirs = actions.create_saved_reply(by=site_admin, team=rangers, title="Park", body="Parks!")

    page = manager_client.get(inbox_url("saved-replies"))
    assert "Parks!" not in page_text(page)
    assert "Rangers" not in page_text(page)

    response = manager_client.post(inbox_url("saved-replies"), {"delete": theirs.pk}, follow=True)
    assert SavedReply.objects.filter(pk=theirs.pk).exists()
    assert messages_of(response) == ["That saved reply is already deleted."]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"title": "", "body": "x"}, "Title: Give the saved reply a title."),
        ({"title": "x", "body": "  "}, "Reply: Write the reply."),
        ({"title": "x" * 121, "body": "x"}, "120 characters or fewer"),
        ({"title": "a\x00b", "body": "x"}, "cannot be used"),
        ({"title": "x", "body": "x" * 5001}, "5000 characters or fewer"),
    ],
)
def test_wrong_saved_reply_is_explained(
    manager_client: Any, team: Any, data: dict[str, str], error: str
) -> None:
    response = manager_client.post(inbox_url("saved-replies"), {"team": team.pk, **data})

    assert response.status_code == 200
    assert "There is a problem" in page_text(response)
    assert error in page_text(response)
    assert not SavedReply.objects.exists()


def test_a_double_submitted_saved_reply_is_saved_once(manager_client: Any, team: Any) -> None:
    token = manager_client.get(inbox_url("saved-replies")).context["form"]["submission"].value()
    data = {"team": team.pk, "title": "Once", "body": "Once", "submission": token}

    manager_client.post(inbox_url("saved-replies"), data)
    manager_client.post(inbox_url("saved-replies"), data)

    assert SavedReply.objects.count() == 1


def test_odd_delete_values_do_no_harm(manager_client: Any) -> None:
    for value in ["abc", "\x00", "99999999999999999999999", "-1", ""]:
        response = manager_client.post(inbox_url("saved-replies"), {"delete": value})
        assert response.status_code == 302, value
