"""/my-data/ in real Chromium: build the archive, see the download link, erase the
account; zero axe violations on each page."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, email: str, password: str = "townhall-demo-password") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_citizen_downloads_their_data_then_erases_the_account(
    citizen: Any, browser_page: Any, axe_check: Any
) -> None:
    from townhall.identity.models import User

    sign_in(browser_page, citizen.email)
    browser_page.goto("/account/")
    browser_page.get_by_role("link", name="Download everything we hold about you").click()
    assert browser_page.locator("h1").inner_text() == "Your data"
    axe_check(browser_page)

    browser_page.get_by_role("button", name="Build my archive").click()
    download_link = browser_page.get_by_role("link", name="Download your archive")
    download_link.wait_for()
    axe_check(browser_page)
    with browser_page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.startswith("townhall-archive-")

    browser_page.get_by_role("link", name="See what erasing removes").click()
    assert browser_page.locator("h1").inner_text() == "Erase your account"
    axe_check(browser_page)
    browser_page.get_by_role("button", name="Erase my account").click()
    # Erasing asks for the password again (allauth's reauthentication), then allauth
    # replays the form as sent: here without the box ticked.
    browser_page.get_by_label("Password").fill("townhall-demo-password")
    browser_page.get_by_label("Password").press("Enter")
    # Waits for the replayed form (is_visible() would not wait for the page to come).
    browser_page.get_by_text("Tick the box").first.wait_for(state="visible")
    axe_check(browser_page)
    assert User.objects.get(pk=citizen.pk).is_active
    browser_page.locator("label[for=id_confirm]").click()  # USWDS hides the box itself
    browser_page.get_by_role("button", name="Erase my account").click()
    browser_page.get_by_role("heading", name="Your account is erased").wait_for()
    axe_check(browser_page)
    assert not User.objects.get(pk=citizen.pk).is_active
