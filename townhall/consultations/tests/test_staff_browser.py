"""Staff write a draft in real Chromium: a new consultation with two sections (one added
with "Add another section", by keyboard), a revised draft, and a question. axe checks
each page, also when it shows errors."""

import datetime as dt

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from townhall.browser_tests.test_conversation_with_staff import sign_in_with_second_factor
from townhall.consultations.models import Consultation, Question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _moment(days):
    return timezone.localtime(timezone.now() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_staff_create_revise_and_add_a_question_in_the_browser(
    staff_member, site_admin, browser_page, axe_check
):
    from townhall.agencies.actions import update_agency

    page = browser_page
    update_agency(by=site_admin, agency=staff_member.agency, changes={"allow_totp_for_staff": True})
    secret = generate_totp_secret()
    TOTP.activate(staff_member.user, secret)
    sign_in_with_second_factor(page, staff_member.user.email, secret)

    page.goto("/consultations/")
    page.get_by_role("link", name="New consultation").click()
    page.wait_for_url("**/consultations/new/")
    axe_check(page)
    page.locator("#id_title").fill("Quieter nights plan")
    page.locator("#id_summary").fill("Fewer night-time deliveries in residential streets.")
    page.locator("#id_opens_at").fill(_moment(2))
    page.locator("#id_closes_at").fill(_moment(1))  # before it opens: refused
    page.locator("#id_sections-0-heading").fill("Why")
    page.locator("#id_sections-0-body").fill("Night deliveries wake **families** up.")
    page.get_by_role("button", name="Add another section").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#id_sections-1-heading")
    assert page.locator("#id_title").input_value() == "Quieter nights plan"
    axe_check(page)
    page.keyboard.type("The rule")  # the new row's heading has the focus
    page.locator("#id_sections-1-body").fill("No deliveries between 10 pm and 6 am.")
    page.get_by_role("button", name="Save the consultation").click()
    page.wait_for_selector("text=The consultation must close after it opens.")
    axe_check(page)
    page.locator("#id_closes_at").fill(_moment(30))
    page.get_by_role("button", name="Save the consultation").click()
    page.wait_for_url("**/consultations/*/")
    consultation = Consultation.objects.get()
    assert [s.heading for s in consultation.current_version.sections.all()] == ["Why", "The rule"]

    page.get_by_role("link", name="Publish a revised draft").click()
    page.wait_for_url("**/revise/")
    axe_check(page)
    page.locator("#id_note").fill("Later start.")
    page.locator("#id_sections-1-body").fill("No deliveries between 11 pm and 6 am.")
    page.get_by_role("button", name="Publish the revised draft").click()
    page.wait_for_url("**/versions/2/")
    axe_check(page)

    page.goto(consultation.get_absolute_url())
    page.get_by_role("link", name="Add a question").click()
    page.wait_for_url("**/questions/new/")
    axe_check(page)
    page.get_by_role("button", name="Add the question").click()
    page.wait_for_selector(".usa-alert--error")
    axe_check(page)
    page.locator("#id_text").fill("Which nights matter most?")
    page.locator("label[for=id_kind_1]").click()
    page.locator("#id_choices").fill("Friday\nSaturday")
    page.get_by_role("button", name="Add the question").click()
    page.wait_for_url(f"**/consultations/{consultation.pk}/**")
    assert Question.objects.get().choices == ["Friday", "Saturday"]
    assert page.get_by_role("heading", name="Which nights matter most?").count() == 1
