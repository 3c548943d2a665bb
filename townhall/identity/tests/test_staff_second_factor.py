"""Staff must use a second factor; citizens are never asked for one.

The rule lives in townhall/agencies/middleware.py. These tests go through the real
pages: allauth's sign-in, its authenticator-app (TOTP) set-up and its code prompt.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from townhall.identity.tests.totp_codes import fresh_code

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "townhall-demo-password"

MFA_SETUP = reverse("mfa_index")


def current_code(secret: str) -> str:
    return fresh_code(secret)


def codes_accepted_now(secret: str) -> set[str]:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    window = range(-mfa_settings.TOTP_TOLERANCE - 1, mfa_settings.TOTP_TOLERANCE + 2)
    return {format_hotp_value(hotp_value(secret, counter + i)) for i in window}


def wrong_code(secret: str) -> str:
    accepted = codes_accepted_now(secret)
    return next(
        code for code in (f"{n:06d}" for n in range(123456, 999999, 7)) if code not in accepted
    )


def activate_authenticator_app(client: Client, password: str = DEMO_PASSWORD) -> str:
    """Set up TOTP through allauth's pages, the way a person with a phone app would."""
    # Adding a factor first asks for the password again.
    ask = client.get(reverse("mfa_activate_totp"))
    assert ask.status_code == 302
    assert ask["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(ask["Location"]).status_code == 200
    confirmed = client.post(ask["Location"], {"password": password})
    assert confirmed["Location"] == reverse("mfa_activate_totp")

    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.content.decode()  # shown so it can be typed into the app
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    return secret


def test_staff_member_without_a_second_factor_is_sent_to_set_one_up(
    client: Any, staff_member: Any, sign_in: Any
) -> None:
    response = sign_in(client, staff_member.user.email)
    assert client.session["_auth_user_id"] == str(staff_member.user.pk)

    assert client.get(response["Location"])["Location"] == MFA_SETUP
    for path in ["/", reverse("identity:account"), reverse("agencies:agency-list"), "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == MFA_SETUP, path

    setup_page = client.get(MFA_SETUP)
    assert setup_page.status_code == 200
    assert setup_page.content.decode().count("Staff accounts need two-factor authentication.") == 1
    # Setting up a factor asks for the password again; that page is open too.
    ask = client.get(reverse("mfa_activate_totp"))
    assert ask["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(ask["Location"]).status_code == 200


def test_staff_member_without_a_second_factor_can_still_sign_out(
    client: Any, staff_member: Any, sign_in: Any
) -> None:
    sign_in(client, staff_member.user.email)

    assert client.get(reverse("account_logout")).status_code == 200
    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_staff_member_without_a_second_factor_cannot_use_the_api_with_their_session(
    client: Any, staff_member: Any, sign_in: Any
) -> None:
    sign_in(client, staff_member.user.email)

    response = client.get("/api/v1/")

    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def allow_authenticator_apps(agency: Any, site_admin: Any) -> None:
    """What a site administrator ticks in the agency's admin page (decision 0016)."""
    agency.allow_totp_for_staff = True
    agency.save(update_fields=["allow_totp_for_staff"])


def test_staff_member_uses_the_site_once_an_authenticator_app_is_active(
    client: Any, staff_member: Any, sign_in: Any, site_admin: Any
) -> None:
    allow_authenticator_apps(staff_member.agency, site_admin)
    sign_in(client, staff_member.user.email)

    activate_authenticator_app(client)

    assert Authenticator.objects.filter(
        user=staff_member.user, type=Authenticator.Type.TOTP
    ).exists()
    assert client.get("/").status_code == 200
    assert client.get(reverse("identity:account")).status_code == 200


def test_next_sign_in_asks_for_the_code_refuses_a_wrong_one_and_accepts_the_right_one(
    client: Any, staff_member: Any, sign_in: Any, site_admin: Any
) -> None:
    allow_authenticator_apps(staff_member.agency, site_admin)
    sign_in(client, staff_member.user.email)
    secret = activate_authenticator_app(client)
    client.post(reverse("account_logout"))

    response = sign_in(client, staff_member.user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    prompt = client.get(reverse("mfa_authenticate"))
    assert prompt.status_code == 200
    assert 'autocomplete="one-time-code"' in prompt.content.decode()

    refused = client.post(reverse("mfa_authenticate"), {"code": wrong_code(secret)})
    assert refused.status_code == 200
    assert "Incorrect code." in refused.content.decode()
    assert "usa-error-message" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    accepted = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("identity:account")
    assert client.session["_auth_user_id"] == str(staff_member.user.pk)
    assert client.get("/").status_code == 200


def test_citizens_are_never_asked_for_a_second_factor(
    client: Any, citizen: Any, sign_in: Any
) -> None:
    response = sign_in(client, citizen.email)

    assert response["Location"] == reverse("identity:account")
    assert client.get(reverse("identity:account")).status_code == 200
    assert client.get("/").status_code == 200


def test_demo_staff_skip_the_second_factor_only_when_the_setting_allows(
    client: Any, staff_member: Any, sign_in: Any, settings: Any
) -> None:
    user = staff_member.user
    user.is_demo = True
    user.save(update_fields=["is_demo"])
    sign_in(client, user.email)

    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = True
    assert client.get("/").status_code == 200

    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = False
    assert client.get("/")["Location"] == MFA_SETUP


def test_real_staff_never_skip_the_second_factor_even_on_a_demo_server(
    client: Any, staff_member: Any, sign_in: Any, settings: Any
) -> None:
    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = True
    sign_in(client, staff_member.user.email)

    assert client.get("/")["Location"] == MFA_SETUP
