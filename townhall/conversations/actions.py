"""Writing messages.

`post_message` and `edit_message` are building blocks for the apps that own threads
(service requests, consultations later). **They do not decide who may post to a
thread, and they record no Activity**: the owner checks who may write (a request's
requester, the agency's staff...) and records its own Activity ("Sam Rivera replied"),
then calls `post_message` inside its transaction. What they do check is what holds for
every thread: a sensible body, a persona belonging to the author and to the thread's
agency, a thread open to new messages, and only the author editing a message.

Conversations with a named staff member or a team are owned by this app: their use cases
(`start_conversation`, `reply_in_conversation`, `mark_conversation_read`, below) check
who acts, record Activity and notify the other side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.activity.actions import follow, notify, notify_followers, record_activity
from townhall.activity.models import Visibility
from townhall.agencies.models import Agency, StaffMembership, Team, memberships_of
from townhall.commitments import actions as commitment_actions
from townhall.commitments.models import DESCRIPTION_MAX_LENGTH, Commitment, CommitmentKind

from .attachments import CheckedFile, store_attachments
from .models import (
    BODY_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    Message,
    MessageRevision,
    ReadReceipt,
    Thread,
    ThreadKind,
)
from .moderation import check_rate_limit
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
    (`{"body": ...}`) or a locked thread, and `moderation.RateLimited` (a ValidationError)
    when the author, writing as themselves, has written too many messages lately;
    PermissionDenied for a persona that is not the author's or belongs to another agency
    than the thread's.
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
    if persona is None:  # floods: staff writing for their agency are not limited
        check_rate_limit(author)
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
    The same body again changes nothing. The earlier wording is kept as a revision.
    """
    if by is None or not getattr(by, "is_authenticated", False) or by.pk != message.author_id:
        raise PermissionDenied(_("You can only edit your own messages."))
    body = clean_body(body)
    locked = Message.objects.select_for_update().select_related("thread").get(pk=message.pk)
    _require_open(locked.thread)
    if locked.body == body:
        return message
    now = timezone.now()
    MessageRevision.objects.create(
        message=locked,
        body=locked.body,
        written_at=locked.edited_at or locked.created_at,
        replaced_at=now,
    )
    locked.body = body
    locked.body_html = render_markdown(body)
    locked.edited_at = now
    locked.save(update_fields=["body", "body_html", "edited_at"])
    message.body, message.body_html, message.edited_at = (
        locked.body,
        locked.body_html,
        locked.edited_at,
    )
    return message


# --- conversations with a named staff member or a team ------------------------------------

# A second identical submission within this time (a double click, a retried request) gives
# back what the first one made instead of writing it twice.
DOUBLE_SUBMIT_WINDOW = dt.timedelta(minutes=10)


def _is_authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def clean_subject(subject: Any) -> str:
    """The subject as saved: one line, 1..SUBJECT_MAX_LENGTH characters, no NUL.
    Raises ValidationError({"subject": ...})."""
    if subject is None:
        subject = ""
    if not isinstance(subject, str):
        raise ValidationError({"subject": _("Write the subject as text.")})
    if "\x00" in subject:
        raise ValidationError({"subject": _("The subject contains a NUL character; remove it.")})
    subject = " ".join(subject.split())
    if not subject:
        raise ValidationError({"subject": _("Say in a few words what it is about.")})
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise ValidationError(
            {
                "subject": _("Keep the subject to %(limit)s characters or fewer.")
                % {"limit": SUBJECT_MAX_LENGTH}
            }
        )
    return subject


def _check_files(files: Sequence[CheckedFile]) -> list[CheckedFile]:
    files = list(files or ())
    limit = settings.ATTACHMENT_MAX_FILES
    if len(files) > limit:
        raise ValidationError({"files": _("Attach at most %(limit)s files.") % {"limit": limit}})
    return files


def check_promise(promise: Any, promise_due_at: Any) -> tuple[str, dt.datetime | None]:
    """A promise typed with a reply: its words and an aware due time in the future, or
    nothing at all. Raises ValidationError({"promise" or "promise_due_at": ...})."""
    text = " ".join(promise.split()) if isinstance(promise, str) else ""
    if not text and promise_due_at is None:
        return "", None
    if not text:
        raise ValidationError({"promise": _("Say in words what you promise, or remove the date.")})
    if len(text) > DESCRIPTION_MAX_LENGTH:
        raise ValidationError(
            {
                "promise": _("Keep the promise to %(limit)s characters or fewer.")
                % {"limit": DESCRIPTION_MAX_LENGTH}
            }
        )
    if "\x00" in text:
        raise ValidationError({"promise": _("The promise contains a NUL character; remove it.")})
    if promise_due_at is None:
        raise ValidationError({"promise_due_at": _("Give the date by which you promise it.")})
    if not isinstance(promise_due_at, dt.datetime) or timezone.is_naive(promise_due_at):
        raise ValidationError(
            {"promise_due_at": _("Give the promised time as a date and time with a time zone.")}
        )
    if promise_due_at <= timezone.now():
        raise ValidationError({"promise_due_at": _("A promise must be due in the future.")})
    return text, promise_due_at


def addressee_name(thread: Thread) -> str:
    """Whom the citizen wrote to: "Sam Rivera, Road Maintenance Supervisor" or a team."""
    if thread.staff_id is not None:
        staff = thread.staff
        return f"{staff.public_name}, {staff.job_title}"  # type: ignore[union-attr]
    if thread.team_id is not None:
        return _("the %(team)s team") % {"team": thread.team.name}  # type: ignore[union-attr]
    return ""


def _addressed_people(thread: Thread) -> list[Any]:
    """The accounts a citizen's message in this conversation is for: the addressed staff
    member, or every active member of the addressed team, and any other staff member who
    has written in it."""
    personas = StaffMembership.objects.active().select_related("user")
    rule = Q(pk__in=Message.objects.filter(thread=thread, persona__isnull=False).values("persona"))
    if thread.kind == ThreadKind.DIRECT:
        rule |= Q(pk=thread.staff_id)
    else:
        rule |= Q(teams=thread.team_id)
    return [membership.user for membership in personas.filter(rule).distinct()]


def is_addressee(persona: StaffMembership | None, thread: Thread) -> bool:
    """Is this work persona the one the conversation is addressed to (the named staff
    member, or a member of the named team)?"""
    if persona is None or not persona.is_active or persona.agency_id != thread.agency_id:
        return False
    if thread.kind == ThreadKind.DIRECT:
        return persona.pk == thread.staff_id
    return thread.team_id is not None and persona.teams.filter(pk=thread.team_id).exists()


def answering_persona(user: Any, thread: Thread) -> StaffMembership | None:
    """The work persona `user` writes with in this conversation (their active membership
    of its agency), or None when they write as the citizen or are not its staff."""
    if not _is_authenticated(user) or thread.citizen_id == user.pk:
        return None
    if thread.agency_id is None:
        return None
    return memberships_of(user).filter(agency_id=thread.agency_id).first()


@transaction.atomic
def start_conversation(
    *,
    by: Any,
    subject: str,
    body: str,
    staff: StaffMembership | None = None,
    team: Team | None = None,
    files: Sequence[CheckedFile] = (),
) -> Thread:
    """A citizen writes to a named staff member (with a public profile) or to a team of a
    published agency. The conversation is private to them and the agency's people who
    answer it; the addressed people are notified.

    Raises PermissionDenied for a visitor or staff of the addressed agency (who work with
    it through the inbox, not as a citizen), ValidationError for neither or both of
    `staff` and `team`, an unknown or unpublished addressee, oneself as addressee, or a
    bad subject or body. The same conversation sent again within a few minutes (a double
    submit) gives back the first one.
    """
    if not _is_authenticated(by):
        raise PermissionDenied(_("Sign in to start a conversation."))
    if (staff is None) == (team is None):
        raise ValidationError({"staff": _("Choose one staff member or one team to write to.")})
    agency: Agency
    if staff is not None:
        found = StaffMembership.objects.public().select_related("agency").filter(pk=staff.pk)
        staff = found.first()
        if staff is None:
            raise ValidationError(
                {"staff": _("There is no staff member with that public profile.")}
            )
        if staff.user_id == by.pk:
            raise ValidationError({"staff": _("You cannot start a conversation with yourself.")})
        agency, kind = staff.agency, ThreadKind.DIRECT
    else:
        assert team is not None
        team = (
            Team.objects.select_related("agency")
            .filter(pk=team.pk, agency__is_published=True)
            .first()
        )
        if team is None:
            raise ValidationError({"team": _("There is no such team.")})
        agency, kind = team.agency, ThreadKind.TEAM
    if memberships_of(by).filter(agency=agency).exists():
        # Personas are kept apart (decision 0016): not a citizen in one's own agency's queue.
        raise PermissionDenied(
            _(
                "You work for %(agency)s, so you cannot write to its staff or teams as a "
                "citizen. Reach your colleagues through the inbox or your agency's own "
                "channels."
            )
            % {"agency": agency.name}
        )
    subject = clean_subject(subject)
    body = clean_body(body)
    files = _check_files(files)
    now = timezone.now()
    earlier = (
        Thread.objects.filter(
            citizen=by,
            staff=staff,
            team=team,
            title=subject,
            created_at__gte=now - DOUBLE_SUBMIT_WINDOW,
            messages__body=body,
        )
        .order_by("-pk")
        .first()
    )
    if earlier is not None:
        return earlier
    thread = Thread.objects.create(
        kind=kind,
        agency=agency,
        title=subject,
        citizen=by,
        staff=staff,
        team=team,
        created_at=now,
        last_message_at=now,
    )
    post_message(thread=thread, author=by, body=body, files=files)
    follow(by=by, target=thread)  # the citizen hears of answers, even from other staff
    activity = record_activity(
        verb="conversation.started",
        summary=f"{by.display_name} wrote to {addressee_name(thread)}",
        visibility=Visibility.PARTICIPANTS,
        actor=by,
        agency=agency,
        citizen=by,
        target=thread,
        occurred_at=now,
    )
    notify(
        recipients=_addressed_people(thread),
        activity=activity,
        reason=_("A citizen wrote to you") if staff else _("A citizen wrote to your team"),
        url=thread.get_absolute_url(),
    )
    return thread


@transaction.atomic
def reply_in_conversation(
    *,
    by: Any,
    thread: Thread,
    body: str,
    files: Sequence[CheckedFile] = (),
    promise: str | None = None,
    promise_due_at: dt.datetime | None = None,
) -> Message:
    """Write in a conversation: the citizen as themselves, staff of its agency who may read
    it signed with their work persona. A staff reply may carry a promise (`promise` and an
    aware `promise_due_at`): a custom commitment held by the replying staff member, made to
    the citizen. The other side is notified.

    Raises PermissionDenied for anyone who may not read the conversation, a citizen
    making a promise, or a citizen who has since become staff of its agency; ValidationError for a bad body or promise, or a locked thread. The
    same message sent again within a few minutes gives back the first one.
    """
    if not _is_authenticated(by):
        raise PermissionDenied(_("Sign in to write a message."))
    if not Thread.objects.visible_to(by).filter(pk=thread.pk).exists():
        raise PermissionDenied(_("You cannot write in this conversation."))
    current = (
        Thread.objects.select_for_update(of=("self",))
        .select_related("agency", "citizen", "staff", "team")
        .get(pk=thread.pk)
    )
    persona = answering_persona(by, current)
    if current.citizen_id != by.pk and persona is None:
        raise PermissionDenied(_("Only staff of the agency can answer this conversation."))
    if current.citizen_id == by.pk and memberships_of(by).filter(agency=current.agency_id).exists():
        # Started before they joined the agency: not a citizen in their own agency's queue.
        raise PermissionDenied(
            _(
                "You now work for %(agency)s, so you cannot write in this conversation as a "
                "citizen. Ask a colleague to answer it."
            )
            % {"agency": current.agency.name if current.agency else ""}
        )
    if persona is None and (promise or promise_due_at):
        raise PermissionDenied(_("Only staff can make promises."))
    text, due = check_promise(promise, promise_due_at)
    body = clean_body(body)
    files = _check_files(files)
    now = timezone.now()
    last = current.messages.order_by("-created_at", "-pk").first()
    if (
        last is not None
        and last.author_id == by.pk
        and last.body == body
        and last.created_at >= now - DOUBLE_SUBMIT_WINDOW
    ):
        return last
    message = post_message(thread=current, author=by, persona=persona, body=body, files=files)
    current.last_message_at = message.created_at
    current.save(update_fields=["last_message_at"])
    name = persona.public_name if persona is not None else by.display_name
    activity = record_activity(
        verb="conversation.replied",
        summary=f"{name} wrote in a conversation",
        visibility=Visibility.PARTICIPANTS,
        actor=by,
        persona=persona,
        agency=current.agency,
        citizen=current.citizen,
        target=current,
        occurred_at=message.created_at,
    )
    if text and due is not None:
        commitment_actions.make_commitment(
            by=by,
            agency=current.agency,  # type: ignore[arg-type]
            kind=CommitmentKind.CUSTOM,
            due_at=due,
            made_to=current.citizen,
            subject=current,
            team=current.team,
            description=text,
            is_public=False,
            held_by_maker=True,
        )
    if persona is None:
        recipients, reason = _addressed_people(current), _("The citizen wrote again")
    else:
        recipients, reason = [current.citizen], _("You have an answer")
    notify(
        recipients=[person for person in recipients if person.pk != by.pk],
        activity=activity,
        reason=reason,
        url=message.get_absolute_url(),
    )
    notify_followers(
        activity,
        reason=_("New message in a conversation you follow"),
        url=message.get_absolute_url(),
    )
    return message


@transaction.atomic
def mark_conversation_read(*, by: Any, thread: Thread) -> int:
    """The addressed staff member (or a member of the addressed team) opens the
    conversation: the citizen's messages not yet read get a read receipt naming them.
    Anyone else reading changes nothing. Returns how many receipts were made."""
    persona = answering_persona(by, thread)
    if not is_addressee(persona, thread):
        return 0
    assert persona is not None
    unread = Message.objects.filter(
        thread=thread, author_id=thread.citizen_id, persona__isnull=True, receipt__isnull=True
    ).values_list("pk", flat=True)
    now = timezone.now()
    receipts = [ReadReceipt(message_id=pk, reader=persona, read_at=now) for pk in unread]
    ReadReceipt.objects.bulk_create(receipts, ignore_conflicts=True)
    return len(receipts)


@transaction.atomic
def keep_conversation_promise(*, by: Any, thread: Thread, commitment: Commitment) -> Commitment:
    """The staff member says a promise made in this conversation is done: kept if on time,
    else counted as broken and done late (`commitments.actions.keep_commitment`). The
    citizen is told. Raises PermissionDenied for anyone but the agency's staff who may
    read the conversation, ValidationError for a promise of another conversation."""
    persona = answering_persona(by, thread)
    if persona is None or not Thread.objects.visible_to(by).filter(pk=thread.pk).exists():
        raise PermissionDenied(_("Only the agency's staff can keep its promises."))
    if commitment.subject_type_id != ContentType.objects.get_for_model(Thread).pk or str(
        commitment.subject_id
    ) != str(thread.pk):
        raise ValidationError(_("This promise belongs to another conversation."))
    kept = commitment_actions.keep_commitment(by=by, commitment=commitment)
    activity = record_activity(
        verb="conversation.promise_kept",
        summary=f"{persona.public_name} says the promise “{kept.description}” is done",
        visibility=Visibility.PARTICIPANTS,
        actor=by,
        persona=persona,
        agency=thread.agency,
        citizen=thread.citizen,
        target=thread,
    )
    notify(
        recipients=[thread.citizen],
        activity=activity,
        reason=_("A promise made to you is done"),
        url=thread.get_absolute_url(),
    )
    return kept
