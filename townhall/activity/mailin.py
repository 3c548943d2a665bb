"""The inbound SMTP server for replies by email (`townhall mailin`, aiosmtpd).

It takes mail only for reply addresses (`reply+<token>@...`; any other recipient is
answered 550 at RCPT), refuses mail over MAILIN_MAX_BYTES with 552 (at MAIL FROM when the
client announces the size, else during DATA), and hands each mail to
`inbound.receive_email`. A posted reply is answered 250. A refused one is answered 550
with the reason, so the sending server bounces it back to the person with words they can
act on; bounces and auto-replies are accepted (250) and dropped, never answered. A fault
of ours (the database is down) is answered 451, so the sending server tries again later.

The server puts no TLS or authentication in front: run it behind the site's mail
exchanger, or on 127.0.0.1 as `make run` does.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from .inbound import InboundResult, is_reply_address, receive_email

logger = logging.getLogger(__name__)


def smtp_text(text: str, limit: int = 400) -> str:
    """Words fit for an SMTP reply line: ASCII, one line, not too long."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(ascii_text.split())[:limit]


def smtp_answer(result: InboundResult) -> str:
    if result.is_posted:
        return "250 2.0.0 Your reply is posted"
    if not result.tells_sender:  # duplicates, bounces and auto-replies
        return "250 2.0.0 Accepted"
    if result.reason == "too_big":
        return f"552 5.3.4 {smtp_text(result.message)}"
    return f"550 5.7.1 {smtp_text(result.message)}"


def _process(content: bytes, envelope_from: str | None, recipients: list[str]) -> InboundResult:
    close_old_connections()
    try:
        return receive_email(
            content, envelope_from=envelope_from, recipients=recipients, source="smtp"
        )
    finally:
        close_old_connections()


class ReplyMailbox:
    """aiosmtpd's handler: accepts reply addresses only, posts each mail through
    `receive_email` (in Django's thread for database work)."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not is_reply_address(address):
            return "550 5.1.1 This server takes only replies to notification emails"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        try:
            result = await sync_to_async(_process, thread_sensitive=True)(
                content, envelope.mail_from or "", list(envelope.rcpt_tos)
            )
        except Exception:  # a fault of ours (database down...): nothing was kept, retry
            logger.exception("inbound email could not be processed")
            return "451 4.3.0 Temporary failure, please try again later"
        return smtp_answer(result)


def controller(host: str | None = None, port: int | None = None) -> Controller:
    """A threaded server, not yet started (`.start()`, `.stop()`)."""
    return Controller(
        ReplyMailbox(),
        hostname=host or settings.MAILIN_HOST,
        port=port if port is not None else settings.MAILIN_PORT,
        data_size_limit=settings.MAILIN_MAX_BYTES,
        server_hostname=settings.MAILIN_DOMAIN,
        ident="Townhall mailin",
    )
