"""The .ics link puts the expected answer date in the person's own calendar."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

pytestmark = pytest.mark.django_db


def ics_url(service_request: Any) -> str:
    return reverse("requests:request-ics", kwargs={"reference": service_request.reference})


def test_the_calendar_file_holds_one_event_at_the_expected_answer_moment(
    client: Any, file_pothole: Any
) -> None:
    report = file_pothole(is_public=True)
    response = client.get(ics_url(report))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert f'filename="{report.reference}.ics"' in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]).startswith(report.reference + "@")
    start = event.decoded("DTSTART")
    assert start == report.expected_at
    local = start.astimezone(ZoneInfo("America/Chicago"))
    assert (local.hour, local.minute) == (23, 59)
    assert str(event["URL"]) == f"http://testserver/requests/{report.reference}/"
    assert report.reference in str(event["SUMMARY"])
    assert "Report a pothole" in str(event["SUMMARY"])
    # The agency's time zone travels with the event.
    assert str(event["DTSTART"].params.get("TZID")) == "America/Chicago"
    assert list(calendar.walk("VTIMEZONE"))


def test_the_same_request_always_gets_the_same_uid(client: Any, file_pothole: Any) -> None:
    report = file_pothole(is_public=True)
    first = Calendar.from_ical(client.get(ics_url(report)).content)
    second = Calendar.from_ical(client.get(ics_url(report)).content)
    assert first.walk("VEVENT")[0]["UID"] == second.walk("VEVENT")[0]["UID"]


def test_the_description_with_html_stays_out_of_the_calendar(
    client: Any, file_pothole: Any
) -> None:
    report = file_pothole(is_public=True, description="<script>x</script>\r\nBEGIN:VEVENT")
    content = client.get(ics_url(report)).content
    assert b"<script>" not in content
    assert content.count(b"BEGIN:VEVENT") == 1
