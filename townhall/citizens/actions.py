"""Use cases that write what the joined-up view owns: a look at a citizen's record (the
access log), the citizen's consent to joining up their records, notes staff share."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.activity.actions import record_activity
from townhall.activity.models import Visibility
from townhall.agencies.models import Agency, StaffMembership

from .models import (
    NOTE_MAX_LENGTH,
    AccessLogEntry,
    AccessReason,
    JoinUpConsent,
    Screen,
    SharedNote,
)

# What a look may be about: a request's reference.
SUBJECT = re.compile(r"^SPR-\d{4}-\d{6,12}\Z")


class ReasonRequired(ValidationError):
    """The first look of the day at a citizen's record needs a reason from the list."""


def work_persona(user: Any, agency: Agency | int | None = None) -> StaffMembership | None:
    """The account's active work persona: in `agency` when it works there, else its first
    (one query). None for citizens and visitors."""
    if user is None or not user.is_authenticated:
        return None
    personas = list(
        StaffMembership.objects.active().filter(user=user).select_related("agency").order_by("pk")
    )
    agency_id = agency.pk if isinstance(agency, Agency) else agency
    for persona in personas:
        if persona.agency_id == agency_id:
            return persona
    return personas[0] if personas else None


def clean_subject(subject: Any) -> str:
    """What a look was about: a request's reference (SPR-2026-000123), or "" for
    anything else (the citizen reads it, so no free text from staff lands there)."""
    text = "".join(ch for ch in str(subject or "")[:200] if ch.isprintable()).strip().upper()
    return text if SUBJECT.match(text) else ""


def reason_of_today(*, viewer: Any, citizen: Any) -> str:
    """The reason this staff member gave today for looking at this citizen's record, or ""
    when they have not looked today (one query)."""
    latest = (
        AccessLogEntry.objects.of_day(viewer=viewer, citizen=citizen)
        .order_by("-at", "-id")
        .values_list("reason", flat=True)
        .first()
    )
    return latest or ""


@transaction.atomic
def record_access(
    *,
    by: Any,
    citizen: Any,
    screen: str,
    reason: str = "",
    subject: str = "",
    agency: Agency | int | None = None,
) -> AccessLogEntry:
    """Log one look by a staff member at `citizen`'s record, from `screen`, about `subject`
    (such as a request's reference), as their work persona in `agency` (else their first).

    The first look of the (local) day at this citizen needs a `reason` from AccessReason;
    later ones that day may leave it out and take the day's last reason. Every look is
    logged, each as one entry. Raises PermissionDenied unless `by` is active staff (or a
    site administrator), ReasonRequired (a ValidationError on "reason") when the reason is
    missing on the first look, ValidationError for an unknown reason or screen.
    """
    if by is None or not by.is_authenticated:
        raise PermissionDenied(_("Only agency staff can open a citizen's record."))
    persona = work_persona(by, agency)
    if persona is None and not by.is_superuser:
        raise PermissionDenied(_("Only agency staff can open a citizen's record."))
    if screen not in Screen.values:
        raise ValidationError({"screen": _("Unknown screen.")})
    reason = str(reason or "").strip()
    if reason and reason not in AccessReason.values:
        raise ValidationError(
            {"reason": _("Choose one of the reasons: %s.") % ", ".join(AccessReason.values)},
            code="invalid_reason",
        )
    if not reason:
        reason = reason_of_today(viewer=by, citizen=citizen)
        if not reason:
            raise ReasonRequired(
                {
                    "reason": _("Say why you are opening this record (once a day): one of %s.")
                    % ", ".join(AccessReason.values)
                },
                code="reason_required",
            )
    return _log_access(
        by=by, persona=persona, citizen=citizen, screen=screen, reason=reason, subject=subject
    )


def _log_access(
    *,
    by: Any,
    persona: StaffMembership | None,
    citizen: Any,
    screen: str,
    reason: str,
    subject: str,
) -> AccessLogEntry:
    """Write one checked look (the persona, screen and reason already settled)."""
    entry = AccessLogEntry.objects.create(
        citizen=citizen,
        viewer=by,
        persona=persona,
        agency=persona.agency if persona is not None else None,
        screen=screen,
        reason=reason,
        subject=clean_subject(subject),
    )
    record_activity(
        verb="citizen.record_viewed",
        summary=f"Opened the record of citizen {citizen.pk} ({screen}, {reason})",
        visibility=Visibility.INTERNAL,
        actor=by,
        persona=persona,
        citizen=citizen,
        target=entry,
    )
    return entry


@transaction.atomic
def set_join_up_consent(*, by: Any, citizen: Any, is_on: bool) -> JoinUpConsent:
    """The citizen (and only they, not even a site administrator) lets staff of every
    agency see their private records in the joined-up view, or takes that back."""
    if by is None or not by.is_authenticated or by.pk != citizen.pk:
        raise PermissionDenied(_("Only you can change who may join up your records."))
    consent, created = JoinUpConsent.objects.select_for_update().get_or_create(
        citizen_id=citizen.pk, defaults={"is_on": bool(is_on)}
    )
    if not created and consent.is_on != bool(is_on):
        consent.is_on = bool(is_on)
        consent.changed_at = timezone.now()
        consent.save(update_fields=["is_on", "changed_at"])
    elif not created:
        return consent
    record_activity(
        verb="citizen.join_up_on" if consent.is_on else "citizen.join_up_off",
        summary=(
            "Let staff of every agency see their records together"
            if consent.is_on
            else "Let each agency see only its own records"
        ),
        visibility=Visibility.INTERNAL,
        actor=by,
        citizen=citizen,
    )
    return consent


@transaction.atomic
def add_shared_note(
    *, by: Any, citizen: Any, body: str, agency: Agency | int | None = None
) -> SharedNote:
    """A staff member leaves a note on `citizen`'s record that staff of every agency, and
    the citizen, can read. Written as their work persona (in `agency` when given).
    Raises PermissionDenied for anyone who is not active staff, ValidationError on "body"
    for an empty, too long or NUL-containing note."""
    persona = work_persona(by, agency)
    if persona is None:
        raise PermissionDenied(_("Only agency staff can share notes on a citizen's record."))
    if not isinstance(body, str):
        raise ValidationError({"body": _("Write the note as text.")})
    if "\x00" in body:
        raise ValidationError({"body": _("The note contains a NUL character; remove it.")})
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a note.")})
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("Keep the note to %(limit)s characters or fewer.")
                % {"limit": NOTE_MAX_LENGTH}
            }
        )
    note = SharedNote.objects.create(
        citizen=citizen, author=by, persona=persona, agency=persona.agency, body=body
    )
    record_activity(
        verb="citizen.note_shared",
        summary=f"{persona.public_name} shared a note on a citizen's record",
        visibility=Visibility.PARTICIPANTS,
        actor=by,
        persona=persona,
        citizen=citizen,
        target=note,
    )
    return note


def record_request_read(*, by: Any, service_request: Any) -> AccessLogEntry | None:
    """Log a staff member's read of a private request (its staff page, or the API) in the
    requester's access log, with the reason "answering your request" and the request's
    reference. Nothing is logged for public requests, for the requester reading their
    own, or for anyone who is not active staff of the holding agency (a site
    administrator without a work persona is logged without one). For the request's
    staff pages to call through a signal: `service_requests` cannot import this app."""
    if by is None or not by.is_authenticated or service_request.is_public:
        return None
    if by.pk == service_request.requester_id:
        return None
    persona = work_persona(by, service_request.agency_id)
    if not by.is_superuser and (persona is None or persona.agency_id != service_request.agency_id):
        return None
    with transaction.atomic():
        return _log_access(
            by=by,
            persona=persona,
            citizen=service_request.requester,
            screen=Screen.REQUEST_DETAIL,
            reason=AccessReason.ANSWERING_REQUEST,
            subject=service_request.reference,
        )
