"""A new citizen signs up, verifies their email and lands signed in — in a real browser."""

import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_citizen_signs_up_verifies_email_and_sees_their_assurance_level(
    browser_page, axe_check
):
    page = browser_page
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Display name").fill("Newcomer")
    page.get_by_label("Password", exact=True).fill("a long and unusual passphrase")
    page.get_by_label("Password (again)").fill("a long and unusual passphrase")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/confirm-email/**")
    axe_check(page)

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page.goto(link.group(0))
    axe_check(page)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/account/")
    assert "Email verified" in page.content()
