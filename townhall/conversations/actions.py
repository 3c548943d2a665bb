"""Writing messages.

These are building blocks for the apps that own threads (service requests now;
conversations with staff and consultations later). **They do not decide who may post to a
thread, and they record no Activity**: the owner checks who may write (a request's
requester, the agency's staff...) and records its own Activity ("Sam Rivera replied"),
then calls `post_message` inside its transaction. What they do check is what holds for
every thread: a sensible body, a persona belonging to the author and to the thread's
agency, a thread open to new messages, and only the author editing a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.agencies.models import StaffMembership

from .attachments import CheckedFile, store_attachments
from .models import BODY_MAX_LENGTH, Message, Thread
from .rendering import render_markdown


def clean_body(body: Any) -> str:
    """The body as it will be saved: stripped, 1..BODY_MAX_LENGTH characters, no NUL.
    Raises ValidationError({"body": ...})."""
    if body is None:
        body = ""
    if not isinstance(body, str):
        raise ValidationError({"body": _("Write your message as text.")})
    if "\x00" in body:
        raise ValidationError({"body": _("Your message contains a NUL character; remove it.")})
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _(
                    "Your message is %(length)s characters long; messages can be at most "
                    "%(limit)s characters."
                )
                % {"length": f"{len(body):,}", "limit": f"{BODY_MAX_LENGTH:,}"}
            }
        )
    return body


def _require_open(thread: Thread) -> None:
    if thread.is_locked:
        raise ValidationError(_("This conversation is closed to new messages."))


@transaction.atomic
def post_message(
    *,
    thread: Thread,
    author: Any,
    persona: StaffMembership | None = None,
    body: str,
    is_internal: bool = False,
    files: Sequence[CheckedFile] = (),
) -> Message:
    """Add a message (and its checked files) to a thread.

    The caller has already decided that `author` may write here, as `persona` (a staff
    member writing for their agency) or as themselves (persona None), and records the
    Activity. Raises ValidationError for an empty, too long or NUL-containing body
    (`{"body": ...}`) or a locked thread; PermissionDenied for a persona that is not the
    author's or belongs to another agency than the thread's.
    """
    if author is None or not getattr(author, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to write a message."))
    if persona is not None:
        if persona.user_id != author.pk:
            raise PermissionDenied(_("You can only write as yourself."))
        if thread.agency_id is not None and persona.agency_id != thread.agency_id:
            raise PermissionDenied(
                _("You can only write here as a staff member of the agency handling it.")
            )
    body = clean_body(body)
    _require_open(thread)
    message = Message(
        thread=thread,
        author=author,
        persona=persona,
        body=body,
        body_html=render_markdown(body),
        is_internal=is_internal,
        created_at=timezone.now(),
    )
    message.save(force_insert=True)
    if files:
        store_attachments(
            thread=thread,
            message=message,
            uploaded_by=author,
            files=list(files),
            is_internal=is_internal,
        )
    return message


@transaction.atomic
def edit_message(*, by: Any, message: Message, body: str) -> Message:
    """Change the text of one's own message; it shows as edited.

    Only the author may edit (PermissionDenied otherwise), and not in a locked thread.
    The same body again changes nothing. Earlier versions are not kept yet (issue 4).
    """
    if by is None or not getattr(by, "is_authenticated", False) or by.pk != message.author_id:
        raise PermissionDenied(_("You can only edit your own messages."))
    body = clean_body(body)
    locked = Message.objects.select_for_update().select_related("thread").get(pk=message.pk)
    _require_open(locked.thread)
    if locked.body == body:
        return message
    locked.body = body
    locked.body_html = render_markdown(body)
    locked.edited_at = timezone.now()
    locked.save(update_fields=["body", "body_html", "edited_at"])
    message.body, message.body_html, message.edited_at = (
        locked.body,
        locked.body_html,
        locked.edited_at,
    )
    return message
