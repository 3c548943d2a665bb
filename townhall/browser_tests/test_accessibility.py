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
    "/agencies/public-works/services/pothole/",
    "/this-page-does-not-exist/",
    "/when-is-it-due/",
    "/when-is-it-due/?agency=public-works&received_date=2026-11-20&working_days=20",
    "/when-is-it-due/?agency=public-works&received_date=not-a-date&working_days=-3",
]


@pytest.fixture
def city(staff_member, other_agency, site_admin):
    from townhall.agencies import actions

    service = actions.add_service(
        by=site_admin,
        agency=staff_member.agency,
        code="pothole",
        name="Pothole",
        description="Report a pothole on a city street.",
        kind="problem_report",
        location_required=True,
        acknowledge_working_days=1,
        respond_working_days=5,
    )
    actions.add_service_attribute(
        by=site_admin,
        service=service,
        code="where",
        description="Where on the road is it?",
        datatype="singlevaluelist",
        required=True,
        values=[
            {"key": "lane", "name": "In a traffic lane"},
            {"key": "shoulder", "name": "On the shoulder"},
        ],
    )
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


@pytest.mark.parametrize(
    "path", ["/account/", "/account/profile/", "/account/tokens/", "/notifications/"]
)
def test_signed_in_page_has_no_accessibility_violations(citizen, browser_page, axe_check, path):
    from townhall.activity.actions import notify, record_activity

    entry = record_activity(verb="request.answered", summary="Your request was answered")
    notify(recipients=[citizen], activity=entry, reason="You filed it.", url="/")
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
