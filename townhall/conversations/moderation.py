"""Moderation after the fact: who moderates, the use cases, and how moderated messages show.

Nothing waits for approval. Afterwards:

- anyone who may read a message (and did not write it) may **flag** it with a reason,
  once (`flag_message`);
- a **moderator** of the thread's agency (an active staff membership marked
  `is_moderator`), or a site-wide moderator (permission
  `conversations.moderate_everywhere`; site administrators have it), may **hide** a
  message with a public reason, **restore** it, **dismiss** its flags, or **lock** /
  **unlock** its thread. Each hide, restore, lock and unlock is an entry of the agency's
  public moderation log (`ModerationEntry`), signed with the moderator's work name (site
  moderators: their display name);
- the author is told when their message is hidden and may **appeal** once; a moderator
  **decides** the appeal (restore, or keep it hidden) and the author is told.

Hidden messages are never deleted: their author and the moderators still read them; others
read "Hidden by moderator Lee Chen: personal data" in their place (`prepare_messages`).

Floods: `check_rate_limit` (called by `actions.post_message`) refuses more than
`MESSAGES_PER_MINUTE` / `MESSAGES_PER_HOUR` messages written by one account as itself.
New accounts: until an author's first message has stood for a day, their links are shown
as plain text (`authors_with_plain_links`, `rendering.links_as_text`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.activity.actions import notify, record_activity
from townhall.activity.models import Activity, Visibility
from townhall.agencies.models import StaffMembership

from .models import Message, Thread, ThreadKind
from .moderation_models import (
    APPEAL_MAX_LENGTH,
    FLAG_REASON_MAX_LENGTH,
    PUBLIC_REASON_MAX_LENGTH,
    Appeal,
    AppealBase,
    AppealOutcome,
    Flag,
    FlagCategory,
    FlagState,
    ModerationAction,
    ModerationEntry,
)
from .registry import owned_kinds
from .rendering import links_as_text

SITE_MODERATOR_PERMISSION = "conversations.moderate_everywhere"
# An author's links show as plain text until their first message has stood this long.
NEW_ACCOUNT_LINK_DELAY = dt.timedelta(days=1)

AppealT = TypeVar("AppealT", bound=AppealBase)


class RateLimited(ValidationError):
    """Too many messages from one account in a short time."""


# --- who moderates ------------------------------------------------------------------------


@dataclass(frozen=True)
class Moderator:
    """Someone acting as a moderator: with their work persona (an agency's moderator) or
    as a site-wide moderator (persona None)."""

    user: Any
    persona: StaffMembership | None

    @property
    def name(self) -> str:
        if self.persona is not None:
            return self.persona.public_name
        return str(getattr(self.user, "display_name", "") or self.user)


def _is_signed_in(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def is_site_moderator(user: Any) -> bool:
    return _is_signed_in(user) and bool(user.has_perm(SITE_MODERATOR_PERMISSION))


def moderator_personas(user: Any) -> QuerySet[StaffMembership]:
    """The active staff memberships through which `user` moderates an agency."""
    if not _is_signed_in(user):
        return StaffMembership.objects.none()
    return StaffMembership.objects.active().filter(user=user, is_moderator=True)


def moderator_for(user: Any, agency_id: int | None) -> Moderator | None:
    """How `user` moderates threads of this agency: as its moderator (their persona), as a
    site-wide moderator, or not at all (None)."""
    if not _is_signed_in(user):
        return None
    if agency_id is not None:
        persona = (
            moderator_personas(user).filter(agency_id=agency_id).select_related("agency").first()
        )
        if persona is not None:
            return Moderator(user=user, persona=persona)
    if is_site_moderator(user):
        return Moderator(user=user, persona=None)
    return None


def is_moderator(user: Any) -> bool:
    """Does `user` moderate anything (an agency, or everything)?"""
    return is_site_moderator(user) or moderator_personas(user).exists()


def moderated_agency_ids(user: Any) -> list[int] | None:
    """The agencies `user` moderates: None for a site-wide moderator (every agency), else
    the agencies of their moderator memberships (empty for anyone else)."""
    if is_site_moderator(user):
        return None
    return list(moderator_personas(user).values_list("agency_id", flat=True))


def moderated_scope(agency_ids: list[int] | None, path: str = "thread__agency") -> Q:
    """A filter on the agency reached through `path`, for `moderated_agency_ids`' answer."""
    if agency_ids is None:
        return Q()
    return Q(**{f"{path}__in": agency_ids})


def _require_moderator(by: Any, thread: Thread) -> Moderator:
    moderator = moderator_for(by, thread.agency_id)
    if moderator is None:
        raise PermissionDenied(_("Only a moderator of this agency can do this."))
    return moderator


# --- reading --------------------------------------------------------------------------------


def flaggable_messages(user: Any) -> QuerySet[Message]:
    """The messages `user` may read in conversations and public discussions (not internal
    notes): the ones they may flag, unless they wrote them. Nothing for visitors."""
    if not _is_signed_in(user):
        return Message.objects.none()
    readable = Thread.objects.visible_to(user).values("pk").order_by()
    discussions = Thread.objects.discussions_visible_to(user).values("pk").order_by()
    rule = Q(thread__in=readable) | Q(thread__in=discussions)
    # Threads other apps own (a request's replies): their own rule says who reads them.
    for kind, owned in owned_kinds().items():
        rule |= Q(thread__kind=kind, thread__in=owned.readable(user))
    return Message.objects.public().filter(rule)


def hidden_notice(entry: ModerationEntry | None) -> str:
    """What others read in place of a hidden message."""
    if entry is None:
        return _("Hidden by a moderator.")
    return _("Hidden by moderator %(name)s: %(reason)s") % {
        "name": entry.moderator_name,
        "reason": entry.reason,
    }


def latest_hide_entries(message_ids: Iterable[int]) -> dict[int, ModerationEntry]:
    """For each of these messages, the entry that last hid it (one query)."""
    ids = list(message_ids)
    if not ids:
        return {}
    found: dict[int, ModerationEntry] = {}
    entries = ModerationEntry.objects.filter(message_id__in=ids, action=ModerationAction.HIDE)
    for entry in entries.order_by("message_id", "-created_at", "-pk"):
        assert entry.message_id is not None
        found.setdefault(entry.message_id, entry)
    return found


def authors_with_plain_links(author_ids: Iterable[int]) -> set[int]:
    """Of these authors, those whose links show as plain text: no message of theirs (not
    hidden) has stood for a day yet. One query for a whole page."""
    ids = set(author_ids)
    if not ids:
        return set()
    cutoff = timezone.now() - NEW_ACCOUNT_LINK_DELAY
    established = set(
        Message.objects.filter(author_id__in=ids, created_at__lte=cutoff, is_hidden=False)
        .order_by()
        .values_list("author_id", flat=True)
        .distinct()
    )
    return ids - established


def _fresh_authors(messages: list[Message]) -> set[int]:
    """Authors (writing as themselves) with no message on this page older than a day:
    only they may still be new accounts."""
    cutoff = timezone.now() - NEW_ACCOUNT_LINK_DELAY
    writers = {m.author_id for m in messages if m.persona_id is None}
    seasoned = {
        m.author_id
        for m in messages
        if m.persona_id is None and m.created_at <= cutoff and not m.is_hidden
    }
    return writers - seasoned


def prepare_messages(messages: list[Message], *, user: Any, thread: Thread) -> None:
    """`prepare_messages_of_agency` for the messages of `thread`."""
    prepare_messages_of_agency(messages, user=user, agency_id=thread.agency_id)


def prepare_messages_of_agency(
    messages: list[Message], *, user: Any, agency_id: int | None
) -> None:
    """Set what a page or the API shows of each message of one thread held by the agency
    `agency_id`, as `user` may see it, in a fixed number of queries:

    - `display_html`: the body to show (links as plain text for a new account's messages;
      empty for a hidden message `user` may not read);
    - `hidden_notice`: "Hidden by moderator Lee Chen: personal data", for hidden ones;
    - `can_see_hidden`: `user` wrote it or moderates it;
    - `may_flag`: `user` is signed in, did not write it, and it is not hidden;
    - `may_appeal` / `shown_appeal`: the author's appeal, or the chance to make one.
    """
    signed_in = _is_signed_in(user)
    plain = authors_with_plain_links(_fresh_authors(messages))
    hidden_ids = [m.pk for m in messages if m.is_hidden]
    # Who moderates matters only for hidden messages: no query when there are none.
    moderator = moderator_for(user, agency_id) if signed_in and hidden_ids else None
    entries = latest_hide_entries(hidden_ids)
    appeals: dict[int, Appeal] = {}
    if hidden_ids and signed_in:
        appeals = {a.message_id: a for a in Appeal.objects.filter(message_id__in=hidden_ids)}
    for message in messages:
        is_author = signed_in and message.author_id == user.pk
        can_see = bool(message.is_hidden and (is_author or moderator is not None))
        html = message.body_html
        if message.persona_id is None and message.author_id in plain:
            html = links_as_text(html)
        if message.is_hidden and not can_see:
            html = ""
        message.display_html = html  # type: ignore[attr-defined]
        message.can_see_hidden = can_see  # type: ignore[attr-defined]
        message.hidden_notice = (  # type: ignore[attr-defined]
            hidden_notice(entries.get(message.pk)) if message.is_hidden else ""
        )
        message.may_flag = bool(  # type: ignore[attr-defined]
            signed_in and not is_author and not message.is_hidden
        )
        message.shown_appeal = appeals.get(message.pk) if can_see else None  # type: ignore[attr-defined]
        message.may_appeal = bool(  # type: ignore[attr-defined]
            message.is_hidden and is_author and message.pk not in appeals
        )


# --- checks shared by the use cases ---------------------------------------------------------


def _clean_text(value: Any, *, field: str, limit: int, missing: str) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Write it as text.")})
    if "\x00" in value:
        raise ValidationError({field: _("It contains a NUL character; remove it.")})
    value = value.strip()
    if not value:
        raise ValidationError({field: missing})
    if len(value) > limit:
        raise ValidationError(
            {
                field: _("It is %(length)s characters long; at most %(limit)s are allowed.")
                % {"length": f"{len(value):,}", "limit": f"{limit:,}"}
            }
        )
    return value


def clean_public_reason(reason: Any) -> str:
    """A moderator's public reason: one line, 1..PUBLIC_REASON_MAX_LENGTH characters."""
    text = _clean_text(
        reason,
        field="reason",
        limit=PUBLIC_REASON_MAX_LENGTH,
        missing=_("Give the public reason, such as “personal data”."),
    )
    return " ".join(text.split())


def check_rate_limit(author: Any) -> None:
    """Refuse a message from an account that has written too many as itself lately: more
    than `MESSAGES_PER_MINUTE` in the last minute or `MESSAGES_PER_HOUR` in the last hour.

    Called inside the posting transaction. The author's account row is locked first, so
    that simultaneous posts by one account are counted one after another (PostgreSQL);
    SQLite runs one writing transaction at a time anyway. Raises RateLimited.
    """
    user_model = get_user_model()
    list(user_model._default_manager.select_for_update().filter(pk=author.pk).values("pk"))
    now = timezone.now()
    minute_ago = now - dt.timedelta(minutes=1)
    counts = Message.objects.filter(
        author_id=author.pk, persona__isnull=True, created_at__gt=now - dt.timedelta(hours=1)
    ).aggregate(hour=Count("pk"), minute=Count("pk", filter=Q(created_at__gt=minute_ago)))
    per_minute = settings.MESSAGES_PER_MINUTE
    per_hour = settings.MESSAGES_PER_HOUR
    if counts["minute"] >= per_minute:
        raise RateLimited(
            _(
                "You have written %(count)s messages in the last minute, the most allowed. "
                "Wait a minute, then send it again."
            )
            % {"count": counts["minute"]},
            code="rate_limited",
        )
    if counts["hour"] >= per_hour:
        raise RateLimited(
            _(
                "You have written %(count)s messages in the last hour, the most allowed. "
                "Wait a while, then send it again."
            )
            % {"count": counts["hour"]},
            code="rate_limited",
        )


def _check_flag_limit(by: Any) -> None:
    """Refuse a report from an account that made `FLAGS_PER_HOUR` in the last hour, so a
    flood of reports cannot bury the queue. The account row is locked first, as for
    messages, so simultaneous reports are counted one after another."""
    user_model = get_user_model()
    list(user_model._default_manager.select_for_update().filter(pk=by.pk).values("pk"))
    since = timezone.now() - dt.timedelta(hours=1)
    made = Flag.objects.filter(flagged_by_id=by.pk, created_at__gt=since).count()
    if made >= settings.FLAGS_PER_HOUR:
        raise RateLimited(
            _(
                "You have reported %(count)s messages in the last hour, the most allowed. "
                "The moderators will look at them; wait a while before reporting more."
            )
            % {"count": made},
            code="rate_limited",
        )


def _activity_visibility(thread: Thread) -> str:
    return Visibility.PUBLIC if thread.kind == ThreadKind.DISCUSSION else Visibility.PARTICIPANTS


def _log(
    *,
    action: str,
    moderator: Moderator,
    thread: Thread,
    message: Message | None,
    reason: str,
    at: dt.datetime,
) -> ModerationEntry:
    return ModerationEntry.objects.create(
        action=action,
        thread=thread,
        message=message,
        agency_id=thread.agency_id,
        moderator=moderator.user,
        persona=moderator.persona,
        moderator_name=moderator.name[:120],
        reason=reason,
        created_at=at,
    )


def _locked_message(message: Message) -> Message:
    return (
        Message.objects.select_for_update(of=("self",))
        .select_related("thread", "author")
        .get(pk=message.pk)
    )


# --- use cases ------------------------------------------------------------------------------


@transaction.atomic
def flag_message(
    *, by: Any, message: Message, reason: str, category: str = FlagCategory.OTHER
) -> Flag:
    """Ask the moderators to look at a message, saying why. Once per person and message.

    Raises PermissionDenied for a visitor or a message `by` may not read; ValidationError
    for a missing or too long reason, an unknown category, one's own message, a message
    already hidden, or a second flag by the same person (nothing is stored then).
    """
    if not _is_signed_in(by):
        raise PermissionDenied(_("Sign in to report a message."))
    found = flaggable_messages(by).filter(pk=message.pk).select_related("thread").first()
    if found is None:
        raise PermissionDenied(_("You cannot report this message."))
    if category not in FlagCategory.values:
        raise ValidationError({"category": _("Choose what kind of problem it is.")})
    reason = _clean_text(
        reason,
        field="reason",
        limit=FLAG_REASON_MAX_LENGTH,
        missing=_("Say what is wrong with this message."),
    )
    if found.author_id == by.pk:
        raise ValidationError(_("You cannot report your own message."))
    if found.is_hidden:
        raise ValidationError(_("A moderator has already hidden this message."))
    _check_flag_limit(by)
    already = _("You have already reported this message; the moderators will look at it.")
    if Flag.objects.filter(message=found, flagged_by=by).exists():
        raise ValidationError(already, code="duplicate")
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                message=found, flagged_by=by, category=category, reason=reason
            )
    except IntegrityError as error:  # the same report sent twice at once
        raise ValidationError(already, code="duplicate") from error
    record_activity(
        verb="moderation.flagged",
        summary=f"{by.display_name} reported a message ({category})",
        visibility=Visibility.INTERNAL,
        actor=by,
        agency=found.thread.agency,
        target=found.thread,
    )
    return flag


@transaction.atomic
def hide_message(*, by: Any, message: Message, reason: str) -> ModerationEntry:
    """A moderator hides a message with a public reason. Its open flags are resolved, the
    public log gets an entry, and the author is told (and may appeal).

    Raises PermissionDenied for anyone but a moderator of the thread's agency (or a
    site-wide one); ValidationError for a missing or too long reason, an internal note,
    or a message already hidden.
    """
    current = _locked_message(message)
    moderator = _require_moderator(by, current.thread)
    reason = clean_public_reason(reason)
    if current.is_internal:
        raise ValidationError(_("Internal notes are not moderated."))
    if current.is_hidden:
        raise ValidationError(_("This message is already hidden."))
    now = timezone.now()
    entry = _set_hidden(
        by=by, moderator=moderator, current=current, hidden=True, reason=reason, at=now
    )
    message.is_hidden = True
    Flag.objects.open().filter(message=current).update(
        state=FlagState.HIDDEN, resolved_by=by, resolved_at=now
    )
    return entry


def _set_hidden(
    *,
    by: Any,
    moderator: Moderator,
    current: Message,
    hidden: bool,
    reason: str,
    at: dt.datetime,
) -> ModerationEntry:
    """Hide or show `current` (locked): the public log's entry, the activity, and the
    author told (with where to appeal, or where the message is again)."""
    current.is_hidden = hidden
    current.save(update_fields=["is_hidden"])
    entry = _log(
        action=ModerationAction.HIDE if hidden else ModerationAction.RESTORE,
        moderator=moderator,
        thread=current.thread,
        message=current,
        reason=reason,
        at=at,
    )
    thread = current.thread
    done = "Hidden" if hidden else "Restored"
    activity = record_activity(
        verb="moderation.hidden" if hidden else "moderation.restored",
        summary=f"{done} by moderator {moderator.name}: {reason}",
        visibility=_activity_visibility(thread),
        actor=by,
        persona=moderator.persona,
        agency=thread.agency,
        citizen=thread.citizen,
        target=thread,
        occurred_at=at,
    )
    if current.author_id != by.pk:
        if hidden:
            told = _("A moderator hid your message: %(reason)s")
            url = reverse("moderation:appeal-new", kwargs={"message_pk": current.pk})
        else:
            told = _("A moderator restored your message: %(reason)s")
            url = current.get_absolute_url()
        notify(
            recipients=[current.author],
            activity=activity,
            reason=told % {"reason": reason},
            url=url,
        )
    return entry


@transaction.atomic
def restore_message(*, by: Any, message: Message, reason: str) -> ModerationEntry:
    """A moderator shows a hidden message again, with a public reason; the author is told.

    Raises PermissionDenied for anyone but a moderator; ValidationError for a missing
    reason or a message that is not hidden. A pending appeal of it is settled as restored.
    """
    current = _locked_message(message)
    moderator = _require_moderator(by, current.thread)
    reason = clean_public_reason(reason)
    if not current.is_hidden:
        raise ValidationError(_("This message is not hidden."))
    now = timezone.now()
    entry = _set_hidden(
        by=by, moderator=moderator, current=current, hidden=False, reason=reason, at=now
    )
    Appeal.objects.filter(message=current, outcome=AppealOutcome.PENDING).update(
        outcome=AppealOutcome.RESTORED,
        decided_by=by,
        decided_by_name=moderator.name[:120],
        decision=reason,
        decided_at=now,
    )
    message.is_hidden = False
    return entry


@transaction.atomic
def dismiss_flags(*, by: Any, message: Message) -> int:
    """A moderator finds nothing wrong: the message's open flags are closed, the message
    stays. Returns how many were closed. Raises PermissionDenied for anyone but a
    moderator; ValidationError when there is no open flag."""
    current = _locked_message(message)
    moderator = _require_moderator(by, current.thread)
    closed = (
        Flag.objects.open()
        .filter(message=current)
        .update(state=FlagState.DISMISSED, resolved_by=by, resolved_at=timezone.now())
    )
    if not closed:
        raise ValidationError(_("There are no open reports about this message."))
    record_activity(
        verb="moderation.flags_dismissed",
        summary=f"{moderator.name} dismissed {closed} report(s) about a message",
        visibility=Visibility.INTERNAL,
        actor=by,
        persona=moderator.persona,
        agency=current.thread.agency,
        target=current.thread,
    )
    return closed


def _set_lock(*, by: Any, thread: Thread, locked: bool, reason: str) -> ModerationEntry:
    current = Thread.objects.select_for_update(of=("self",)).get(pk=thread.pk)
    moderator = _require_moderator(by, current)
    if locked:
        reason = clean_public_reason(reason)
    else:
        reason = " ".join(str(reason or "").split())[:PUBLIC_REASON_MAX_LENGTH]
    if current.is_locked == locked:
        raise ValidationError(
            _("This thread is already locked.") if locked else _("This thread is not locked.")
        )
    now = timezone.now()
    current.is_locked = locked
    current.save(update_fields=["is_locked"])
    thread.is_locked = locked
    entry = _log(
        action=ModerationAction.LOCK if locked else ModerationAction.UNLOCK,
        moderator=moderator,
        thread=current,
        message=None,
        reason=reason,
        at=now,
    )
    record_activity(
        verb="moderation.locked" if locked else "moderation.unlocked",
        summary=(
            f"Locked by moderator {moderator.name}: {reason}"
            if locked
            else f"Unlocked by moderator {moderator.name}"
        ),
        visibility=_activity_visibility(current),
        actor=by,
        persona=moderator.persona,
        agency=current.agency,
        citizen=current.citizen,
        target=current,
        occurred_at=now,
    )
    return entry


@transaction.atomic
def lock_thread(*, by: Any, thread: Thread, reason: str) -> ModerationEntry:
    """A moderator closes a thread to new messages, with a public reason. Raises
    PermissionDenied for anyone but a moderator; ValidationError for a missing reason or
    a thread already locked."""
    return _set_lock(by=by, thread=thread, locked=True, reason=reason)


@transaction.atomic
def unlock_thread(*, by: Any, thread: Thread, reason: str = "") -> ModerationEntry:
    """A moderator opens a locked thread again (the reason is optional)."""
    return _set_lock(by=by, thread=thread, locked=False, reason=reason)


@transaction.atomic
def appeal_message(*, by: Any, message: Message, text: str) -> Appeal:
    """The author of a hidden message asks the moderators to restore it (once). The
    agency's moderators are told.

    Raises PermissionDenied for anyone but the author; ValidationError for a message that
    is not hidden, a missing or too long text, or a second appeal.
    """
    if not _is_signed_in(by):
        raise PermissionDenied(_("Sign in to appeal."))
    current = _locked_message(message)
    if current.author_id != by.pk:
        raise PermissionDenied(_("Only the author of a message can appeal its hiding."))
    if not current.is_hidden:
        raise ValidationError(_("This message is not hidden."))
    text = _clean_text(
        text,
        field="text",
        limit=APPEAL_MAX_LENGTH,
        missing=_("Say why the message should be shown again."),
    )
    appeal = store_appeal(
        Appeal,
        author=by,
        text=text,
        already=_("You have already appealed; a message can be appealed once."),
        message=current,
    )
    thread = current.thread
    activity = record_activity(
        verb="moderation.appealed",
        summary=f"{by.display_name} appealed the hiding of a message",
        visibility=Visibility.PARTICIPANTS,
        actor=by,
        agency=thread.agency,
        citizen=by,
        target=thread,
    )
    tell_moderators(
        agency_id=thread.agency_id,
        activity=activity,
        reason=_("An author appealed the hiding of their message"),
        url=reverse("moderation:queue") + "#appeals",
        but=by,
    )
    return appeal


@transaction.atomic
def decide_appeal(*, by: Any, appeal: Appeal, restore: bool, decision: str) -> Appeal:
    """A moderator settles an appeal: the message is restored (with `decision` as the
    public reason) or stays hidden. The author is told either way.

    Raises PermissionDenied for anyone but a moderator of the thread's agency;
    ValidationError for a missing decision or an appeal already decided.
    """
    current = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("message__thread", "message__author")
        .get(pk=appeal.pk)
    )
    moderator = _require_moderator(by, current.message.thread)
    decision = clean_public_reason(decision)
    if not current.is_pending:
        raise ValidationError(_("This appeal has already been decided."))
    now = timezone.now()
    message = _locked_message(current.message)
    if restore and message.is_hidden:
        _set_hidden(
            by=by, moderator=moderator, current=message, hidden=False, reason=decision, at=now
        )
    current.settle(by=by, moderator_name=moderator.name, restore=restore, decision=decision, at=now)
    thread = message.thread
    activity = record_activity(
        verb="moderation.appeal_decided",
        summary=f"{moderator.name} decided an appeal: {current.get_outcome_display()}",
        visibility=Visibility.PARTICIPANTS,
        actor=by,
        persona=moderator.persona,
        agency=thread.agency,
        citizen=message.author,
        target=thread,
        occurred_at=now,
    )
    if message.author_id != by.pk:
        tell_appeal_decided(
            author=message.author,
            activity=activity,
            restore=restore,
            decision=decision,
            url=reverse("moderation:appeal-new", kwargs={"message_pk": message.pk}),
        )
    appeal.outcome = current.outcome
    return current


def store_appeal(
    model: type[AppealT], *, author: Any, text: str, already: str, **appealed: Any
) -> AppealT:
    """Store the one appeal of what `appealed` names (`message=…`, `comment=…`), inside
    the caller's transaction. Raises ValidationError (code "duplicate", saying `already`)
    for a second appeal, also when two arrive at once; nothing is stored then."""
    if model._default_manager.filter(**appealed).exists():
        raise ValidationError(already, code="duplicate")
    try:
        with transaction.atomic():
            return model._default_manager.create(author=author, text=text, **appealed)
    except IntegrityError as error:  # the same appeal sent twice at once
        raise ValidationError(already, code="duplicate") from error


def tell_moderators(
    *, agency_id: int | None, activity: Activity, reason: str, url: str, but: Any
) -> None:
    """Tell the active moderators of an agency (none when there is no agency) about
    `activity`, except `but`, the account that did it."""
    if agency_id is None:
        return
    moderators = StaffMembership.objects.active().filter(agency_id=agency_id, is_moderator=True)
    notify(
        recipients=[m.user for m in moderators.select_related("user") if m.user_id != but.pk],
        activity=activity,
        reason=reason,
        url=url,
    )


def tell_appeal_decided(
    *, author: Any, activity: Activity, restore: bool, decision: str, url: str
) -> None:
    """Tell the author of a hidden message or comment what became of their appeal."""
    notify(
        recipients=[author],
        activity=activity,
        reason=(
            _("Your appeal was accepted: %(decision)s")
            if restore
            else _("Your appeal was refused: %(decision)s")
        )
        % {"decision": decision},
        url=url,
    )
