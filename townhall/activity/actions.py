"""Appending to the activity log. Every other app's actions call `record_activity`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .models import Activity, Notification, Visibility


def record_activity(
    *,
    verb: str,
    summary: str,
    visibility: str = Visibility.INTERNAL,
    actor: Any = None,
    persona: Any = None,
    agency: Any = None,
    citizen: Any = None,
    target: models.Model | None = None,
    occurred_at: Any = None,
) -> Activity:
    """Append one entry. Call inside the action's transaction so both land or neither.

    `persona` is the staff membership the actor used; leave it empty when someone acts
    as a citizen. A persona always belongs to the actor.
    """
    if persona is not None and actor is not None and persona.user_id != actor.pk:
        raise ValueError("A persona can only be used by its own account.")
    if agency is None and persona is not None:
        agency = persona.agency
    entry = Activity(
        verb=verb,
        summary=summary[:500],
        visibility=visibility,
        actor=actor if actor is not None and actor.is_authenticated else None,
        persona=persona,
        agency=agency,
        citizen=citizen,
    )
    if occurred_at is not None:
        entry.occurred_at = occurred_at
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target)
        entry.target_id = str(target.pk)
    entry.save(force_insert=True)
    return entry


def notify(
    *, recipients: Iterable[Any], activity: Activity, reason: str = "", url: str = ""
) -> int:
    """Bring an activity to these people's attention (in-app). Idempotent: a person is
    notified of one activity once, however often this runs. Returns how many were new."""
    people = {person.pk: person for person in recipients if person is not None}
    if not people:
        return 0
    already = set(
        Notification.objects.filter(activity=activity, recipient_id__in=people).values_list(
            "recipient_id", flat=True
        )
    )
    fresh = [
        Notification(recipient_id=pk, activity=activity, reason=reason[:200], url=url[:300])
        for pk in people
        if pk not in already
    ]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def mark_notifications_read(*, by: Any, ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of `by`'s own notifications read. Returns how many changed."""
    mine = Notification.objects.visible_to(by).unread()
    if ids is not None:
        mine = mine.filter(pk__in=list(ids))
    return mine.update(read_at=timezone.now())
