"""Who is told when a commitment is at risk or broken: its holder (the staff member
holding the request), and when it breaks, also the managers of its team. In-app now; the
notification centre's email preferences decide about email (issue 4)."""

from __future__ import annotations

from typing import Any

from townhall.activity.actions import notify
from townhall.activity.models import Activity
from townhall.agencies.models import StaffMembership, StaffRole

from .models import Commitment

MANAGER_ROLES = (StaffRole.MANAGER, StaffRole.ADMIN)


def _link(commitment: Commitment) -> str:
    subject = commitment.subject
    if subject is not None and hasattr(subject, "get_absolute_url"):
        return str(subject.get_absolute_url())
    return ""


def _team_managers(commitment: Commitment) -> list[Any]:
    if commitment.team_id is None:
        return []
    managers = StaffMembership.objects.active().filter(
        teams=commitment.team_id, role__in=MANAGER_ROLES
    )
    return [membership.user for membership in managers.select_related("user")]


def escalate(*, commitment: Commitment, activity: Activity, broken: bool) -> int:
    """Notify the holder; a broken commitment (or an at-risk one nobody holds) also goes
    to the team's managers. Idempotent per activity and person."""
    holder = commitment.holder.user if commitment.holder_id else None  # type: ignore[union-attr]
    link = _link(commitment)
    told = 0
    if holder is not None:
        told += notify(
            recipients=[holder],
            activity=activity,
            reason="You hold the request this promise belongs to.",
            url=link,
        )
    if broken or holder is None:
        managers = [person for person in _team_managers(commitment) if person != holder]
        told += notify(
            recipients=managers,
            activity=activity,
            reason="You manage the team this promise belongs to.",
            url=link,
        )
    return told
