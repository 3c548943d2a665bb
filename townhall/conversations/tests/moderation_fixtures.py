"""Fixtures of the moderation tests, loaded for every app's tests by the root conftest
(`pytest_plugins`): a public discussion of Public Works with a message by Bea, a private
conversation, and moderators. Models are imported inside the fixtures: this module is
loaded before Django is set up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from townhall.conversations.models import Message, Thread


@pytest.fixture
def discussion(citizen: Any, agency: Any) -> Thread:
    """Alex's public discussion on Public Works' page."""
    from townhall.conversations import discussions

    return discussions.start_discussion(
        by=citizen,
        agency=agency,
        title="Snow clearing on the east side",
        body="Our street was not ploughed after Tuesday's storm.",
    )


@pytest.fixture
def bea_message(discussion: Thread, citizen2: Any) -> Message:
    """Bea's message in the discussion, giving out someone's phone number."""
    from townhall.conversations import discussions

    return discussions.post_in_discussion(
        by=citizen2, thread=discussion, body="Call my neighbour Joe on 555-0100, he knows."
    )


@pytest.fixture
def moderator(manager: Any, site_admin: Any) -> Any:
    """Lee Chen, a moderator of Public Works (the membership; `.user` is the account)."""
    from townhall.agencies import actions as agency_actions

    return agency_actions.update_staff_membership(
        by=site_admin, membership=manager, changes={"is_moderator": True}
    )


@pytest.fixture
def other_moderator(other_staff: Any, site_admin: Any) -> Any:
    """Pat Green, a moderator of Parks and Recreation only."""
    from townhall.agencies import actions as agency_actions

    return agency_actions.update_staff_membership(
        by=site_admin, membership=other_staff, changes={"is_moderator": True}
    )


@pytest.fixture
def site_moderator(make_user: Any) -> Any:
    """Morgan, a site-wide moderator (no staff membership)."""
    from django.contrib.auth.models import Permission

    user = make_user("morgan@example.org", "Morgan Site")
    user.user_permissions.add(
        Permission.objects.get(
            codename="moderate_everywhere", content_type__app_label="conversations"
        )
    )
    return type(user).objects.get(pk=user.pk)  # a fresh object: no stale permission cache


@pytest.fixture
def conversation(citizen: Any, staff_member: Any) -> Thread:
    """Alex's private conversation with Sam Rivera of Public Works."""
    from townhall.conversations import actions

    return actions.start_conversation(
        by=citizen, staff=staff_member, subject="My water bill", body="My account number is 42."
    )
