"""Actions given an explicit moment (`at=`, as imports and the demo city use) log their
entries at that moment, so a request's timeline reads in the order things happened."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from townhall.service_requests import actions, queries

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
FILED = datetime(2025, 3, 3, 9, 30, tzinfo=CHICAGO)  # a Monday, long ago


def test_a_request_worked_in_the_past_has_a_timeline_in_the_order_it_happened(
    file_pothole: Any, sam: Any, citizen: Any
) -> None:
    request = file_pothole(at=FILED, is_public=True)
    promise_due = timezone.now() + timedelta(days=3)
    actions.reply_to_request(
        by=sam,
        request=request,
        body="On our list.",
        promise="I will call you",
        promise_due_at=promise_due,
        at=FILED + timedelta(hours=2),
    )
    actions.request_clarification(
        by=sam, request=request, body="Which side?", at=FILED + timedelta(days=1)
    )
    actions.reply_to_request(
        by=citizen, request=request, body="North.", at=FILED + timedelta(days=3)
    )
    actions.answer_request(by=sam, request=request, body="Filled.", at=FILED + timedelta(days=4))
    promise = queries.request_commitments(request, sam)[-1]
    actions.keep_promise(
        by=sam, request=request, commitment=promise, at=FILED + timedelta(days=4, hours=1)
    )
    actions.close_request(by=sam, request=request, at=FILED + timedelta(days=5))
    actions.reopen_request(
        by=citizen, request=request, reason="It sank.", at=FILED + timedelta(days=6)
    )

    entries = queries.timeline(request, sam)
    moments = [entry.occurred_at for entry in entries]
    assert moments == sorted(moments)
    assert all(moment < FILED + timedelta(days=7) for moment in moments)  # nothing "now"
    verbs = [entry.verb for entry in entries]
    assert verbs == [
        "request.filed",
        "commitment.made",  # acknowledge
        "commitment.made",  # respond
        "commitment.kept",  # the first reply acknowledges
        "request.replied",
        "request.acknowledged",
        "commitment.made",  # “I will call you”
        "request.clarification_requested",
        "commitment.paused",
        "request.replied",
        "request.resumed",  # the citizen's answer ends the pause
        "commitment.kept",  # the answer keeps the respond commitment
        "request.answered",
        "commitment.kept",  # “I will call you”
        "request.promise_kept",
        "request.closed",
        "request.reopened",
    ]
    assert entries[0].occurred_at == FILED
    assert entries[-1].occurred_at == FILED + timedelta(days=6)
