"""Fixtures of the dashboard tests: a small city whose figures are known by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from townhall.commitments.actions import mark_broken_commitments
from townhall.service_requests import actions

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def city(
    citizen: Any, staff_member: Any, pothole_service: Any, foi_service: Any, file_pothole: Any
) -> dict[str, Any]:
    """Three private pothole reports filed three days ago, acknowledged after 3, 5 and 30
    hours, one answered after 48 hours; a promise made in a reply and broken; an FOI
    request whose deadline was extended."""
    staff = staff_member.user
    filed = timezone.now() - dt.timedelta(days=3)
    potholes = [file_pothole(at=filed) for _ in range(3)]
    for request, hours in zip(potholes, (3, 5, 30), strict=True):
        actions.reply_to_request(
            by=staff, request=request, body="On our list.", at=filed + hours * HOUR
        )
    actions.answer_request(by=staff, request=potholes[0], body="Filled.", at=filed + 48 * HOUR)
    actions.reply_to_request(
        by=staff,
        request=potholes[1],
        body="I will call you.",
        promise="I will call you within the hour",
        promise_due_at=timezone.now() + HOUR,
    )
    mark_broken_commitments(now=timezone.now() + 2 * HOUR)
    foi = actions.file_request(
        by=citizen, service=foi_service, description="Every contract.", at=filed
    )
    actions.extend_deadline(by=staff, request=foi, reason="Many records to gather.")
    return {"potholes": potholes, "foi": foi, "staff": staff}
