"""An agency's public page and `/api/v1/agencies/` show the number a goal aims at, so
residents can hold the agency to it, with a link to how it is doing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from townhall.agencies.actions import add_goal

pytestmark = pytest.mark.django_db


def test_the_agency_page_shows_a_goals_target_and_links_to_the_dashboard(
    client: Client, agency: Any, site_admin: Any
) -> None:
    add_goal(
        by=site_admin,
        agency=agency,
        title="Keep our promises",
        measure="Share of promises kept",
        metric="promises_kept_share",
        target=Decimal("90"),
    )
    add_goal(
        by=site_admin,
        agency=agency,
        title="Answer fast",
        measure="Median hours to answer",
        metric="median_hours_to_respond",
        target=Decimal("36.5"),
    )
    add_goal(by=site_admin, agency=agency, title="Be kind", measure="Surveys")
    page = client.get(agency.get_absolute_url()).content.decode()
    assert "Promises kept (percent), at least 90%" in page
    assert "Median hours to answer (hours), at most 36.5 hours" in page
    assert page.count("How we are doing") == 2  # the goal without a number has no target
    assert f'href="/transparency/{agency.slug}/#goals-heading"' in page


def test_the_agencies_api_gives_each_goals_metric_and_target(
    client: Client, agency: Any, site_admin: Any
) -> None:
    add_goal(
        by=site_admin,
        agency=agency,
        title="Keep our promises",
        measure="Share of promises kept",
        metric="promises_kept_share",
        target=Decimal("90"),
    )
    add_goal(by=site_admin, agency=agency, title="Be kind", measure="Surveys")
    body = client.get(f"/api/v1/agencies/{agency.slug}/").json()
    goals = {goal["title"]: goal for goal in body["goals"]}
    assert goals["Keep our promises"]["metric"] == "promises_kept_share"
    assert goals["Keep our promises"]["target"] == 90.0
    assert goals["Be kind"]["metric"] is None and goals["Be kind"]["target"] is None
