"""A staff member works a request from the inbox in real Chromium, with the keyboard only:
signs in with a second factor, takes the request, replies with a promise and a date, and
answers it. Every page is checked with axe."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from townhall.identity.tests.totp_codes import fresh_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "townhall-demo-password"


@pytest.fixture
def filed(staff_member, citizen, site_admin):
    from townhall.agencies import actions as agency_actions
    from townhall.service_requests import actions

    service = agency_actions.add_service(
        by=site_admin,
        agency=staff_member.agency,
        code="pothole",
        name="Report a pothole",
        kind="problem_report",
        location_required=True,
        acknowledge_working_days=2,
        respond_working_days=5,
    )
    return actions.file_request(
        by=citizen,
        service=service,
        description="Deep pothole outside number 12, cyclists swerve around it.",
        address="12 Monroe St",
    )


def current_code(secret):
    return fresh_code(secret)


def press_on(page, locator, key="Enter"):
    """Move the keyboard focus to an element, then press a key there."""
    locator.focus()
    assert locator.evaluate("element => element === document.activeElement")
    page.keyboard.press(key)


def tab_until(page, predicate_js, limit=80):
    """Press Tab until the focused element matches; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate_js})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate_js}")


def sign_in_with_keyboard(page, email, secret):
    page.goto("/accounts/login/")
    page.get_by_label("Email").focus()
    page.keyboard.type(email)
    tab_until(page, "el.name === 'password'")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/2fa/authenticate/**")
    tab_until(page, "el.name === 'code'")
    page.keyboard.type(current_code(secret))
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/2fa/" not in url and "/login/" not in url)


def test_staff_member_takes_replies_with_a_promise_and_answers_with_the_keyboard(
    staff_member, filed, browser_page, axe_check
):
    page = browser_page
    secret = generate_totp_secret()
    TOTP.activate(staff_member.user, secret)
    sign_in_with_keyboard(page, staff_member.user.email, secret)

    # The queue of unassigned requests.
    page.goto("/inbox/?queue=unassigned")
    assert page.locator("h1").inner_text() == "Inbox: Unassigned"
    axe_check(page)
    tab_until(page, f"el.textContent.trim() === '{filed.reference}'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/inbox/{filed.reference}/")
    axe_check(page)

    # Take it.
    tab_until(page, "el.textContent.trim() === 'Take this request'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"You hold {filed.reference}." in page.locator(".townhall-messages").inner_text()
    assert "Road Maintenance Supervisor (you)" in page.locator(".usa-summary-box").inner_text()
    axe_check(page)

    # Reply with a promise and a date.
    page.get_by_label("Reply", exact=True).focus()
    page.keyboard.type("Thank you. A crew will look at it; I will call you with a date.")
    tab_until(page, "el.name === 'reply-promise'")
    page.keyboard.type("I will call you with the repair date")
    tab_until(page, "el.name === 'reply-promise_date'")
    page.keyboard.type("12152099")  # month, day, year in the en-US date field
    assert page.locator("[name='reply-promise_date']").input_value() == "2099-12-15"
    assert (
        "Your reply will be signed: Sam Rivera, Road Maintenance Supervisor, Public Works"
        in page.locator("#reply-signature").inner_text()
    )
    tab_until(page, "el.textContent.trim() === 'Send reply'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert (
        "Your reply is sent, and your promise is recorded."
        in page.locator(".townhall-messages").inner_text()
    )
    commitments = page.locator("section[aria-labelledby='commitments-heading']").inner_text()
    assert "“I will call you with the repair date”" in commitments
    assert "Dec. 15, 2099, 11:59 p.m." in commitments
    thread = page.locator("section[aria-labelledby='thread-heading']").inner_text()
    assert "Sam Rivera, Road Maintenance Supervisor, Public Works" in thread
    axe_check(page)

    # Answer it.
    page.get_by_label("Answer", exact=True).focus()
    page.keyboard.type("Filled this morning. Thank you for telling us.")
    tab_until(page, "el.textContent.trim() === 'Send the answer'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Your answer is sent." in page.locator(".townhall-messages").inner_text()
    assert page.locator("#status-heading").inner_text() == "Answered"
    commitments = page.locator("section[aria-labelledby='commitments-heading']").inner_text()
    assert "respond kept" in " ".join(commitments.split()).lower()
    axe_check(page)


def test_the_error_summary_after_a_refused_action_passes_axe(
    staff_member, filed, browser_page, axe_check
):
    page = browser_page
    secret = generate_totp_secret()
    TOTP.activate(staff_member.user, secret)
    sign_in_with_keyboard(page, staff_member.user.email, secret)
    page.goto(f"/inbox/{filed.reference}/")

    tab_until(page, "el.textContent.trim() === 'Send reply'")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    assert "Reply: Write your reply." in summary.inner_text()
    axe_check(page)
    press_on(page, summary.get_by_role("link", name="Reply: Write your reply."))
    assert page.evaluate("document.activeElement.id") == "id_reply-body"


def test_saved_replies_page_passes_axe(staff_member, filed, browser_page, axe_check):
    page = browser_page
    secret = generate_totp_secret()
    TOTP.activate(staff_member.user, secret)
    sign_in_with_keyboard(page, staff_member.user.email, secret)

    page.goto("/inbox/saved-replies/")

    assert page.locator("h1").inner_text() == "Saved replies"
    axe_check(page)


def test_manager_ticks_requests_and_closes_them_in_bulk_with_the_keyboard(
    staff_member, filed, citizen, site_admin, make_user, browser_page, axe_check
):
    from townhall.agencies import actions as agency_actions
    from townhall.service_requests import actions

    manager = agency_actions.add_staff_member(
        by=site_admin,
        agency=staff_member.agency,
        user=make_user("lee@example.org", "Lee"),
        public_name="Lee Chen",
        job_title="Streets Manager",
        role="manager",
    )
    second = actions.file_request(
        by=citizen, service=filed.service, description="Another hole.", address="1 Adams St"
    )
    actions.close_request(by=manager.user, request=second)
    actions.add_internal_note(by=manager.user, request=filed, body="Crew 4 knows the site.")
    page = browser_page
    secret = generate_totp_secret()
    TOTP.activate(manager.user, secret)
    sign_in_with_keyboard(page, manager.user.email, secret)

    page.goto("/inbox/?queue=all&sort=oldest")
    axe_check(page)
    for reference in (filed.reference, second.reference):
        press_on(page, page.get_by_label(f"Select {reference}"), key="Space")
        assert page.get_by_label(f"Select {reference}").is_checked()
    tab_until(page, "el.textContent.trim() === 'Close selected'")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert (
        f"1 closed, 1 refused: {second.reference}: This request is already closed."
        in page.locator(".townhall-messages").inner_text()
    )
    axe_check(page)

    page.goto(f"/inbox/{filed.reference}/")
    assert "Internal note — not shown to the citizen" in page.locator("main").inner_text()
    axe_check(page)


def test_citizen_sees_an_accessible_page_saying_the_inbox_is_for_staff(
    citizen, browser_page, axe_check
):
    page = browser_page
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(citizen.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")

    response = page.goto("/inbox/")

    assert response.status == 403
    assert "does not work for any agency" in page.locator("main").inner_text()
    axe_check(page)


def test_manager_adds_a_routing_rule_fixing_a_mistake_with_the_keyboard(
    staff_member, filed, make_user, site_admin, browser_page, axe_check
):
    from townhall.agencies import actions as agency_actions
    from townhall.service_requests.models import RoutingRule

    team = agency_actions.create_team(by=site_admin, agency=staff_member.agency, name="Streets")
    manager = agency_actions.add_staff_member(
        by=site_admin,
        agency=staff_member.agency,
        user=make_user("lee@example.org", "Lee"),
        public_name="Lee Chen",
        job_title="Streets Manager",
        role="manager",
    )
    page = browser_page
    secret = generate_totp_secret()
    TOTP.activate(manager.user, secret)
    sign_in_with_keyboard(page, manager.user.email, secret)

    page.goto("/inbox/routing/")
    assert "no routing rules yet" in page.locator("main").inner_text()
    axe_check(page)
    page.get_by_label("Send to team").select_option(label=f"Streets ({staff_member.agency.name})")
    page.get_by_label("South edge (latitude)").fill("39.7")
    press_on(page, page.get_by_role("button", name="Add the rule"))
    page.wait_for_load_state()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    assert "Give all four edges of the area, or none." in summary.inner_text()
    axe_check(page)
    page.get_by_label("South edge (latitude)").fill("")
    page.get_by_label("Keywords").fill("pothole, sinkhole")
    with page.expect_navigation():
        press_on(page, page.get_by_role("button", name="Add the rule"))

    assert "New requests that match now go to the team." in page.locator("main").inner_text()
    assert "Any of the words: pothole, sinkhole" in page.locator("table").inner_text()
    axe_check(page)
    assert RoutingRule.objects.get().team == team
