"""A citizen asks a named staff member in real Chromium; the staff member answers with a
promise; the citizen sees the answer, the read receipt and the promise. Every page on the
way is checked with axe: zero violations."""

import datetime as dt

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from townhall.commitments.models import Commitment
from townhall.conversations.models import Thread
from townhall.identity.tests.totp_codes import fresh_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "townhall-demo-password"


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_in_with_second_factor(page, email, secret):
    sign_in(page, email)
    page.wait_for_url("**/2fa/authenticate/**")
    code = fresh_code(secret)
    page.locator("input[name=code]").fill(code)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/2fa/" not in url and "/login/" not in url)


def test_citizen_asks_staff_answers_with_a_promise_citizen_sees_receipt_and_promise(
    citizen, staff_member, browser_page, axe_check
):
    page = browser_page

    # The citizen finds Sam Rivera's public profile and asks.
    sign_in(page, citizen.email)
    page.wait_for_url("**/account/")
    page.goto("/agencies/public-works/people/sam-rivera/")
    axe_check(page)
    page.get_by_role("link", name="Ask Sam Rivera, Road Maintenance Supervisor").click()
    page.wait_for_url("**/conversations/new/**")
    axe_check(page)
    page.get_by_label("Subject").fill("Pothole on Monroe Street")
    page.get_by_label("Message", exact=True).fill("When will the pothole at **number 12** go?")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/conversations/*/")
    assert page.locator("strong", has_text="number 12").count() == 1
    assert page.get_by_text("Not read yet").is_visible()
    axe_check(page)
    thread = Thread.objects.get()

    # Sam signs in with a second factor, reads it and answers with a promise.
    page.context.clear_cookies()
    secret = generate_totp_secret()
    TOTP.activate(staff_member.user, secret)
    sign_in_with_second_factor(page, staff_member.user.email, secret)
    page.goto("/conversations/")
    axe_check(page)
    page.get_by_role("link", name="Pothole on Monroe Street").click()
    page.wait_for_url(f"**/conversations/{thread.pk}/")
    axe_check(page)
    page.get_by_label("Message", exact=True).fill("We will fill it this week.")
    page.get_by_label("Promise (optional)").fill("I will call you when it is filled")
    day = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    page.get_by_label("Promised by (date)").fill(day)
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(f"**/conversations/{thread.pk}/**")
    assert Commitment.objects.get().holder == staff_member
    assert page.get_by_role("button", name="Mark done").is_visible()
    axe_check(page)

    # The citizen sees the signed answer, the read receipt and the promise.
    page.context.clear_cookies()
    sign_in(page, citizen.email)
    page.wait_for_url("**/account/")
    page.goto(f"/conversations/{thread.pk}/")
    assert page.get_by_text("We will fill it this week.").is_visible()
    assert page.get_by_text("Road Maintenance Supervisor, Public Works").first.is_visible()
    assert page.get_by_text("Read by Sam Rivera").is_visible()
    assert page.get_by_text("I will call you when it is filled").is_visible()
    axe_check(page)
    page.goto("/conversations/")
    assert page.get_by_text("I will call you when it is filled").is_visible()
    axe_check(page)
