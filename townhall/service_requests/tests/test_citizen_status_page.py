"""The public status page of a request: where it stands, who holds it, every promise and
whether it was kept, the replies signed by named people, and the public timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from townhall.agencies import actions as agency_actions
from townhall.commitments import actions as commitment_actions
from townhall.commitments.models import Commitment
from townhall.service_requests import actions
from townhall.service_requests.models import Status

from .conftest_citizen import page_text, status_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(file_pothole: Any) -> Any:
    """Alex's public pothole report."""
    return file_pothole(is_public=True)


def test_a_new_request_shows_its_status_agency_and_that_nobody_holds_it_yet(
    client: Any, report: Any
) -> None:
    response = client.get(status_url(report))
    assert response.status_code == 200
    text = page_text(response)
    assert f"Report a pothole Reference {report.reference}" in text
    assert "Status Submitted" in text
    assert "Agency Public Works" in text
    assert "Held by Not yet picked up" in text
    assert "Answer expected by" in text and "(Central time)" in text
    assert "Deep pothole outside number 12" in text
    assert "How big is it? Larger" in text
    assert "12 Monroe St" in text
    assert "Who can see it Public" in text
    content = response.content.decode()
    assert content.count("<h1") == 1
    assert "requests.css" in content  # the print rules


def test_the_named_person_holding_it_is_shown_with_title_and_profile_link(
    client: Any, report: Any, staff_member: Any
) -> None:
    actions.take_request(by=staff_member.user, request=report)
    response = client.get(status_url(report))
    text = page_text(response)
    assert "Held by Sam Rivera, Road Maintenance Supervisor" in text
    assert staff_member.get_absolute_url() in response.content.decode()
    # The personal account name never shows on the work page.
    assert "sammy" not in text


def test_a_holder_without_a_public_profile_is_named_without_a_link(
    client: Any, report: Any, staff_member: Any
) -> None:
    agency_actions.update_staff_profile(
        by=staff_member.user, membership=staff_member, bio="", is_public_profile=False
    )
    actions.take_request(by=staff_member.user, request=report)
    response = client.get(status_url(report))
    assert "Held by Sam Rivera, Road Maintenance Supervisor" in page_text(response)
    assert staff_member.get_absolute_url() not in response.content.decode()


def test_every_promise_is_listed_with_its_due_date_and_state(
    client: Any, report: Any, staff_member: Any
) -> None:
    actions.take_request(by=staff_member.user, request=report)
    promised_by = timezone.now() + dt.timedelta(days=400)
    actions.reply_to_request(
        by=staff_member.user,
        request=report,
        body="Crew booked. **Thanks** for the report.",
        promise="I will call you once it is filled",
        promise_due_at=promised_by,
    )
    text = page_text(client.get(status_url(report)))
    assert "Promises and due dates" in text
    assert "Acknowledge the request" in text
    assert "Answer the request" in text
    assert "“I will call you once it is filled”" in text
    assert "Promised by Sam Rivera, Road Maintenance Supervisor" in text
    assert "Kept" in text and "Kept on" in text
    assert "Open" in text


def test_a_broken_promise_is_shown_publicly_as_broken(
    client: Any, report: Any, staff_member: Any
) -> None:
    later = timezone.now() + dt.timedelta(days=60)
    assert commitment_actions.mark_broken_commitments(now=later) == 2
    text = page_text(client.get(status_url(report)))
    assert text.count("Broken") >= 2
    assert "Not done by the time promised." in text

    actions.answer_request(by=staff_member.user, request=report, body="Filled.", at=later)
    text = page_text(client.get(status_url(report)))
    assert "Status Answered" in text
    # Answered late, the promises still count as broken.
    assert text.count("Broken") >= 2


def test_a_renegotiated_promise_shows_its_public_reason(
    client: Any, foi_service: Any, citizen: Any, staff_member: Any
) -> None:
    foi = actions.file_request(by=citizen, service=foi_service, description="All 2025 contracts.")
    actions.extend_deadline(
        by=staff_member.user, request=foi, reason="The records are in three archives."
    )
    text = page_text(client.get(status_url(foi)))
    assert "Renegotiated" in text
    assert "The records are in three archives." in text
    assert "Answer within the extended time" in text
    assert "The deadline was extended." in text


def test_public_replies_are_signed_with_name_and_title_and_rendered_safely(
    client: Any, report: Any, staff_member: Any, citizen: Any
) -> None:
    actions.reply_to_request(
        by=staff_member.user,
        request=report,
        body="We will fill it **this week**. <script>alert('x')</script>",
    )
    actions.reply_to_request(by=citizen, request=report, body="Thank you!")
    response = client.get(status_url(report))
    content = response.content.decode()
    text = page_text(response)
    assert "<strong>this week</strong>" in content
    assert "<script>alert" not in content
    assert "Sam Rivera, Road Maintenance Supervisor" in text
    assert "Alex Park (filed this request)" in text
    assert "Thank you!" in text


def test_internal_notes_never_show_on_the_status_page_even_to_staff(
    client: Any, report: Any, staff_member: Any, sign_in_staff: Any
) -> None:
    actions.add_internal_note(by=staff_member.user, request=report, body="Caller is a pest.")
    assert "Caller is a pest." not in page_text(client.get(status_url(report)))
    staff_client = sign_in_staff(staff_member.user)
    response = staff_client.get(status_url(report))
    assert "Caller is a pest." not in page_text(response)
    # Staff find their way to the working view instead.
    assert f'href="/inbox/{report.reference}/"' in response.content.decode()
    assert "/inbox/" not in Client().get(status_url(report)).content.decode()


def test_the_public_timeline_comes_from_the_activity_log(
    client: Any, report: Any, staff_member: Any
) -> None:
    actions.take_request(by=staff_member.user, request=report)
    text = page_text(client.get(status_url(report)))
    assert "Timeline" in text
    assert f"filed {report.reference}" in text
    assert "Sam Rivera, Road Maintenance Supervisor, took this request" in text


def test_another_citizen_says_me_too_and_takes_it_back(
    client: Any, report: Any, citizen2: Any
) -> None:
    client.force_login(citizen2)
    page = client.get(status_url(report))
    assert "Same problem or question?" in page_text(page)
    support_url = reverse("requests:request-support", kwargs={"reference": report.reference})
    response = client.post(support_url, {"support": "support"})
    assert response.status_code == 302
    assert response["Location"] == status_url(report) + "#me-too"
    # Twice is still once.
    client.post(support_url, {"support": "support"})
    report.refresh_from_db()
    assert report.supporter_count == 1
    text = page_text(client.get(status_url(report)))
    assert "1 other person has the same problem or question." in text
    assert "Take back my “me too”" in text

    client.post(support_url, {"support": "withdraw"})
    report.refresh_from_db()
    assert report.supporter_count == 0


def test_the_requester_and_visitors_get_no_me_too_button(
    client: Any, report: Any, citizen: Any
) -> None:
    anonymous = page_text(client.get(status_url(report)))
    assert "Sign in to say “me too”" in anonymous
    client.force_login(citizen)
    own = page_text(client.get(status_url(report)))
    assert "Others can say “me too” on your request" in own
    response = client.post(
        reverse("requests:request-support", kwargs={"reference": report.reference}),
        {"support": "support"},
        follow=True,
    )
    assert "This is your own request" in page_text(response)
    report.refresh_from_db()
    assert report.supporter_count == 0


def test_me_too_needs_a_signed_in_person_and_a_post(client: Any, report: Any) -> None:
    url = reverse("requests:request-support", kwargs={"reference": report.reference})
    assert client.post(url).status_code == 302  # to sign in
    report.refresh_from_db()
    assert report.supporter_count == 0
    client.force_login(report.requester)
    assert client.get(url).status_code == 405


def test_the_requester_answers_a_clarification_and_the_clock_restarts(
    client: Any, report: Any, citizen: Any, staff_member: Any
) -> None:
    actions.request_clarification(
        by=staff_member.user, request=report, body="Which side of the street?"
    )
    client.force_login(citizen)
    page = page_text(client.get(status_url(report)))
    assert "The agency is waiting for your answer" in page
    assert "Which side of the street?" in page

    response = client.post(
        reverse("requests:request-reply", kwargs={"reference": report.reference}),
        {"body": "The north side, by the bus stop."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    text = page_text(client.get(status_url(report)))
    assert "Your reply is sent." in text
    assert "The north side, by the bus stop." in text


def test_an_empty_reply_is_refused_in_the_error_summary(
    client: Any, report: Any, citizen: Any
) -> None:
    client.force_login(citizen)
    response = client.post(
        reverse("requests:request-reply", kwargs={"reference": report.reference}),
        {"body": "   "},
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text
    assert "Write your reply before sending it." in text


def test_only_the_requester_may_reply_or_reopen_here(
    client: Any, report: Any, citizen2: Any
) -> None:
    client.force_login(citizen2)
    reply = reverse("requests:request-reply", kwargs={"reference": report.reference})
    reopen = reverse("requests:request-reopen", kwargs={"reference": report.reference})
    assert client.post(reply, {"body": "Hijack"}).status_code == 403
    assert client.post(reopen, {"reason": "Hijack"}).status_code == 403
    assert "Reply to the agency" not in page_text(client.get(status_url(report)))


def test_the_requester_reopens_an_answered_request_with_a_reason(
    client: Any, report: Any, citizen: Any, staff_member: Any
) -> None:
    actions.answer_request(by=staff_member.user, request=report, body="Filled this morning.")
    client.force_login(citizen)
    assert "Not resolved?" in page_text(client.get(status_url(report)))
    url = reverse("requests:request-reopen", kwargs={"reference": report.reference})
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "Say why you are reopening the request." in page_text(refused)

    response = client.post(url, {"reason": "It opened up again after the rain."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    text = page_text(client.get(status_url(report)))
    assert "It opened up again after the rain." in text


def test_a_closed_request_takes_no_replies(
    client: Any, report: Any, citizen: Any, staff_member: Any
) -> None:
    actions.decline_request(by=staff_member.user, request=report, reason="Private road.")
    client.force_login(citizen)
    text = page_text(client.get(status_url(report)))
    assert "Status Declined" in text
    assert "Reason: Private road." in text
    assert "Reply to the agency" not in text
    response = client.post(
        reverse("requests:request-reply", kwargs={"reference": report.reference}),
        {"body": "But why?"},
        follow=True,
    )
    assert "replies are closed" in page_text(response)
    assert "But why?" not in page_text(response)


def test_html_in_what_the_citizen_wrote_is_shown_as_text(client: Any, file_pothole: Any) -> None:
    report = file_pothole(
        is_public=True,
        description='<img src=x onerror=alert(1)> & "quotes"',
        address="<b>12</b> Monroe",
    )
    content = client.get(status_url(report)).content.decode()
    assert "<img src=x" not in content and "<b>12</b>" not in content
    assert "&lt;img src=x onerror=alert(1)&gt;" in content


def test_an_unknown_or_malformed_reference_is_not_found(client: Any, db: Any) -> None:
    for reference in ["SPR-2026-999999", "nope", "SPR-2026-000001' OR 1=1--", "%00"]:
        url = reverse("requests:request-detail", kwargs={"reference": reference})
        assert client.get(url).status_code == 404


def test_a_lowercase_reference_finds_the_request(client: Any, report: Any) -> None:
    url = reverse("requests:request-detail", kwargs={"reference": report.reference.lower()})
    assert client.get(url).status_code == 200


def test_the_page_prints_with_its_address(client: Any, report: Any) -> None:
    text = page_text(client.get(status_url(report)))
    assert f"Follow this request at http://testserver{status_url(report)}" in text


def test_a_commitment_of_another_request_does_not_leak_in(
    client: Any, report: Any, file_pothole: Any
) -> None:
    other = file_pothole(is_public=True, description="Another hole on 5th.")
    rows = Commitment.objects.count()
    assert rows == 4
    text = page_text(client.get(status_url(report)))
    assert text.count("Acknowledge the request") == 1
    assert "Another hole on 5th." not in text
    assert other.reference not in text
