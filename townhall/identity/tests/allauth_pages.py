"""Every allauth page Townhall shows, reached the way a person reaches it.

Each entry sets up a Django test client in the right state (signed out, signed in and
recently re-authenticated, halfway through a two-factor sign-in, holding a password-reset
key) and returns the path to open. test_allauth_pages.py checks the markup with the test
client; test_allauth_pages_axe.py opens the same pages in Chromium and runs axe.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse

DEMO_PASSWORD = "townhall-demo-password"

Setup = Callable[[Client, Any], str]


def _reauthenticate(client: Client) -> None:
    response = client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


def _with_second_factor(user: Any, *, security_key: bool = False) -> None:
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    if not security_key:
        return
    # Just enough of a stored key for the pages that list it (pages that talk to the
    # browser's WebAuthn API need a real attestation, so they get no key).
    Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.WEBAUTHN,
        data={
            "name": "Blue <b>key</b>",
            "credential": {"clientExtensionResults": {"credProps": {"rk": False}}},
        },
    )


def signed_out(url_name: str, *args: Any) -> Setup:
    def setup(client: Client, make_user: Any) -> str:
        return reverse(url_name, args=args)

    return setup


def signed_in(url_name: str, *, second_factor: bool = False, security_key: bool = False) -> Setup:
    def setup(client: Client, make_user: Any) -> str:
        user = make_user("page.visitor@example.org", "Page Visitor")
        if second_factor or security_key:
            _with_second_factor(user, security_key=security_key)
        client.force_login(user)
        _reauthenticate(client)
        if url_name in {"mfa_edit_webauthn", "mfa_remove_webauthn"}:
            key = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
            return reverse(url_name, kwargs={"pk": key.pk})
        return reverse(url_name)

    return setup


def signed_in_not_reauthenticated(url_name: str) -> Setup:
    def setup(client: Client, make_user: Any) -> str:
        user = make_user("page.visitor@example.org", "Page Visitor")
        _with_second_factor(user)
        client.force_login(user)
        return reverse(url_name)

    return setup


def reauthentication_code(client: Client, make_user: Any) -> str:
    user = make_user("page.visitor@example.org", "Page Visitor")
    client.force_login(user)
    response = client.post(
        reverse("account_request_reauthentication_code"), {"recipient": user.email}
    )
    assert response["Location"] == reverse("account_confirm_reauthentication_code")
    return reverse("account_confirm_reauthentication_code")


def confirm_email(client: Client, make_user: Any) -> str:
    user = make_user("page.visitor@example.org", "Page Visitor", verified=False)
    address = EmailAddress.objects.get(user=user)
    return reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key])


def second_factor_prompt(client: Client, make_user: Any) -> str:
    user = make_user("page.visitor@example.org", "Page Visitor")
    _with_second_factor(user)
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEMO_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    return reverse("mfa_authenticate")


def password_reset_from_key(client: Client, make_user: Any) -> str:
    from django.core import mail

    make_user("page.visitor@example.org", "Page Visitor")
    client.post(reverse("account_reset_password"), {"email": "page.visitor@example.org"})
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    response = client.get(match.group(1))  # allauth moves the key into the session
    assert response.status_code == 302
    return response["Location"]


PAGES: dict[str, Setup] = {
    "sign in": signed_out("account_login"),
    "sign up": signed_out("account_signup"),
    "verification sent": signed_out("account_email_verification_sent"),
    "confirm email": confirm_email,
    "broken confirmation link": signed_out("account_confirm_email", "no-such-key"),
    "password reset": signed_out("account_reset_password"),
    "password reset done": signed_out("account_reset_password_done"),
    "password reset from key": password_reset_from_key,
    "password reset from key done": signed_out("account_reset_password_from_key_done"),
    "second-factor prompt": second_factor_prompt,
    "sign out": signed_in("account_logout"),
    "change password": signed_in("account_change_password"),
    "email addresses": signed_in("account_email"),
    "reauthenticate": signed_in_not_reauthenticated("account_reauthenticate"),
    "reauthenticate with an authenticator": signed_in_not_reauthenticated("mfa_reauthenticate"),
    "ask for a reauthentication code": signed_in_not_reauthenticated(
        "account_request_reauthentication_code"
    ),
    "enter a reauthentication code": reauthentication_code,
    "two-factor index": signed_in("mfa_index"),
    "two-factor index with factors": signed_in("mfa_index", security_key=True),
    "activate authenticator app": signed_in("mfa_activate_totp"),
    "deactivate authenticator app": signed_in("mfa_deactivate_totp", second_factor=True),
    "recovery codes": signed_in("mfa_view_recovery_codes", second_factor=True),
    "generate recovery codes": signed_in("mfa_generate_recovery_codes", second_factor=True),
    "add security key": signed_in("mfa_add_webauthn", second_factor=True),
    "no security keys": signed_in("mfa_list_webauthn"),
    "security keys": signed_in("mfa_list_webauthn", security_key=True),
    "edit security key": signed_in("mfa_edit_webauthn", security_key=True),
    "remove security key": signed_in("mfa_remove_webauthn", security_key=True),
}
