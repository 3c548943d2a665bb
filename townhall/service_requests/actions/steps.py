"""The steps every action on a request takes: who is acting (and as which work
persona), locking the request, checking text, moving along the transition table, keeping
or cancelling its commitments, posting to its thread and logging the Activity."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from townhall.activity.actions import notify_followers, record_activity
from townhall.activity.models import Visibility
from townhall.agencies.models import Agency, StaffMembership, StaffRole
from townhall.commitments import actions as commitment_actions
from townhall.commitments.deadlines import CalendarError
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.conversations.actions import post_message
from townhall.conversations.attachments import CheckedFile
from townhall.conversations.models import Message

from ..models import (
    FINAL_STATUSES,
    REASON_MAX_LENGTH,
    ServiceRequest,
    Status,
)

MANAGER_ROLES = frozenset({StaffRole.MANAGER, StaffRole.ADMIN})
# The commitments that measure the answer: kept by an answer or a closure, moved by pauses.
ANSWER_KINDS = (CommitmentKind.RESPOND, CommitmentKind.EXTENSION)
STANDARD_KINDS = (CommitmentKind.ACKNOWLEDGE, *ANSWER_KINDS)


def _is_authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _is_site_admin(user: Any) -> bool:
    return _is_authenticated(user) and bool(user.is_superuser)


def _persona(by: Any, agency: Agency | int) -> StaffMembership | None:
    """`by`'s active work persona in the agency, or None."""
    if not _is_authenticated(by):
        return None
    agency_id = agency if isinstance(agency, int) else agency.pk
    return (
        StaffMembership.objects.active()
        .filter(user=by, agency_id=agency_id)
        .select_related("agency")
        .first()
    )


def _require_staff(by: Any, agency: Agency, doing: str) -> StaffMembership | None:
    """The persona `by` acts as for the agency (None for a site administrator without
    one). Anyone else: PermissionDenied."""
    persona = _persona(by, agency)
    if persona is None and not _is_site_admin(by):
        raise PermissionDenied(
            _("Only staff of %(agency)s can %(doing)s.") % {"agency": agency.name, "doing": doing}
        )
    return persona


def _is_manager(by: Any, persona: StaffMembership | None) -> bool:
    return _is_site_admin(by) or (persona is not None and persona.role in MANAGER_ROLES)


def _require_manager(by: Any, agency: Agency, doing: str) -> StaffMembership | None:
    persona = _require_staff(by, agency, doing)
    if not _is_manager(by, persona):
        raise PermissionDenied(
            _("Only a manager or an administrator of %(agency)s can %(doing)s.")
            % {"agency": agency.name, "doing": doing}
        )
    return persona


def _name(by: Any, persona: StaffMembership | None) -> str:
    """How the log names who acted: the work name and title for staff."""
    if persona is not None:
        return f"{persona.public_name}, {persona.job_title},"
    if _is_site_admin(by):
        return "A site administrator"
    return str(getattr(by, "display_name", "") or "Someone")


def _staff_name(persona: StaffMembership | None, by: Any) -> str:
    """`_name` without the trailing comma, for the end of a sentence."""
    return _name(by, persona).rstrip(",")


def _visibility(request: ServiceRequest) -> str:
    return Visibility.PUBLIC if request.is_public else Visibility.PARTICIPANTS


# What the followers of a request hear of, and why they are told (a status change, an
# answer, a question to the citizen); the rest (filing, “me too”, internal notes, staff
# handing work around) is not news to them.
FOLLOWER_NEWS = {
    "request.replied": gettext_noop("New message on a request you follow"),
    "request.answered": gettext_noop("A request you follow was answered"),
    "request.clarification_requested": gettext_noop(
        "The agency asked for more information on a request you follow"
    ),
    "request.taken": gettext_noop("A request you follow is being worked on"),
    "request.closed": gettext_noop("A request you follow was closed"),
    "request.declined": gettext_noop("A request you follow was declined"),
    "request.duplicate": gettext_noop("A request you follow was marked as a duplicate"),
    "request.reopened": gettext_noop("A request you follow was reopened"),
    "request.extended": gettext_noop("The deadline of a request you follow was extended"),
    "request.promise_kept": gettext_noop("A promise on a request you follow was kept"),
}


def _record(
    request: ServiceRequest,
    *,
    verb: str,
    summary: str,
    by: Any,
    persona: StaffMembership | None = None,
    visibility: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Log the entry about the request; `at` (an action's explicit moment, for imports,
    the demo city and tests) is when it happened, else now. Followers who may read the
    entry are told of the news in `FOLLOWER_NEWS`."""
    activity = record_activity(
        verb=verb,
        summary=summary,
        visibility=visibility or _visibility(request),
        actor=by if _is_authenticated(by) else None,
        persona=persona,
        agency=request.agency,
        citizen=request.requester,
        target=request,
        occurred_at=at,
    )
    if verb in FOLLOWER_NEWS:
        notify_followers(activity, reason=_(FOLLOWER_NEWS[verb]), url=request.get_absolute_url())


def _locked(request: ServiceRequest) -> ServiceRequest:
    """The request as it is now in the database, its row locked until the transaction
    ends (so two staff acting at once see each other's change).

    The lock is taken first, on the row alone, and the request is read after: on
    PostgreSQL a row locked FOR UPDATE after waiting is re-read, but the rows joined to it
    (the assignee) are not, so one query doing both could see the new assignee's id with
    no assignee."""
    list(ServiceRequest.objects.select_for_update().filter(pk=request.pk).values_list("pk"))
    return ServiceRequest.objects.select_related(
        "service", "agency", "requester", "assignee", "assignee__agency", "team", "thread"
    ).get(pk=request.pk)


def _sync(stale: ServiceRequest, fresh: ServiceRequest) -> ServiceRequest:
    """Bring the caller's copy of a request up to date after an action changed it."""
    if stale is not fresh:
        for model_field in ServiceRequest._meta.concrete_fields:
            setattr(stale, model_field.attname, getattr(fresh, model_field.attname))
        for name in (
            "service",
            "agency",
            "requester",
            "assignee",
            "team",
            "thread",
            "duplicate_of",
        ):
            related: Any = ServiceRequest._meta.get_field(name)
            if related.is_cached(fresh):
                related.set_cached_value(stale, related.get_cached_value(fresh))
            elif related.is_cached(stale):
                related.delete_cached_value(stale)
    return fresh


def _now(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return timezone.now()
    if not isinstance(at, dt.datetime) or timezone.is_naive(at):
        raise ValueError("`at` must be an aware datetime.")
    return at


def _text(value: Any, *, field_name: str, what: str, limit: int, required: bool = True) -> str:
    """Strip a text and check it: present (when required), short enough, no NUL."""
    text = (value if isinstance(value, str) else "").strip()
    if required and not text:
        raise ValidationError({field_name: _("Write %(what)s.") % {"what": what}})
    if "\x00" in text:
        raise ValidationError(
            {
                field_name: _("The %(what)s contains a character that cannot be stored.")
                % {"what": what}
            }
        )
    if len(text) > limit:
        raise ValidationError(
            {
                field_name: _(
                    "Keep the %(what)s to %(limit)s characters or fewer (it has %(length)s)."
                )
                % {"what": what, "limit": f"{limit:,}", "length": f"{len(text):,}"}
            }
        )
    return text


def _reason(value: Any, field_name: str = "reason") -> str:
    return _text(value, field_name=field_name, what=_("reason"), limit=REASON_MAX_LENGTH)


# Words for refusals: "This request is closed; it cannot be answered now."
_MOVE_WORDS = {
    Status.ACKNOWLEDGED: gettext_noop("acknowledged"),
    Status.IN_PROGRESS: gettext_noop("reopened"),
    Status.WAITING_FOR_CITIZEN: gettext_noop("put on hold for a clarification"),
    Status.ANSWERED: gettext_noop("answered"),
    Status.CLOSED: gettext_noop("closed"),
    Status.DECLINED: gettext_noop("declined"),
    Status.DUPLICATE: gettext_noop("marked as a duplicate"),
}


def _status_words(status: str) -> str:
    """A status in a sentence: "This request is marked as a duplicate"."""
    if status == Status.DUPLICATE:
        return _("marked as a duplicate")
    return str(Status(status).label).lower()


def _check_move(request: ServiceRequest, new: str) -> None:
    """Refuse a move the transition table does not allow, saying why."""
    if request.can_move_to(new):
        return
    current = Status(request.status)
    if current == new:
        raise ValidationError(
            _("This request is already %(status)s.") % {"status": _status_words(current)}
        )
    if current == Status.DECLINED:
        message = _("This request was declined; it cannot be %(move)s.")
    elif current == Status.DUPLICATE:
        message = _("This request was marked as a duplicate; it cannot be %(move)s.")
    elif current == Status.CLOSED:
        message = _("This request is closed; reopen it before it can be %(move)s.")
    else:
        message = _("This request is %(status)s; it cannot be %(move)s now.")
    raise ValidationError(
        message % {"status": _status_words(current), "move": _(_MOVE_WORDS[Status(new)])}
    )


def _move(request: ServiceRequest, new: str, at: dt.datetime) -> list[str]:
    _check_move(request, new)
    request.status = new
    request.status_changed_at = at
    return ["status", "status_changed_at"]


def _refuse_final(request: ServiceRequest, doing: str) -> None:
    if request.status in FINAL_STATUSES:
        raise ValidationError(
            _("This request is %(status)s; it cannot be %(doing)s.")
            % {"status": _status_words(request.status), "doing": doing}
        )


def _commitments_of(request: ServiceRequest) -> Any:
    return Commitment.objects.filter(
        subject_type=ContentType.objects.get_for_model(ServiceRequest),
        subject_id=str(request.pk),
    )


def _open_commitments(request: ServiceRequest, kinds: Iterable[str]) -> list[Commitment]:
    return list(
        _commitments_of(request)
        .filter(state=CommitmentState.OPEN, kind__in=list(kinds))
        .select_related("agency", "made_to")
        .order_by("due_at", "pk")
    )


def _keep(by: Any, request: ServiceRequest, kinds: Iterable[str], at: dt.datetime) -> None:
    for commitment in _open_commitments(request, kinds):
        commitment_actions.keep_commitment(by=by, commitment=commitment, at=at)


def _cancel_open(by: Any, request: ServiceRequest, reason: str) -> None:
    for commitment in (
        _commitments_of(request)
        .filter(state=CommitmentState.OPEN)
        .select_related("agency", "made_to")
    ):
        commitment_actions.cancel_commitment(by=by, commitment=commitment, reason=reason)


def _answer_due(request: ServiceRequest) -> dt.datetime | None:
    """The due time of the open respond or extension commitment, if any."""
    return (
        _commitments_of(request)
        .filter(state=CommitmentState.OPEN, kind__in=ANSWER_KINDS)
        .order_by("-due_at")
        .values_list("due_at", flat=True)
        .first()
    )


def _end_pause(current: ServiceRequest, at: dt.datetime) -> list[str]:
    """End a pause (waiting for the citizen), if any: the answer's commitments move later
    by the working days it lasted, and `expected_at` with them. Returns the fields to save."""
    if current.paused_at is None:
        return []
    # A broken calendar must not stop the citizen's reply or the answer.
    with contextlib.suppress(CalendarError):
        commitment_actions.extend_commitments_for_pause(
            subject=current, pause_start=current.paused_at, pause_end=max(at, current.paused_at)
        )
    current.expected_at = _answer_due(current) or current.expected_at
    current.paused_at = None
    return ["paused_at", "expected_at"]


def _post(
    *,
    request: ServiceRequest,
    by: Any,
    persona: StaffMembership | None,
    body: str,
    is_internal: bool = False,
    files: Sequence[CheckedFile] = (),
    at: dt.datetime | None = None,
) -> Message:
    message = post_message(
        thread=request.thread,
        author=by,
        persona=persona,
        body=body,
        is_internal=is_internal,
        files=list(files),
    )
    if at is not None and message.created_at != at:
        Message.objects.filter(pk=message.pk).update(created_at=at)
        message.created_at = at
    return message


def _check_files(files: Sequence[Any]) -> list[Any]:
    files = list(files or ())
    limit = settings.ATTACHMENT_MAX_FILES
    if len(files) > limit:
        raise ValidationError({"files": _("Attach at most %(limit)s files.") % {"limit": limit}})
    return files
