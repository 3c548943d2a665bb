"""Use cases that change commitments and the agency's working-day calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from townhall.activity.actions import record_activity
from townhall.activity.models import Visibility
from townhall.agencies.models import Agency, StaffMembership
from townhall.agencies.rules import require_agency_admin

from .models import AgencyClosure

REASON_MAX_LENGTH = AgencyClosure._meta.get_field("reason").max_length


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
