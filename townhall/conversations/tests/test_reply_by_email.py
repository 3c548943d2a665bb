"""Replying to a conversation's notification email: the reply, sent through the real
inbound SMTP server, lands in the conversation as a message from the person the email
was sent to (staff signed with their work persona), or is refused with nothing posted."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest

from townhall.activity import inbound
from townhall.activity.models import InboundEmail
from townhall.activity.tests.mailin_server import (  # noqa: F401
    MailinServer,
    mailin_server_fixture,
    reply_mail,
)
from townhall.conversations import actions, discussions
from townhall.conversations.models import Attachment, Message, Thread

from .sample_files import image_bytes


@pytest.fixture
def conversation(transactional_db: Any, citizen: Any, staff_member: Any) -> Thread:
    return actions.start_conversation(
        by=citizen,
        staff=staff_member,
        subject="Pothole on Monroe Street",
        body="When will the pothole outside number 12 be filled?",
    )


def reply_to_of(mailoutbox: Any, person: Any) -> str:
    """The Reply-To of the last notification email sent to `person`."""
    sent = [message for message in mailoutbox if message.to == [person.email]]
    assert sent, f"no email to {person.email}"
    (address,) = sent[-1].reply_to
    return str(address)


def test_staff_reply_by_email_is_signed_with_their_persona(
    mailin_server: MailinServer, mailoutbox: Any, conversation: Thread, staff_member: Any
) -> None:
    to = reply_to_of(mailoutbox, staff_member.user)
    body = (
        "We will fill it on Friday.\n\nSam\n\n-----Original Message-----\n"
        "From: Springfield Townhall\nSent: Monday\n\nAlex Park wrote to you"
    )
    mailin_server.send(
        reply_mail(to=to, sender="sam@example.org", body=body), sender="sam@example.org", to=to
    )
    message = conversation.messages.order_by("-pk").first()
    assert message is not None
    assert (message.author, message.persona) == (staff_member.user, staff_member)
    assert message.body == "We will fill it on Friday.\n\nSam"
    assert message.signature.startswith("Sam Rivera, Road Maintenance Supervisor")


def test_citizen_replies_by_email_and_the_reply_appears_in_the_thread(
    mailin_server: MailinServer,
    mailoutbox: Any,
    conversation: Thread,
    citizen: Any,
    staff_member: Any,
    client: Any,
) -> None:
    actions.reply_in_conversation(
        by=staff_member.user, thread=conversation, body="We will fill it on Friday."
    )
    to = reply_to_of(mailoutbox, citizen)
    assert "Reply to this email to answer in the thread." in mailoutbox[-1].body
    body = (
        "Thank you! Friday is fine.\n\nSent from my iPhone\n\n"
        "On Mon, 23 Nov 2026 at 10:00, Springfield Townhall <townhall@springfield.example> "
        "wrote:\n> Sam Rivera wrote in a conversation\n"
    )
    assert (
        mailin_server.send(
            reply_mail(to=to, sender="alex@example.org", body=body),
            sender="alex@example.org",
            to=to,
        )
        == {}
    )
    message = conversation.messages.order_by("-pk").first()
    assert message is not None
    assert (message.author, message.persona, message.body) == (
        citizen,
        None,
        "Thank you! Friday is fine.",
    )
    # The staff member is told, as for a reply on the site.
    assert mailoutbox[-1].to == [staff_member.user.email]
    client.force_login(citizen)
    page = client.get(conversation.get_absolute_url())
    assert page.status_code == 200 and "Thank you! Friday is fine." in page.content.decode()


def test_attachments_of_the_email_are_checked_and_kept(
    mailin_server: MailinServer, mailoutbox: Any, conversation: Thread, staff_member: Any
) -> None:
    to = reply_to_of(mailoutbox, staff_member.user)
    photo = image_bytes("JPEG")
    message = reply_mail(
        to=to,
        sender="sam@example.org",
        body="Photo of the repair attached.",
        attachments=[("repair.jpg", "image/jpeg", photo), ("notes.txt", "text/plain", b"30 cm")],
    )
    mailin_server.send(message, sender="sam@example.org", to=to)
    posted = Message.objects.get(body="Photo of the repair attached.")
    assert sorted(item.original_name for item in posted.attachments.all()) == [
        "notes.txt",
        "repair.jpg",
    ]


def test_a_file_that_cannot_be_attached_refuses_the_whole_reply(
    mailin_server: MailinServer, mailoutbox: Any, conversation: Thread, staff_member: Any
) -> None:
    to = reply_to_of(mailoutbox, staff_member.user)
    message = reply_mail(
        to=to,
        sender="sam@example.org",
        body="See the program.",
        attachments=[("tool.exe", "application/octet-stream", b"MZ\x90\x00")],
    )
    with pytest.raises(smtplib.SMTPDataError) as refused:
        mailin_server.send(message, sender="sam@example.org", to=to)
    assert refused.value.smtp_code == 550 and b"tool.exe" in refused.value.smtp_error
    assert not Message.objects.filter(body="See the program.").exists()
    assert not Attachment.objects.exists()
    assert InboundEmail.objects.get().reason == "invalid"


def test_mail_from_someone_else_is_refused_and_nothing_posted(
    mailin_server: MailinServer,
    mailoutbox: Any,
    conversation: Thread,
    citizen: Any,
    staff_member: Any,
) -> None:
    actions.reply_in_conversation(by=staff_member.user, thread=conversation, body="Friday.")
    to = reply_to_of(mailoutbox, citizen)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        mailin_server.send(
            reply_mail(to=to, sender="bea@example.org", body="Let me in"),
            sender="bea@example.org",
            to=to,
        )
    assert refused.value.smtp_code == 550
    assert not Message.objects.filter(body="Let me in").exists()


def test_a_locked_conversation_refuses_email_replies(
    mailin_server: MailinServer, mailoutbox: Any, conversation: Thread, staff_member: Any
) -> None:
    to = reply_to_of(mailoutbox, staff_member.user)
    Thread.objects.filter(pk=conversation.pk).update(is_locked=True)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        mailin_server.send(
            reply_mail(to=to, sender="sam@example.org", body="Late answer"),
            sender="sam@example.org",
            to=to,
        )
    assert refused.value.smtp_code == 550
    assert b"closed to new messages" in refused.value.smtp_error
    assert not Message.objects.filter(body="Late answer").exists()
    assert InboundEmail.objects.get().reason == "invalid"


def test_staff_who_left_the_agency_can_no_longer_reply(
    mailin_server: MailinServer, mailoutbox: Any, conversation: Thread, staff_member: Any
) -> None:
    to = reply_to_of(mailoutbox, staff_member.user)
    type(staff_member).objects.filter(pk=staff_member.pk).update(is_active=False)
    with pytest.raises(smtplib.SMTPDataError):
        mailin_server.send(
            reply_mail(to=to, sender="sam@example.org", body="Still here"),
            sender="sam@example.org",
            to=to,
        )
    assert not Message.objects.filter(body="Still here").exists()
    assert InboundEmail.objects.get().reason == "not_allowed"


def test_a_citizen_with_a_token_for_a_conversation_they_cannot_see_is_refused(
    mailin_server: MailinServer, conversation: Thread, citizen2: Any
) -> None:
    to = f"reply+{inbound.reply_token(citizen2, conversation)}@127.0.0.1"
    with pytest.raises(smtplib.SMTPDataError):
        mailin_server.send(
            reply_mail(to=to, sender="bea@example.org", body="Hello"),
            sender="bea@example.org",
            to=to,
        )
    assert not Message.objects.filter(body="Hello").exists()
    assert InboundEmail.objects.get().reason == "not_allowed"


def test_a_token_for_one_conversation_cannot_post_in_another(
    mailin_server: MailinServer, conversation: Thread, citizen: Any, staff_member: Any
) -> None:
    other = actions.start_conversation(
        by=citizen, staff=staff_member, subject="Streetlight", body="The light is out."
    )
    parts = inbound.reply_token(citizen, conversation).split("-")
    parts[2] = inbound._base36(other.pk)
    to = f"reply+{'-'.join(parts)}@127.0.0.1"
    with pytest.raises(smtplib.SMTPDataError):
        mailin_server.send(
            reply_mail(to=to, sender="alex@example.org", body="Sneaky"),
            sender="alex@example.org",
            to=to,
        )
    assert not Message.objects.filter(body="Sneaky").exists()


def test_no_reply_to_for_people_who_may_not_write(
    transactional_db: Any, conversation: Thread, citizen2: Any, other_staff: Any
) -> None:
    from townhall.conversations.inbound import can_reply

    assert not can_reply(citizen2, conversation)
    assert not can_reply(other_staff.user, conversation)
    assert can_reply(conversation.citizen, conversation)


def test_a_reply_to_a_public_discussion_is_posted_in_it(
    transactional_db: Any, agency: Any, citizen: Any, citizen2: Any
) -> None:
    thread = discussions.start_discussion(
        by=citizen, agency=agency, title="Snow clearing", body="Which streets come first?"
    )
    to = f"reply+{inbound.reply_token(citizen2, thread)}@127.0.0.1"
    result = inbound.receive_email(
        reply_mail(to=to, sender="bea@example.org", body="Mine was cleared at 6am.").as_bytes(),
        envelope_from="bea@example.org",
        recipients=[to],
    )
    assert result.is_posted
    assert thread.messages.filter(author=citizen2, body="Mine was cleared at 6am.").exists()


def test_a_reply_through_the_providers_webhook_lands_in_the_conversation(
    transactional_db: Any,
    client: Any,
    settings: Any,
    mailoutbox: Any,
    conversation: Thread,
    staff_member: Any,
) -> None:
    import base64
    import json

    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "postmark:s3cret"}
    settings.MAILIN_WEBHOOK_ESP = "postmark"
    to = reply_to_of(mailoutbox, staff_member.user)
    message = reply_mail(to=to, sender="sam@example.org", body="Filled this morning.")
    response = client.post(
        "/notifications/inbound/anymail/",
        json.dumps(
            {
                "OriginalRecipient": to,
                "Headers": [{"Name": "Return-Path", "Value": "<sam@example.org>"}],
                "RawEmail": message.as_string(),
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"postmark:s3cret").decode(),
    )
    assert response.status_code == 200
    posted = conversation.messages.get(body="Filled this morning.")
    assert posted.persona == staff_member


def test_an_emailed_answer_to_a_discussion_reply_nests_under_the_same_message(
    transactional_db: Any, agency: Any, citizen: Any, citizen2: Any, mailoutbox: Any
) -> None:
    thread = discussions.start_discussion(
        by=citizen, agency=agency, title="Snow clearing", body="Which streets come first?"
    )
    opening = thread.messages.get()
    discussions.post_in_discussion(
        by=citizen2, thread=thread, body="Mine was cleared at 6am.", parent=opening
    )
    to = reply_to_of(mailoutbox, citizen)  # "Someone replied to you", answerable by email

    result = inbound.receive_email(
        reply_mail(to=to, sender=citizen.email, body="Thanks, which street?").as_bytes(),
        envelope_from=citizen.email,
        recipients=[to],
    )

    assert result.is_posted, result.message
    answer = thread.messages.get(body="Thanks, which street?")
    assert answer.author == citizen and answer.parent_id == opening.pk
