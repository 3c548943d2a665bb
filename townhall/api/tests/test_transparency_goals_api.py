"""GET /api/v1/transparency/agencies/{slug}/ gives each goal's `metric`, `target`, the
`actual` figure in that time (percent or hours) and whether it is `met`; null when the goal
has no target or nothing was counted yet. The schema documents them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from townhall.agencies import actions as agency_actions
from townhall.agencies.models import GoalMetric
from townhall.service_requests import actions
from townhall.transparency import rollups

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def goals(site_admin: Any, agency: Any) -> None:
    agency_actions.add_goal(
        by=site_admin, agency=agency, title="Friendly streets", measure="Survey of residents"
    )
    for title, metric, target in (
        ("Acknowledge on time", GoalMetric.ACKNOWLEDGED_ON_TIME_SHARE, 90),
        ("Acknowledge every single one on time", GoalMetric.ACKNOWLEDGED_ON_TIME_SHARE, 100),
        ("Reply within a day", GoalMetric.MEDIAN_HOURS_TO_ACKNOWLEDGE, 24),
        ("Reply within two hours", GoalMetric.MEDIAN_HOURS_TO_ACKNOWLEDGE, "2.5"),
        ("Answer within a week", GoalMetric.MEDIAN_HOURS_TO_RESPOND, 168),
    ):
        agency_actions.add_goal(
            by=site_admin,
            agency=agency,
            title=title,
            measure=f"{title}, as counted",
            metric=metric,
            target=target,
        )


@pytest.fixture
def acknowledged(staff_member: Any, file_pothole: Any) -> None:
    """Two pothole reports: one acknowledged after 4 hours, one not yet (50% on time);
    none answered."""
    filed = timezone.now() - dt.timedelta(hours=30)
    first = file_pothole(at=filed)
    file_pothole(at=filed)
    actions.reply_to_request(by=staff_member.user, request=first, body="Seen.", at=filed + 4 * HOUR)
    rollups.rebuild()


def _goals(api_client: APIClient, agency: Any) -> dict[str, dict[str, Any]]:
    response = api_client.get(f"/api/v1/transparency/agencies/{agency.slug}/")
    assert response.status_code == 200, response.content
    return {goal["title"]: goal for goal in response.json()["goals"]}


def test_each_goal_gives_its_target_figure_and_verdict(
    api_client: APIClient, goals: None, acknowledged: None, agency: Any
) -> None:
    found = _goals(api_client, agency)

    assert found["Acknowledge on time"] == {
        "title": "Acknowledge on time",
        "measure": "Acknowledge on time, as counted",
        "metric": "acknowledged_on_time_share",
        "target": 90.0,
        "actual": 50.0,
        "met": False,
    }
    assert found["Acknowledge every single one on time"]["met"] is False
    reply = found["Reply within a day"]
    assert (reply["metric"], reply["target"], reply["met"]) == (
        "median_hours_to_acknowledge",
        24.0,
        True,
    )
    assert 4 <= reply["actual"] < 5
    assert found["Reply within two hours"]["target"] == 2.5
    assert found["Reply within two hours"]["met"] is False
    # Nothing answered yet: not enough data, not a miss.
    assert found["Answer within a week"]["actual"] is None
    assert found["Answer within a week"]["met"] is None


def test_a_goal_without_a_target_keeps_its_keys_with_nulls(
    api_client: APIClient, goals: None, acknowledged: None, agency: Any
) -> None:
    assert _goals(api_client, agency)["Friendly streets"] == {
        "title": "Friendly streets",
        "measure": "Survey of residents",
        "metric": None,
        "target": None,
        "actual": None,
        "met": None,
    }


def test_a_share_target_is_met_when_reached(
    api_client: APIClient, goals: None, staff_member: Any, file_pothole: Any, agency: Any
) -> None:
    filed = timezone.now() - dt.timedelta(hours=30)
    for _ in range(2):
        request = file_pothole(at=filed)
        actions.reply_to_request(
            by=staff_member.user, request=request, body="Seen.", at=filed + HOUR
        )
    rollups.rebuild()

    found = _goals(api_client, agency)
    assert (found["Acknowledge on time"]["actual"], found["Acknowledge on time"]["met"]) == (
        100.0,
        True,
    )
    assert found["Acknowledge every single one on time"]["met"] is True
    assert found["Reply within two hours"]["met"] is True


def test_with_nothing_counted_every_target_is_null(
    api_client: APIClient, goals: None, agency: Any
) -> None:
    found = _goals(api_client, agency)
    measurable = [goal for goal in found.values() if goal["metric"]]
    assert len(measurable) == 5
    assert {(goal["actual"], goal["met"]) for goal in measurable} == {(None, None)}


def test_the_schema_documents_the_goal_fields(api_client: APIClient) -> None:
    schema = api_client.get("/api/v1/schema/?format=json").json()
    goal = schema["components"]["schemas"]["DashboardGoal"]
    assert {"title", "measure", "metric", "target", "actual", "met"} <= set(goal["properties"])
    for name in ("metric", "target", "actual", "met"):
        assert goal["properties"][name].get("nullable") or "oneOf" in goal["properties"][name]
