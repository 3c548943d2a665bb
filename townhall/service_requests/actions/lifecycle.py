"""Closing, reopening, declining, duplicates and FOI extensions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.commitments import actions as commitment_actions
from townhall.commitments.deadlines import CalendarError
from townhall.commitments.models import REASON_MAX_LENGTH as COMMITMENT_REASON_MAX_LENGTH
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.commitments.queries import calendar_for

from ..models import (
    FINAL_STATUSES,
    REASON_MAX_LENGTH,
    REOPEN_WITHIN_DAYS,
    ServiceRequest,
    Status,
    Support,
)
from .steps import (
    STANDARD_KINDS,
    _cancel_open,
    _check_move,
    _commitments_of,
    _end_pause,
    _is_authenticated,
    _keep,
    _locked,
    _move,
    _name,
    _now,
    _reason,
    _record,
    _require_staff,
    _status_words,
    _sync,
    _text,
)


@transaction.atomic
def close_request(
    *, by: Any, request: ServiceRequest, note: str = "", at: dt.datetime | None = None
) -> ServiceRequest:
    """Close the request: staff when the work is done (open acknowledge and respond
    commitments are kept, or counted broken when late), or the requester withdrawing it.
    `note` (optional) is shown to the public."""
    when = _now(at)
    current = _locked(request)
    is_requester = _is_authenticated(by) and current.requester_id == by.pk
    persona = None if is_requester else _require_staff(by, current.agency, _("close its requests"))
    note = _text(note, field_name="note", what=_("note"), limit=REASON_MAX_LENGTH, required=False)
    _check_move(current, Status.CLOSED)
    pause = _end_pause(current, when)
    if is_requester:
        commitment_actions.release_commitments(
            subject=current, reason="The requester withdrew the request.", at=at
        )
    else:
        _keep(by, current, STANDARD_KINDS, when)
    fields = [*_move(current, Status.CLOSED, when), *pause]
    current.closed_at = when
    if note:
        current.status_reason = note
    current.save(update_fields=[*fields, "closed_at", "status_reason"])
    if is_requester:
        summary = f"{by.display_name} withdrew this request"
    else:
        summary = f"{_name(by, persona)} closed this request"
    _record(
        current,
        verb="request.closed",
        summary=f"{summary}: {note}" if note else summary,
        by=by,
        persona=persona,
        at=at,
    )
    return _sync(request, current)


@transaction.atomic
def reopen_request(
    *, by: Any, request: ServiceRequest, reason: str, at: dt.datetime | None = None
) -> ServiceRequest:
    """The requester or staff reopen an answered or closed request, within
    REOPEN_WITHIN_DAYS of its answer or closure, giving a public reason: in progress."""
    when = _now(at)
    current = _locked(request)
    is_requester = _is_authenticated(by) and current.requester_id == by.pk
    persona = None if is_requester else _require_staff(by, current.agency, _("reopen requests"))
    reason = _reason(reason)
    if current.status not in (Status.ANSWERED, Status.CLOSED):
        if current.status in FINAL_STATUSES:
            _check_move(current, Status.IN_PROGRESS)
        raise ValidationError(
            _("This request is %(status)s, not answered or closed; there is nothing to reopen.")
            % {"status": _status_words(current.status)}
        )
    ended = current.closed_at if current.status == Status.CLOSED else current.answered_at
    ended = ended or current.status_changed_at
    if when - ended > dt.timedelta(days=REOPEN_WITHIN_DAYS):
        raise ValidationError(
            _(
                "This request can no longer be reopened: that is possible for %(days)s days "
                "after it was answered or closed. File a new request instead."
            )
            % {"days": REOPEN_WITHIN_DAYS}
        )
    fields = _move(current, Status.IN_PROGRESS, when)
    current.closed_at = None
    current.status_reason = reason
    current.save(update_fields=[*fields, "closed_at", "status_reason"])
    who = by.display_name if is_requester else _name(by, persona)
    _record(
        current,
        verb="request.reopened",
        summary=f"{who} reopened this request: {reason}",
        by=by,
        persona=persona,
        at=at,
    )
    return _sync(request, current)


@transaction.atomic
def decline_request(*, by: Any, request: ServiceRequest, reason: str) -> ServiceRequest:
    """Staff decline the request with a public reason; its open commitments are cancelled
    with that reason."""
    current = _locked(request)
    persona = _require_staff(by, current.agency, _("decline its requests"))
    reason = _reason(reason)
    _check_move(current, Status.DECLINED)
    now = timezone.now()
    _cancel_open(by, current, reason[:COMMITMENT_REASON_MAX_LENGTH])
    fields = _move(current, Status.DECLINED, now)
    current.status_reason = reason
    current.closed_at = now
    current.paused_at = None
    current.save(update_fields=[*fields, "status_reason", "closed_at", "paused_at"])
    _record(
        current,
        verb="request.declined",
        summary=f"{_name(by, persona)} declined this request: {reason}",
        by=by,
        persona=persona,
    )
    return _sync(request, current)


def _merge_followers(duplicate: ServiceRequest, original: ServiceRequest) -> int:
    """The duplicate's requester and supporters support the original (a public one)."""
    if not original.is_public:
        return 0
    people = {duplicate.requester_id, *duplicate.supports.values_list("user_id", flat=True)}
    people.discard(original.requester_id)
    already = set(original.supports.filter(user_id__in=people).values_list("user_id", flat=True))
    new = [Support(request=original, user_id=user_id) for user_id in sorted(people - already)]
    Support.objects.bulk_create(new, ignore_conflicts=True)
    added = original.supports.filter(user_id__in=[s.user_id for s in new]).count()
    if added:
        ServiceRequest.objects.filter(pk=original.pk).update(
            supporter_count=F("supporter_count") + added
        )
    return added


@transaction.atomic
def mark_duplicate(
    *, by: Any, request: ServiceRequest, original: ServiceRequest, note: str = ""
) -> ServiceRequest:
    """Staff mark the request as a duplicate of another request of the same agency. Its
    requester and supporters follow the original (when the original is public); its open
    commitments are cancelled."""
    if original.pk == request.pk:
        raise ValidationError({"original": _("A request cannot be a duplicate of itself.")})
    list(
        ServiceRequest.objects.select_for_update()
        .filter(pk__in=(request.pk, original.pk))
        .order_by("pk")
        .values_list("pk")
    )
    locked = {
        row.pk: row
        for row in ServiceRequest.objects.select_related(
            "service", "agency", "requester", "assignee", "team"
        ).filter(pk__in=(request.pk, original.pk))
    }
    current, target = locked[request.pk], locked[original.pk]
    persona = _require_staff(by, current.agency, _("mark its requests as duplicates"))
    note = _text(note, field_name="note", what=_("note"), limit=REASON_MAX_LENGTH, required=False)
    if target.agency_id != current.agency_id:
        raise ValidationError(
            {
                "original": _("Choose a request held by %(agency)s.")
                % {"agency": current.agency.name}
            }
        )
    if target.status == Status.DUPLICATE:
        raise ValidationError(
            {
                "original": _(
                    "%(reference)s is itself a duplicate; choose the request it duplicates."
                )
                % {"reference": target.reference}
            }
        )
    _check_move(current, Status.DUPLICATE)
    now = timezone.now()
    _cancel_open(by, current, f"Duplicate of {target.reference}")
    fields = _move(current, Status.DUPLICATE, now)
    current.duplicate_of = target
    current.status_reason = note or f"Duplicate of {target.reference}"
    current.closed_at = now
    current.paused_at = None
    current.save(update_fields=[*fields, "duplicate_of", "status_reason", "closed_at", "paused_at"])
    _merge_followers(current, target)
    summary = f"{_name(by, persona)} marked this request as a duplicate of {target.reference}"
    _record(
        current,
        verb="request.duplicate",
        summary=f"{summary}: {note}" if note else summary,
        by=by,
        persona=persona,
    )
    return _sync(request, current)


@transaction.atomic
def extend_deadline(*, by: Any, request: ServiceRequest, reason: str) -> Commitment:
    """Extend the answer's deadline once, as the law allows for FOI requests
    (`service.extension_working_days` > 0): the respond commitment is renegotiated with a
    public reason into an `extension` commitment due that many working days after the
    old due date."""
    current = _locked(request)
    persona = _require_staff(by, current.agency, _("extend its deadlines"))
    reason = _reason(reason)[:COMMITMENT_REASON_MAX_LENGTH]
    days = current.service.extension_working_days
    if days <= 0:
        raise ValidationError(
            _("“%(service)s” has no extension: its deadline cannot be extended.")
            % {"service": current.service.name}
        )
    if current.is_extended:
        raise ValidationError(_("This request's deadline was already extended once."))
    if not current.is_open:
        raise ValidationError(
            _("This request is %(status)s; only an open request's deadline can be extended.")
            % {"status": _status_words(current.status)}
        )
    respond = (
        _commitments_of(current)
        .filter(
            kind=CommitmentKind.RESPOND,
            state__in=(CommitmentState.OPEN, CommitmentState.BROKEN),
            replaced_by__isnull=True,
        )
        .select_related("agency", "made_to")
        .order_by("-due_at")
        .first()
    )
    if respond is None:
        raise ValidationError(_("This request has no open answer deadline to extend."))
    try:
        calendar = calendar_for(current.agency)
        new_due = calendar.end_of_day(
            calendar.add_working_days(calendar.local_date(respond.due_at), days)
        )
    except CalendarError as error:
        raise ValidationError(str(error)) from error
    extension = commitment_actions.renegotiate_commitment(
        by=by,
        commitment=respond,
        new_due_at=new_due,
        reason=reason,
        kind=CommitmentKind.EXTENSION,
    )
    current.is_extended = True
    current.expected_at = extension.due_at
    current.save(update_fields=["is_extended", "expected_at"])
    _record(
        current,
        verb="request.extended",
        summary=f"{_name(by, persona)} extended the deadline by {days} working days: {reason}",
        by=by,
        persona=persona,
    )
    _sync(request, current)
    return extension
