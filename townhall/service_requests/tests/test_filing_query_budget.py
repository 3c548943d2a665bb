"""Filing a request costs a fixed, small number of queries (issue 3: filing speed).

The figure does not grow with the city: more services and questions, routing rules,
closure days or requests already filed leave it where it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from townhall.activity.follows import is_following
from townhall.agencies import actions as agency_actions
from townhall.commitments import actions as commitment_actions
from townhall.commitments.models import Commitment, CommitmentKind
from townhall.identity.actions import issue_api_token
from townhall.service_requests import actions
from townhall.service_requests.models import ServiceRequest

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 10:00 in Springfield (CST).
MONDAY = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)

# Statements sent for one filing, savepoints included (a test runs inside a transaction,
# so the action's transaction.atomic becomes a savepoint). Before issue 3's work: 28 by
# the action with an idempotency key, 39 by POST /api/v1/requests/ (34 until its answer
# was built from the request the filing wrote, 30 until also from its commitments and
# log entries; 26 until the API stopped reading the service's questions only to check
# its code).
ACTION_BUDGET = 23
API_BUDGET = 25

POTHOLE_BODY = {
    "service": "pothole",
    "description": "Deep pothole outside number 12, cyclists swerve around it.",
    "attributes": {"size": "large"},
    "location": {"lat": 39.7817, "long": -89.6501, "address": "12 Monroe St"},
}


@pytest.fixture
def as_user() -> Callable[[Any], APIClient]:
    """An API client sending a fresh Bearer token of the account."""

    def make(user: Any) -> APIClient:
        _token, key = issue_api_token(by=user, user=user, name="Filing test", via="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make


def file_pothole(citizen: Any, service: Any, key: str) -> ServiceRequest:
    return actions.file_request(
        by=citizen,
        service=service,
        description="Deep pothole outside number 12.",
        answers={"size": "large"},
        latitude="39.7817",
        longitude="-89.6501",
        address="12 Monroe St",
        idempotency_key=key,
        at=MONDAY,
    )


def count_queries(work: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured.captured_queries)


def grow_the_city(agency: Any, site_admin: Any, manager: Any, team: Any, citizen: Any) -> None:
    """Ten more services with questions, ten routing rules that do not match a pothole on
    Monroe St, ten closure days after the filing's deadlines, twenty requests filed."""
    for number in range(10):
        service = agency_actions.add_service(
            by=site_admin, agency=agency, code=f"extra-{number}", name=f"Extra {number}"
        )
        for question in range(3):
            agency_actions.add_service_attribute(
                by=site_admin,
                service=service,
                code=f"q{question}",
                description=f"Question {question}?",
                datatype="string",
            )
        actions.add_routing_rule(
            by=manager.user, agency=agency, team=team, keywords=f"lamppost{number}"
        )
        commitment_actions.add_closure(
            by=site_admin,
            agency=agency,
            date=date(2026, 6, 1) + timedelta(days=number),
            reason=f"Closed {number}",
        )
    for number in range(20):
        actions.file_request(
            by=citizen,
            service=service,
            description=f"Earlier request {number}",
            at=MONDAY,
        )


def test_filing_by_the_action_stays_within_its_budget(
    citizen: Any, pothole_service: Any, django_assert_max_num_queries: Any
) -> None:
    file_pothole(citizen, pothole_service, "warm-up")  # content types, caches
    with django_assert_max_num_queries(ACTION_BUDGET):
        file_pothole(citizen, pothole_service, "measured")


def test_the_actions_cost_does_not_grow_with_the_city(
    citizen: Any, pothole_service: Any, agency: Any, site_admin: Any, manager: Any, team: Any
) -> None:
    file_pothole(citizen, pothole_service, "warm-up")
    small_city = count_queries(lambda: file_pothole(citizen, pothole_service, "small"))
    grow_the_city(agency, site_admin, manager, team, citizen)
    big_city = count_queries(lambda: file_pothole(citizen, pothole_service, "big"))
    print("action", small_city, big_city)
    assert big_city == small_city <= ACTION_BUDGET


def test_filing_through_the_api_stays_within_its_budget_as_the_city_grows(
    citizen: Any,
    pothole_service: Any,
    agency: Any,
    site_admin: Any,
    manager: Any,
    team: Any,
    as_user: Any,
) -> None:
    client = as_user(citizen)

    def post(key: str) -> None:
        response = client.post(
            "/api/v1/requests/",
            json.dumps(POTHOLE_BODY),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
        )
        assert response.status_code == 201, response.content[:500]

    post("warm-up")
    small_city = count_queries(lambda: post("small"))
    grow_the_city(agency, site_admin, manager, team, citizen)
    big_city = count_queries(lambda: post("big"))
    print("api", small_city, big_city)
    assert big_city == small_city <= API_BUDGET


def test_the_request_is_written_once_with_its_final_reference_title_and_due_time(
    citizen: Any, pothole_service: Any
) -> None:
    first = file_pothole(citizen, pothole_service, "one")
    second = file_pothole(citizen, pothole_service, "two")
    for request in (first, second):
        request.refresh_from_db()
        assert request.reference == f"SPR-2026-{request.pk:06d}"
        assert request.thread.title == f"{request.reference}: Report a pothole"
        respond = Commitment.objects.get(subject_id=str(request.pk), kind=CommitmentKind.RESPOND)
        assert request.expected_at == respond.due_at
        assert is_following(citizen, request)
    assert second.pk > first.pk


def test_a_filing_rolled_back_leaves_the_next_one_a_fresh_reference(
    citizen: Any, pothole_service: Any
) -> None:
    kept = file_pothole(citizen, pothole_service, "kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        file_pothole(citizen, pothole_service, "rolled back")
        raise RuntimeError("the rest of the work failed")
    after = file_pothole(citizen, pothole_service, "after")
    assert after.pk > kept.pk
    assert ServiceRequest.objects.filter(reference=after.reference).count() == 1
    assert not ServiceRequest.objects.filter(idempotency_key="rolled back").exists()


def test_a_routed_request_still_goes_to_its_team_with_its_promises(
    citizen: Any, pothole_service: Any, agency: Any, manager: Any, team: Any
) -> None:
    actions.add_routing_rule(by=manager.user, agency=agency, team=team, keywords="pothole")
    request = file_pothole(citizen, pothole_service, "routed")
    assert request.team == team
    promises = Commitment.objects.filter(subject_id=str(request.pk))
    assert {promise.team_id for promise in promises} == {team.pk}
