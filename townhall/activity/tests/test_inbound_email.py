"""Replies by email (`activity.inbound`): signed reply-to addresses on notification emails,
and what `receive_email` does with the mail that comes back. A stand-in handler answers
for activities here (this layer imports no app that owns threads); the real threads are
tested in conversations/tests/test_reply_by_email.py."""

from __future__ import annotations

import base64
import json
import time
from email.message import EmailMessage
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError

from townhall.activity import emails, inbound
from townhall.activity.actions import notify, record_activity, set_email_frequency
from townhall.activity.models import Activity, EmailFrequency, InboundEmail, Notification
from townhall.activity.reply_text import html_to_text, reply_text

from .mailin_server import reply_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted() -> Any:
    """Activities stand in for threads: their citizen may answer them; verb "locked"
    refuses like a locked thread."""
    posts: list[tuple[Any, Any, str, list[Any]]] = []

    def post(*, user: Any, target: Activity, body: str, attachments: Any) -> str:
        if target.citizen_id != user.pk:
            raise PermissionDenied("You cannot write in this conversation.")
        if target.verb == "locked":
            raise ValidationError("This conversation is closed to new messages.")
        posts.append((user, target, body, list(attachments)))
        return f"/things/{target.pk}/"

    def can_reply(user: Any, target: Activity) -> bool:
        return bool(target.citizen_id == user.pk)

    inbound.register_reply_handler(Activity, post=post, can_reply=can_reply)
    yield posts
    inbound.unregister_reply_handler(Activity)


@pytest.fixture
def thing(citizen: Any) -> Activity:
    return record_activity(verb="thing.replied", summary="Sam Rivera wrote", citizen=citizen)


def about(target: Activity) -> Activity:
    """An activity whose target is `target` (what notifications are about)."""
    return record_activity(verb="thing.replied", summary="Sam Rivera wrote", target=target)


def address_for(user: Any, target: Any, **kwargs: Any) -> str:
    return f"reply+{inbound.reply_token(user, target, **kwargs)}@127.0.0.1"


def receive(message: EmailMessage | bytes, **kwargs: Any) -> inbound.InboundResult:
    kwargs.setdefault("envelope_from", "alex@example.org")
    data = message if isinstance(message, bytes) else message.as_bytes()
    return inbound.receive_email(data, **kwargs)


# --- the notification email ---------------------------------------------------------------
def test_notification_email_has_the_recipients_own_signed_reply_to(
    citizen: Any,
    thing: Activity,
    posted: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[citizen], activity=about(thing), reason="You asked", url="/things/1/")
    message = mailoutbox[0]
    assert len(message.reply_to) == 1
    address = message.reply_to[0]
    assert address.startswith("reply+") and address.endswith("@localhost")
    assert len(address.split("@")[0]) <= 64  # RFC 5321 local part
    token = inbound.read_reply_token(inbound.token_of_address(address) or "")
    assert token.user_id == citizen.pk and token.target_id == thing.pk
    assert "Reply to this email to answer in the thread." in message.body
    assert "Reply to this email to answer in the thread." in message.alternatives[0][0]


def test_no_reply_to_when_nothing_answers_the_object_or_the_person_may_not(
    citizen: Any,
    citizen2: Any,
    thing: Activity,
    mailoutbox: Any,
    posted: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    inbound.unregister_reply_handler(Activity)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[citizen], activity=about(thing))
    inbound.register_reply_handler(Activity, post=lambda **kw: "", can_reply=lambda u, t: False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[citizen2], activity=about(thing))
    assert [message.reply_to for message in mailoutbox] == [[], []]
    assert all("Reply to this email" not in message.body for message in mailoutbox)


def test_digests_have_no_reply_to(citizen: Any, thing: Activity, posted: Any) -> None:
    set_email_frequency(by=citizen, user=citizen, frequency=EmailFrequency.DAILY)
    notify(recipients=[citizen], activity=about(thing))
    digest = emails.digest_message(citizen, list(Notification.objects.all()))
    assert digest.reply_to == []
    assert "Reply to this email" not in digest.body


# --- posting ------------------------------------------------------------------------------
def test_reply_is_posted_as_the_tokens_person_without_quotes_or_signature(
    citizen: Any, thing: Activity, posted: Any
) -> None:
    body = (
        "Thanks, Friday works for me.\n\n-- \nAlex Park\n\n"
        "On Mon, 23 Nov 2026 at 10:00, Springfield Townhall <townhall@springfield.example> "
        "wrote:\n> Sam Rivera wrote in a conversation\n"
    )
    result = receive(
        reply_mail(to=address_for(citizen, thing), sender="Alex <ALEX@example.org>", body=body)
    )
    assert result.is_posted and result.url == f"/things/{thing.pk}/"
    assert [(user, target, text) for user, target, text, _files in posted] == [
        (citizen, thing, "Thanks, Friday works for me.")
    ]
    row = InboundEmail.objects.get()
    assert (row.outcome, row.user, row.target, row.source) == ("posted", citizen, thing, "smtp")


def test_html_only_reply_is_turned_into_text(citizen: Any, thing: Activity, posted: Any) -> None:
    message = reply_mail(to=address_for(citizen, thing), sender="alex@example.org")
    message.set_content(
        "<html><body><p>Yes <b>please</b>.</p><div>Call me.</div>"
        '<div class="gmail_quote">On Mon ... wrote:<blockquote>old</blockquote></div>'
        "<script>alert(1)</script></body></html>",
        subtype="html",
    )
    assert receive(message).is_posted
    assert posted[0][2] == "Yes please.\n\nCall me."


def test_a_verified_second_address_of_the_person_may_reply(
    citizen: Any, thing: Activity, posted: Any
) -> None:
    EmailAddress.objects.create(user=citizen, email="alex@work.example", verified=True)
    EmailAddress.objects.create(user=citizen, email="alex@old.example", verified=False)
    ok = receive(reply_mail(to=address_for(citizen, thing), sender="alex@work.example"))
    refused = receive(reply_mail(to=address_for(citizen, thing), sender="alex@old.example"))
    assert ok.is_posted and refused.reason == "wrong_sender"


def test_attachments_come_to_the_handler(citizen: Any, thing: Activity, posted: Any) -> None:
    message = reply_mail(
        to=address_for(citizen, thing),
        sender="alex@example.org",
        attachments=[("notes.txt", "text/plain", b"measurements: 30 cm")],
    )
    assert receive(message).is_posted
    files = posted[0][3]
    assert [(f.name, f.content_type, f.data) for f in files] == [
        ("notes.txt", "text/plain", b"measurements: 30 cm")
    ]


def test_the_same_mail_delivered_twice_is_posted_once(
    citizen: Any, thing: Activity, posted: Any
) -> None:
    message = reply_mail(
        to=address_for(citizen, thing), sender="alex@example.org", message_id="<one@example.org>"
    )
    assert receive(message).is_posted
    again = receive(message)
    assert again.outcome == "duplicate" and not again.tells_sender
    assert len(posted) == 1 and InboundEmail.objects.count() == 1


# --- refusals -----------------------------------------------------------------------------
def assert_refused(result: inbound.InboundResult, reason: str, posted: Any) -> InboundEmail:
    assert result.outcome == "refused" and result.reason == reason, result
    assert posted == []
    row = InboundEmail.objects.get()
    assert (row.outcome, row.reason) == ("refused", reason)
    return row


def test_mail_from_another_address_is_refused_and_logged_with_its_target(
    citizen: Any, thing: Activity, posted: Any
) -> None:
    result = receive(
        reply_mail(to=address_for(citizen, thing), sender="bea@example.org", body="Secret words")
    )
    row = assert_refused(result, "wrong_sender", posted)
    assert result.tells_sender and "another person" in result.message
    assert (row.from_address, row.user, row.target) == ("bea@example.org", citizen, thing)
    assert "Secret words" not in str(row.__dict__)  # the body of refused mail is not kept


def test_a_forged_token_is_refused(citizen: Any, thing: Activity, posted: Any) -> None:
    token = inbound.reply_token(citizen, thing)
    forged = token[:-1] + ("a" if token[-1] != "a" else "b")
    result = receive(reply_mail(to=f"reply+{forged}@127.0.0.1", sender="alex@example.org"))
    row = assert_refused(result, "bad_token", posted)
    assert row.user is None and row.target_id == ""


def test_a_token_for_one_thread_cannot_post_to_another(
    citizen: Any, thing: Activity, posted: Any
) -> None:
    other = record_activity(verb="thing.replied", summary="Another", citizen=citizen)
    parts = inbound.reply_token(citizen, thing).split("-")
    parts[2] = inbound._base36(other.pk)  # the target's key, changed by hand
    result = receive(reply_mail(to=f"reply+{'-'.join(parts)}@127.0.0.1", sender="alex@example.org"))
    assert_refused(result, "bad_token", posted)


def test_an_expired_token_is_refused(
    citizen: Any, thing: Activity, posted: Any, settings: Any
) -> None:
    settings.MAILIN_REPLY_DAYS = 90
    old = time.time() - 91 * 86400
    result = receive(reply_mail(to=address_for(citizen, thing, now=old), sender="alex@example.org"))
    assert_refused(result, "expired", posted)
    assert "expired" in result.message


def test_a_token_still_valid_on_its_last_day_is_accepted(
    citizen: Any, thing: Activity, posted: Any
) -> None:
    recent = time.time() - 89 * 86400
    assert receive(
        reply_mail(to=address_for(citizen, thing, now=recent), sender="alex@example.org")
    ).is_posted


def test_mail_to_an_address_without_a_token_is_refused(citizen: Any, posted: Any) -> None:
    result = receive(reply_mail(to="townhall@127.0.0.1", sender="alex@example.org"))
    assert_refused(result, "no_token", posted)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Auto-Submitted", "auto-replied"),
        ("Auto-Submitted", "auto-generated"),
        ("X-Autoreply", "yes"),
        ("X-Auto-Response-Suppress", "All"),
        ("Precedence", "bulk"),
        ("Precedence", "auto_reply"),
    ],
)
def test_auto_replies_are_refused_quietly(
    citizen: Any, thing: Activity, posted: Any, name: str, value: str
) -> None:
    message = reply_mail(
        to=address_for(citizen, thing),
        sender="alex@example.org",
        body="I am out of the office until Monday.",
        headers={name: value},
    )
    result = receive(message)
    assert_refused(result, "auto_reply", posted)
    assert not result.tells_sender


def test_auto_submitted_no_is_a_person_writing(citizen: Any, thing: Activity, posted: Any) -> None:
    message = reply_mail(
        to=address_for(citizen, thing), sender="alex@example.org", headers={"Auto-Submitted": "no"}
    )
    assert receive(message).is_posted


@pytest.mark.parametrize("envelope_from", ["", "<>", "MAILER-DAEMON@mx.example.org"])
def test_bounces_are_refused_quietly(
    citizen: Any, thing: Activity, posted: Any, envelope_from: str
) -> None:
    result = receive(
        reply_mail(to=address_for(citizen, thing), sender="alex@example.org"),
        envelope_from=envelope_from,
    )
    assert_refused(result, "bounce", posted)
    assert not result.tells_sender


def test_a_delivery_report_is_a_bounce(citizen: Any, thing: Activity, posted: Any) -> None:
    message = reply_mail(to=address_for(citizen, thing), sender="alex@example.org")
    message.make_mixed()
    message.replace_header("Content-Type", 'multipart/report; report-type="delivery-status"')
    assert_refused(receive(message), "bounce", posted)


def test_a_locked_thread_refuses_with_the_actions_words(citizen: Any, posted: Any) -> None:
    locked = record_activity(verb="locked", summary="Closed", citizen=citizen)
    result = receive(reply_mail(to=address_for(citizen, locked), sender="alex@example.org"))
    row = assert_refused(result, "invalid", posted)
    assert result.message == "This conversation is closed to new messages."
    assert row.detail == result.message and result.tells_sender


def test_a_person_who_lost_access_is_refused(citizen: Any, citizen2: Any, posted: Any) -> None:
    theirs = record_activity(verb="thing.replied", summary="Not Bea's", citizen=citizen)
    result = receive(
        reply_mail(to=address_for(citizen2, theirs), sender="bea@example.org"),
        envelope_from="bea@example.org",
    )
    assert_refused(result, "not_allowed", posted)


def test_an_inactive_account_cannot_reply(citizen: Any, thing: Activity, posted: Any) -> None:
    address = address_for(citizen, thing)
    citizen.is_active = False
    citizen.save()
    assert_refused(receive(reply_mail(to=address, sender="alex@example.org")), "gone", posted)


def test_too_many_or_too_big_attachments_are_refused(
    citizen: Any, thing: Activity, posted: Any, settings: Any
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1000
    message = reply_mail(
        to=address_for(citizen, thing),
        sender="alex@example.org",
        attachments=[("big.pdf", "application/pdf", b"%PDF-" + b"x" * 2000)],
    )
    result = receive(message)
    assert_refused(result, "too_big", posted)
    assert "big.pdf" in result.message


def test_too_many_attachments_are_refused(
    citizen: Any, thing: Activity, posted: Any, settings: Any
) -> None:
    settings.ATTACHMENT_MAX_FILES = 2
    files = [(f"n{index}.txt", "text/plain", b"note") for index in range(3)]
    message = reply_mail(
        to=address_for(citizen, thing), sender="alex@example.org", attachments=files
    )
    assert_refused(receive(message), "too_many_files", posted)


def test_a_reply_that_is_only_quotes_is_refused_as_empty(
    citizen: Any, thing: Activity, posted: Any
) -> None:
    body = "On Mon, 23 Nov 2026, Townhall <t@example.org> wrote:\n> Sam Rivera wrote\n"
    result = receive(
        reply_mail(to=address_for(citizen, thing), sender="alex@example.org", body=body)
    )
    assert_refused(result, "empty", posted)


@pytest.mark.parametrize(
    "raw",
    [
        b"From: alex@example.org\r\nTo: reply+x@127.0.0.1\r\nContent-Type: multipart/mixed\r\n"
        b"Message-ID: <broken@example.org>\r\n\r\n--nothing\r\nhello\r\n",
        b"\x00\xff\xfe garbage that is no email at all \x80\x81",
        b"",
    ],
)
def test_broken_mime_is_refused_without_an_exception(
    citizen: Any, thing: Activity, posted: Any, raw: bytes
) -> None:
    if b"reply+x" in raw:
        raw = raw.replace(b"reply+x@127.0.0.1", address_for(citizen, thing).encode())
    result = receive(raw)
    assert result.outcome == "refused" and result.reason in ("broken", "no_token")
    assert posted == [] and InboundEmail.objects.get().outcome == "refused"


def test_broken_multipart_with_a_valid_token_is_refused_as_broken(
    citizen: Any, thing: Activity, posted: Any
) -> None:
    raw = (
        f"From: alex@example.org\r\nTo: {address_for(citizen, thing)}\r\n"
        "Content-Type: multipart/mixed\r\nMessage-ID: <b@example.org>\r\n\r\n"
        "--nothing\r\nhello\r\n"
    ).encode()
    assert_refused(receive(raw), "broken", posted)


def test_an_unknown_charset_is_refused_as_broken(
    citizen: Any, thing: Activity, posted: Any
) -> None:
    raw = (
        f"From: alex@example.org\r\nTo: {address_for(citizen, thing)}\r\n"
        "Content-Type: text/plain; charset=x-no-such-charset\r\n"
        "Message-ID: <c@example.org>\r\n\r\nhello\r\n"
    ).encode()
    result = receive(raw)
    assert_refused(result, "broken", posted)
    assert "could not be read" in result.message


# --- the webhook (django-anymail, Postmark's inbound JSON with the raw email) --------------
def postmark_payload(message: EmailMessage, *, envelope_from: str) -> str:
    return json.dumps(
        {
            "FromFull": {"Email": "alex@example.org", "Name": "Alex"},
            "OriginalRecipient": message["To"],
            "Headers": [{"Name": "Return-Path", "Value": f"<{envelope_from}>"}],
            "RawEmail": message.as_string(),
        }
    )


def basic_auth(secret: str) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


@pytest.fixture
def webhook(settings: Any) -> str:
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "postmark:s3cret"}
    settings.MAILIN_WEBHOOK_ESP = "postmark"
    return "/notifications/inbound/anymail/"


def test_webhook_posts_the_reply(
    client: Any, webhook: str, citizen: Any, thing: Activity, posted: Any
) -> None:
    message = reply_mail(to=address_for(citizen, thing), sender="alex@example.org")
    response = client.post(
        webhook,
        postmark_payload(message, envelope_from="alex@example.org"),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth("postmark:s3cret"),
    )
    assert response.status_code == 200
    assert [text for _u, _t, text, _f in posted] == ["Thanks, Friday works for me."]
    assert InboundEmail.objects.get().source == "webhook"


def test_webhook_refusals_are_logged_and_still_answered_200(
    client: Any, webhook: str, citizen: Any, thing: Activity, posted: Any
) -> None:
    message = reply_mail(to=address_for(citizen, thing), sender="bea@example.org")
    response = client.post(
        webhook,
        postmark_payload(message, envelope_from="bea@example.org"),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth("postmark:s3cret"),
    )
    assert response.status_code == 200 and posted == []
    assert InboundEmail.objects.get().reason == "wrong_sender"


def test_webhook_needs_its_secret(
    client: Any, webhook: str, citizen: Any, thing: Activity, posted: Any, settings: Any
) -> None:
    message = reply_mail(to=address_for(citizen, thing), sender="alex@example.org")
    payload = postmark_payload(message, envelope_from="alex@example.org")
    wrong = client.post(
        webhook,
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth("postmark:guess"),
    )
    missing = client.post(webhook, payload, content_type="application/json")
    assert wrong.status_code in (400, 401, 403) and missing.status_code in (400, 401, 403)
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": ""}
    closed = client.post(
        webhook,
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth("postmark:s3cret"),
    )
    assert closed.status_code == 404
    assert posted == [] and not InboundEmail.objects.exists()


# --- reply text ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fine.\n\nOn Mon, 23 Nov 2026 at 10:00, Townhall <t@x.org> wrote:\n> old", "Fine."),
        (
            "Fine.\n\nOn Mon, 23 Nov 2026 at 10:00, Springfield\nTownhall <t@x.org> wrote:\n> old",
            "Fine.",
        ),
        (
            "Vale.\n\nEl lun, 23 nov 2026 a las 10:00, Townhall (<t@x.org>) escribió:\n> hola",
            "Vale.",
        ),
        ("Fine.\n\n-----Original Message-----\nFrom: Townhall\nSent: Monday\n\nold", "Fine."),
        (
            "Fine.\n\n________________________________\nFrom: Townhall <t@x.org>\nSent: Monday, 23 November 2026 10:00\nTo: Alex\nSubject: Re\n\nold",
            "Fine.",
        ),
        ("Fine.\n\nDe: Townhall <t@x.org>\nEnviado: lunes\nPara: Alex\n\nviejo", "Fine."),
        ("Fine.\n\n-- \nAlex Park\n555-0100", "Fine."),
        ("Fine.\n\nSent from my iPhone", "Fine."),
        ("Gracias.\n\nEnviado desde mi iPhone", "Gracias."),
        ("Fine.\n> quoted\nAnd more.", "Fine.\nAnd more."),
        (
            "A line about the news: From: the park\nis fine.",
            "A line about the news: From: the park\nis fine.",
        ),
        ("> only quoted", ""),
    ],
)
def test_reply_text_keeps_only_what_was_written(text: str, expected: str) -> None:
    assert reply_text(text) == expected


def test_html_to_text_keeps_blocks_and_drops_quotes() -> None:
    html = "<p>One</p><p>Two<br>Three</p><blockquote><p>old</p></blockquote><style>p{}</style>"
    assert html_to_text(html) == "One\n\nTwo\nThree"


# --- the log ------------------------------------------------------------------------------
def test_site_administrators_read_the_log_and_nobody_else(
    citizen: Any, thing: Activity, posted: Any, site_admin: Any, sign_in_staff: Any
) -> None:
    receive(reply_mail(to=address_for(citizen, thing), sender="bea@example.org"))
    assert list(InboundEmail.objects.visible_to(citizen)) == []
    assert InboundEmail.objects.visible_to(site_admin).count() == 1
    client = sign_in_staff(site_admin)
    page = client.get("/admin/activity/inboundemail/")
    assert page.status_code == 200 and "wrong_sender" in page.content.decode()
