"""Replies by email: a signed reply-to address per person and thread, and what happens
to the mail that comes back to it.

Every notification email about something people can answer (a conversation, a request)
carries a Reply-To of `reply+<token>@MAILIN_DOMAIN`. The token names the recipient, the
object (content type and primary key) and when it was made, and is signed: a keyed HMAC
(`django.utils.crypto.salted_hmac`, the primitive under `django.core.signing`, with its
own salt, checked against SECRET_KEY and SECRET_KEY_FALLBACKS). It is lower case and
short, because an address's local part holds at most 64 characters and some mail servers
change its case; it expires after MAILIN_REPLY_DAYS.

`activity` is the lowest layer, so it cannot post in threads itself. The apps that own
threads say how a reply is posted, usually in their `AppConfig.ready()`:

    from townhall.activity.inbound import register_reply_handler

    register_reply_handler("conversations.Thread", post=post_reply, can_reply=can_reply)

`post(user=, target=, body=, attachments=)` calls the app's own action (which checks
permission, locked threads and rate limits, raising PermissionDenied or ValidationError)
and returns the link to the new message; `can_reply(user, target)` says whether the
person may answer by email at all (no Reply-To otherwise).

Mail arrives through `townhall mailin` (SMTP, `mailin.py`) or an email provider's inbound
webhook (`inbound_views.py`); both call `receive_email`. It refuses, posting nothing:
broken MIME, bounces and auto-replies, a missing, forged or expired token, a From
address that is not the token's person's, too many or too big attachments, an empty
reply, and whatever the app's action refuses. Each mail is logged as an InboundEmail row
(the outcome and why, never the body of refused mail); its Message-ID is unique, so the
same mail delivered twice is posted once.
"""

from __future__ import annotations

import base64
import hmac
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from .models import Activity, InboundEmail, InboundOutcome
from .reply_text import html_to_text, reply_text

logger = logging.getLogger(__name__)

REPLY_PREFIX = "reply+"
_SALT = "townhall.activity.inbound.reply-address"
_SIGNATURE_BYTES = 10  # 80 bits, 16 base32 characters
_CLOCK_SKEW = 300  # seconds a token may seem to come from the future

# Headers an automatic answer carries (RFC 3834 and common practice).
_AUTOMATIC_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_AUTOMATIC_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})


# --- reply addresses ----------------------------------------------------------------------
def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if number < 0:
        raise ValueError("Only positive numbers.")
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


def _signature(value: str, secret: str | bytes) -> str:
    digest = salted_hmac(_SALT, value, secret=secret, algorithm="sha256").digest()
    return base64.b32encode(digest[:_SIGNATURE_BYTES]).decode("ascii").lower()


@dataclass(frozen=True)
class ReplyToken:
    user_id: int
    target_type_id: int
    target_id: int
    issued_at: int


def reply_token(user: Any, target: models.Model, *, now: float | None = None) -> str:
    """The signed token of `user`'s reply address for `target` (an integer primary key)."""
    content_type = ContentType.objects.get_for_model(target)
    issued = int(now if now is not None else time.time())
    value = "-".join(_base36(int(part)) for part in (user.pk, content_type.pk, target.pk, issued))
    return f"{value}-{_signature(value, settings.SECRET_KEY)}"


class Refused(Exception):
    """A mail that will not be posted: `reason` is a code for the log, the message is for
    the person (it goes back to them in the SMTP answer)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def read_reply_token(token: str, *, now: float | None = None) -> ReplyToken:
    """The token's content, if its signature holds and it has not expired. Raises Refused
    ("bad_token" or "expired")."""
    forged = Refused("bad_token", _("This reply address is not valid."))
    parts = token.lower().split("-")
    if len(parts) != 5:
        raise forged
    value, signature = "-".join(parts[:4]), parts[4]
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(hmac.compare_digest(signature, _signature(value, key)) for key in secrets):
        raise forged
    try:
        user_id, type_id, target_id, issued = (int(part, 36) for part in parts[:4])
    except ValueError as error:
        raise forged from error
    current = now if now is not None else time.time()
    if issued > current + _CLOCK_SKEW:
        raise forged
    if current - issued > settings.MAILIN_REPLY_DAYS * 86400:
        raise Refused(
            "expired",
            _(
                "This reply address has expired. Answer on the website, or reply to a newer "
                "notification."
            ),
        )
    return ReplyToken(user_id, type_id, target_id, issued)


def token_of_address(address: str) -> str | None:
    """The token of `reply+<token>@domain`, or None for any other address."""
    _name, email = parseaddr(address or "")
    local, at, _domain = email.rpartition("@")
    if not at or not local.lower().startswith(REPLY_PREFIX):
        return None
    token = local[len(REPLY_PREFIX) :]
    return token or None


def is_reply_address(address: str) -> bool:
    return token_of_address(address) is not None


# --- who answers what ---------------------------------------------------------------------
@dataclass(frozen=True)
class InboundAttachment:
    """A file that came with a reply, as the sender named and typed it (the owning app
    checks its content, as it does for uploads)."""

    name: str
    content_type: str
    data: bytes = field(repr=False)


PostReply = Callable[..., str]
CanReply = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class _Answerable:
    post: PostReply
    can_reply: CanReply


_HANDLERS: dict[str, _Answerable] = {}


def _label(model: type[models.Model] | models.Model | str) -> str:
    if isinstance(model, str):
        return apps.get_model(model)._meta.label_lower
    return model._meta.label_lower


def register_reply_handler(
    model: type[models.Model] | str, *, post: PostReply, can_reply: CanReply
) -> None:
    """Let people answer notifications about objects of `model` by email (see module)."""
    _HANDLERS[_label(model)] = _Answerable(post=post, can_reply=can_reply)


def unregister_reply_handler(model: type[models.Model] | str) -> None:
    _HANDLERS.pop(_label(model), None)


def _handler_for(content_type: ContentType) -> _Answerable | None:
    return _HANDLERS.get(f"{content_type.app_label}.{content_type.model}")


def reply_address(user: Any, activity: Activity) -> str | None:
    """`user`'s signed reply-to address for the object of `activity`, or None when it
    cannot be answered by email (no handler, a non-integer key, or `user` may not)."""
    if not activity.target_type_id or not str(activity.target_id).isdigit():
        return None
    content_type = ContentType.objects.get_for_id(activity.target_type_id)
    answerable = _handler_for(content_type)
    model = content_type.model_class()
    if answerable is None or model is None:
        return None
    target = model._default_manager.filter(pk=int(activity.target_id)).first()
    if target is None or not answerable.can_reply(user, target):
        return None
    return f"{REPLY_PREFIX}{reply_token(user, target)}@{settings.MAILIN_DOMAIN}"


# --- receiving ----------------------------------------------------------------------------
@dataclass
class InboundResult:
    """What became of one mail: `outcome` is "posted", "refused" or "duplicate";
    `reason` a code (empty when posted) and `message` words for the sender."""

    outcome: str
    reason: str = ""
    message: str = ""
    url: str = ""

    @property
    def is_posted(self) -> bool:
        return self.outcome == InboundOutcome.POSTED

    @property
    def tells_sender(self) -> bool:
        """Whether the sender should hear of the refusal (an SMTP 5xx answer). Bounces and
        auto-replies are dropped quietly, so two robots never answer each other."""
        return self.outcome == InboundOutcome.REFUSED and self.reason not in (
            "bounce",
            "auto_reply",
        )


@dataclass
class _Mail:
    size: int
    source: str
    envelope_from: str | None
    recipients: list[str]
    message_id: str | None = None
    from_address: str = ""
    recipient: str = ""
    user: Any = None
    target: models.Model | None = None


def _parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


_BROKEN_DEFECTS = (
    "NoBoundaryInMultipartDefect",
    "StartBoundaryNotFoundDefect",
    "MultipartInvariantViolationDefect",
    "MissingHeaderBodySeparatorDefect",
)


def _is_broken(message: Message) -> bool:
    for part in message.walk():
        if any(type(defect).__name__ in _BROKEN_DEFECTS for defect in part.defects):
            return True
    return False


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _is_bounce(message: Message, envelope_from: str | None) -> bool:
    if envelope_from is not None:
        sender = envelope_from.strip().strip("<>").strip()
        if not sender or sender.split("@")[0].lower() in _BOUNCE_SENDERS:
            return True
    if message.get_content_type() == "multipart/report":
        return True
    _name, author = parseaddr(_header(message, "From"))
    return author.split("@")[0].lower() in _BOUNCE_SENDERS


def _is_automatic(message: Message) -> bool:
    submitted = _header(message, "Auto-Submitted").lower()
    if submitted and submitted.split(";")[0].strip() != "no":
        return True
    if any(message.get(name) is not None for name in _AUTOMATIC_HEADERS):
        return True
    return _header(message, "Precedence").lower() in _AUTOMATIC_PRECEDENCE


def _reply_recipient(message: Message, recipients: Sequence[str]) -> str:
    candidates = list(recipients)
    for name in ("Delivered-To", "X-Original-To", "To", "Cc"):
        candidates += [email for _name, email in getaddresses(message.get_all(name) or [])]
    return next((address for address in candidates if is_reply_address(address)), "")


def _may_send_as(user: Any, address: str) -> bool:
    """The From address is the person's: their account's email, or another address of
    theirs they have verified."""
    address = address.strip().lower()
    if not address:
        return False
    if address == (user.email or "").strip().lower():
        return True
    if apps.is_installed("allauth.account"):
        addresses = apps.get_model("account", "EmailAddress")
        return bool(
            addresses.objects.filter(user_id=user.pk, email__iexact=address, verified=True).exists()
        )
    return False


def _body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        content = html_to_text(content)
    return reply_text(content)


def _attachments_of(message: EmailMessage) -> list[InboundAttachment]:
    found = []
    for part in message.iter_attachments():
        if not isinstance(part, EmailMessage) or part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        name = part.get_filename()
        if disposition == "inline" and not name:
            continue  # an image embedded in the HTML (a signature's logo)
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        found.append(
            InboundAttachment(
                name=name or "attachment", content_type=part.get_content_type(), data=data
            )
        )
    return found


def _check_attachments(files: list[InboundAttachment]) -> None:
    limit = settings.ATTACHMENT_MAX_FILES
    if len(files) > limit:
        raise Refused(
            "too_many_files",
            _("Your reply has %(count)d attachments; a message can carry at most %(limit)d.")
            % {"count": len(files), "limit": limit},
        )
    for file in files:
        if len(file.data) > settings.ATTACHMENT_MAX_BYTES:
            raise Refused(
                "too_big",
                _("%(name)s is too big: files can be at most %(limit)d MB.")
                % {"name": file.name, "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            )
    if sum(len(file.data) for file in files) > settings.MAILIN_MAX_BYTES:
        raise Refused("too_big", _("Your reply is too big."))


def _language_of(user: Any) -> str:
    language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _words(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(text) for text in error.messages)
    return str(error) or _("You cannot write there.")


def _log(mail: _Mail, outcome: str, reason: str = "", detail: str = "") -> InboundEmail | None:
    """Keep the row of one mail. None when its Message-ID is already logged."""
    target = mail.target
    try:
        with transaction.atomic():
            return InboundEmail.objects.create(
                source=mail.source,
                envelope_from=(mail.envelope_from or "")[:320],
                from_address=mail.from_address[:320],
                recipient=mail.recipient[:320],
                message_id=mail.message_id,
                size=mail.size,
                user=mail.user,
                target_type=ContentType.objects.get_for_model(target) if target else None,
                target_id=str(target.pk) if target else "",
                outcome=outcome,
                reason=reason,
                detail=detail[:500],
            )
    except IntegrityError:
        return None


def _refuse(mail: _Mail, refusal: Refused) -> InboundResult:
    logger.warning(
        "inbound email refused: %s (%s) from=%r envelope_from=%r message_id=%r",
        refusal.reason,
        refusal.message,
        mail.from_address,
        mail.envelope_from,
        mail.message_id,
    )
    if _log(mail, InboundOutcome.REFUSED, refusal.reason, refusal.message) is None:
        return InboundResult(outcome="duplicate", reason="duplicate")
    return InboundResult(
        outcome=InboundOutcome.REFUSED, reason=refusal.reason, message=refusal.message
    )


def _as_bytes(message: bytes | Message) -> bytes:
    if isinstance(message, bytes | bytearray):
        return bytes(message)
    return message.as_bytes(policy=policy.SMTP)


def receive_email(
    message: bytes | Message,
    *,
    envelope_from: str | None,
    recipients: Iterable[str] = (),
    source: str = "smtp",
) -> InboundResult:
    """Take one mail (raw bytes or a parsed message) sent to a reply address and post it
    in its thread, or refuse it (see the module). Never raises for anything in the mail.

    `envelope_from` is the SMTP MAIL FROM ("" for a bounce; None when the provider did
    not say); `recipients` the RCPT TO addresses.
    """
    mail = _Mail(size=0, source=source, envelope_from=envelope_from, recipients=list(recipients))
    try:
        raw = _as_bytes(message)
        mail.size = len(raw)
        parsed = _parse(raw)
        message_id = _header(parsed, "Message-ID")[:255]
        mail.message_id = message_id or None
        mail.from_address = parseaddr(_header(parsed, "From"))[1][:320]
        mail.recipient = _reply_recipient(parsed, mail.recipients)
    except Exception:  # the email package rarely raises, but a broken mail must not
        logger.exception("inbound email could not be parsed")
        mail.message_id = None
        return _refuse(mail, Refused("broken", _("Your email could not be read.")))
    if mail.message_id and InboundEmail.objects.filter(message_id=mail.message_id).exists():
        logger.info("inbound email %r delivered again: ignored", mail.message_id)
        return InboundResult(outcome="duplicate", reason="duplicate")
    try:
        return _receive(mail, parsed)
    except Refused as refusal:
        return _refuse(mail, refusal)


def _receive(mail: _Mail, parsed: EmailMessage) -> InboundResult:
    if _is_broken(parsed):
        raise Refused("broken", _("Your email could not be read: its MIME structure is broken."))
    if _is_bounce(parsed, mail.envelope_from):
        raise Refused("bounce", _("Bounce messages are not posted."))
    if _is_automatic(parsed):
        raise Refused("auto_reply", _("Automatic replies are not posted."))
    token_text = token_of_address(mail.recipient)
    if token_text is None:
        raise Refused("no_token", _("This address takes only replies to notifications."))
    token = read_reply_token(token_text)
    user = get_user_model().objects.filter(pk=token.user_id, is_active=True).first()
    content_type = ContentType.objects.filter(pk=token.target_type_id).first()
    model = content_type.model_class() if content_type else None
    answerable = _handler_for(content_type) if content_type else None
    target = model._default_manager.filter(pk=token.target_id).first() if model else None
    mail.user, mail.target = user, target
    if user is None or target is None or answerable is None:
        raise Refused("gone", _("What this reply answers no longer exists."))
    with translation.override(_language_of(user)):
        if not _may_send_as(user, mail.from_address):
            raise Refused(
                "wrong_sender",
                _(
                    "This reply address belongs to another person. Reply from the address the "
                    "notification was sent to."
                ),
            )
        try:
            body = _body_of(parsed)
            files = _attachments_of(parsed)
        except (LookupError, ValueError, TypeError, AttributeError, AssertionError) as error:
            raise Refused("broken", _("Your email could not be read.")) from error
        _check_attachments(files)
        if not body:
            raise Refused(
                "empty",
                _("Your reply was empty once the quoted message and signature were removed."),
            )
        return _post(mail, answerable, user, target, body, files)


def _post(
    mail: _Mail,
    answerable: _Answerable,
    user: Any,
    target: models.Model,
    body: str,
    files: list[InboundAttachment],
) -> InboundResult:
    with transaction.atomic():
        row = _log(mail, InboundOutcome.POSTED)
        if row is None:
            return InboundResult(outcome="duplicate", reason="duplicate")
        try:
            with transaction.atomic():
                url = answerable.post(user=user, target=target, body=body, attachments=files)
        except PermissionDenied as error:
            refusal = Refused("not_allowed", _words(error))
        except ValidationError as error:
            refusal = Refused("invalid", _words(error))
        else:
            logger.info("inbound email %r posted at %s", mail.message_id, url)
            return InboundResult(outcome=InboundOutcome.POSTED, url=url)
        row.outcome, row.reason, row.detail = (
            InboundOutcome.REFUSED,
            refusal.reason,
            refusal.message[:500],
        )
        row.save(update_fields=["outcome", "reason", "detail"])
    logger.warning(
        "inbound email refused: %s (%s) from=%r message_id=%r",
        refusal.reason,
        refusal.message,
        mail.from_address,
        mail.message_id,
    )
    return InboundResult(
        outcome=InboundOutcome.REFUSED, reason=refusal.reason, message=refusal.message
    )
