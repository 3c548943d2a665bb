"""A goal can name a dashboard figure (`metric`) and a `target` for it: both or neither, a
percentage between 0 and 100, hours more than 0. A refused goal is not saved, through the
actions and through the admin."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from townhall.activity.models import Activity
from townhall.agencies import actions
from townhall.agencies.models import Goal, GoalMetric

pytestmark = pytest.mark.django_db


def _add(site_admin: Any, agency: Any, **extra: Any) -> Goal:
    return actions.add_goal(
        by=site_admin, agency=agency, title="Keep our promises", measure="Promises kept", **extra
    )


def test_a_goal_with_a_figure_and_a_target_is_saved_and_logged(site_admin: Any, agency: Any):
    goal = _add(site_admin, agency, metric=GoalMetric.PROMISES_KEPT_SHARE, target="92.5")

    saved = Goal.objects.get(pk=goal.pk)
    assert (saved.metric, saved.target) == ("promises_kept_share", Decimal("92.50"))
    assert saved.is_measurable and saved.is_share
    assert Activity.objects.filter(verb="goal.added", agency=agency).count() == 1


def test_a_goal_without_a_figure_stays_a_sentence(site_admin: Any, agency: Any):
    goal = _add(site_admin, agency)
    assert (goal.metric, goal.target, goal.is_measurable) == ("", None, False)
    assert goal.is_met_by(50.0) is None


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        (
            {"metric": GoalMetric.PROMISES_KEPT_SHARE},
            "target",
            "Give a target for the chosen dashboard figure, or choose none.",
        ),
        (
            {"target": 90},
            "metric",
            "Choose the dashboard figure this target is for, or clear it.",
        ),
        (
            {"metric": GoalMetric.FOI_ON_TIME_SHARE, "target": 150},
            "target",
            "A percentage target must be between 0 and 100.",
        ),
        (
            {"metric": GoalMetric.ANSWERED_ON_TIME_SHARE, "target": -1},
            "target",
            "A percentage target must be between 0 and 100.",
        ),
        (
            {"metric": GoalMetric.MEDIAN_HOURS_TO_ACKNOWLEDGE, "target": -4},
            "target",
            "A target in hours must be more than 0.",
        ),
        (
            {"metric": GoalMetric.P90_HOURS_TO_RESPOND, "target": 0},
            "target",
            "A target in hours must be more than 0.",
        ),
        ({"metric": "hours_of_sunshine", "target": 5}, "metric", "not a valid choice"),
    ],
)
def test_a_goal_with_a_bad_target_is_refused_and_not_saved(
    site_admin: Any, agency: Any, extra: dict[str, Any], field: str, message: str
):
    with pytest.raises(ValidationError) as refused:
        _add(site_admin, agency, **extra)

    assert message in " ".join(refused.value.message_dict[field])
    assert not Goal.objects.exists()
    assert not Activity.objects.filter(verb="goal.added").exists()


def test_the_edges_of_the_ranges_are_allowed(site_admin: Any, agency: Any):
    _add(site_admin, agency, metric=GoalMetric.FOI_ON_TIME_SHARE, target=100)
    _add(site_admin, agency, metric=GoalMetric.PROMISES_KEPT_SHARE, target=0)
    _add(site_admin, agency, metric=GoalMetric.MEDIAN_HOURS_TO_RESPOND, target="0.5")
    assert Goal.objects.count() == 3


def test_a_target_can_be_added_to_an_existing_goal_and_cleared(site_admin: Any, agency: Any):
    goal = _add(site_admin, agency)
    actions.update_goal(
        by=site_admin,
        goal=goal,
        changes={"metric": GoalMetric.MEDIAN_HOURS_TO_ACKNOWLEDGE, "target": Decimal("24")},
    )
    assert Goal.objects.get(pk=goal.pk).target == Decimal("24.00")

    actions.update_goal(by=site_admin, goal=goal, changes={"metric": "", "target": None})
    saved = Goal.objects.get(pk=goal.pk)
    assert (saved.metric, saved.target) == ("", None)
    assert Activity.objects.filter(verb="goal.updated").count() == 2


def test_an_update_that_leaves_a_figure_without_a_target_is_refused(site_admin: Any, agency: Any):
    goal = _add(site_admin, agency, metric=GoalMetric.PROMISES_KEPT_SHARE, target=90)
    with pytest.raises(ValidationError) as refused:
        actions.update_goal(by=site_admin, goal=goal, changes={"target": None})
    assert "target" in refused.value.message_dict
    assert goal.target == Decimal("90")  # the object gets its old value back
    assert Goal.objects.get(pk=goal.pk).target == Decimal("90.00")

    with pytest.raises(ValidationError, match="Choose the dashboard figure"):
        actions.update_goal(by=site_admin, goal=goal, changes={"metric": ""})
    with pytest.raises(ValidationError, match="more than 0"):
        actions.update_goal(
            by=site_admin,
            goal=goal,
            changes={"metric": GoalMetric.P90_HOURS_TO_RESPOND, "target": -90},
        )
    assert Goal.objects.get(pk=goal.pk).metric == "promises_kept_share"
    assert not Activity.objects.filter(verb="goal.updated").exists()


@pytest.mark.parametrize(
    ("metric", "target", "actual", "met"),
    [
        (GoalMetric.PROMISES_KEPT_SHARE, 90, 95.0, True),
        (GoalMetric.PROMISES_KEPT_SHARE, 90, 90.0, True),
        (GoalMetric.PROMISES_KEPT_SHARE, 90, 89.9, False),
        (GoalMetric.MEDIAN_HOURS_TO_ACKNOWLEDGE, 24, 20.0, True),
        (GoalMetric.MEDIAN_HOURS_TO_ACKNOWLEDGE, 24, 24.0, True),
        (GoalMetric.MEDIAN_HOURS_TO_ACKNOWLEDGE, 24, 24.1, False),
        (GoalMetric.MEDIAN_HOURS_TO_ACKNOWLEDGE, 24, None, None),
    ],
)
def test_more_is_better_for_shares_and_less_for_hours(
    metric: str, target: int, actual: float | None, met: bool | None
):
    assert Goal(metric=metric, target=Decimal(target)).is_met_by(actual) is met


# --- the admin -----------------------------------------------------------------------------


@pytest.fixture
def admin_client(client: Any, site_admin: Any) -> Any:
    client.force_login(site_admin)
    return client


def _agency_form(agency: Any, goal: dict[str, str]) -> dict[str, str]:
    return {
        "name": agency.name,
        "slug": agency.slug,
        "purpose": agency.purpose,
        "jurisdiction": agency.jurisdiction,
        "time_zone": agency.time_zone,
        "parent": "",
        "email": "",
        "phone": "",
        "is_published": "on",
        "goals-TOTAL_FORMS": "1",
        "goals-INITIAL_FORMS": "0",
        "goals-MIN_NUM_FORMS": "0",
        "goals-MAX_NUM_FORMS": "1000",
        "goals-0-title": "Keep our promises",
        "goals-0-description": "",
        "goals-0-measure": "Share of promises kept",
        "goals-0-order": "0",
        **{f"goals-0-{name}": value for name, value in goal.items()},
        "teams-TOTAL_FORMS": "0",
        "teams-INITIAL_FORMS": "0",
        "teams-MIN_NUM_FORMS": "0",
        "teams-MAX_NUM_FORMS": "1000",
    }


def test_the_admin_shows_and_saves_a_goals_figure_and_target(admin_client: Any, agency: Any):
    url = reverse("admin:agencies_agency_change", args=[agency.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="goals-__prefix__-metric"' in page
    assert 'name="goals-__prefix__-target"' in page

    response = admin_client.post(
        url, _agency_form(agency, {"metric": "promises_kept_share", "target": "90"})
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    goal = Goal.objects.get(agency=agency)
    assert (goal.metric, goal.target) == ("promises_kept_share", Decimal("90.00"))
    assert Activity.objects.filter(verb="goal.added", agency=agency).exists()


def test_the_admin_explains_a_refused_target_and_saves_nothing(admin_client: Any, agency: Any):
    url = reverse("admin:agencies_agency_change", args=[agency.pk])
    response = admin_client.post(
        url, _agency_form(agency, {"metric": "foi_on_time_share", "target": "150"})
    )

    assert response.status_code == 200
    assert "A percentage target must be between 0 and 100." in response.content.decode()
    assert not Goal.objects.exists()
