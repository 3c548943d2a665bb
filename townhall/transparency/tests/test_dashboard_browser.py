"""The dashboard in real Chromium: figures kept up to date by the task after each action
(the transaction commits here), zero axe violations, data tables one click away, and it
prints."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_pages_are_accessible_and_follow_each_action(
    browser_page: Any, axe_check: Any, file_pothole: Any, staff_member: Any, foi_request: Any
) -> None:
    from townhall.service_requests import actions

    filed = timezone.now() - dt.timedelta(hours=30)
    request = file_pothole(at=filed)
    actions.reply_to_request(
        by=staff_member.user, request=request, body="Seen.", at=filed + dt.timedelta(hours=4)
    )
    actions.answer_request(by=staff_member.user, request=request, body="Filled.")
    page = browser_page

    page.goto("/transparency/")
    assert page.locator("h1").inner_text() == "Are we keeping our promises?"
    row = page.locator("tbody tr", has_text="Public Works")
    assert "100%" in row.inner_text()  # acknowledged and answered on time
    axe_check(page)

    page.get_by_role("link", name="Public Works").first.click()
    assert page.locator("svg.dashboard-chart").count() == 3
    page.get_by_text("Data of the chart “Requests received and answered”").click()
    table = page.locator("details[open] table")
    assert table.is_visible()
    axe_check(page)

    page.get_by_role("link", name="By week").click()
    assert "period=week" in page.url
    axe_check(page)

    page.emulate_media(media="print")
    assert page.locator("svg.dashboard-chart").first.is_visible()
