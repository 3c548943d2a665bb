"""Read models of conversations. Every read starts from `Thread.objects.visible_to`."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from townhall.agencies.models import StaffMembership, Team
from townhall.commitments.models import Commitment, CommitmentState

from .models import Attachment, Message, Thread


def conversations_visible_to(user: Any) -> QuerySet[Thread]:
    return Thread.objects.visible_to(user).select_related(
        "agency", "citizen", "staff__agency", "team__agency"
    )


def get_visible_conversation(pk: Any, user: Any) -> Thread:
    """The conversation, or 404 for one the user may not read (or that does not exist)."""
    return get_object_or_404(conversations_visible_to(user), pk=pk)


def conversations_started_by(user: Any) -> QuerySet[Thread]:
    return conversations_visible_to(user).filter(citizen=user).order_by("-last_message_at", "-pk")


def conversations_addressed_to(user: Any) -> QuerySet[Thread]:
    """As staff: the conversations addressed to them or to a team of theirs."""
    if user is None or not user.is_authenticated:
        return Thread.objects.none()
    return (
        conversations_visible_to(user)
        .filter(_addressed_to(user))
        .exclude(citizen=user)
        .order_by("-last_message_at", "-pk")
    )


def _addressed_to(user: Any) -> Q:
    personas = StaffMembership.objects.active().filter(user=user)
    return Q(staff__in=personas) | Q(team__in=Team.objects.filter(members__in=personas))


def conversations_of(user: Any) -> QuerySet[Thread]:
    """The caller's conversations: those they started, and those addressed to them or a
    team of theirs (unordered: the API pages them by id)."""
    if user is None or not user.is_authenticated:
        return Thread.objects.none()
    return conversations_visible_to(user).filter(Q(citizen=user) | _addressed_to(user))


def conversation_messages(thread: Thread) -> list[Message]:
    """Every message of a conversation, with what the page and the API show of it: the
    author, the staff persona and agency, the read receipt, files and earlier versions,
    in a fixed number of queries."""
    files = Attachment.objects.filter(is_internal=False).order_by("uploaded_at", "pk")
    found = list(
        Message.objects.public()
        .filter(thread=thread)
        .select_related("author", "persona__agency", "receipt__reader")
        .prefetch_related(Prefetch("attachments", queryset=files), "revisions")
        .order_by("created_at", "pk")
    )
    for message in found:
        message.thread = thread  # known already: links to the message cost no query
    return found


def conversation_promises(thread: Thread, user: Any) -> list[Commitment]:
    """The promises made in a conversation, as `user` may see them, soonest due first."""
    return list(
        Commitment.objects.visible_to(user)
        .filter(subject_type=ContentType.objects.get_for_model(Thread), subject_id=str(thread.pk))
        .select_related("made_by_persona", "holder")
        .order_by("due_at", "pk")
    )


def open_promises_to(user: Any) -> list[Commitment]:
    """The open promises staff made to `user` in conversations, soonest due first."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        Commitment.objects.visible_to(user)
        .filter(
            made_to=user,
            subject_type=ContentType.objects.get_for_model(Thread),
            state__in=(CommitmentState.OPEN, CommitmentState.BROKEN),
            done_at__isnull=True,
        )
        .select_related("holder", "made_by_persona")
        .order_by("due_at", "pk")
    )
