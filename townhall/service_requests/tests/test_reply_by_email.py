"""Replying by email on a request: through the real inbound SMTP server, the requester's
reply and a staff reply land on the request's thread through `reply_to_request`; a closed
request and people who may not write there are refused with nothing posted."""

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
from townhall.conversations.models import Message
from townhall.service_requests import actions
from townhall.service_requests.inbound import can_reply
from townhall.service_requests.models import ServiceRequest


@pytest.fixture
def request_(transactional_db: Any, foi_service: Any, citizen: Any) -> ServiceRequest:
    return actions.file_request(
        by=citizen, service=foi_service, description="All road repair contracts for 2025."
    )


def address(user: Any, request: ServiceRequest) -> str:
    return f"reply+{inbound.reply_token(user, request)}@localhost"


def test_requester_and_staff_reply_by_email_on_the_request(
    mailin_server: MailinServer, request_: ServiceRequest, citizen: Any, staff_member: Any
) -> None:
    to = address(staff_member.user, request_)
    mailin_server.send(
        reply_mail(to=to, sender="sam@example.org", body="We are gathering them."),
        sender="sam@example.org",
        to=to,
    )
    to = address(citizen, request_)
    mailin_server.send(
        reply_mail(to=to, sender="alex@example.org", body="Thanks!\n\n> We are gathering"),
        sender="alex@example.org",
        to=to,
    )
    messages = list(Message.objects.filter(thread=request_.thread).order_by("pk"))
    assert [(m.author, m.persona, m.body) for m in messages[-2:]] == [
        (staff_member.user, staff_member, "We are gathering them."),
        (citizen, None, "Thanks!"),
    ]
    request_.refresh_from_db()
    assert request_.status == "acknowledged"  # the staff reply acknowledged it, as on the site


def test_a_closed_request_refuses_email_replies(
    mailin_server: MailinServer, request_: ServiceRequest, citizen: Any, staff_member: Any
) -> None:
    actions.decline_request(by=staff_member.user, request=request_, reason="Not ours")
    to = address(citizen, request_)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        mailin_server.send(
            reply_mail(to=to, sender="alex@example.org", body="Why?"),
            sender="alex@example.org",
            to=to,
        )
    assert refused.value.smtp_code == 550 and b"replies are closed" in refused.value.smtp_error
    assert not Message.objects.filter(body="Why?").exists()
    assert InboundEmail.objects.get().reason == "invalid"


def test_another_citizen_and_other_agencies_staff_cannot_reply(
    mailin_server: MailinServer, request_: ServiceRequest, citizen2: Any, other_staff: Any
) -> None:
    assert not can_reply(citizen2, request_) and not can_reply(other_staff.user, request_)
    for person in (citizen2, other_staff.user):
        to = address(person, request_)
        with pytest.raises(smtplib.SMTPDataError):
            mailin_server.send(
                reply_mail(to=to, sender=person.email, body="Me too"),
                sender=person.email,
                to=to,
            )
    assert not Message.objects.filter(body="Me too").exists()
    assert list(InboundEmail.objects.values_list("reason", flat=True)) == [
        "not_allowed",
        "not_allowed",
    ]
