"""A citizen files a pothole report with the keyboard, in real Chromium, and follows it.

Every page on the way is checked with axe: zero violations.
"""

import re

import pytest

from townhall.service_requests.models import ServiceRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pothole_service(agency, site_admin):
    from townhall.agencies import actions

    service = actions.add_service(
        by=site_admin,
        agency=agency,
        code="pothole",
        name="Report a pothole",
        description="A hole in a city street.",
        kind="problem_report",
        keywords="pothole, road, street",
        group="Streets",
        location_required=True,
        acknowledge_working_days=2,
        respond_working_days=5,
    )
    actions.add_service_attribute(
        by=site_admin,
        service=service,
        code="size",
        description="How big is it?",
        datatype="singlevaluelist",
        required=True,
        values=[
            {"key": "small", "name": "Smaller than a plate"},
            {"key": "large", "name": "Larger"},
        ],
    )
    return service


def sign_in(page, email, password="townhall-demo-password"):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")


def type_into(page, label, text):
    page.get_by_label(label, exact=True).focus()
    page.keyboard.type(text)


def press(page, locator, key="Enter"):
    locator.focus()
    page.keyboard.press(key)


def test_citizen_files_a_pothole_report_with_the_keyboard_and_sees_its_status(
    citizen, pothole_service, browser_page, axe_check
):
    page = browser_page
    sign_in(page, citizen.email)

    # Find the service.
    page.goto("/requests/new/")
    axe_check(page)
    type_into(page, "Search for a service", "potholes")
    page.keyboard.press("Enter")
    page.wait_for_url("**/requests/new/?q=potholes")
    assert page.get_by_role("heading", name="Report a pothole").is_visible()
    axe_check(page)
    press(page, page.get_by_role("link", name=re.compile("^Start")))
    page.wait_for_url("**/requests/new/pothole/")

    # Step 1: continuing without answering shows the error summary.
    axe_check(page)
    press(page, page.get_by_role("button", name="Continue"))
    page.get_by_role("heading", name="There is a problem").wait_for()
    axe_check(page)
    type_into(page, "Describe your request", "Deep pothole outside number 12.")
    press(page, page.get_by_label("Larger"), " ")
    press(page, page.get_by_label(re.compile("^Anyone")), " ")
    press(page, page.get_by_role("button", name="Continue"))

    # Step 2: the place, typed. No map needed.
    page.get_by_text("Step 2 of 4", exact=False).wait_for()
    axe_check(page)
    type_into(page, "Address or description of the place", "12 Monroe St")
    page.keyboard.press("Enter")  # Enter in a field continues, never goes back

    # Step 3: check and send.
    page.get_by_role("heading", name="Your request").wait_for()
    assert "Deep pothole outside number 12." in page.content()
    assert "12 Monroe St" in page.content()
    axe_check(page)
    press(page, page.get_by_role("button", name="Send request"))

    # The status page, with the confirmation.
    page.wait_for_url(re.compile(r".*/requests/SPR-\d{4}-\d{6}/$"))
    filed = ServiceRequest.objects.get()
    assert page.get_by_role("heading", name="Your request is sent").is_visible()
    assert filed.reference in page.locator("main").inner_text()
    assert "(Central time)" in page.locator("main").inner_text()
    assert "Not yet picked up" in page.locator("main").inner_text()
    assert page.locator("h1").count() == 1
    axe_check(page)

    # It prints without the forms and buttons, with its address.
    page.emulate_media(media="print")
    assert not page.get_by_role("link", name="Add this date to your calendar").is_visible()
    assert page.get_by_text("Follow this request at").is_visible()
    page.emulate_media(media="screen")

    # "My requests" lists it.
    page.goto("/requests/mine/")
    axe_check(page)
    assert filed.reference in page.locator("main").inner_text()


def test_use_my_location_fills_in_the_point_when_the_browser_can(
    citizen, pothole_service, browser_page, axe_check
):
    page = browser_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 39.7817, "longitude": -89.6501})
    sign_in(page, citizen.email)
    page.goto("/requests/new/pothole/")
    type_into(page, "Describe your request", "Pothole by the bus stop.")
    press(page, page.get_by_label("Smaller than a plate"), " ")
    press(page, page.get_by_role("button", name="Continue"))
    button = page.get_by_role("button", name="Use my location")
    button.wait_for()
    axe_check(page)
    press(page, button)
    page.get_by_text("Your position is filled in below").wait_for()
    assert page.get_by_label("Latitude").input_value() == "39.781700"
    assert page.get_by_label("Longitude").input_value() == "-89.650100"


def test_status_page_of_a_request_with_replies_and_promises_has_no_violations(
    citizen, citizen2, staff_member, pothole_service, browser_page, axe_check
):
    import datetime as dt

    from django.utils import timezone

    from townhall.service_requests import actions

    report = actions.file_request(
        by=citizen,
        service=pothole_service,
        description="Deep pothole.",
        answers={"size": "large"},
        address="12 Monroe St",
        is_public=True,
    )
    actions.take_request(by=staff_member.user, request=report)
    actions.reply_to_request(
        by=staff_member.user,
        request=report,
        body="We will fill it **this week**.\n\n- crew booked\n- cones placed",
        promise="I will call you when it is filled",
        promise_due_at=timezone.now() + dt.timedelta(days=30),
    )
    actions.request_clarification(by=staff_member.user, request=report, body="Which lane?")

    # Another citizen says "me too" with the keyboard.
    sign_in(browser_page, citizen2.email)
    browser_page.goto(report.get_absolute_url())
    axe_check(browser_page)
    press(browser_page, browser_page.get_by_role("button", name="Me too"))
    browser_page.get_by_text("1 other person has the same problem or question.").wait_for()
    axe_check(browser_page)

    # The requester sees the question, and the reply form.
    browser_page.context.clear_cookies()
    sign_in(browser_page, citizen.email)
    browser_page.goto(report.get_absolute_url())
    assert browser_page.get_by_role(
        "heading", name="The agency is waiting for your answer"
    ).is_visible()
    axe_check(browser_page)
    type_into(browser_page, "Your reply", "The left lane, by the bus stop.")
    press(browser_page, browser_page.get_by_role("button", name="Send reply"))
    browser_page.get_by_text("Your reply is sent.").wait_for()
    axe_check(browser_page)


def test_too_low_an_assurance_level_page_has_no_violations(
    citizen, agency, site_admin, browser_page, axe_check
):
    from townhall.agencies import actions

    actions.add_service(
        by=site_admin,
        agency=agency,
        code="permit",
        name="Apply for a street party permit",
        required_assurance="identity_verified",
    )
    sign_in(browser_page, citizen.email)
    browser_page.goto("/requests/new/permit/")
    browser_page.get_by_role("heading", name="We need to be surer who you are").wait_for()
    assert "Identity verified" in browser_page.locator("main").inner_text()
    axe_check(browser_page)
    press(browser_page, browser_page.get_by_role("link", name="Go to your account"))
    browser_page.wait_for_url("**/account/")
