"""Filing a request through the pages: questions → location → check and send → the
status page with the reference and the expected answer date."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from townhall.activity.models import Activity
from townhall.agencies import actions as agency_actions
from townhall.commitments.views import in_words
from townhall.conversations.models import Attachment
from townhall.identity.models import AssuranceLevel
from townhall.service_requests.models import ServiceRequest

from .conftest_citizen import (
    POTHOLE_DETAILS,
    POTHOLE_LOCATION,
    file_through_pages,
    file_url,
    filing_form,
    hidden_data,
    page_text,
    post_step,
    question_service,
    step_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alex(client: Any, citizen: Any) -> Any:
    client.force_login(citizen)
    return client


def photo(name: str = "pothole.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "gray").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_citizen_files_a_pothole_report_and_lands_on_its_status_page(
    alex: Any, citizen: Any, pothole_service: Any
) -> None:
    response = file_through_pages(alex, pothole_service)

    assert response.status_code == 302
    filed = ServiceRequest.objects.get()
    assert response["Location"] == filed.get_absolute_url()
    assert filed.requester == citizen
    assert filed.description == POTHOLE_DETAILS["description"]
    assert filed.answers == {"size": "large"}
    assert str(filed.latitude) == "39.781700" and str(filed.longitude) == "-89.650100"
    assert filed.address == "12 Monroe St"
    assert filed.is_public is True
    assert filed.idempotency_key

    page = alex.get(response["Location"])
    text = page_text(page)
    assert "Your request is sent" in text
    assert f"Your reference is {filed.reference}" in text
    assert filed.expected_at is not None
    expected = filed.expected_at.astimezone(ZoneInfo("America/Chicago"))
    assert in_words(expected) in text
    assert "11:59 p.m. (Central time)" in text
    assert reverse("requests:request-ics", kwargs={"reference": filed.reference}) in (
        page.content.decode()
    )
    # The confirmation is shown once; the status page stays.
    again = page_text(alex.get(response["Location"]))
    assert "Your request is sent" not in again
    assert filed.reference in again


def test_each_step_shows_where_the_person_is_and_carries_what_they_said(
    alex: Any, pothole_service: Any
) -> None:
    first = alex.get(file_url(pothole_service))
    text = page_text(first)
    assert "Step 1 of 4 Your request" in text
    assert "How big is it?" in text and "Smaller than a plate" in text
    assert "Who can see your request?" in text
    key = hidden_data(first)["idempotency_key"][0]
    assert len(key) >= 16

    second = post_step(alex, pothole_service, first, POTHOLE_DETAILS)
    assert step_of(second) == "location"
    assert "Step 2 of 4 Location" in page_text(second)
    carried = hidden_data(second)
    assert carried["description"] == [POTHOLE_DETAILS["description"]]
    assert carried["answer_size"] == ["large"]
    assert carried["idempotency_key"] == [key]
    assert "Use my location" in second.content.decode()
    assert "use-location.js" in second.content.decode()

    third = post_step(alex, pothole_service, second, POTHOLE_LOCATION)
    assert step_of(third) == "review"
    text = page_text(third)
    assert "Step 3 of 4 Check and send" in text
    assert POTHOLE_DETAILS["description"] in text
    assert "How big is it? Larger" in text
    assert "12 Monroe St" in text and "39.781700, -89.650100" in text
    assert "Anyone: it will be published" in text
    assert 'enctype="multipart/form-data"' in third.content.decode()
    assert ServiceRequest.objects.count() == 0


def test_going_back_keeps_what_was_typed_on_every_step(alex: Any, pothole_service: Any) -> None:
    first = alex.get(file_url(pothole_service))
    second = post_step(alex, pothole_service, first, POTHOLE_DETAILS)
    typed = {"address": "Corner of 5th and Adams", "latitude": "", "longitude": ""}
    back = post_step(alex, pothole_service, second, typed, nav="back")
    assert step_of(back) == "details"
    content = back.content.decode()
    assert POTHOLE_DETAILS["description"] in content
    assert 'value="large" checked' in content or 'value="large"  checked' in content
    assert "usa-alert--error" not in content
    assert hidden_data(back)["address"] == ["Corner of 5th and Adams"]

    # The browser sends back what the details step shows, which is what was typed.
    forward = post_step(alex, pothole_service, back, POTHOLE_DETAILS)
    assert step_of(forward) == "location"
    assert 'value="Corner of 5th and Adams"' in forward.content.decode()


def test_the_review_page_change_button_reopens_a_step_with_its_answers(
    alex: Any, pothole_service: Any
) -> None:
    first = alex.get(file_url(pothole_service))
    second = post_step(alex, pothole_service, first, POTHOLE_DETAILS)
    review = post_step(alex, pothole_service, second, POTHOLE_LOCATION)
    change = hidden_data(review, form_id="change-form")
    assert change["description"] == [POTHOLE_DETAILS["description"]]
    change["nav"] = "change-location"
    response = alex.post(file_url(pothole_service), change)
    assert step_of(response) == "location"
    assert 'value="12 Monroe St"' in response.content.decode()
    assert "usa-alert--error" not in response.content.decode()


def test_missing_answers_are_shown_in_the_error_summary_and_nothing_is_lost(
    alex: Any, pothole_service: Any
) -> None:
    first = alex.get(file_url(pothole_service))
    typed = {"description": "  <b>Huge</b> hole & 'stuff' ", "visibility": "private"}
    response = post_step(alex, pothole_service, first, typed)

    assert step_of(response) == "details"
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Answer the question “How big is it?”." in page_text(response)
    assert "<title>Error:" in content
    # What was typed is still there (escaped), and the choice made too.
    assert "&lt;b&gt;Huge&lt;/b&gt; hole &amp; &#x27;stuff&#x27;" in content
    assert "<b>Huge</b>" not in content
    assert 'value="private" checked' in content or 'value="private"  checked' in content
    assert ServiceRequest.objects.count() == 0


def test_an_empty_or_huge_or_nul_description_is_refused_clearly(
    alex: Any, pothole_service: Any
) -> None:
    first = alex.get(file_url(pothole_service))
    for description, message in [
        ("   ", "Describe your request in a few words."),
        ("x" * 10_001, "Keep the description to 10000 characters or fewer (it has 10001)."),
        ("pothole\x00here", "Null characters are not allowed."),
    ]:
        response = post_step(
            alex, pothole_service, first, {"description": description, "answer_size": "small"}
        )
        assert response.status_code == 200
        assert step_of(response) == "details"
        assert message in page_text(response)


def test_an_answer_that_is_not_a_choice_is_refused(alex: Any, pothole_service: Any) -> None:
    first = alex.get(file_url(pothole_service))
    response = post_step(
        alex,
        pothole_service,
        first,
        {"description": "Hole", "answer_size": "'; DROP TABLE service_requests_servicerequest;--"},
    )
    assert step_of(response) == "details"
    assert "Choose one of the answers offered." in page_text(response)


def test_a_place_outside_the_city_is_refused_on_the_location_step_when_sent(
    alex: Any, pothole_service: Any
) -> None:
    first = alex.get(file_url(pothole_service))
    second = post_step(alex, pothole_service, first, POTHOLE_DETAILS)
    review = post_step(
        alex, pothole_service, second, {"address": "", "latitude": "51.5", "longitude": "-0.12"}
    )
    assert step_of(review) == "review"
    response = post_step(alex, pothole_service, review, {}, nav="send")

    assert response.status_code == 200
    assert step_of(response) == "location"
    text = page_text(response)
    assert "There is a problem" in text
    assert "That place is outside Springfield" in text
    assert 'value="51.5"' in response.content.decode()
    assert ServiceRequest.objects.count() == 0


def test_half_a_point_or_no_place_at_all_is_refused_on_the_location_step(
    alex: Any, pothole_service: Any
) -> None:
    first = alex.get(file_url(pothole_service))
    second = post_step(alex, pothole_service, first, POTHOLE_DETAILS)
    half = post_step(
        alex, pothole_service, second, {"address": "", "latitude": "39.78", "longitude": ""}
    )
    assert step_of(half) == "location"
    assert "Enter the longitude too, or clear the latitude." in page_text(half)

    nowhere = post_step(
        alex, pothole_service, second, {"address": "  ", "latitude": "", "longitude": ""}
    )
    assert step_of(nowhere) == "location"
    assert "Say where it is: give an address or describe the place." in page_text(nowhere)

    words = post_step(
        alex, pothole_service, second, {"address": "", "latitude": "north", "longitude": "1e999"}
    )
    assert "Enter the latitude as a number, such as 39.7817." in page_text(words)
    assert "The longitude must be between -180 and 180." in page_text(words)
    nan = post_step(
        alex, pothole_service, second, {"address": "", "latitude": "NaN", "longitude": "-inf"}
    )
    assert "Enter the latitude as a number" in page_text(nan)
    assert "Enter the longitude as a number" in page_text(nan)


def test_an_address_alone_is_enough_and_no_map_is_needed(alex: Any, pothole_service: Any) -> None:
    response = file_through_pages(
        alex, pothole_service, location={"address": "Corner of 5th and Adams"}
    )
    assert response.status_code == 302
    filed = ServiceRequest.objects.get()
    assert filed.address == "Corner of 5th and Adams"
    assert filed.latitude is None


def test_a_double_clicked_send_files_once(alex: Any, pothole_service: Any) -> None:
    first = alex.get(file_url(pothole_service))
    second = post_step(alex, pothole_service, first, POTHOLE_DETAILS)
    review = post_step(alex, pothole_service, second, POTHOLE_LOCATION)

    one = post_step(alex, pothole_service, review, {}, nav="send")
    two = post_step(alex, pothole_service, review, {}, nav="send")

    assert one.status_code == two.status_code == 302
    assert one["Location"] == two["Location"]
    assert ServiceRequest.objects.count() == 1
    assert Activity.objects.filter(verb="request.filed").count() == 1


def test_reusing_a_sent_form_with_other_content_asks_to_send_again_with_a_new_token(
    alex: Any, pothole_service: Any
) -> None:
    first = alex.get(file_url(pothole_service))
    second = post_step(alex, pothole_service, first, POTHOLE_DETAILS)
    review = post_step(alex, pothole_service, second, POTHOLE_LOCATION)
    assert post_step(alex, pothole_service, review, {}, nav="send").status_code == 302

    data = hidden_data(review)
    old_key = data["idempotency_key"][0]
    data["description"] = ["A different pothole, on Adams St."]
    data["nav"] = "send"
    response = alex.post(file_url(pothole_service), data)

    assert response.status_code == 200
    assert step_of(response) == "review"
    filed = ServiceRequest.objects.get()
    assert f"You already sent this form: it became request {filed.reference}." in (
        page_text(response)
    )
    new_key = hidden_data(response)["idempotency_key"][0]
    assert new_key != old_key
    again = post_step(alex, pothole_service, response, {}, nav="send")
    assert again.status_code == 302
    assert ServiceRequest.objects.count() == 2


def test_a_tampered_or_missing_token_is_replaced_never_trusted(
    alex: Any, pothole_service: Any
) -> None:
    first = alex.get(file_url(pothole_service))
    second = post_step(alex, pothole_service, first, POTHOLE_DETAILS)
    review = post_step(alex, pothole_service, second, POTHOLE_LOCATION)
    data = hidden_data(review)
    data["idempotency_key"] = ["<script>alert(1)</script>"]
    data["nav"] = "send"
    response = alex.post(file_url(pothole_service), data)
    assert response.status_code == 200
    assert "This form has expired. Check your request and send it again." in page_text(response)
    assert "<script>alert(1)</script>" not in response.content.decode()
    # The page offers a fresh token: sending again files it.
    assert post_step(alex, pothole_service, response, {}, nav="send").status_code == 302
    assert ServiceRequest.objects.count() == 1


def test_photos_sent_with_the_request_are_stored_and_listed(
    alex: Any, pothole_service: Any
) -> None:
    response = file_through_pages(alex, pothole_service, files=[photo(), photo("second.jpg")])
    assert response.status_code == 302
    filed = ServiceRequest.objects.get()
    names = sorted(
        Attachment.objects.filter(thread=filed.thread).values_list("original_name", flat=True)
    )
    # The same picture twice is kept once.
    assert names == ["pothole.jpg"]
    page = alex.get(response["Location"])
    assert "pothole.jpg" in page_text(page)


def test_a_file_that_is_not_what_it_says_is_refused_and_must_be_chosen_again(
    alex: Any, pothole_service: Any
) -> None:
    fake = SimpleUploadedFile(
        "pothole.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
    )
    response = file_through_pages(alex, pothole_service, files=[fake])

    assert response.status_code == 200
    assert step_of(response) == "review"
    text = page_text(response)
    assert "There is a problem" in text
    assert "pothole.jpg does not look like a photo" in text
    assert "Choose your files again" in text
    # Everything else is still there.
    assert hidden_data(response)["description"] == [POTHOLE_DETAILS["description"]]
    assert ServiceRequest.objects.count() == 0


def test_too_many_files_are_refused(alex: Any, pothole_service: Any, settings: Any) -> None:
    settings.ATTACHMENT_MAX_FILES = 1
    response = file_through_pages(
        alex, pothole_service, files=[photo(), SimpleUploadedFile("notes.txt", b"hello")]
    )
    assert response.status_code == 200
    assert "You can attach at most 1 files to one message; you chose 2." in page_text(response)
    assert ServiceRequest.objects.count() == 0


def test_a_question_skips_the_location_step_and_can_be_private(
    alex: Any, agency: Any, site_admin: Any
) -> None:
    service = question_service(agency, site_admin)
    first = alex.get(file_url(service))
    assert "Step 1 of 3" in page_text(first)
    response = file_through_pages(
        alex,
        service,
        details={"description": "When is bulk trash pickup?", "visibility": "private"},
    )
    assert response.status_code == 302
    filed = ServiceRequest.objects.get()
    assert filed.is_public is False
    assert filed.address == "" and filed.latitude is None


def test_an_foi_request_is_public_and_offers_no_private_choice(alex: Any, foi_service: Any) -> None:
    first = alex.get(file_url(foi_service))
    text = page_text(first)
    assert "Who can see your request?" not in text
    assert "Requests to this service and their answers are published" in text
    # Even a hand-made "private" choice files it publicly.
    response = file_through_pages(
        alex,
        foi_service,
        details={"description": "All pothole repair logs of 2025.", "visibility": "private"},
    )
    assert response.status_code == 302
    assert ServiceRequest.objects.get().is_public is True


def test_a_visitor_who_is_not_signed_in_is_asked_to_sign_in(
    client: Any, pothole_service: Any
) -> None:
    response = client.get(file_url(pothole_service))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = client.post(file_url(pothole_service), {"step": "review", "nav": "send"})
    assert response.status_code == 302
    assert ServiceRequest.objects.count() == 0


def test_too_low_an_assurance_level_explains_how_to_reach_it(
    client: Any, make_user: Any, pothole_service: Any
) -> None:
    unverified = make_user("new@example.org", "New Person", verified=False)
    client.force_login(unverified)
    response = client.get(file_url(pothole_service))
    assert response.status_code == 403
    text = page_text(response)
    assert "We need to be surer who you are" in text
    assert "your account needs the level “Email verified”" in text
    assert "It is at “Not verified” now." in text
    assert "Confirm your email address" in text
    assert reverse("identity:account") in response.content.decode()
    assert reverse("account_email") in response.content.decode()
    # Posting anyway files nothing.
    response = client.post(file_url(pothole_service), {"step": "review", "nav": "send"})
    assert response.status_code == 403
    assert ServiceRequest.objects.count() == 0


def test_a_service_needing_a_verified_identity_says_so(
    alex: Any, agency: Any, site_admin: Any
) -> None:
    service = question_service(
        agency, site_admin, required_assurance=AssuranceLevel.IDENTITY_VERIFIED
    )
    response = alex.get(file_url(service))
    assert response.status_code == 403
    text = page_text(response)
    assert "your account needs the level “Identity verified”" in text
    assert "Have your identity verified" in text


def test_a_service_no_longer_offered_or_unknown_is_not_found(
    alex: Any, pothole_service: Any, site_admin: Any
) -> None:
    assert alex.get(reverse("requests:request-file", kwargs={"code": "nope"})).status_code == 404
    agency_actions.update_service(
        by=site_admin, service=pothole_service, changes={"is_active": False}
    )
    assert alex.get(file_url(pothole_service)).status_code == 404


def test_a_forged_step_or_navigation_falls_back_to_the_first_step(
    alex: Any, pothole_service: Any
) -> None:
    response = alex.post(
        file_url(pothole_service), {"step": "../../etc", "nav": "change-review", "description": "x"}
    )
    assert response.status_code == 200
    assert step_of(response) == "details"
    # Sending straight from a forged review step checks every step first.
    response = alex.post(file_url(pothole_service), {"step": "review", "nav": "send"})
    assert step_of(response) == "details"
    assert "Describe your request in a few words." in page_text(response)
    assert ServiceRequest.objects.count() == 0


def test_the_filing_form_has_one_heading_and_no_inline_script(
    alex: Any, pothole_service: Any
) -> None:
    content = alex.get(file_url(pothole_service)).content.decode()
    assert content.count("<h1") == 1
    assert "<script>" not in content and "onclick" not in content
    assert filing_form(alex.get(file_url(pothole_service)))["action"] == file_url(pothole_service)


def test_the_expected_date_is_the_working_day_rule_in_the_agency_time_zone(
    alex: Any, pothole_service: Any
) -> None:
    response = file_through_pages(alex, pothole_service)
    filed = ServiceRequest.objects.get()
    assert filed.expected_at is not None
    local = filed.expected_at.astimezone(ZoneInfo("America/Chicago"))
    assert (local.hour, local.minute, local.second) == (23, 59, 59)
    assert local.weekday() < 5
    assert local.date() > datetime.now(ZoneInfo("America/Chicago")).date()
    assert response.status_code == 302
