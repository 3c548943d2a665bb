"""A staff member adds a passkey with a virtual authenticator in real Chromium, and signs
in with it: until then no staff page opens (decision 0016)."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "townhall-demo-password"


def sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_staff_member_adds_a_passkey_then_signs_in_with_it(
    staff_member: Any, browser_page: Any, axe_check: Any, settings: Any
) -> None:
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server speaks http
    page = browser_page
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    sign_in(page, staff_member.user.email)
    page.wait_for_url("**/accounts/2fa/")
    assert page.get_by_text("Staff accounts need two-factor authentication.").is_visible()
    page.goto("/inbox/")
    page.wait_for_url("**/accounts/2fa/")  # no staff page without a factor

    page.goto("/accounts/2fa/webauthn/add/")
    page.wait_for_url("**/reauthenticate/**")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/webauthn/add/**")
    axe_check(page)
    page.get_by_label("Name").fill("My laptop")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(
        user=staff_member.user, type=Authenticator.Type.WEBAUTHN
    ).exists()

    page.goto("/inbox/")
    page.wait_for_url("**/inbox/")
    assert (
        "Sam Rivera, Road Maintenance Supervisor, Public Works"
        in page.locator("#acting-face").inner_text()
    )

    # Next time: password, then the key.
    page.context.clear_cookies()
    sign_in(page, staff_member.user.email)
    page.wait_for_url("**/2fa/authenticate/**")
    axe_check(page)
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(lambda url: "/2fa/" not in url and "/login/" not in url)
    page.goto("/inbox/")
    page.wait_for_url("**/inbox/")


def test_the_in_person_check_page_passes_axe(
    staff_member: Any, citizen: Any, browser_page: Any, axe_check: Any, settings: Any
) -> None:
    from django.contrib.auth.models import Permission

    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = True  # a demo account: no factor to drive
    user = staff_member.user
    user.is_demo = True
    user.save(update_fields=["is_demo"])
    user.user_permissions.add(Permission.objects.get(codename="verify_in_person"))
    page = browser_page
    sign_in(page, user.email)
    page.wait_for_url("**/account/")

    page.goto("/account/verify/")
    axe_check(page)
    page.get_by_label("Email address of the person in front of you").fill(citizen.email)
    page.get_by_role("button", name="Look up").click()
    page.wait_for_url("**/account/verify/?email=*")
    assert "Alex Park" in page.locator("main").inner_text()
    axe_check(page)
    page.get_by_role("button", name="Record the check").click()  # nothing chosen
    page.get_by_text("There is a problem").wait_for()
    axe_check(page)
    page.locator("label", has_text="Passport").click()
    page.locator("label", has_text="I saw this document").click()
    page.get_by_role("button", name="Record the check").click()
    page.get_by_text("is now identity-verified").wait_for()
    citizen.refresh_from_db()
    assert citizen.assurance_level == "identity_verified"
