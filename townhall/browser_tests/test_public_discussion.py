"""A citizen starts a public discussion from an agency's page in real Chromium; a staff
member replies with the official answer (as a reply, without JavaScript doing the work);
a second citizen marks that answer helpful. Every page on the way is checked with axe:
zero violations."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from townhall.browser_tests.test_conversation_with_staff import (
    sign_in,
    sign_in_with_second_factor,
)
from townhall.conversations.models import Message, Reaction, Thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_starts_staff_answers_officially_second_citizen_marks_helpful(
    citizen, citizen2, staff_member, browser_page, axe_check
):
    page = browser_page

    # Anyone can read the (empty) discussions of an agency.
    page.goto("/discussions/")
    axe_check(page)

    # The citizen starts a discussion from the agency's page.
    sign_in(page, citizen.email)
    page.wait_for_url("**/account/")
    page.goto("/agencies/public-works/")
    axe_check(page)
    page.get_by_role("link", name="Start a discussion").click()
    page.wait_for_url("**/discussions/agencies/public-works/new/")
    axe_check(page)
    page.get_by_label("Title").fill("Snow clearing on the east side")
    page.get_by_label("Topic (optional)").fill("Snow")
    page.get_by_label("Message").fill("Our street was **not** ploughed after the storm.")
    page.get_by_role("button", name="Start the discussion").click()
    page.wait_for_url("**/discussions/*/")
    thread = Thread.objects.get(kind="discussion")
    assert page.locator("strong", has_text="not").count() == 1
    axe_check(page)

    # Sam, signed in with a second factor, replies to it as the official answer.
    page.context.clear_cookies()
    secret = generate_totp_secret()
    TOTP.activate(staff_member.user, secret)
    sign_in_with_second_factor(page, staff_member.user.email, secret)
    page.goto("/discussions/agencies/public-works/")
    axe_check(page)
    page.get_by_role("link", name="Snow clearing on the east side").click()
    page.wait_for_url(f"**/discussions/{thread.pk}/")
    axe_check(page)
    page.locator("summary", has_text="Reply").first.click()
    top = Message.objects.get(thread=thread)
    page.locator(f"#reply-{top.pk}-body").fill("Ploughs go out at six tomorrow.")
    page.locator(f"label[for=reply-{top.pk}-official]").click()
    page.get_by_role("button", name="Post the reply").first.click()
    page.wait_for_url(f"**/discussions/{thread.pk}/**")
    answer = Message.objects.get(thread=thread, persona=staff_member)
    assert answer.is_official and answer.parent == top
    assert page.get_by_text("Official answer", exact=True).is_visible()
    axe_check(page)

    # A second citizen finds the answer helpful.
    page.context.clear_cookies()
    sign_in(page, citizen2.email)
    page.wait_for_url("**/account/")
    page.goto(f"/discussions/{thread.pk}/")
    assert page.get_by_text("Given by Sam Rivera, Road Maintenance Supervisor").is_visible()
    page.locator(f"#message-{answer.pk}").get_by_role("button", name="Helpful (0)").click()
    page.wait_for_url(f"**/discussions/{thread.pk}/**")
    assert Reaction.objects.filter(message=answer, user=citizen2).exists()
    button = page.locator(f"#message-{answer.pk}").get_by_role("button", name="Helpful (1)")
    assert button.get_attribute("aria-pressed") == "true"
    axe_check(page)
