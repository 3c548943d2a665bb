"""Someone below a service's assurance level who opens its filing form gets the form itself,
with a notice at the top of the level needed and how to reach it. Sending it keeps what
they typed and sends them to reach the level; once there, the form comes back filled in.
Nothing is filed before the level is reached."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from townhall.agencies import actions as agency_actions
from townhall.identity import actions as identity_actions
from townhall.identity.models import AssuranceLevel, AssuranceMethod
from townhall.service_requests.models import ServiceRequest

from .conftest_citizen import (
    POTHOLE_DETAILS,
    POTHOLE_LOCATION,
    file_url,
    filing_form,
    hidden_data,
    page_text,
    post_step,
    step_of,
)

pytestmark = pytest.mark.django_db

TYPED = "Every contract for snow clearing in 2025, with the amounts paid."
NOTICE = "We need to be surer who you are"
KEPT = "You can fill in the form below now."


@pytest.fixture
def strict_service(agency: Any, site_admin: Any) -> Any:
    return agency_actions.add_service(
        by=site_admin,
        agency=agency,
        code="records",
        name="Request your records",
        kind="question",
        required_assurance=AssuranceLevel.IDENTITY_VERIFIED,
    )


def verify(person: Any, site_admin: Any) -> None:
    identity_actions.raise_assurance(
        by=site_admin,
        user=person,
        level=AssuranceLevel.IDENTITY_VERIFIED,
        method=AssuranceMethod.ADMIN,
    )


def signed_in(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_the_form_itself_shows_with_the_notice_on_top(
    citizen: Any, strict_service: Any, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(citizen)
    with django_assert_max_num_queries(25):
        response = client.get(file_url(strict_service))
    assert response.status_code == 403  # nothing can be filed yet...
    form = filing_form(response)  # ...but the form is there, usable
    assert form["action"] == file_url(strict_service)
    assert step_of(response) == "details"
    body = response.content.decode()
    assert 'name="description"' in body and "<textarea" in body
    text = page_text(response)
    assert text.index(NOTICE) < text.index("Step 1 of")  # at the top
    assert "your account needs the level “Identity verified”" in text
    assert "It is at “Email verified” now." in text
    assert "Have your identity verified" in text
    assert KEPT in text
    assert f'href="{reverse("identity:account")}"' in body


def test_a_service_needing_email_says_how_to_confirm_it(
    make_user: Any, pothole_service: Any
) -> None:
    client = signed_in(make_user("new@example.org", "New Person", verified=False))
    response = client.get(file_url(pothole_service))
    text = page_text(response)
    assert "your account needs the level “Email verified”" in text
    assert "It is at “Not verified” now." in text
    assert "Confirm your email address" in text
    assert reverse("account_email") in response.content.decode()
    assert "How big is it?" in text  # the service's own questions are there to answer


def test_from_half_filled_form_to_verification_and_back_filled_in(
    citizen: Any, strict_service: Any, site_admin: Any
) -> None:
    client = signed_in(citizen)
    form = client.get(file_url(strict_service))

    # Sending it keeps the answers and explains how to reach the level.
    sent = post_step(client, strict_service, form, {"description": TYPED})
    assert sent.status_code == 403
    assert "What you typed is kept" in sent.content.decode()
    assert not ServiceRequest.objects.exists()
    # The account page offers the way back.
    account = client.get(reverse("identity:account")).content.decode()
    assert f'href="{file_url(strict_service)}"' in account

    # Opening the form again before reaching the level shows it filled in, still kept.
    again = client.get(file_url(strict_service))
    assert again.status_code == 403
    assert TYPED in again.content.decode()
    assert NOTICE in page_text(again)

    verify(citizen, site_admin)
    back = client.get(file_url(strict_service))
    assert back.status_code == 200
    html = back.content.decode()
    assert TYPED in html
    assert "Welcome back: here is what you had typed." in html
    assert NOTICE not in page_text(back)

    review = post_step(
        client, strict_service, back, {"description": TYPED, "visibility": "private"}
    )
    assert step_of(review) == "review", page_text(review)[:1500]
    filed = post_step(client, strict_service, review, {}, nav="send")
    assert filed.status_code == 302
    request = ServiceRequest.objects.get()
    assert request.description == TYPED
    assert request.requester == citizen
    assert request.is_public is False


def test_every_answer_of_a_multi_step_form_comes_back(make_user: Any, pothole_service: Any) -> None:
    person = make_user("new@example.org", "New Person", verified=False)
    client = signed_in(person)
    form = client.get(file_url(pothole_service))
    assert post_step(client, pothole_service, form, POTHOLE_DETAILS).status_code == 403

    identity_actions.mark_email_verified(user=person)
    back = client.get(file_url(pothole_service))
    assert back.status_code == 200
    html = back.content.decode()
    assert POTHOLE_DETAILS["description"] in html
    assert 'value="large" checked>' in html  # the chosen answer, chosen again
    assert 'value="public" checked>' in html
    location = post_step(client, pothole_service, back, POTHOLE_DETAILS)
    assert step_of(location) == "location"
    review = post_step(client, pothole_service, location, POTHOLE_LOCATION)
    assert step_of(review) == "review"
    assert post_step(client, pothole_service, review, {}, nav="send").status_code == 302
    filed = ServiceRequest.objects.get()
    assert filed.answers == {"size": "large"}
    assert filed.requester == person


def test_nothing_is_filed_below_the_level_even_sending_the_last_step(
    citizen: Any, strict_service: Any
) -> None:
    client = signed_in(citizen)
    form = client.get(file_url(strict_service))
    data = hidden_data(form)
    data.update({"step": "review", "nav": "send", "description": TYPED})
    response = client.post(file_url(strict_service), data)
    assert response.status_code == 403
    assert not ServiceRequest.objects.exists()


def test_a_kept_draft_is_never_shown_to_someone_else(
    citizen: Any, citizen2: Any, strict_service: Any
) -> None:
    client = signed_in(citizen)
    post_step(client, strict_service, client.get(file_url(strict_service)), {"description": TYPED})
    other = signed_in(citizen2).get(file_url(strict_service))
    assert other.status_code == 403
    assert TYPED not in other.content.decode()


def test_a_kept_draft_is_shown_escaped_on_the_below_level_form(
    citizen: Any, strict_service: Any
) -> None:
    client = signed_in(citizen)
    nasty = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    post_step(client, strict_service, client.get(file_url(strict_service)), {"description": nasty})
    html = client.get(file_url(strict_service)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_visitors_are_still_sent_to_sign_in(client: Client, strict_service: Any) -> None:
    response = client.get(file_url(strict_service))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
