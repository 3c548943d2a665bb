"""Conversations between a citizen and a named staff member or a team, through the
actions: who may read and write, promises, read receipts, edits, notifications, and
bad input that leaves nothing half-written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from townhall.activity.models import Notification
from townhall.commitments.models import Commitment, CommitmentKind
from townhall.conversations import actions
from townhall.conversations.models import Message, MessageRevision, ReadReceipt, Thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(citizen: Any, staff_member: Any) -> Thread:
    return actions.start_conversation(
        by=citizen,
        staff=staff_member,
        subject="Pothole on Monroe Street",
        body="When will the pothole outside number 12 be filled?",
    )


@pytest.fixture
def team_member(make_user: Any, agency: Any, site_admin: Any, team: Any) -> Any:
    from townhall.agencies import actions as agency_actions

    return agency_actions.add_staff_member(
        by=site_admin,
        agency=agency,
        user=make_user("jo@example.org"),
        public_name="Jo Banks",
        job_title="Streets Officer",
        teams=[team],
    )


def test_citizen_asks_a_named_staff_member_who_is_notified(
    asked: Thread, citizen: Any, staff_member: Any
) -> None:
    assert asked.kind == "direct" and asked.staff == staff_member and asked.citizen == citizen
    assert asked.agency == staff_member.agency
    assert [m.body for m in asked.messages.all()] == [
        "When will the pothole outside number 12 be filled?"
    ]
    notice = Notification.objects.get(recipient=staff_member.user)
    assert notice.url == f"/conversations/{asked.pk}/"


def test_staff_reply_is_signed_and_its_promise_is_a_custom_commitment_held_by_them(
    asked: Thread, citizen: Any, staff_member: Any
) -> None:
    due = timezone.now() + dt.timedelta(days=3)
    message = actions.reply_in_conversation(
        by=staff_member.user,
        thread=asked,
        body="We will fill it this week.",
        promise="I will call you when it is filled",
        promise_due_at=due,
    )
    assert message.persona == staff_member
    promise = Commitment.objects.get()
    assert promise.kind == CommitmentKind.CUSTOM
    assert promise.holder == staff_member and promise.made_by_persona == staff_member
    assert promise.made_to == citizen and promise.subject == asked
    assert promise.description == "I will call you when it is filled" and promise.due_at == due
    assert Notification.objects.filter(recipient=citizen).count() == 1


def test_citizen_cannot_make_a_promise(asked: Thread, citizen: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.reply_in_conversation(
            by=citizen,
            thread=asked,
            body="Thanks",
            promise="I promise",
            promise_due_at=timezone.now() + dt.timedelta(days=1),
        )
    assert asked.messages.count() == 1 and not Commitment.objects.exists()


def test_a_bad_promise_writes_nothing(asked: Thread, staff_member: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.reply_in_conversation(
            by=staff_member.user,
            thread=asked,
            body="Soon.",
            promise="I will call",
            promise_due_at=timezone.now() - dt.timedelta(days=1),
        )
    assert "promise_due_at" in refused.value.message_dict
    assert asked.messages.count() == 1 and not Commitment.objects.exists()


def test_addressed_staff_reading_leaves_a_receipt_others_do_not(
    asked: Thread, staff_member: Any, colleague: Any, citizen: Any
) -> None:
    assert actions.mark_conversation_read(by=citizen, thread=asked) == 0
    assert actions.mark_conversation_read(by=colleague.user, thread=asked) == 0
    assert actions.mark_conversation_read(by=staff_member.user, thread=asked) == 1
    receipt = ReadReceipt.objects.get()
    assert receipt.reader == staff_member
    first_read = receipt.read_at
    assert actions.mark_conversation_read(by=staff_member.user, thread=asked) == 0
    assert ReadReceipt.objects.get().read_at == first_read


def test_team_conversation_reaches_the_team_and_is_read_by_its_members(
    citizen: Any, team: Any, team_member: Any, manager: Any, staff_member: Any
) -> None:
    thread = actions.start_conversation(
        by=citizen, team=team, subject="Street sign", body="The stop sign is bent."
    )
    assert thread.kind == "team"
    told = set(Notification.objects.values_list("recipient__email", flat=True))
    assert told == {"jo@example.org", "lee@example.org"}
    assert actions.mark_conversation_read(by=staff_member.user, thread=thread) == 0
    assert actions.mark_conversation_read(by=team_member.user, thread=thread) == 1


def test_private_conversation_is_invisible_to_other_citizens_and_other_agencies(
    asked: Thread, citizen: Any, citizen2: Any, staff_member: Any, other_staff: Any
) -> None:
    assert list(Thread.objects.visible_to(citizen)) == [asked]
    assert list(Thread.objects.visible_to(staff_member.user)) == [asked]
    assert not Thread.objects.visible_to(citizen2).exists()
    assert not Thread.objects.visible_to(other_staff.user).exists()
    for outsider in (citizen2, other_staff.user):
        with pytest.raises(PermissionDenied):
            actions.reply_in_conversation(by=outsider, thread=asked, body="Hello")
    assert asked.messages.count() == 1


def test_team_conversation_is_invisible_to_staff_outside_the_team(
    citizen: Any, team: Any, team_member: Any, colleague: Any
) -> None:
    thread = actions.start_conversation(by=citizen, team=team, subject="Sign", body="Bent.")
    assert list(Thread.objects.visible_to(team_member.user)) == [thread]
    assert not Thread.objects.visible_to(colleague.user).exists()


def test_request_threads_are_not_conversations(pothole_request: Any, citizen: Any) -> None:
    assert not Thread.objects.visible_to(citizen).exists()


@pytest.mark.parametrize(
    ("fields", "error_key"),
    [
        ({"subject": "Hi", "body": ""}, "body"),
        ({"subject": "Hi", "body": "x" * 100_000}, "body"),
        ({"subject": "", "body": "Hello"}, "subject"),
        ({"subject": "x" * 201, "body": "Hello"}, "subject"),
        ({"subject": "Hi\x00", "body": "Hello"}, "subject"),
    ],
)
def test_bad_input_gives_a_clear_error_and_writes_nothing(
    citizen: Any, staff_member: Any, fields: dict[str, str], error_key: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.start_conversation(by=citizen, staff=staff_member, **fields)
    assert error_key in refused.value.message_dict
    assert not Thread.objects.exists() and not Message.objects.exists()
    assert not Notification.objects.exists()


def test_a_staff_member_without_a_public_profile_cannot_be_asked(
    citizen: Any, staff_member: Any
) -> None:
    staff_member.is_public_profile = False
    staff_member.save(update_fields=["is_public_profile"])
    with pytest.raises(ValidationError) as refused:
        actions.start_conversation(by=citizen, staff=staff_member, subject="Hi", body="Hello")
    assert "staff" in refused.value.message_dict


def test_nobody_starts_a_conversation_with_themselves(staff_member: Any) -> None:
    with pytest.raises(ValidationError):
        actions.start_conversation(
            by=staff_member.user, staff=staff_member, subject="Hi", body="Hello"
        )


def test_double_submit_makes_one_conversation_and_one_message(
    asked: Thread, citizen: Any, staff_member: Any
) -> None:
    again = actions.start_conversation(
        by=citizen,
        staff=staff_member,
        subject="Pothole on Monroe Street",
        body="When will the pothole outside number 12 be filled?",
    )
    assert again == asked and Thread.objects.count() == 1
    first = actions.reply_in_conversation(by=citizen, thread=asked, body="Any news?")
    second = actions.reply_in_conversation(by=citizen, thread=asked, body="Any news?")
    assert first == second and asked.messages.count() == 2


def test_html_and_script_in_a_message_are_neutralised(citizen: Any, staff_member: Any) -> None:
    thread = actions.start_conversation(
        by=citizen,
        staff=staff_member,
        subject="<script>alert(1)</script>",
        body="<img src=x onerror=alert(1)> [link](javascript:alert(1)) **bold**",
    )
    html = thread.messages.get().body_html
    assert "<img" not in html and 'href="javascript' not in html
    assert "<strong>bold</strong>" in html
    assert thread.title == "<script>alert(1)</script>"  # stored as typed, escaped when shown


def test_an_edit_keeps_the_earlier_version(asked: Thread, citizen: Any) -> None:
    message = asked.messages.get()
    actions.edit_message(by=citizen, message=message, body="Where is the pothole crew?")
    message.refresh_from_db()
    assert message.edited_at is not None and message.body == "Where is the pothole crew?"
    revision = MessageRevision.objects.get(message=message)
    assert revision.body == "When will the pothole outside number 12 be filled?"
