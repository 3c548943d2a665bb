"""Use cases that change commitments and the agency's working-day calendar."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from townhall.activity.actions import record_activity
from townhall.activity.models import Visibility
from townhall.agencies.models import Agency, Service, StaffMembership, Team
from townhall.agencies.rules import is_site_admin, require_agency_admin

from .deadlines import CalendarError, WorkingDayCalendar, extend_for_pause, load_time_zone
from .escalation import escalate
from .models import (
    DESCRIPTION_MAX_LENGTH,
    AgencyClosure,
    CalendarFeed,
    Commitment,
    CommitmentKind,
    CommitmentState,
)
from .models import REASON_MAX_LENGTH as COMMITMENT_REASON_MAX_LENGTH
from .queries import calendar_for

REASON_MAX_LENGTH = AgencyClosure._meta.get_field("reason").max_length
# How many overdue or at-risk commitments one transaction of the scheduled check handles.
BATCH_SIZE = 200


def _persona(by: Any, agency: Agency) -> StaffMembership | None:
    return StaffMembership.objects.active().filter(user=by, agency=agency).first()


@transaction.atomic
def add_closure(*, by: Any, agency: Agency, date: dt.date, reason: str) -> AgencyClosure:
    """Close an agency for a day (a snow day): it stops counting as a working day.

    Raises ValidationError for an empty or too long reason, or a day already closed.
    """
    require_agency_admin(by, agency)
    if isinstance(date, dt.datetime) or not isinstance(date, dt.date):
        raise ValidationError({"date": "Give the day as a date."})
    reason = (reason or "").strip()
    closure = AgencyClosure(agency=agency, date=date, reason=reason)
    closure.full_clean(validate_constraints=False)
    if AgencyClosure.objects.filter(agency=agency, date=date).exists():
        raise ValidationError({"date": f"{agency.name} is already closed on {date.isoformat()}."})
    try:
        with transaction.atomic():
            closure.save(force_insert=True)
    except IntegrityError as error:  # added at the same moment by someone else
        raise ValidationError(
            {"date": f"{agency.name} is already closed on {date.isoformat()}."}
        ) from error
    record_activity(
        verb="closure.added",
        summary=f"{agency.name} is closed on {date.isoformat()}: {reason}",
        visibility=Visibility.PUBLIC,
        actor=by,
        persona=_persona(by, agency),
        agency=agency,
        target=closure,
    )
    return closure


@transaction.atomic
def remove_closure(*, by: Any, closure: AgencyClosure) -> None:
    """Open the agency again on a day it was closed: the day counts as a working day."""
    agency = closure.agency
    require_agency_admin(by, agency)
    day, reason = closure.date, closure.reason
    deleted, _ = AgencyClosure.objects.filter(pk=closure.pk).delete()
    if not deleted:  # removed already: nothing to do, nothing to log
        return
    record_activity(
        verb="closure.removed",
        summary=f"{agency.name} is open on {day.isoformat()} after all (was: {reason})",
        visibility=Visibility.PUBLIC,
        actor=by,
        persona=_persona(by, agency),
        agency=agency,
        target=agency,
    )


# --- commitments ---------------------------------------------------------------------------


def _require_agency_staff(by: Any, agency: Agency) -> StaffMembership | None:
    """The acting persona: an active staff membership of the agency (None for a site
    administrator acting without one). Anyone else is refused."""
    persona = _persona(by, agency) if by is not None and by.is_authenticated else None
    if persona is None and not is_site_admin(by):
        raise PermissionDenied("Only staff of this agency can make or change its commitments.")
    return persona


def _visibility(commitment: Commitment) -> str:
    return Visibility.PUBLIC if commitment.is_public else Visibility.PARTICIPANTS


def _when(moment: dt.datetime, agency: Agency) -> str:
    """A due time in the agency's local time, for the log: "2026-12-21 23:59 CST"."""
    try:
        local = moment.astimezone(load_time_zone(agency.time_zone))
    except CalendarError:  # an agency with a broken calendar still gets a log entry
        local = moment
    return local.strftime("%Y-%m-%d %H:%M %Z").strip()


def _moment(at: dt.datetime | None) -> dt.datetime:
    """An action's explicit moment (`at=`), or now."""
    if at is None:
        return timezone.now()
    if not isinstance(at, dt.datetime) or timezone.is_naive(at):
        raise ValueError("`at` must be an aware datetime.")
    return at


def _check_due_at(due_at: Any, field: str = "due_at") -> dt.datetime:
    if not isinstance(due_at, dt.datetime) or timezone.is_naive(due_at):
        raise ValidationError({field: "Give the due time as a date and time with a time zone."})
    if due_at <= timezone.now():
        raise ValidationError({field: "A promise must be due in the future."})
    return due_at


def _check_reason(reason: Any) -> str:
    reason = (reason if isinstance(reason, str) else "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason; it is shown to the public."})
    if len(reason) > COMMITMENT_REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": f"Keep the reason to {COMMITMENT_REASON_MAX_LENGTH} characters or fewer."}
        )
    if "\x00" in reason:
        raise ValidationError({"reason": "The reason contains a character that cannot be stored."})
    return reason


def _locked(commitment: Commitment) -> Commitment:
    """The commitment as it is now in the database, locked until the transaction ends."""
    return (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("agency", "made_to")
        .get(pk=commitment.pk)
    )


def _create(
    *,
    by: Any,
    persona: StaffMembership | None,
    agency: Agency,
    kind: str,
    due_at: dt.datetime,
    made_to: Any,
    subject: models.Model | None,
    team: Team | None,
    description: str,
    is_public: bool,
    now: dt.datetime,
    holder: StaffMembership | None = None,
) -> Commitment:
    commitment = Commitment(
        agency=agency,
        holder=holder,
        made_by=by if by is not None and by.is_authenticated else None,
        made_by_persona=persona,
        team=team,
        made_to=made_to,
        kind=kind,
        description=description,
        due_at=due_at,
        is_public=is_public,
        made_at=now,
    )
    if subject is not None:
        commitment.subject_type = ContentType.objects.get_for_model(subject)
        commitment.subject_id = str(subject.pk)
    commitment.save(force_insert=True)
    record_activity(
        verb="commitment.made",
        summary=f"{agency.name} promised {commitment.what} by {_when(due_at, agency)}",
        visibility=_visibility(commitment),
        actor=commitment.made_by,
        persona=persona,
        agency=agency,
        citizen=made_to,
        target=commitment,
        occurred_at=now,
    )
    return commitment


@transaction.atomic
def make_commitment(
    *,
    by: Any,
    agency: Agency,
    kind: str,
    due_at: dt.datetime,
    made_to: Any = None,
    subject: models.Model | None = None,
    team: Team | None = None,
    description: str = "",
    is_public: bool = False,
    at: dt.datetime | None = None,
    held_by_maker: bool = False,
) -> Commitment:
    """A staff member promises something by a due time, for themselves or for a team.
    `at` (default now) is when the promise was made, as logged. With `held_by_maker`
    the promise starts with its maker to keep (a reply in a conversation); otherwise
    the holder is left to whoever hands it over.

    Raises PermissionDenied unless `by` is active staff of the agency (or a site
    administrator), and ValidationError for a due time not in the future, an unknown kind,
    a custom promise without words, or a team of another agency.
    """
    persona = _require_agency_staff(by, agency)
    if kind not in CommitmentKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(CommitmentKind.values)}."})
    due_at = _check_due_at(due_at)
    description = (description if isinstance(description, str) else "").strip()
    if kind == CommitmentKind.CUSTOM and not description:
        raise ValidationError({"description": "Say in words what you promise."})
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ValidationError(
            {"description": f"Keep the promise to {DESCRIPTION_MAX_LENGTH} characters or fewer."}
        )
    if "\x00" in description:
        raise ValidationError(
            {"description": "The promise contains a character that cannot be stored."}
        )
    if team is not None and team.agency_id != agency.pk:
        raise ValidationError({"team": "Choose a team of the agency making the promise."})
    return _create(
        by=by,
        persona=persona,
        agency=agency,
        kind=kind,
        due_at=due_at,
        made_to=made_to,
        subject=subject,
        team=team,
        description=description,
        is_public=bool(is_public),
        now=_moment(at),
        holder=persona if held_by_maker else None,
    )


@transaction.atomic
def make_standard_commitments(
    *,
    agency: Agency,
    service: Service,
    received_at: dt.datetime,
    made_to: Any,
    subject: models.Model | None,
    is_public: bool,
    by: Any = None,
    calendar: WorkingDayCalendar | None = None,
) -> tuple[Commitment, Commitment]:
    """The acknowledge and respond commitments a filed request gets from its service's
    standard, due by the working-day rule (`deadlines`) on the agency's calendar.

    Made by the system (`by=None`); `by` may name the staff member filing on someone's
    behalf. `calendar`: the agency's calendar when the caller already read it (`calendar_for`,
    one query), so its closure days are read once per filing. Raises
    `deadlines.CalendarError` when the agency's calendar cannot be built.
    """
    if service.agency_id != agency.pk:
        raise ValidationError({"service": "The service belongs to another agency."})
    persona = None if by is None else _require_agency_staff(by, agency)
    if calendar is None:
        calendar = calendar_for(agency)
    # Promised when the request was received (a filing dated in the past, as in imports
    # and the demo city, logs its promises then too); never later than now.
    now = min(received_at, timezone.now())
    made = []
    for kind, days in (
        (CommitmentKind.ACKNOWLEDGE, service.acknowledge_working_days),
        (CommitmentKind.RESPOND, service.respond_working_days),
    ):
        made.append(
            _create(
                by=by,
                persona=persona,
                agency=agency,
                kind=kind,
                due_at=calendar.deadline(received_at, days).due_at,
                made_to=made_to,
                subject=subject,
                team=None,
                description="",
                is_public=bool(is_public),
                now=now,
            )
        )
    return made[0], made[1]


@transaction.atomic
def keep_commitment(
    *, by: Any, commitment: Commitment, at: dt.datetime | None = None
) -> Commitment:
    """The promised work is done (`at`, default now).

    open and on time → kept. open but done after the due time (the scheduled check has
    not run yet) → broken, as of the due time, with `done_at`. broken → stays broken,
    `done_at` is recorded. kept → nothing to do. renegotiated or cancelled → ValidationError.
    """
    persona = _require_agency_staff(by, commitment.agency)
    at = at or timezone.now()
    current = _locked(commitment)
    state = current.state
    if state == CommitmentState.KEPT or (state == CommitmentState.BROKEN and current.done_at):
        return current
    if state in (CommitmentState.RENEGOTIATED, CommitmentState.CANCELLED):
        raise ValidationError(
            f"This commitment was already {current.get_state_display().lower()}; "
            "it cannot be kept. Keep the commitment that replaced it, if any."
        )
    current.done_at = at
    if state == CommitmentState.OPEN and at <= current.due_at:
        current.state, current.kept_at = CommitmentState.KEPT, at
        verb, summary = "commitment.kept", f"The promise {current.what} was kept"
    else:
        if state == CommitmentState.OPEN:
            current.state, current.broken_at = CommitmentState.BROKEN, current.due_at
        verb = "commitment.done_late"
        summary = (
            f"The promise {current.what} by {_when(current.due_at, current.agency)} "
            "was broken; the work was done late"
        )
    current.save(update_fields=["state", "kept_at", "broken_at", "done_at"])
    record_activity(
        verb=verb,
        summary=summary,
        visibility=_visibility(current),
        actor=by,
        persona=persona,
        agency=current.agency,
        citizen=current.made_to,
        target=current,
        occurred_at=at,
    )
    return current


@transaction.atomic
def renegotiate_commitment(
    *,
    by: Any,
    commitment: Commitment,
    new_due_at: dt.datetime,
    reason: str,
    kind: str | None = None,
) -> Commitment:
    """Replace an open (or broken) commitment with a new one due later, giving a public
    reason. The old one becomes `renegotiated` (a broken one keeps `broken_at`) and links
    to the new, open one, which is returned.

    `kind` gives the new commitment another kind (default: the old one's), as when an FOI
    respond commitment becomes an `extension` one."""
    persona = _require_agency_staff(by, commitment.agency)
    if kind is not None and kind not in CommitmentKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(CommitmentKind.values)}."})
    new_due_at = _check_due_at(new_due_at, "new_due_at")
    reason = _check_reason(reason)
    current = _locked(commitment)
    if current.state not in (CommitmentState.OPEN, CommitmentState.BROKEN):
        raise ValidationError(
            f"This commitment was already {current.get_state_display().lower()}; "
            "only an open or broken commitment can be renegotiated."
        )
    now = timezone.now()
    replacement = Commitment(
        agency=current.agency,
        made_by=by if by.is_authenticated else None,
        made_by_persona=persona,
        team=current.team,
        made_to=current.made_to,
        subject_type=current.subject_type,
        subject_id=current.subject_id,
        kind=kind or current.kind,
        description=current.description,
        due_at=new_due_at,
        is_public=current.is_public,
        made_at=now,
    )
    replacement.save(force_insert=True)
    current.state = CommitmentState.RENEGOTIATED
    current.closed_reason = reason
    current.replaced_by = replacement
    current.save(update_fields=["state", "closed_reason", "replaced_by"])
    agency = current.agency
    record_activity(
        verb="commitment.renegotiated",
        summary=(
            f"The promise {current.what} by {_when(current.due_at, agency)} is now due by "
            f"{_when(new_due_at, agency)}: {reason}"
        ),
        visibility=_visibility(current),
        actor=by,
        persona=persona,
        agency=agency,
        citizen=current.made_to,
        target=replacement,
    )
    return replacement


@transaction.atomic
def cancel_commitment(*, by: Any, commitment: Commitment, reason: str) -> Commitment:
    """Withdraw an open (or broken) commitment with a public reason; a broken one keeps
    `broken_at` and is still counted as broken."""
    persona = _require_agency_staff(by, commitment.agency)
    reason = _check_reason(reason)
    current = _locked(commitment)
    if current.state not in (CommitmentState.OPEN, CommitmentState.BROKEN):
        raise ValidationError(
            f"This commitment was already {current.get_state_display().lower()}; "
            "only an open or broken commitment can be cancelled."
        )
    current.state = CommitmentState.CANCELLED
    current.closed_reason = reason
    current.save(update_fields=["state", "closed_reason"])
    record_activity(
        verb="commitment.cancelled",
        summary=f"The promise {current.what} was cancelled: {reason}",
        visibility=_visibility(current),
        actor=by,
        persona=persona,
        agency=current.agency,
        citizen=current.made_to,
        target=current,
    )
    return current


# The commitments a pause moves: the answer's deadline, not a staff member's own promise.
PAUSED_KINDS = (CommitmentKind.RESPOND, CommitmentKind.EXTENSION)


@transaction.atomic
def extend_commitments_for_pause(
    *,
    subject: models.Model,
    pause_start: dt.datetime,
    pause_end: dt.datetime,
    kinds: tuple[str, ...] = PAUSED_KINDS,
) -> list[Commitment]:
    """The clock stood still from `pause_start` to `pause_end` (the agency waited for the
    citizen): each open commitment of these kinds about `subject` moves later by the
    working days the pause lasted, on its agency's calendar (`deadlines.extend_for_pause`).

    A building block for the layer above, which has already checked who acts (it is the
    citizen's reply that ends a pause). Returns the commitments that moved, each with one
    Activity entry. A pause of no working days moves nothing. Raises
    `deadlines.CalendarError` when the agency's calendar cannot be built.
    """
    if pause_end < pause_start:
        raise ValidationError("A pause cannot end before it starts.")
    subject_type = ContentType.objects.get_for_model(subject)
    candidates = list(
        Commitment.objects.select_for_update(of=("self",))
        .filter(
            subject_type=subject_type,
            subject_id=str(subject.pk),
            state=CommitmentState.OPEN,
            kind__in=list(kinds),
        )
        .select_related("agency", "made_to")
        .order_by("pk")
    )
    calendars: dict[int, Any] = {}
    moved = []
    for commitment in candidates:
        agency = commitment.agency
        if agency.pk not in calendars:
            calendars[agency.pk] = calendar_for(agency)
        calendar = calendars[agency.pk]
        new_due_at = extend_for_pause(commitment.due_at, pause_start, pause_end, calendar)
        if new_due_at == commitment.due_at:
            if commitment.paused_at is not None:
                commitment.paused_at = None
                commitment.save(update_fields=["paused_at"])
            continue
        old_due_at = commitment.due_at
        days = calendar.pause_working_days(pause_start, pause_end)
        commitment.due_at = new_due_at
        commitment.at_risk_notified = False
        commitment.paused_at = None
        commitment.save(update_fields=["due_at", "at_risk_notified", "paused_at"])
        record_activity(
            verb="commitment.paused",
            summary=(
                f"The promise {commitment.what} by {_when(old_due_at, agency)} is now due by "
                f"{_when(new_due_at, agency)}: the clock stood still for {days} working "
                f"day{'s' if days != 1 else ''} while waiting for the citizen"
            ),
            visibility=_visibility(commitment),
            agency=agency,
            citizen=commitment.made_to,
            target=commitment,
            occurred_at=pause_end,
        )
        moved.append(commitment)
    return moved


def _overdue_batch(now: dt.datetime) -> list[Commitment]:
    """Up to BATCH_SIZE open, overdue commitments. On PostgreSQL the rows are locked and
    rows another worker holds are skipped; SQLite runs one writer at a time anyway."""
    return list(
        Commitment.objects.overdue(now)
        .select_related("agency", "made_to", "holder__user")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("due_at", "pk")[:BATCH_SIZE]
    )


def mark_broken_commitments(*, now: dt.datetime | None = None) -> int:
    """Every open commitment past its due time becomes broken (system action, run by the
    scheduled `check_commitments`). Returns how many this call broke.

    Idempotent and safe to run from two workers at once: each row changes through a
    conditional UPDATE (`WHERE state = 'open'`), and the Activity "was broken" is written
    only by the call whose UPDATE changed the row, so each commitment gets exactly one.
    """
    now = now or timezone.now()
    broken = 0
    while True:
        with transaction.atomic():
            batch = _overdue_batch(now)
            changed = 0
            for commitment in batch:
                changed += _break(commitment, now)
        broken += changed
        if len(batch) < BATCH_SIZE or changed == 0:
            return broken


def _break(commitment: Commitment, now: dt.datetime) -> int:
    updated = Commitment.objects.filter(
        pk=commitment.pk, state=CommitmentState.OPEN, due_at__lt=now, paused_at__isnull=True
    ).update(state=CommitmentState.BROKEN, broken_at=now)
    if not updated:  # kept, renegotiated or broken by someone else in the meantime
        return 0
    commitment.broken_at = now
    entry = record_activity(
        verb="commitment.broken",
        summary=(
            f"The promise {commitment.what} by "
            f"{_when(commitment.due_at, commitment.agency)} was broken"
        ),
        visibility=_visibility(commitment),
        agency=commitment.agency,
        citizen=commitment.made_to,
        target=commitment,
        occurred_at=now,
    )
    escalate(commitment=commitment, activity=entry, broken=True)
    return 1


def flag_at_risk_commitments(*, now: dt.datetime | None = None) -> int:
    """Record once, for staff, each open commitment due within one working day (see
    `CommitmentQuerySet.at_risk`), so the assignee and the team's manager can be told.
    Idempotent: `at_risk_notified` is set by a conditional UPDATE. Returns how many."""
    now = now or timezone.now()
    flagged = 0
    with transaction.atomic():
        candidates = list(
            Commitment.objects.at_risk(now)
            .filter(at_risk_notified=False)
            .select_related("agency", "made_to", "holder__user")
            .order_by("due_at", "pk")
        )
        for commitment in candidates:
            updated = Commitment.objects.filter(
                pk=commitment.pk,
                at_risk_notified=False,
                state=CommitmentState.OPEN,
                paused_at__isnull=True,
            ).update(at_risk_notified=True)
            if not updated:
                continue
            entry = record_activity(
                verb="commitment.at_risk",
                summary=(
                    f"The promise {commitment.what} is due by "
                    f"{_when(commitment.due_at, commitment.agency)}: within one working day"
                ),
                visibility=Visibility.STAFF,
                agency=commitment.agency,
                citizen=commitment.made_to,
                target=commitment,
                occurred_at=now,
            )
            escalate(commitment=commitment, activity=entry, broken=False)
            flagged += 1
    return flagged


def hand_over_commitments(
    *,
    subject: models.Model,
    holder: StaffMembership | None,
    team: Team | None,
    agency: Agency | None = None,
) -> int:
    """The open (and broken, not yet done) commitments about `subject` are now held by
    `holder` for `team` (and, for a transfer, made on behalf of `agency`).

    A building block for the actions above (taking, assigning, transferring a request):
    they check who acts. Records no Activity of its own. Returns how many changed.
    """
    changes: dict[str, Any] = {"holder": holder, "team": team}
    if agency is not None:
        changes["agency"] = agency
    return Commitment.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        done_at__isnull=True,
        state__in=(CommitmentState.OPEN, CommitmentState.BROKEN),
    ).update(**changes)


def pause_commitments(
    *, subject: models.Model, at: dt.datetime, kinds: tuple[str, ...] = PAUSED_KINDS
) -> int:
    """The agency now waits for the citizen: the open commitments of these kinds about
    `subject` stop the clock (neither at risk nor broken) until
    `extend_commitments_for_pause` moves them later and ends the pause.

    A building block for the layer above, which has checked who acts. Returns how many.
    """
    return Commitment.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        state=CommitmentState.OPEN,
        kind__in=list(kinds),
        paused_at__isnull=True,
    ).update(paused_at=at)


@transaction.atomic
def release_commitments(
    *, subject: models.Model, reason: str, at: dt.datetime | None = None
) -> list[Commitment]:
    """Cancel, as the system, every open commitment about `subject` because what they
    promised is no longer wanted (the citizen withdrew the request). The reason is public.

    A building block for the layer above, which has checked who acts. Broken ones stay
    broken: a promise already broken is still counted.
    """
    reason = _check_reason(reason)
    released = list(
        Commitment.objects.select_for_update(of=("self",))
        .filter(
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=str(subject.pk),
            state=CommitmentState.OPEN,
        )
        .select_related("agency", "made_to")
        .order_by("pk")
    )
    for commitment in released:
        commitment.state = CommitmentState.CANCELLED
        commitment.closed_reason = reason
        commitment.save(update_fields=["state", "closed_reason"])
        record_activity(
            verb="commitment.cancelled",
            summary=f"The promise {commitment.what} was cancelled: {reason}",
            visibility=_visibility(commitment),
            agency=commitment.agency,
            citizen=commitment.made_to,
            target=commitment,
            occurred_at=at,
        )
    return released


# --- calendar feeds -------------------------------------------------------------------------


def _require_citizen_account(by: Any) -> None:
    if by is None or not by.is_authenticated or not by.is_active:
        raise PermissionDenied("Sign in to manage your calendar address.")


@transaction.atomic
def create_calendar_feed(*, by: Any) -> CalendarFeed:
    """Give `by` a new secret calendar address for their open commitments.

    A person has one live address: making a new one revokes the old (so a leaked address
    can be replaced in one step). The account row is locked so two requests at once
    still leave a single live feed.
    """
    _require_citizen_account(by)
    get_user_model().objects.select_for_update().filter(pk=by.pk).first()
    now = timezone.now()
    replaced = CalendarFeed.objects.filter(owner=by).live().update(revoked_at=now)
    feed = CalendarFeed.objects.create(owner=by, token=secrets.token_urlsafe(32), created_at=now)
    record_activity(
        verb="calendar_feed.created",
        summary=(
            "Made a new calendar address for open commitments (the old one no longer works)"
            if replaced
            else "Made a calendar address for open commitments"
        ),
        visibility=Visibility.INTERNAL,
        actor=by,
        citizen=by,
        target=feed,
    )
    return feed


@transaction.atomic
def revoke_calendar_feed(*, by: Any, feed: CalendarFeed) -> CalendarFeed:
    """Stop a calendar address from working. Only its owner may; revoking twice is a
    no-op."""
    _require_citizen_account(by)
    if feed.owner_id != by.pk:
        raise PermissionDenied("You can only revoke your own calendar address.")
    locked = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    record_activity(
        verb="calendar_feed.revoked",
        summary="Revoked the calendar address for open commitments",
        visibility=Visibility.INTERNAL,
        actor=by,
        citizen=by,
        target=locked,
    )
    return locked
