"""The conversation on a request: replies (with promises), internal notes,
clarifications (the clock stops) and the answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.activity.models import Visibility
from townhall.agencies.models import memberships_of
from townhall.commitments import actions as commitment_actions
from townhall.commitments.models import CommitmentKind
from townhall.conversations.attachments import CheckedFile
from townhall.conversations.models import Message

from ..models import (
    FINAL_STATUSES,
    ServiceRequest,
    Status,
)
from .steps import (
    STANDARD_KINDS,
    _check_files,
    _check_move,
    _end_pause,
    _is_authenticated,
    _keep,
    _locked,
    _move,
    _name,
    _now,
    _post,
    _record,
    _require_staff,
    _status_words,
    _sync,
)


def _check_promise(
    promise: str | None, promise_due_at: dt.datetime | None
) -> tuple[str, dt.datetime | None]:
    text = (promise if isinstance(promise, str) else "").strip()
    if not text and promise_due_at is None:
        return "", None
    if not text:
        raise ValidationError({"promise": _("Say in words what you promise, or remove the date.")})
    if promise_due_at is None:
        raise ValidationError({"promise_due_at": _("Give the date by which you promise it.")})
    if not isinstance(promise_due_at, dt.datetime) or timezone.is_naive(promise_due_at):
        raise ValidationError(
            {"promise_due_at": _("Give the promised time as a date and time with a time zone.")}
        )
    if promise_due_at <= timezone.now():
        raise ValidationError({"promise_due_at": _("A promise must be due in the future.")})
    return text, promise_due_at


def _resume(current: ServiceRequest, at: dt.datetime) -> list[str]:
    """The citizen answered a clarification: the clock runs again, later by the working
    days it stood still."""
    return [*_move(current, Status.IN_PROGRESS, at), *_end_pause(current, at)]


@transaction.atomic
def reply_to_request(
    *,
    by: Any,
    request: ServiceRequest,
    body: str,
    files: Sequence[CheckedFile] = (),
    promise: str | None = None,
    promise_due_at: dt.datetime | None = None,
    at: dt.datetime | None = None,
) -> Message:
    """Reply on a request's thread.

    The requester replies as themselves; when the agency was waiting for them the request
    resumes (in progress) and the respond commitment moves later by the working days the
    clock stood still. Staff reply signed with their work persona: the first staff reply
    keeps the acknowledge commitment and moves a submitted request to acknowledged;
    `promise` with an aware `promise_due_at` records an explicit promise (a custom
    commitment, public when the request is). Replies to a closed, declined or duplicate
    request are refused.
    """
    when = _now(at)
    current = _locked(request)
    is_requester = _is_authenticated(by) and current.requester_id == by.pk
    if is_requester:
        persona = None
        if promise or promise_due_at:
            raise PermissionDenied(_("Only staff can make promises on a request."))
        if memberships_of(by).filter(agency_id=current.agency_id).exists():
            # Personas are kept apart (decision 0016): not a citizen in one's own queue.
            raise PermissionDenied(
                _(
                    "This request is in your own agency's queue: you cannot reply to it as a "
                    "citizen. Ask a colleague to handle it."
                )
            )
    else:
        persona = _require_staff(by, current.agency, _("reply to this request"))
    if current.status in FINAL_STATUSES:
        raise ValidationError(
            _("This request is %(status)s; replies are closed. Reopen it or file a new request.")
            % {"status": _status_words(current.status)}
        )
    files = _check_files(files)
    if is_requester:
        message = _post(request=current, by=by, persona=None, body=body, files=files, at=at)
        resumed = current.status == Status.WAITING_FOR_CITIZEN
        if resumed:
            current.save(update_fields=_resume(current, when))
            summary = f"{by.display_name} replied; the request is in progress again"
        else:
            summary = f"{by.display_name} replied"
        _record(current, verb="request.replied", summary=summary, by=by, at=at)
        if resumed:  # a status change of its own, for those who watch statuses (webhooks)
            _record(current, verb="request.resumed", summary="In progress again", by=by, at=at)
        _sync(request, current)
        return message
    text, due = _check_promise(promise, promise_due_at)
    message = _post(request=current, by=by, persona=persona, body=body, files=files, at=at)
    _keep(by, current, (CommitmentKind.ACKNOWLEDGE,), when)
    acknowledged = current.status == Status.SUBMITTED
    if acknowledged:
        fields = _move(current, Status.ACKNOWLEDGED, when)
        current.save(update_fields=fields)
    _record(
        current,
        verb="request.replied",
        summary=f"{_name(by, persona)} replied",
        by=by,
        persona=persona,
        at=at,
    )
    if acknowledged:  # the first reply acknowledges: a status change of its own
        _record(
            current,
            verb="request.acknowledged",
            summary=f"Acknowledged by {_name(by, persona)}",
            by=by,
            persona=persona,
            at=at,
        )
    if text and due is not None:
        commitment_actions.make_commitment(
            by=by,
            agency=current.agency,
            kind=CommitmentKind.CUSTOM,
            due_at=due,
            made_to=current.requester,
            subject=current,
            team=current.team,
            description=text,
            is_public=current.is_public,
            at=at,
        )
    _sync(request, current)
    return message


@transaction.atomic
def add_internal_note(
    *, by: Any, request: ServiceRequest, body: str, files: Sequence[CheckedFile] = ()
) -> Message:
    """An internal note: seen by the agency's staff only, never the citizen or the public."""
    current = _locked(request)
    persona = _require_staff(by, current.agency, _("write internal notes"))
    message = _post(
        request=current,
        by=by,
        persona=persona,
        body=body,
        is_internal=True,
        files=_check_files(files),
    )
    _record(
        current,
        verb="request.noted",
        summary=f"{_name(by, persona)} added an internal note",
        by=by,
        persona=persona,
        visibility=Visibility.STAFF,
    )
    return message


@transaction.atomic
def request_clarification(
    *, by: Any, request: ServiceRequest, body: str, at: dt.datetime | None = None
) -> Message:
    """Staff ask the citizen something: the request waits for them and the clock stops
    (`paused_at`) until they reply. Counts as a staff reply (keeps acknowledge)."""
    when = _now(at)
    current = _locked(request)
    persona = _require_staff(by, current.agency, _("ask for a clarification"))
    _check_move(current, Status.WAITING_FOR_CITIZEN)
    message = _post(request=current, by=by, persona=persona, body=body, at=at)
    _keep(by, current, (CommitmentKind.ACKNOWLEDGE,), when)
    fields = _move(current, Status.WAITING_FOR_CITIZEN, when)
    current.paused_at = when
    current.save(update_fields=[*fields, "paused_at"])
    commitment_actions.pause_commitments(subject=current, at=when)
    _record(
        current,
        verb="request.clarification_requested",
        summary=f"{_name(by, persona)} asked the requester for more information; "
        "the clock is paused until they reply",
        by=by,
        persona=persona,
        at=at,
    )
    _sync(request, current)
    return message


@transaction.atomic
def answer_request(
    *,
    by: Any,
    request: ServiceRequest,
    body: str,
    files: Sequence[CheckedFile] = (),
    at: dt.datetime | None = None,
) -> Message:
    """Staff answer the request: it becomes answered, and the respond (or extension)
    commitment is kept — or counted broken and done late when past due — as is the
    acknowledge commitment if still open."""
    when = _now(at)
    current = _locked(request)
    persona = _require_staff(by, current.agency, _("answer its requests"))
    _check_move(current, Status.ANSWERED)
    message = _post(
        request=current, by=by, persona=persona, body=body, files=_check_files(files), at=at
    )
    pause = _end_pause(current, when)  # the paused days count before judging on time
    _keep(by, current, STANDARD_KINDS, when)
    fields = _move(current, Status.ANSWERED, when)
    current.answered_at = when
    current.save(update_fields=[*fields, *pause, "answered_at"])
    _record(
        current,
        verb="request.answered",
        summary=f"{_name(by, persona)} answered this request",
        by=by,
        persona=persona,
        at=at,
    )
    _sync(request, current)
    return message
