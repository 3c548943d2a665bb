"""Replies by email to conversations and public discussions (`activity.inbound`).

A reply to a notification about a conversation is posted with `reply_in_conversation`,
a reply about a public discussion with `post_in_discussion` (as a new message of the
discussion), exactly as if the person had written on the site: the same permission
checks, locked threads, rate limits, and the files checked like uploads. A request's
replies are posted by `service_requests`, which owns who may write there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from townhall.activity.inbound import InboundAttachment, register_reply_handler

from .actions import answering_persona, reply_in_conversation
from .attachments import CheckedFile, check_uploads
from .discussions import post_in_discussion
from .models import Message, Thread


def checked_files(attachments: Sequence[InboundAttachment]) -> list[CheckedFile]:
    """The files of an email, checked like uploads (raises ValidationError)."""
    return check_uploads(
        [
            SimpleUploadedFile(item.name, item.data, content_type=item.content_type)
            for item in attachments
        ]
    )


def can_reply(user: Any, thread: Thread) -> bool:
    if user is None or not user.is_active:
        return False
    if thread.is_conversation:
        if not Thread.objects.visible_to(user).filter(pk=thread.pk).exists():
            return False
        return thread.citizen_id == user.pk or answering_persona(user, thread) is not None
    if thread.is_discussion:
        return Thread.objects.discussions_visible_to(user).filter(pk=thread.pk).exists()
    return False


def post_reply(
    *, user: Any, target: Thread, body: str, attachments: Sequence[InboundAttachment] = ()
) -> str:
    """Post an emailed reply in `target`; returns the link to the new message."""
    if target.is_conversation:
        message = reply_in_conversation(
            by=user, thread=target, body=body, files=checked_files(attachments)
        )
    elif target.is_discussion:
        if attachments:
            raise ValidationError(_("Public discussions take no attachments."))
        message = post_in_discussion(by=user, thread=target, body=body)
    else:
        raise PermissionDenied(_("Answer this on the website."))
    return message.get_absolute_url()


def can_reply_to_message(user: Any, message: Message) -> bool:
    """A message of a public discussion is answered under it (its top-level message)."""
    return (
        message.thread.is_discussion and not message.is_internal and can_reply(user, message.thread)
    )


def post_reply_to_message(
    *, user: Any, target: Message, body: str, attachments: Sequence[InboundAttachment] = ()
) -> str:
    """Post an emailed answer to a discussion message as a reply to it (nested one level,
    as on the website); returns the link to the new message."""
    if not target.thread.is_discussion:
        raise PermissionDenied(_("Answer this on the website."))
    if attachments:
        raise ValidationError(_("Public discussions take no attachments."))
    message = post_in_discussion(by=user, thread=target.thread, body=body, parent=target)
    return message.get_absolute_url()


def register() -> None:
    register_reply_handler(Thread, post=post_reply, can_reply=can_reply)
    register_reply_handler(Message, post=post_reply_to_message, can_reply=can_reply_to_message)
