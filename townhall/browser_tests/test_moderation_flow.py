"""Moderation after the fact in real Chromium: a citizen reports a message of a public
discussion, a moderator hides it with a public reason from the queue, the reason shows in
the thread and in the agency's moderation log, and the author reads it and appeals. Every
page on the way is checked with axe: zero violations."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from townhall.conversations.models import Message
from townhall.conversations.moderation_models import Appeal, Flag
from townhall.identity.tests.totp_codes import fresh_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "townhall-demo-password"
NOTICE = "Hidden by moderator Lee Chen: personal data"


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


def test_citizen_reports_moderator_hides_reason_shows_author_appeals(
    citizen, citizen2, moderator, discussion, bea_message, browser_page, axe_check
):
    page = browser_page
    thread_url = discussion.get_absolute_url()

    # Alex reads Bea's message giving out a phone number, and reports it.
    sign_in(page, citizen.email)
    page.wait_for_url("**/account/")
    page.goto(thread_url)
    axe_check(page)
    page.get_by_role("link", name=re.compile(r"^Report")).click()
    page.wait_for_url(f"**/moderation/messages/{bea_message.pk}/report/")
    axe_check(page)
    page.locator("label.usa-radio__label", has_text="Personal data").click()
    assert page.get_by_label("Personal data").is_checked()
    page.get_by_label("What is wrong with this message?").fill("It gives out Joe's number.")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url(f"**{thread_url}**")
    assert page.get_by_text("The moderators will look at this message").is_visible()
    assert Flag.objects.get().reason == "It gives out Joe's number."
    axe_check(page)

    # Lee Chen, a moderator, hides it from the queue with a public reason.
    page.context.clear_cookies()
    secret = generate_totp_secret()
    TOTP.activate(moderator.user, secret)
    sign_in_with_second_factor(page, moderator.user.email, secret)
    page.get_by_role("link", name="Moderation", exact=True).click()
    page.wait_for_url("**/moderation/")
    assert page.get_by_text("It gives out Joe's number.").is_visible()
    axe_check(page)
    page.get_by_label("Public reason for hiding").fill("personal data")
    page.get_by_role("button", name=re.compile(r"^Hide")).click()
    page.wait_for_url("**/moderation/")
    assert page.get_by_text("The message is hidden.").is_visible()
    assert Message.objects.get(pk=bea_message.pk).is_hidden
    axe_check(page)

    # A visitor reads the public reason in the thread and in the moderation log.
    page.context.clear_cookies()
    page.goto(thread_url)
    assert page.get_by_text(NOTICE).is_visible()
    assert page.get_by_text("555-0100").count() == 0
    axe_check(page)
    page.goto("/agencies/public-works/")
    page.get_by_role("link", name="Moderation log").click()
    page.wait_for_url("**/moderation/log/public-works/")
    assert page.get_by_role("cell", name="personal data").is_visible()
    assert page.get_by_role("cell", name="Lee Chen").is_visible()
    axe_check(page)

    # Bea, the author, still reads her message with the reason, and appeals.
    sign_in(page, citizen2.email)
    page.wait_for_url("**/account/")
    page.goto(thread_url)
    assert page.get_by_text(NOTICE).is_visible()
    assert page.get_by_text("555-0100").is_visible()
    axe_check(page)
    page.get_by_role("link", name=re.compile(r"^Appeal this decision")).click()
    page.wait_for_url(f"**/moderation/messages/{bea_message.pk}/appeal/")
    axe_check(page)
    page.get_by_label("Why should the message be shown again?").fill("Joe asked me to share it.")
    page.get_by_role("button", name="Send the appeal").click()
    page.wait_for_url(f"**/moderation/messages/{bea_message.pk}/appeal/")
    assert page.get_by_text("Your appeal is sent").is_visible()
    assert page.get_by_text("Waiting for a moderator", exact=True).is_visible()
    assert Appeal.objects.get().text == "Joe asked me to share it."
    axe_check(page)
