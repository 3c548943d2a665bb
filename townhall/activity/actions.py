"""Appending to the activity log (every other app's actions call `record_activity`),
notifying people of it (in-app, then by email after commit), following objects, and
choosing how often notifications come by email."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from . import tasks
from .follows import can_follow, is_followable
from .models import (
    Activity,
    EmailFrequency,
    EmailPreference,
    Follow,
    Notification,
    Visibility,
    readers_of,
)

_recording = threading.local()


@contextmanager
def entries_recorded() -> Iterator[list[Activity]]:
    """The entries `record_activity` appends in this thread while the block runs, in the
    order they were written: for an action that answers with what it logged, without
    reading the log again. Blocks may nest; each sees every entry of its own span."""
    lists: list[list[Activity]] = _recording.__dict__.setdefault("lists", [])
    found: list[Activity] = []
    lists.append(found)
    try:
        yield found
    finally:
        lists.remove(found)


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
        # Those who listen for new entries read the target without a query.
        Activity._meta.get_field("target").set_cached_value(entry, target)
    entry.save(force_insert=True)
    for found in getattr(_recording, "lists", ()):
        found.append(entry)
    return entry


def notify(
    *, recipients: Iterable[Any], activity: Activity, reason: str = "", url: str = ""
) -> int:
    """Bring an activity to these people's attention: in-app now, and by email after the
    transaction commits (through the task queue, for those who want email at once; the
    daily digest takes the others). Idempotent: a person is notified of one activity
    once, however often this runs. Returns how many were new.

    Callers choose recipients who may see the activity (and the page at `url`).
    """
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
    if fresh:
        transaction.on_commit(
            partial(
                tasks.email_notifications.enqueue,
                activity_id=activity.pk,
                recipient_ids=[item.recipient_id for item in fresh],
            )
        )
    return len(fresh)


def notify_followers(
    activity: Activity,
    *,
    reason: str,
    url: str,
    exclude: Iterable[Any] = (),
    target: models.Model | None = None,
) -> int:
    """Notify the people who follow `target` (by default the activity's own target) and
    may read the activity (the rule of `Activity.objects.visible_to`), never its actor nor
    anyone in `exclude`. A person already notified of this activity (for a more particular
    reason, told first) is not notified again. A fixed number of queries, however many
    followers. Returns how many were new."""
    if target is None:
        if activity.target_type_id is None or not activity.target_id:  # type: ignore[attr-defined]
            return 0
        target_type_id, target_id = activity.target_type_id, activity.target_id  # type: ignore[attr-defined]
    else:
        target_type_id = ContentType.objects.get_for_model(target).pk
        target_id = str(target.pk)
    excluded = {getattr(person, "pk", person) for person in exclude}
    if activity.actor_id is not None:  # type: ignore[attr-defined]
        excluded.add(activity.actor_id)  # type: ignore[attr-defined]
    followers = (
        get_user_model()
        .objects.filter(
            readers_of(activity),
            is_active=True,
            follows__target_type_id=target_type_id,
            follows__target_id=target_id,
        )
        .exclude(pk__in=excluded)
        .exclude(pk__in=Notification.objects.filter(activity=activity).values("recipient_id"))
        .order_by()
        .only("pk")
    )
    return notify(recipients=followers, activity=activity, reason=reason, url=url)


def mark_notifications_read(*, by: Any, ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of `by`'s own notifications read. Returns how many changed."""
    mine = Notification.objects.visible_to(by).unread()
    if ids is not None:
        mine = mine.filter(pk__in=list(ids))
    return mine.update(read_at=timezone.now())


@transaction.atomic
def follow(*, by: Any, target: models.Model, is_own_new: bool = False) -> Follow:
    """`by` follows `target` (idempotent). Only a registered kind of object that `by` can
    see may be followed; anything else is refused as if it did not exist.

    `is_own_new`: `by` has just created `target`, as its owner, in this transaction (a
    citizen filing a request): they can see it and nobody follows it yet, so the
    visibility query and the lookup are skipped (one INSERT)."""
    if is_own_new:
        if by is None or not by.is_authenticated or not by.is_active:
            raise PermissionDenied("You cannot follow this.")
        if not is_followable(target):
            raise PermissionDenied("You cannot follow this.")
        return Follow.objects.create(
            user=by,
            target_type=ContentType.objects.get_for_model(target),
            target_id=str(target.pk),
        )
    if not can_follow(by, target):
        raise PermissionDenied("You cannot follow this.")
    entry, _created = Follow.objects.get_or_create(
        user=by,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
    )
    return entry


@transaction.atomic
def unfollow(*, by: Any, target: models.Model) -> bool:
    """`by` stops following `target` (always allowed). Returns whether they followed it."""
    if by is None or not by.is_authenticated:
        raise PermissionDenied("Sign in to stop following.")
    deleted, _kinds = Follow.objects.visible_to(by).of(target).delete()
    return deleted > 0


@transaction.atomic
def stop_following(*, by: Any, follow_id: int) -> bool:
    """`by` stops following by the follow's id, even when the object followed is gone or
    hidden from them now. Only their own follows; returns whether one was removed."""
    if by is None or not by.is_authenticated:
        raise PermissionDenied("Sign in to stop following.")
    deleted, _kinds = Follow.objects.visible_to(by).filter(pk=follow_id).delete()
    return deleted > 0


@transaction.atomic
def set_email_frequency(*, by: Any, user: Any, frequency: str) -> EmailPreference:
    """Choose how often `user` gets notifications by email: immediately, a daily digest,
    or never. Only the person (or the holder of their signed unsubscribe link, who acts
    as them) or a site administrator may change it."""
    if frequency not in EmailFrequency.values:
        raise ValueError(f"Unknown email frequency: {frequency!r}")
    if not (by is not None and (by.pk == user.pk or getattr(by, "is_superuser", False))):
        raise PermissionDenied("Only the account holder can change this.")
    preference, _created = EmailPreference.objects.select_for_update().get_or_create(
        user_id=user.pk, defaults={"frequency": frequency}
    )
    if preference.frequency != frequency:
        preference.frequency = frequency
        preference.changed_at = timezone.now()
        preference.save(update_fields=["frequency", "changed_at"])
    return preference
