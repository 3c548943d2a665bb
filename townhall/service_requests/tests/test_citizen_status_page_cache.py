"""The status page anonymous visitors read is kept rendered, and forgotten at once when
anything on it changes; signed-in people and private requests are never served from it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from townhall.commitments.models import Commitment
from townhall.service_requests import actions

from .conftest_citizen import page_text, status_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(file_pothole: Any) -> Any:
    """Alex's public pothole report."""
    return file_pothole(is_public=True)


def test_a_second_anonymous_visit_reads_the_kept_page_in_two_queries(
    client: Any, report: Any, django_assert_max_num_queries: Any
) -> None:
    first = client.get(status_url(report))
    with django_assert_max_num_queries(2):  # the request, its commitments' rows
        again = Client().get(status_url(report))
    assert again.status_code == 200
    assert page_text(again) == page_text(first)


def test_after_a_staff_reply_the_anonymous_page_shows_it_at_once(
    client: Any, report: Any, staff_member: Any
) -> None:
    assert "The crew is on its way" not in page_text(client.get(status_url(report)))
    actions.reply_to_request(by=staff_member.user, request=report, body="The crew is on its way.")
    text = page_text(client.get(status_url(report)))
    assert "The crew is on its way" in text
    assert "Status Acknowledged" in text


def test_a_second_reply_that_leaves_the_status_as_it_was_shows_once_it_is_committed(
    client: Any, report: Any, staff_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    actions.reply_to_request(by=staff_member.user, request=report, body="We have it.")
    client.get(status_url(report))  # kept, acknowledged
    with django_capture_on_commit_callbacks(execute=True):
        actions.reply_to_request(
            by=staff_member.user, request=report, body="The crew comes on Monday."
        )
    assert "The crew comes on Monday" in page_text(Client().get(status_url(report)))


def test_after_a_me_too_the_anonymous_page_counts_it_at_once(
    client: Any, report: Any, citizen2: Any
) -> None:
    before = page_text(client.get(status_url(report)))
    actions.support_request(by=citizen2, request=report)
    after = page_text(client.get(status_url(report)))
    assert after != before


def test_a_promise_broken_by_the_scheduled_check_shows_at_once(
    client: Any, report: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import timedelta

    from townhall.commitments import actions as commitment_actions

    before = page_text(client.get(status_url(report)))
    acknowledge = Commitment.objects.filter(subject_id=str(report.pk)).order_by("due_at").first()
    assert acknowledge is not None
    with django_capture_on_commit_callbacks(execute=True):  # the check's commit
        broken = commitment_actions.mark_broken_commitments(
            now=acknowledge.due_at + timedelta(minutes=1)
        )
    assert broken >= 1
    after = page_text(client.get(status_url(report)))
    assert after != before
    assert after.count("Broken") > before.count("Broken")


def test_the_kept_page_never_carries_anyone_s_header_or_forms(
    client: Any, report: Any, citizen2: Any
) -> None:
    Client().get(status_url(report))  # kept by an anonymous visit
    client.force_login(citizen2)
    signed_in = client.get(status_url(report))
    content = signed_in.content.decode()
    assert "My requests" in content  # their own navigation
    assert 'name="support"' in content or "me-too" in content  # their "me too" form
    anonymous = Client().get(status_url(report)).content.decode()
    assert "Sign in to say" in anonymous
    assert "My account" not in anonymous


def test_a_private_request_is_never_kept_nor_shown_to_another_person(
    client: Any, file_pothole: Any, citizen: Any, citizen2: Any
) -> None:
    private = file_pothole(is_public=False)
    client.force_login(citizen)
    assert client.get(status_url(private)).status_code == 200
    assert Client().get(status_url(private)).status_code == 404
    other = Client()
    other.force_login(citizen2)
    assert other.get(status_url(private)).status_code == 404


def test_each_language_has_its_own_kept_page(client: Any, report: Any) -> None:
    english = client.get(status_url(report)).content.decode()
    spanish = Client(headers={"accept-language": "es"}).get(status_url(report))
    assert spanish.content.decode() != english
    translation.activate("en")


def _language_token(page: str) -> str:
    form = page[page.index('class="townhall-language"') :]
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert match is not None
    return match[1]


def test_each_anonymous_visitor_of_the_kept_page_gets_a_language_form_that_works(
    report: Any,
) -> None:
    Client().get(status_url(report))  # kept by an earlier visitor
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(status_url(report)).content.decode()
    token = _language_token(page)
    assert "csrf-mark" not in page
    assert token != _language_token(Client().get(status_url(report)).content.decode())

    switched = visitor.post(
        reverse("set_language"),
        {"language": "es", "next": status_url(report), "csrfmiddlewaretoken": token},
    )

    assert switched.status_code == 302
    assert '<html lang="es">' in visitor.get(status_url(report)).content.decode()


def test_a_message_waiting_for_the_visitor_is_shown_on_the_kept_page(
    client: Any, report: Any, citizen2: Any
) -> None:
    Client().get(status_url(report))  # kept without any message
    client.force_login(citizen2)

    response = client.post(reverse("account_logout"), {"next": status_url(report)}, follow=True)

    assert response.redirect_chain[-1][0] == status_url(report)
    assert "You have signed out." in page_text(response)
    # The message is shown once; the next visit is the kept page again.
    assert "You have signed out." not in page_text(client.get(status_url(report)))


def test_an_address_with_a_query_string_shows_the_same_page(client: Any, report: Any) -> None:
    kept = page_text(client.get(status_url(report)))
    assert page_text(Client().get(status_url(report) + "?from=newsletter")) == kept
