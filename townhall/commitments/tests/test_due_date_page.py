"""The public page "When is my answer due?" works the rule out for a chosen agency."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from townhall.agencies import actions as agency_actions
from townhall.agencies.models import Agency
from townhall.commitments import actions

URL = reverse("commitments:due-date")


def ask(client: Any, **params: Any) -> Any:
    return client.get(URL, params)


def text(response: Any) -> str:
    """The page's visible text, tags removed and whitespace collapsed."""
    body = response.content.decode()
    main = body[body.index("<main") : body.index("</main>")]
    main = re.sub(r"</?(?:time|a|span|strong)\b[^>]*>", "", main)  # inline: no space
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


FOI = {
    "agency": "public-works",
    "received_date": "2026-11-20",
    "received_time": "10:00",
    "working_days": "20",
}


def test_the_page_explains_the_rule_and_offers_a_form(client: Any, agency: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    page = text(response)
    assert "When is my answer due?" in page
    assert "The day your request arrives does not count" in page
    content = response.content.decode()
    assert content.count("<h1") == 1
    assert 'method="get"' in content
    assert 'type="date"' in content and 'type="time"' in content
    assert '<option value="public-works">Public Works</option>' in content
    assert "usa-alert--error" not in content
    assert "Your answer is due by" not in page


def test_a_twenty_working_day_request_is_due_in_words_with_the_skipped_days(
    client: Any, agency: Any
) -> None:
    response = ask(client, **FOI)
    assert response.status_code == 200
    page = text(response)
    assert "Monday, 21 December 2026 at 11:59 p.m. (Central time)" in page
    assert "That is 20 working days at Public Works" in page
    assert "counted from the day after Friday, 20 November 2026" in page
    assert "Thursday, 26 November 2026: Thanksgiving Day" in page
    assert "Saturday, 21 November 2026: weekend" in page
    assert page.count(": weekend") == 10
    assert 'datetime="2026-12-21T23:59:59-06:00"' in response.content.decode()


def test_the_due_date_is_given_in_words_as_people_say_it(client: Any, agency: Any) -> None:
    response = ask(client, **{**FOI, "received_date": "2026-11-25", "working_days": "6"})
    # Thanksgiving (26th) and the weekend are skipped: 27, 30 Nov, 1, 2, 3, 4 Dec.
    assert "Friday, 4 December 2026 at 11:59 p.m. (Central time)" in text(response)


def test_a_request_late_on_friday_evening_counts_from_friday(client: Any, agency: Any) -> None:
    response = ask(client, **{**FOI, "received_time": "23:30", "working_days": "1"})
    assert "Monday, 23 November 2026 at 11:59 p.m." in text(response)


def test_the_time_is_optional(client: Any, agency: Any) -> None:
    response = ask(client, **{**FOI, "received_time": ""})
    assert "Monday, 21 December 2026 at 11:59 p.m." in text(response)


def test_one_working_day_reads_in_the_singular(client: Any, agency: Any) -> None:
    response = ask(client, **{**FOI, "received_date": "2026-11-23", "working_days": "1"})
    page = text(response)
    assert "That is 1 working day at Public Works" in page
    assert "None: every day in between is a working day." in page


def test_the_agencys_snow_day_is_skipped_and_named(
    client: Any, agency: Any, site_admin: Any
) -> None:
    actions.add_closure(by=site_admin, agency=agency, date=date(2026, 11, 24), reason="Snow day")
    response = ask(client, **FOI)
    page = text(response)
    assert "Tuesday, 24 November 2026: Snow day" in page
    assert "Tuesday, 22 December 2026 at 11:59 p.m." in page


def test_a_closure_reason_with_html_is_shown_as_text(
    client: Any, agency: Any, site_admin: Any
) -> None:
    reason = '<script>alert("x")</script>'
    actions.add_closure(by=site_admin, agency=agency, date=date(2026, 11, 24), reason=reason)
    content = ask(client, **FOI).content.decode()
    assert reason not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content


def test_an_agency_elsewhere_uses_its_own_holidays_and_time_zone(
    client: Any, site_admin: Any
) -> None:
    agency_actions.create_agency(
        by=site_admin,
        name="Harbor Board",
        purpose="Boats.",
        jurisdiction="US-CA",
        time_zone="America/Los_Angeles",
    )
    response = ask(client, **{**FOI, "agency": "harbor-board"})
    page = text(response)
    # California (unlike Illinois, per `holidays`) also closes the day after Thanksgiving.
    assert "Friday, 27 November 2026: Day After Thanksgiving" in page
    assert "Tuesday, 22 December 2026 at 11:59 p.m. (Pacific time)" in page
    assert 'datetime="2026-12-22T23:59:59-08:00"' in response.content.decode()


def test_an_empty_submission_explains_each_missing_field(client: Any, agency: Any) -> None:
    response = ask(client, agency="", received_date="", received_time="", working_days="")
    assert response.status_code == 200
    content = response.content.decode()
    page = text(response)
    assert "There is a problem" in page
    for message in [
        "Choose the agency you asked.",
        "Enter the date your request was received.",
        "Enter the number of working days.",
    ]:
        assert page.count(message) == 2, message  # in the summary and next to the field
    assert content.count("usa-form-group--error") == 3
    assert 'href="#id_received_date"' in content
    assert 'id="id_received_date_error"' in content
    assert "Error: When is my answer due?" in content
    assert "Your answer is due by" not in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("received_date", "20/11/2026", "Enter a real date, for example 2026-11-20."),
        ("received_date", "2026-02-30", "Enter a real date, for example 2026-11-20."),
        ("received_date", "x" * 5000, "Enter a real date, for example 2026-11-20."),
        ("received_time", "25:61", "Enter a time such as 14:30."),
        ("working_days", "0", "Enter at least 1 working day."),
        ("working_days", "-3", "Enter at least 1 working day."),
        ("working_days", "3651", "Enter at most 3650 working days."),
        ("working_days", "9" * 5000, "Enter a whole number of working days, such as 20."),
        ("working_days", "2.5", "Enter a whole number of working days, such as 20."),
        ("working_days", "twenty", "Enter a whole number of working days, such as 20."),
        ("working_days", "1; DROP TABLE agencies", "Enter a whole number of working days"),
        ("agency", "no-such-agency", "Choose an agency from the list."),
        ("agency", "<script>", "Choose an agency from the list."),
    ],
)
def test_bad_input_is_explained_next_to_the_field(
    client: Any, agency: Any, field: str, value: str, message: str
) -> None:
    response = ask(client, **{**FOI, field: value})
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert "Your answer is due by" not in page
    assert f'id="id_{field}_error"' in response.content.decode()


def test_an_unpublished_agency_cannot_be_chosen(client: Any, site_admin: Any) -> None:
    agency_actions.create_agency(
        by=site_admin,
        name="Secret Office",
        purpose="Hidden.",
        jurisdiction="US-IL",
        time_zone="America/Chicago",
        is_published=False,
    )
    response = ask(client, **{**FOI, "agency": "secret-office"})
    assert "Choose an agency from the list." in text(response)
    assert "Secret Office" not in response.content.decode()


def test_an_agency_with_a_broken_calendar_gets_an_explanation_not_an_error_page(
    client: Any, agency: Any
) -> None:
    Agency.objects.filter(pk=agency.pk).update(jurisdiction="XX-YY")
    response = ask(client, **FOI)
    assert response.status_code == 200
    assert "The calendar of Public Works is not set up correctly" in text(response)


def test_a_date_beyond_the_holiday_calendar_is_explained(client: Any, agency: Any) -> None:
    response = ask(client, **{**FOI, "received_date": "2100-12-20", "working_days": "30"})
    assert response.status_code == 200
    assert "Our holiday calendar covers the years 1777 to 2100" in text(response)


def test_the_page_takes_a_fixed_number_of_queries_however_many_agencies_and_closures(
    client: Any, agency: Any, site_admin: Any, django_assert_max_num_queries: Any
) -> None:
    for number in range(8):
        other = agency_actions.create_agency(
            by=site_admin,
            name=f"Agency {number}",
            purpose="Work.",
            jurisdiction="US-IL",
            time_zone="America/Chicago",
        )
        for day in range(1, 6):
            actions.add_closure(by=site_admin, agency=other, date=date(2026, 12, day), reason="Ice")
    for day in range(1, 6):
        actions.add_closure(by=site_admin, agency=agency, date=date(2026, 12, day), reason="Ice")
    # the agency list, the chosen agency, its closures
    with django_assert_max_num_queries(3):
        response = ask(client, **FOI)
    assert response.status_code == 200
    assert text(response).count("Ice") == 5
    with django_assert_max_num_queries(1):
        assert client.get(URL).status_code == 200
