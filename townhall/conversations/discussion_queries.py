"""Read models of public discussions. Every read starts from
`Thread.objects.discussions_visible_to` (public discussions are readable by everyone)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.shortcuts import get_object_or_404

from .discussions import can_see_linked
from .models import Message, Reaction, ReactionKind, Thread


def discussions_visible_to(user: Any) -> QuerySet[Thread]:
    """Discussions `user` may read, newest activity first, with their agency and the
    number of messages (one query for a page of them)."""
    return (
        Thread.objects.discussions_visible_to(user)
        .select_related("agency")
        .annotate(
            message_count=Count(
                "messages", filter=Q(messages__is_internal=False, messages__is_hidden=False)
            )
        )
        .order_by("-last_message_at", "-pk")
    )


def get_visible_discussion(pk: Any, user: Any) -> Thread:
    """The discussion, or 404 for one that does not exist or `user` may not read."""
    found = Thread.objects.discussions_visible_to(user).select_related("agency", "link_type")
    return get_object_or_404(found, pk=pk)


def _messages_shown(user: Any) -> QuerySet[Message]:
    """Public messages with what pages and the API show of them: the author, the staff
    persona and agency, `helpful_count` and `marked_helpful` (by `user`)."""
    signed_in = user is not None and user.is_authenticated
    return (
        Message.objects.public()
        .select_related("author", "persona__agency")
        .annotate(
            helpful_count=Count("reactions", filter=Q(reactions__kind=ReactionKind.HELPFUL)),
            marked_helpful=Exists(
                Reaction.objects.filter(
                    message=OuterRef("pk"), user_id=user.pk, kind=ReactionKind.HELPFUL
                )
            )
            if signed_in
            else Value(False),
        )
    )


def discussion_message(thread: Thread, pk: Any, user: Any) -> Message:
    """One message of the discussion as shown (404 if it is not one of its messages)."""
    message = get_object_or_404(_messages_shown(user).filter(thread=thread), pk=pk)
    message.thread = thread
    return message


def discussion_messages(thread: Thread, user: Any) -> list[Message]:
    """Every public message of a discussion, oldest first, as `_messages_shown`, with
    `thread_replies` set on top-level messages (one level) — in one query whatever the
    length."""
    found = list(_messages_shown(user).filter(thread=thread).order_by("created_at", "pk"))
    by_pk = {message.pk: message for message in found}
    for message in found:
        message.thread = thread  # known already: links to the message cost no query
        message.thread_replies = []  # type: ignore[attr-defined]
    for message in found:
        parent = by_pk.get(message.parent_id) if message.parent_id else None
        if parent is not None:
            parent.thread_replies.append(message)  # type: ignore[attr-defined]
    return found


def top_level(messages: list[Message]) -> list[Message]:
    """The messages that are not replies, in order (their replies hang under them)."""
    by_pk = {message.pk for message in messages}
    return [m for m in messages if m.parent_id is None or m.parent_id not in by_pk]


def linked_object(thread: Thread, user: Any) -> Any:
    """What the discussion is linked to, when `user` may see it (else None)."""
    if thread.link_type_id is None or not thread.link_id:
        return None
    model = thread.link_type.model_class()  # type: ignore[union-attr]
    if model is None:
        return None
    target = model._default_manager.filter(pk=thread.link_id).first()
    return target if can_see_linked(user, target) else None
