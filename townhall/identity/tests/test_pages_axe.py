"""The account pages and allauth's pages pass axe in a real browser, errors included."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from .allauth_pages import PAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "townhall-demo-password"


def share_session(client: Client, page: Any, base_url: str) -> None:
    """Give the browser the test client's cookies (its session, its sign-in stage)."""
    page.context.add_cookies(
        [
            {"name": name, "value": morsel.value, "url": base_url}
            for name, morsel in client.cookies.items()
        ]
    )


@pytest.mark.parametrize("name", PAGES)
def test_allauth_page_passes_axe(
    browser_page: Any, axe_check: Any, live_server: Any, make_user: Any, name: str
) -> None:
    client = Client()
    path = PAGES[name](client, make_user)
    share_session(client, browser_page, live_server.url)

    response = browser_page.goto(path)

    assert response.status == 200, (name, path)
    axe_check(browser_page)


def test_sign_in_errors_pass_axe(browser_page: Any, axe_check: Any, citizen: Any) -> None:
    browser_page.goto(reverse("account_login"))
    browser_page.get_by_label("Email").fill(citizen.email)
    browser_page.get_by_label("Password").fill("not-the-password")
    browser_page.get_by_role("button", name="Sign In").click()

    browser_page.locator(".usa-alert--error").wait_for()
    axe_check(browser_page)


def test_sign_up_errors_pass_axe(browser_page: Any, axe_check: Any) -> None:
    browser_page.goto(reverse("account_signup"))
    browser_page.get_by_label("Email").fill("newcomer@example.org")
    browser_page.get_by_label("Display name").fill("Newcomer")
    browser_page.get_by_label("Password", exact=True).fill("short")
    browser_page.get_by_label("Password (again)").fill("short")
    browser_page.get_by_role("button", name="Sign Up").click()

    browser_page.locator(".usa-error-message").first.wait_for()
    axe_check(browser_page)


@pytest.mark.parametrize("url_name", ["identity:account", "identity:profile-edit"])
def test_account_pages_pass_axe(
    browser_page: Any, axe_check: Any, live_server: Any, make_user: Any, url_name: str
) -> None:
    client = Client()
    client.force_login(make_user("dana@example.org", "Dana <K>", legal_name="Dana Kowalski"))
    share_session(client, browser_page, live_server.url)

    browser_page.goto(reverse(url_name))

    axe_check(browser_page)


def test_profile_form_errors_pass_axe(
    browser_page: Any, axe_check: Any, live_server: Any, citizen: Any
) -> None:
    client = Client()
    client.force_login(citizen)
    share_session(client, browser_page, live_server.url)
    browser_page.goto(reverse("identity:profile-edit"))

    browser_page.get_by_label("Display name").fill("")
    browser_page.get_by_role("button", name="Save").click()

    browser_page.locator(".usa-alert--error").wait_for()
    axe_check(browser_page)
