"""post_message and edit_message: the building blocks the thread owners call. They check
the body, the persona and the thread; who may post is the owner's decision."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from townhall.activity.models import Activity
from townhall.conversations.actions import edit_message, post_message
from townhall.conversations.attachments import check_uploads
from townhall.conversations.models import BODY_MAX_LENGTH, Attachment, Message, Thread

from .sample_files import image_bytes, upload


def body_error(excinfo: Any) -> list[str]:
    return excinfo.value.message_dict["body"]


def test_a_citizen_posts_a_message_rendered_from_markdown(thread: Thread, citizen: Any) -> None:
    message = post_message(thread=thread, author=citizen, body="  The hole is **deep**.\n ")
    message.refresh_from_db()
    assert message.body == "The hole is **deep**."
    assert message.body_html == "<p>The hole is <strong>deep</strong>.</p>\n"
    assert (message.thread, message.author, message.persona) == (thread, citizen, None)
    assert not message.is_internal and message.edited_at is None
    assert message.signature == "Alex Park"


def test_a_staff_member_posts_signed_with_their_persona(thread: Thread, staff_member: Any) -> None:
    message = post_message(
        thread=thread, author=staff_member.user, persona=staff_member, body="On it."
    )
    assert message.signature == "Sam Rivera, Road Maintenance Supervisor, Public Works"


def test_posting_records_no_activity(thread: Thread, citizen: Any) -> None:
    before = Activity.objects.count()
    post_message(thread=thread, author=citizen, body="Hello")
    assert Activity.objects.count() == before


def test_a_script_in_a_message_is_stored_as_typed_and_shown_as_text(
    thread: Thread, citizen: Any
) -> None:
    message = post_message(
        thread=thread, author=citizen, body="<script>alert(1)</script> [x](javascript:alert(1))"
    )
    assert message.body == "<script>alert(1)</script> [x](javascript:alert(1))"
    assert "<script" not in message.body_html and "href" not in message.body_html


@pytest.mark.parametrize("body", ["", "   ", "\n\t\n", None])
def test_an_empty_message_is_refused(thread: Thread, citizen: Any, body: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        post_message(thread=thread, author=citizen, body=body)
    assert body_error(caught) == ["Write a message."]
    assert not Message.objects.exists()


def test_a_message_with_a_nul_character_is_refused(thread: Thread, citizen: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        post_message(thread=thread, author=citizen, body="hello\x00world")
    assert body_error(caught) == ["Your message contains a NUL character; remove it."]


def test_a_message_of_the_longest_length_is_accepted_and_one_more_is_refused(
    thread: Thread, citizen: Any
) -> None:
    post_message(thread=thread, author=citizen, body="a" * BODY_MAX_LENGTH)
    with pytest.raises(ValidationError) as caught:
        post_message(thread=thread, author=citizen, body="a" * (BODY_MAX_LENGTH + 1))
    assert body_error(caught) == [
        "Your message is 20,001 characters long; messages can be at most 20,000 characters."
    ]
    assert Message.objects.count() == 1


def test_sql_looking_text_is_kept_as_it_is(thread: Thread, citizen: Any) -> None:
    body = "Robert'); DROP TABLE conversations_message;--"
    post_message(thread=thread, author=citizen, body=body)
    assert Message.objects.get().body == body


def test_anonymous_visitors_cannot_post(thread: Thread) -> None:
    with pytest.raises(PermissionDenied):
        post_message(thread=thread, author=AnonymousUser(), body="Hi")


def test_nobody_can_write_as_someone_elses_persona(
    thread: Thread, staff_member: Any, citizen: Any
) -> None:
    with pytest.raises(PermissionDenied):
        post_message(thread=thread, author=citizen, persona=staff_member, body="Fake")
    assert not Message.objects.exists()


def test_staff_of_another_agency_cannot_write_as_their_persona(
    thread: Thread, make_user: Any, other_agency: Any, site_admin: Any
) -> None:
    from townhall.agencies import actions as agency_actions

    parks = agency_actions.add_staff_member(
        by=site_admin,
        agency=other_agency,
        user=make_user("pat@example.org"),
        public_name="Pat Green",
        job_title="Ranger",
    )
    with pytest.raises(PermissionDenied):
        post_message(thread=thread, author=parks.user, persona=parks, body="Hi")


def test_a_locked_thread_takes_no_new_messages(thread: Thread, citizen: Any) -> None:
    thread.is_locked = True
    thread.save()
    with pytest.raises(ValidationError) as caught:
        post_message(thread=thread, author=citizen, body="Hello?")
    assert caught.value.messages == ["This conversation is closed to new messages."]


def test_files_are_stored_with_the_message(thread: Thread, citizen: Any) -> None:
    files = check_uploads([upload("hole.jpg", image_bytes(gps=True)), upload("n.txt", b"n")])
    message = post_message(thread=thread, author=citizen, body="See photo", files=files)
    names = sorted(a.original_name for a in message.attachments.all())
    assert names == ["hole.jpg", "n.txt"]
    assert all(a.thread == thread and a.uploaded_by == citizen for a in message.attachments.all())


def test_an_internal_note_and_its_files_are_internal(thread: Thread, staff_member: Any) -> None:
    note = post_message(
        thread=thread,
        author=staff_member.user,
        persona=staff_member,
        body="Caller sounded upset",
        is_internal=True,
        files=check_uploads([upload("call.txt", b"notes")]),
    )
    assert note.is_internal
    assert Attachment.objects.get().is_internal
    assert list(Message.objects.public()) == []


def test_if_storing_a_file_fails_no_message_is_left(thread: Thread, citizen: Any) -> None:
    not_checked = upload("a.txt", b"x")
    with pytest.raises(TypeError):
        post_message(thread=thread, author=citizen, body="Hi", files=[not_checked])
    assert not Message.objects.exists()


# --- editing ---------------------------------------------------------------------------------


def test_the_author_edits_their_message_and_it_shows_as_edited(
    thread: Thread, citizen: Any
) -> None:
    message = post_message(thread=thread, author=citizen, body="Hole on Main")
    edited = edit_message(by=citizen, message=message, body=" Hole on *Elm* ")
    assert edited is message
    message.refresh_from_db()
    assert message.body == "Hole on *Elm*"
    assert message.body_html == "<p>Hole on <em>Elm</em></p>\n"
    assert message.edited_at is not None


def test_the_same_text_again_is_not_an_edit(thread: Thread, citizen: Any) -> None:
    message = post_message(thread=thread, author=citizen, body="Same")
    edit_message(by=citizen, message=message, body="Same  ")
    message.refresh_from_db()
    assert message.edited_at is None


def test_nobody_else_can_edit_a_message(
    thread: Thread, citizen: Any, citizen2: Any, staff_member: Any, site_admin: Any
) -> None:
    message = post_message(thread=thread, author=citizen, body="Mine")
    for other in (citizen2, staff_member.user, site_admin, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            edit_message(by=other, message=message, body="Changed")
    message.refresh_from_db()
    assert message.body == "Mine"


def test_an_edit_is_checked_like_a_new_message(thread: Thread, citizen: Any) -> None:
    message = post_message(thread=thread, author=citizen, body="Mine")
    for bad in ("", "a\x00b", "a" * (BODY_MAX_LENGTH + 1)):
        with pytest.raises(ValidationError):
            edit_message(by=citizen, message=message, body=bad)
    message.refresh_from_db()
    assert message.body == "Mine"


def test_messages_in_a_locked_thread_cannot_be_edited(thread: Thread, citizen: Any) -> None:
    message = post_message(thread=thread, author=citizen, body="Mine")
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)
    with pytest.raises(ValidationError):
        edit_message(by=citizen, message=message, body="Changed")
