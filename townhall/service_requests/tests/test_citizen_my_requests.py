"""“My requests”: the signed-in citizen's own requests with status and expected date."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from townhall.service_requests import actions

from .conftest_citizen import page_text

pytestmark = pytest.mark.django_db

URL = reverse("requests:request-mine")


def test_a_visitor_is_asked_to_sign_in(client: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_with_no_requests_the_page_points_to_filing(client: Any, citizen: Any) -> None:
    client.force_login(citizen)
    response = client.get(URL)
    assert response.status_code == 200
    text = page_text(response)
    assert "You have not made any requests yet" in text
    assert reverse("requests:request-new") in response.content.decode()


def test_the_list_shows_each_request_with_status_holder_and_expected_date(
    client: Any, citizen: Any, file_pothole: Any, staff_member: Any
) -> None:
    first = file_pothole(is_public=False)
    second = file_pothole(is_public=True, description="Second hole")
    actions.take_request(by=staff_member.user, request=second)
    client.force_login(citizen)
    response = client.get(URL)
    text = page_text(response)
    assert first.reference in text and second.reference in text
    # Newest first.
    assert text.index(second.reference) < text.index(first.reference)
    assert "Report a pothole" in text
    assert "Submitted" in text
    assert "Held by Sam Rivera, Road Maintenance Supervisor" in text
    assert "Expected by" in text
    assert first.get_absolute_url() in response.content.decode()


def test_answered_and_waiting_requests_say_so(
    client: Any, citizen: Any, file_pothole: Any, staff_member: Any
) -> None:
    answered = file_pothole()
    waiting = file_pothole(description="Another")
    actions.answer_request(by=staff_member.user, request=answered, body="Done.")
    actions.request_clarification(by=staff_member.user, request=waiting, body="Where?")
    client.force_login(citizen)
    text = page_text(client.get(URL))
    assert "Answered on" in text
    assert "Waiting for your reply" in text


def test_only_the_citizens_own_requests_are_listed(
    client: Any, citizen: Any, citizen2: Any, file_pothole: Any
) -> None:
    mine = file_pothole()
    theirs = file_pothole(by=citizen2, is_public=True, description="Bea's hole")
    client.force_login(citizen)
    content = client.get(URL).content.decode()
    assert mine.reference in content
    assert theirs.reference not in content


def test_many_requests_are_split_into_pages(client: Any, citizen: Any, file_pothole: Any) -> None:
    filed = [file_pothole(description=f"Hole number {n}") for n in range(27)]
    client.force_login(citizen)
    first = client.get(URL)
    assert "Page 1 of 2" in page_text(first)
    assert filed[-1].reference in first.content.decode()
    assert filed[0].reference not in first.content.decode()
    second = client.get(URL, {"page": "2"})
    assert filed[0].reference in second.content.decode()
    # A page number that makes no sense shows a page anyway.
    for nonsense in ["999", "-1", "abc", "1' OR '1'='1"]:
        assert client.get(URL, {"page": nonsense}).status_code == 200
