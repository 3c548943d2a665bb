"""`townhall mailin`: the real SMTP server on a local port, spoken to with smtplib the way
a sending mail server would. A stand-in handler answers for activities (see
test_inbound_email.py); conversations/tests/test_reply_by_email.py posts in real threads."""

from __future__ import annotations

import smtplib
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from townhall.activity import inbound
from townhall.activity.actions import record_activity
from townhall.activity.mailin import smtp_text
from townhall.activity.models import Activity, InboundEmail

from .mailin_server import MailinServer, mailin_server_fixture, reply_mail  # noqa: F401


@pytest.fixture
def posted(transactional_db: Any) -> Any:
    posts: list[tuple[int, int, str]] = []

    def post(*, user: Any, target: Activity, body: str, attachments: Any) -> str:
        if target.verb == "locked":
            raise ValidationError("This conversation is closed to new messages.")
        posts.append((user.pk, target.pk, body))
        return "/things/"

    inbound.register_reply_handler(Activity, post=post, can_reply=lambda user, target: True)
    yield posts
    inbound.unregister_reply_handler(Activity)


@pytest.fixture
def address(citizen: Any) -> str:
    thing = record_activity(verb="thing.replied", summary="Sam Rivera wrote", citizen=citizen)
    return f"reply+{inbound.reply_token(citizen, thing)}@127.0.0.1"


def test_a_reply_sent_by_smtp_is_posted(
    mailin_server: MailinServer, posted: Any, citizen: Any, address: str
) -> None:
    refused = mailin_server.send(
        reply_mail(to=address, sender="alex@example.org"), sender="alex@example.org", to=address
    )
    assert refused == {}
    assert [(user, text) for user, _target, text in posted] == [
        (citizen.pk, "Thanks, Friday works for me.")
    ]
    assert InboundEmail.objects.get().outcome == "posted"


def test_only_reply_addresses_are_taken(mailin_server: MailinServer, posted: Any) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        mailin_server.send(
            reply_mail(to="root@127.0.0.1", sender="alex@example.org"),
            sender="alex@example.org",
            to="root@127.0.0.1",
        )
    code, _words = refused.value.recipients["root@127.0.0.1"]
    assert code == 550
    assert posted == [] and not InboundEmail.objects.exists()


def test_wrong_sender_is_answered_550_with_the_reason(
    mailin_server: MailinServer, posted: Any, address: str
) -> None:
    with pytest.raises(smtplib.SMTPDataError) as refused:
        mailin_server.send(
            reply_mail(to=address, sender="bea@example.org"), sender="bea@example.org", to=address
        )
    assert refused.value.smtp_code == 550
    assert b"belongs to another person" in refused.value.smtp_error
    assert posted == [] and InboundEmail.objects.get().reason == "wrong_sender"


def test_a_forged_token_is_answered_550(
    mailin_server: MailinServer, posted: Any, address: str
) -> None:
    forged = address.replace("reply+", "reply+1")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        mailin_server.send(
            reply_mail(to=forged, sender="alex@example.org"), sender="alex@example.org", to=forged
        )
    assert refused.value.smtp_code == 550 and b"not valid" in refused.value.smtp_error
    assert posted == [] and InboundEmail.objects.get().reason == "bad_token"


def test_a_locked_thread_is_answered_550_and_nothing_is_posted(
    mailin_server: MailinServer, posted: Any, citizen: Any
) -> None:
    locked = record_activity(verb="locked", summary="Closed", citizen=citizen)
    to = f"reply+{inbound.reply_token(citizen, locked)}@127.0.0.1"
    with pytest.raises(smtplib.SMTPDataError) as refused:
        mailin_server.send(
            reply_mail(to=to, sender="alex@example.org"), sender="alex@example.org", to=to
        )
    assert refused.value.smtp_code == 550 and b"closed" in refused.value.smtp_error
    assert posted == [] and InboundEmail.objects.get().reason == "invalid"


def test_an_auto_reply_is_accepted_and_dropped(
    mailin_server: MailinServer, posted: Any, address: str
) -> None:
    message = reply_mail(
        to=address,
        sender="alex@example.org",
        body="I am away until Monday.",
        headers={"Auto-Submitted": "auto-replied"},
    )
    assert mailin_server.send(message, sender="alex@example.org", to=address) == {}
    assert posted == [] and InboundEmail.objects.get().reason == "auto_reply"


def test_a_bounce_with_a_null_sender_is_accepted_and_dropped(
    mailin_server: MailinServer, posted: Any, address: str
) -> None:
    message = reply_mail(to=address, sender="alex@example.org", body="Delivery failed")
    assert mailin_server.send(message, sender="", to=address) == {}
    assert posted == [] and InboundEmail.objects.get().reason == "bounce"


def test_broken_mime_gets_an_answer_not_a_crash(
    mailin_server: MailinServer, posted: Any, address: str
) -> None:
    raw = (
        f"From: alex@example.org\r\nTo: {address}\r\nContent-Type: multipart/mixed\r\n"
        "Message-ID: <broken@example.org>\r\n\r\n--nothing\r\nhello\r\n"
    ).encode()
    with pytest.raises(smtplib.SMTPDataError) as refused:
        mailin_server.send(raw, sender="alex@example.org", to=address)
    assert refused.value.smtp_code == 550
    assert posted == [] and InboundEmail.objects.get().reason == "broken"
    # The server still answers the next mail.
    mailin_server.send(
        reply_mail(to=address, sender="alex@example.org"), sender="alex@example.org", to=address
    )
    assert len(posted) == 1


def test_the_same_mail_twice_is_posted_once(
    mailin_server: MailinServer, posted: Any, address: str
) -> None:
    message = reply_mail(to=address, sender="alex@example.org", message_id="<twice@example.org>")
    mailin_server.send(message, sender="alex@example.org", to=address)
    mailin_server.send(message, sender="alex@example.org", to=address)
    assert len(posted) == 1 and InboundEmail.objects.count() == 1


FORTY_MB = 40 * 1024 * 1024


def forty_mb_mail(address: str) -> bytes:
    head = (
        f"From: alex@example.org\r\nTo: {address}\r\nSubject: photos\r\n"
        "Message-ID: <big@example.org>\r\nContent-Type: text/plain\r\n\r\n"
    ).encode()
    return head + (b"x" * 76 + b"\r\n") * (FORTY_MB // 78)


def test_a_40_mb_mail_is_refused_552_when_its_size_is_announced(
    mailin_server: MailinServer, posted: Any, address: str
) -> None:
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        mailin_server.send(forty_mb_mail(address), sender="alex@example.org", to=address)
    assert refused.value.smtp_code == 552
    assert posted == [] and not InboundEmail.objects.exists()


def test_a_40_mb_mail_is_refused_552_during_data(
    mailin_server: MailinServer, posted: Any, address: str
) -> None:
    with smtplib.SMTP("127.0.0.1", mailin_server.port, timeout=60) as client:
        client.ehlo()
        assert client.mail("alex@example.org")[0] == 250  # no SIZE announced
        assert client.rcpt(address)[0] == 250
        code, _words = client.data(forty_mb_mail(address))
    assert code == 552
    assert posted == [] and not InboundEmail.objects.exists()


def test_mailin_command_starts_and_stops(settings: Any, monkeypatch: Any) -> None:
    from django.core.management import call_command

    from townhall.activity.management.commands import mailin as command

    from .mailin_server import free_port

    class Stop:
        def wait(self) -> None:
            raise KeyboardInterrupt

        def set(self) -> None:
            pass

    monkeypatch.setattr(command, "threading", SimpleNamespace(Event=Stop))
    monkeypatch.setattr(command.signal, "signal", lambda *args: None)
    out = StringIO()
    call_command("mailin", port=free_port(), stdout=out)
    assert "Inbound mail: SMTP on 127.0.0.1:" in out.getvalue()


def test_smtp_answers_are_one_ascii_line() -> None:
    assert smtp_text("La conversación está cerrada.\nÉ") == "La conversacion esta cerrada. E"


def test_a_fault_of_ours_asks_the_sender_to_try_again_later(
    mailin_server: MailinServer, posted: Any, address: str, monkeypatch: Any
) -> None:
    from townhall.activity import mailin

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database is down")

    monkeypatch.setattr(mailin, "receive_email", broken)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        mailin_server.send(
            reply_mail(to=address, sender="alex@example.org"), sender="alex@example.org", to=address
        )
    assert refused.value.smtp_code == 451
    assert posted == []
