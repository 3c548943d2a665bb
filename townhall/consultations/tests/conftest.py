"""Fixtures of the consultations tests: an open draft of Public Works, built through actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

SECTIONS = [
    (
        "Purpose",
        "This plan makes every street in Springfield safe to cross on foot by 2030.",
    ),
    (
        "Speed limits",
        "The speed limit on residential streets drops to 20 mph. Main roads stay at 30 mph.",
    ),
    ("Crossings", "Every school gets a raised crossing within two years."),
]


@pytest.fixture
def make_consultation(staff_member: Any) -> Any:
    from townhall.consultations import actions

    def make(by: Any = None, opens_in: int = -1, closes_in: int = 14, **extra: Any) -> Any:
        now = timezone.now()
        fields: dict[str, Any] = {
            "title": "Safer streets plan",
            "summary": "A draft plan for safer streets. Tell us what you think.",
            "sections": SECTIONS,
            "opens_at": now + dt.timedelta(days=opens_in),
            "closes_at": now + dt.timedelta(days=closes_in),
        }
        fields.update(extra)
        return actions.create_consultation(
            by=by or staff_member.user, agency=staff_member.agency, **fields
        )

    return make


@pytest.fixture
def consultation(make_consultation: Any) -> Any:
    """An open consultation of Public Works (email verified accounts may take part)."""
    return make_consultation()


@pytest.fixture
def sections(consultation: Any) -> list[Any]:
    return list(consultation.current_version.sections.order_by("order"))


@pytest.fixture
def close(db: Any) -> Any:
    """Move a consultation's closing date into the past (time passing, not an action)."""
    from townhall.consultations.models import Consultation

    def close_it(consultation: Any) -> Any:
        now = timezone.now()
        Consultation.objects.filter(pk=consultation.pk).update(
            opens_at=now - dt.timedelta(days=30), closes_at=now - dt.timedelta(minutes=1)
        )
        consultation.refresh_from_db()
        return consultation

    return close_it
