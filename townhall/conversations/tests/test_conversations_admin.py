"""Site administrators can look at threads, messages and attachments, and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from townhall.conversations.actions import post_message
from townhall.conversations.attachments import check_uploads
from townhall.conversations.models import Thread

from .sample_files import upload


@pytest.fixture
def admin_client(client: Any, site_admin: Any) -> Any:
    client.force_login(site_admin)
    return client


@pytest.fixture
def message(thread: Thread, citizen: Any) -> Any:
    return post_message(
        thread=thread,
        author=citizen,
        body="<script>alert(1)</script> Deep hole",
        files=check_uploads([upload("hole.txt", b"deep")]),
    )


@pytest.mark.parametrize("model", ["thread", "message", "attachment"])
def test_site_admins_can_list_and_view_but_not_add_or_change(
    admin_client: Any, message: Any, model: str
) -> None:
    obj = {"thread": message.thread, "message": message, "attachment": message.attachments.get()}[
        model
    ]
    listing = admin_client.get(reverse(f"admin:conversations_{model}_changelist"))
    assert listing.status_code == 200
    assert b"<script>alert" not in listing.content
    page = admin_client.get(reverse(f"admin:conversations_{model}_change", args=[obj.pk]))
    assert page.status_code == 200
    assert b'type="submit" value="Save"' not in page.content
    assert admin_client.get(reverse(f"admin:conversations_{model}_add")).status_code == 403
    assert (
        admin_client.post(reverse(f"admin:conversations_{model}_delete", args=[obj.pk]))
    ).status_code == 403


def test_an_attachment_is_never_linked_from_the_admin(admin_client: Any, message: Any) -> None:
    attachment = message.attachments.get()
    page = admin_client.get(reverse("admin:conversations_attachment_change", args=[attachment.pk]))
    assert attachment.file.name.encode() not in page.content
    assert b"/media/" not in page.content


def test_citizens_cannot_open_the_admin(client: Any, citizen: Any, message: Any) -> None:
    client.force_login(citizen)
    response = client.get(reverse("admin:conversations_message_changelist"))
    assert response.status_code == 302
