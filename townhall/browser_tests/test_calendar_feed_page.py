"""The calendar address page in real Chromium: make, copy and revoke, with zero axe
violations in each state."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email, password="townhall-demo-password"):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_citizen_makes_and_revokes_a_calendar_address(citizen, browser_page, axe_check):
    from townhall.commitments.models import CalendarFeed

    sign_in(browser_page, citizen.email)
    browser_page.goto("/account/")
    browser_page.get_by_role("link", name="Get a calendar address").click()
    assert browser_page.locator("h1").inner_text() == "Your promises in your calendar"
    axe_check(browser_page)

    browser_page.get_by_role("button", name="Make my calendar address").click()
    address = browser_page.get_by_label("Copy this address into your calendar application")
    feed = CalendarFeed.objects.get(owner=citizen, revoked_at__isnull=True)
    assert address.input_value().endswith(f"/feeds/commitments/{feed.token}.ics")
    axe_check(browser_page)

    browser_page.get_by_role("button", name="Revoke the address").click()
    browser_page.get_by_role("button", name="Make my calendar address").wait_for(state="visible")
    assert not CalendarFeed.objects.filter(owner=citizen, revoked_at__isnull=True).exists()
    axe_check(browser_page)
