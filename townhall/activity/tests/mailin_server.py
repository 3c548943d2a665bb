"""The real inbound SMTP server on a free local port, and mail to send to it. Used by the
tests of every app that takes replies by email (import `mailin_server_fixture`, then ask
for `mailin_server`)."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from typing import Any

import pytest

from townhall.activity import mailin


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MailinServer:
    def __init__(self, port: int) -> None:
        self.port = port

    def send(
        self, message: EmailMessage | bytes, *, sender: str, to: str
    ) -> dict[str, tuple[int, bytes]]:
        """Send like a mail server would; raises smtplib's errors for refusals."""
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as client:
            # As a mail server sends it: CRLF line ends (smtplib leaves bytes as they are).
            data = message if isinstance(message, bytes) else message.as_bytes(policy=SMTP)
            return client.sendmail(sender, [to], data)


@pytest.fixture(name="mailin_server")
def mailin_server_fixture(transactional_db: Any, settings: Any) -> Iterator[MailinServer]:
    """`townhall mailin`'s server, threaded, on a free port (the database is committed,
    since the server works in another thread)."""
    port = free_port()
    server = mailin.controller("127.0.0.1", port)
    server.start()
    try:
        yield MailinServer(port)
    finally:
        server.stop()


def reply_mail(
    *,
    to: str,
    sender: str,
    body: str = "Thanks, Friday works for me.",
    subject: str = "Re: [Springfield Townhall] Sam Rivera wrote in a conversation",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    message_id: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="example.org")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, content_type, data in attachments:
        main, sub = content_type.split("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return message
