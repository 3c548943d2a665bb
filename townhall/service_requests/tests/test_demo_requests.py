"""`townhall demo_requests` files believable requests in the demo city."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.conversations.models import Message
from townhall.service_requests.models import ServiceRequest, Status, Support

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city() -> None:
    call_command("demo", stdout=StringIO())


def test_the_demo_requests_tell_a_believable_story(demo_city: Any) -> None:
    out = StringIO()
    call_command("demo_requests", stdout=out)
    requests = ServiceRequest.objects.all()
    assert 18 <= requests.count() <= 25
    assert "demo requests" in out.getvalue()
    statuses = set(requests.values_list("status", flat=True))
    assert {
        Status.SUBMITTED,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.WAITING_FOR_CITIZEN,
        Status.ANSWERED,
        Status.CLOSED,
        Status.DECLINED,
        Status.DUPLICATE,
    } <= statuses
    assert requests.filter(assignee__isnull=False).exists()
    assert requests.filter(service__code="foi-request", is_extended=True, is_public=True).exists()
    assert Commitment.objects.filter(state=CommitmentState.BROKEN).exists()
    assert Commitment.objects.filter(state=CommitmentState.KEPT).exists()
    assert Commitment.objects.filter(kind=CommitmentKind.CUSTOM).exists()
    assert Message.objects.filter(persona__isnull=False).exists()
    assert Message.objects.filter(is_internal=True).exists()
    assert Support.objects.exists()
    assert set(requests.values_list("requester__email", flat=True)) == {
        "citizen@example.org",
        "citizen2@example.org",
    }
    for request in requests:
        assert request.reference.startswith("SPR-")


def test_demo_requests_go_only_into_a_city_without_requests(demo_city: Any) -> None:
    call_command("demo_requests", stdout=StringIO())
    count = ServiceRequest.objects.count()
    with pytest.raises(CommandError, match="already"):
        call_command("demo_requests", stdout=StringIO())
    out = StringIO()
    call_command("demo_requests", "--if-empty", stdout=out)
    assert "no demo requests were added" in out.getvalue()
    assert ServiceRequest.objects.count() == count


def test_demo_requests_need_the_demo_city() -> None:
    with pytest.raises(CommandError, match="townhall demo"):
        call_command("demo_requests", stdout=StringIO())
