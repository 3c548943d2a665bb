"""Erasing a person from the activity log's wording, without breaking the log.

The log is append-only (ARCHITECTURE.md, invariant 3): the application and the database
refuse updates and deletes. Its summaries, though, are written in words at the time
("Alex Park filed SPR-2026-000123"), and a person who erases their account must not stay
named there. `redact_names` is the single exception: it records the new wording of each
entry in `ActivityRedaction` and then rewrites only the `summary` column, which the
database triggers allow exactly when the new text is the one recorded (migration 0006).
Nothing else about an entry (who, when, what, for whom) ever changes, and nothing is
deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from .models import Activity, ActivityRedaction

# Names shorter than this are not searched for (a one-letter "name" would redact words).
MIN_NAME_LENGTH = 2


def _reworded(summary: str, names: list[str], pseudonym: str) -> str:
    for name in names:
        summary = summary.replace(name, pseudonym)
    return summary[:500]


@transaction.atomic
def redact_names(*, person: Any, names: Iterable[str], pseudonym: str, reason: str) -> int:
    """Replace each of `names` with `pseudonym` in the summaries of the entries about
    `person` (as actor or as the citizen concerned). Returns how many entries changed.
    Call inside the erasure's transaction."""
    wanted = sorted({n for n in names if n and len(n) >= MIN_NAME_LENGTH}, key=len, reverse=True)
    if not wanted:
        return 0
    mentions = Q()
    for name in wanted:
        mentions |= Q(summary__contains=name)
    entries = list(
        Activity.objects.filter(Q(actor_id=person.pk) | Q(citizen_id=person.pk))
        .filter(mentions)
        .only("pk", "summary")
    )
    now = timezone.now()
    rewrites = [
        ActivityRedaction(
            activity_id=entry.pk,
            summary=_reworded(entry.summary, wanted, pseudonym),
            redacted_at=now,
            reason=reason[:100],
        )
        for entry in entries
    ]
    rewrites = [r for r, e in zip(rewrites, entries, strict=True) if r.summary != e.summary]
    if not rewrites:
        return 0
    ActivityRedaction.objects.bulk_create(rewrites, batch_size=500)
    latest = (
        ActivityRedaction.objects.filter(activity_id=OuterRef("pk"))
        .order_by("-redacted_at", "-pk")
        .values("summary")[:1]
    )
    ids = [r.activity_id for r in rewrites]
    changed = 0
    for start in range(0, len(ids), 500):
        # The plain QuerySet update: ActivityQuerySet refuses updates on purpose.
        batch = Activity.objects.filter(pk__in=ids[start : start + 500])
        changed += models.QuerySet.update(batch, summary=Subquery(latest))
    return changed
