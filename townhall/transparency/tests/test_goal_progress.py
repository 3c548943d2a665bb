"""The agency dashboard checks each goal that has a target against the figures of its
window: the actual figure, in percent or hours, and met, not met, or not enough data yet,
in words, at no extra query."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from townhall.agencies import actions as agency_actions
from townhall.agencies.models import GoalMetric
from townhall.transparency import dashboard, rollups

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def city(city: dict[str, Any]) -> dict[str, Any]:
    """The conftest's city (4 of 6 ended promises kept: 66.7%; acknowledged after 3, 5
    and 30 hours), with its rollups built."""
    rollups.rebuild()
    return city


# title, metric, target: met, not met and no data, in both directions.
GOALS = (
    ("Keep most promises", GoalMetric.PROMISES_KEPT_SHARE, 60),
    ("Keep nearly every promise", GoalMetric.PROMISES_KEPT_SHARE, 90),
    ("Reply within a day", GoalMetric.MEDIAN_HOURS_TO_ACKNOWLEDGE, 24),
    ("Reply within four hours", GoalMetric.MEDIAN_HOURS_TO_ACKNOWLEDGE, 4),
    ("Answer FOI requests on time", GoalMetric.FOI_ON_TIME_SHARE, 95),
)


@pytest.fixture
def goals(site_admin: Any, agency: Any) -> None:
    agency_actions.add_goal(
        by=site_admin, agency=agency, title="Friendly streets", measure="Survey of residents"
    )
    for title, metric, target in GOALS:
        agency_actions.add_goal(
            by=site_admin,
            agency=agency,
            title=title,
            measure=f"{title}, as the dashboard counts it",
            metric=metric,
            target=target,
        )


def _page(client: Any, agency: Any, query: str = "") -> str:
    url = reverse("dashboard:agency-detail", kwargs={"slug": agency.slug})
    response = client.get(url + query)
    assert response.status_code == 200
    return response.content.decode()


def _target_rows(page: str) -> dict[str, list[str]]:
    """The goal targets table as {goal: [figure, target, actual, result]}, in plain text."""
    table = re.search(r'<table[^>]*id="goal-targets".*?</table>', page, re.S)
    assert table is not None, "no table of goal targets"
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)[1:]:
        cells = [
            " ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows[cells[0]] = cells[1:]
    return rows


@pytest.mark.django_db
def test_each_goal_with_a_target_is_checked_against_the_window(
    city: None, goals: None, agency: Any
) -> None:
    board = dashboard.agency_dashboard(agency, "month")

    progress = {entry.goal.title: entry for entry in board.goal_progress}
    assert [entry.goal.title for entry in board.goal_progress] == [
        "Friendly streets",
        *(title for title, _metric, _target in GOALS),
    ]
    assert (progress["Friendly streets"].actual, progress["Friendly streets"].met) == (None, None)
    assert progress["Keep most promises"].actual == pytest.approx(66.7)
    assert progress["Keep most promises"].met is True
    assert progress["Keep nearly every promise"].met is False
    assert 5 <= progress["Reply within a day"].actual < 6
    assert progress["Reply within a day"].met is True
    assert progress["Reply within four hours"].met is False
    assert (
        progress["Answer FOI requests on time"].actual,
        progress["Answer FOI requests on time"].met,
    ) == (None, None)
    assert [entry.goal.title for entry in board.goal_targets] == [t for t, _m, _x in GOALS]


@pytest.mark.django_db
def test_the_page_says_in_words_whether_each_target_is_met(
    client: Any, city: None, goals: None, agency: Any
) -> None:
    page = _page(client, agency, "?period=month")
    rows = _target_rows(page)

    assert rows["Keep most promises"] == [
        "Promises kept (percent)",
        "at least 60%",
        "66.7%",
        "Met",
    ]
    assert rows["Keep nearly every promise"][1:] == ["at least 90%", "66.7%", "Not met"]
    assert rows["Reply within a day"][1] == "at most 24 hours"
    assert re.fullmatch(r"5(\.\d)? hours", rows["Reply within a day"][2])
    assert rows["Reply within a day"][3] == "Met"
    assert rows["Reply within four hours"][3] == "Not met"
    assert rows["Answer FOI requests on time"][2:] == ["no figure yet", "Not enough data yet"]
    # Goals without a target keep their sentence and get no row.
    assert "Friendly streets" not in rows
    assert "Survey of residents" in page
    assert "Keep most promises, as the dashboard counts it" in page


@pytest.mark.django_db
def test_a_service_or_team_shows_its_own_figure_against_the_goals(
    client: Any, city: None, goals: None, agency: Any
) -> None:
    rows = _target_rows(_page(client, agency, "?service=foi-public-works"))
    # The FOI request was never acknowledged: no figure for that service alone.
    assert rows["Reply within a day"][2:] == ["no figure yet", "Not enough data yet"]
    assert rows["Reply within four hours"][3] == "Not enough data yet"


@pytest.mark.django_db
def test_with_no_requests_yet_no_goal_is_called_missed(
    client: Any, goals: None, agency: Any
) -> None:
    rows = _target_rows(_page(client, agency))
    assert {cells[3] for cells in rows.values()} == {"Not enough data yet"}
    assert "Not met" not in _page(client, agency)


@pytest.mark.django_db
def test_an_agency_without_targets_shows_no_targets_table(
    client: Any, city: None, site_admin: Any, agency: Any
) -> None:
    agency_actions.add_goal(by=site_admin, agency=agency, title="Clean streets", measure="Survey")
    page = _page(client, agency)
    assert "Clean streets" in page
    assert 'id="goal-targets"' not in page


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_goal_targets_cost_no_extra_query(
    client: Any,
    city: None,
    site_admin: Any,
    agency: Any,
    django_assert_max_num_queries: Any,
) -> None:
    urls = [
        reverse("dashboard:agency-detail", kwargs={"slug": agency.slug}) + "?period=month",
        reverse("dashboard:agency-detail", kwargs={"slug": agency.slug}) + "?period=week",
        reverse("api:transparency-agency-detail", kwargs={"slug": agency.slug}),
    ]
    without_goals = [_queries(client, url) for url in urls]
    for title, metric, target in GOALS * 3:
        agency_actions.add_goal(
            by=site_admin, agency=agency, title=title, measure=title, metric=metric, target=target
        )
    for url, count in zip(urls, without_goals, strict=True):
        # The same budget as the dashboard's own query-count test.
        with django_assert_max_num_queries(min(count, 6)):
            assert client.get(url).status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_goal_targets_are_accessible_and_print(
    browser_page: Any, axe_check: Any, city: None, goals: None, agency: Any
) -> None:
    page = browser_page
    page.goto(reverse("dashboard:agency-detail", kwargs={"slug": agency.slug}))
    table = page.get_by_role("table", name=re.compile("Goals with a target"))
    row = table.get_by_role("row", name=re.compile("Keep nearly every promise"))
    assert "Not met" in row.inner_text()
    axe_check(page)

    page.emulate_media(media="print")
    assert table.is_visible()
    assert "Not enough data yet" in table.inner_text()
