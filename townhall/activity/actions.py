"""Appending to the activity log. Every other app's actions call `record_activity`."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import Activity, Visibility


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
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target)
        entry.target_id = str(target.pk)
    entry.save(force_insert=True)
    return entry
