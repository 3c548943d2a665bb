"""Every page, in real Chromium, checked with axe: zero violations."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = [
    "/",
    "/agencies/",
    "/agencies/people/",
    "/agencies/public-works/",
    "/agencies/public-works/people/sam-rivera/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/this-page-does-not-exist/",
    "/when-is-it-due/",
    "/when-is-it-due/?agency=public-works&received_date=2026-11-20&working_days=20",
    "/when-is-it-due/?agency=public-works&received_date=not-a-date&working_days=-3",
]


@pytest.fixture
def city(staff_member, other_agency):
    return staff_member


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_accessibility_violations(city, browser_page, axe_check, path):
    browser_page.goto(path)
    assert browser_page.locator("h1").count() == 1
    axe_check(browser_page)


def sign_in(page, email, password="townhall-demo-password"):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("path", ["/account/", "/account/profile/", "/account/tokens/"])
def test_signed_in_page_has_no_accessibility_violations(citizen, browser_page, axe_check, path):
    sign_in(browser_page, citizen.email)
    browser_page.goto(path)
    assert browser_page.locator("h1").count() == 1
    axe_check(browser_page)


def test_staff_second_factor_setup_page_has_no_accessibility_violations(
    staff_member, browser_page, axe_check
):
    sign_in(browser_page, staff_member.user.email)
    browser_page.goto("/agencies/")
    assert "/accounts/2fa/" in browser_page.url
    axe_check(browser_page)
