"""Which second factors count for staff, and how long their sessions last (decision 0016).

A security key or passkey (WebAuthn) always counts; an authenticator app (TOTP) only when
every agency the person works for allows it. Staff sessions end 12 hours after sign-in or
after 30 minutes idle; citizens stay signed in.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Any

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from fido2.cose import ES256
from fido2.webauthn import (
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorAttestationResponse,
    AuthenticatorData,
    CollectedClientData,
    RegistrationResponse,
)
from freezegun import freeze_time

from townhall.agencies import actions

pytestmark = pytest.mark.django_db

PASSWORD = "townhall-demo-password"
ADD_KEY = reverse("mfa_add_webauthn")


def allow_apps(agency: Any, site_admin: Any, allowed: bool = True) -> None:
    actions.update_agency(by=site_admin, agency=agency, changes={"allow_totp_for_staff": allowed})


def security_key_credential() -> dict[str, Any]:
    """A stored WebAuthn registration as allauth keeps it (a fresh P-256 key, attestation
    "none"): enough for the sign-in prompt to offer the key."""
    key = ec.generate_private_key(ec.SECP256R1())
    credential_id = os.urandom(16)
    attested = AttestedCredentialData.create(
        b"\0" * 16, credential_id, ES256.from_cryptography_key(key.public_key())
    )
    flags = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT
    auth_data = AuthenticatorData.create(sha256(b"testserver").digest(), flags, 0, attested)
    client_data = CollectedClientData.create(
        type="webauthn.create", challenge=b"x" * 16, origin="http://testserver"
    )
    response = RegistrationResponse(
        raw_id=credential_id,
        response=AuthenticatorAttestationResponse(
            client_data=client_data,
            attestation_object=AttestationObject.create("none", auth_data, {}),
        ),
    )
    return dict(response)


def give(user: Any, kind: str) -> None:
    data: dict[str, Any] = {"name": "Key"}
    if kind == Authenticator.Type.WEBAUTHN:
        data["credential"] = security_key_credential()
    Authenticator.objects.create(user=user, type=kind, data=data)


def post_code(client: Client, secret: str) -> Any:
    """Send the app's code for a fresh time window: the clock is held at the start of the
    next window, so the code cannot expire between computing and checking it."""
    period = mfa_settings.TOTP_PERIOD
    window = int(time.time()) // period + 1
    with freeze_time(datetime.fromtimestamp(window * period + 1, tz=UTC)):
        code = format_hotp_value(hotp_value(secret, window))
        return client.post(reverse("mfa_authenticate"), {"code": code})


# --- which factors count -------------------------------------------------------------------


def test_staff_with_only_an_app_is_sent_to_add_a_security_key_by_default(
    client: Client, staff_member: Any
) -> None:
    give(staff_member.user, Authenticator.Type.TOTP)
    client.force_login(staff_member.user)

    response = client.get("/", follow=True)

    assert response.redirect_chain[0] == (ADD_KEY, 302)
    assert "an authenticator app is not enough" in response.content.decode()
    assert client.get(reverse("inbox:queue"))["Location"] == ADD_KEY


def test_staff_with_only_an_app_uses_the_site_when_their_agency_allows_it(
    client: Client, staff_member: Any, site_admin: Any
) -> None:
    allow_apps(staff_member.agency, site_admin)
    give(staff_member.user, Authenticator.Type.TOTP)
    client.force_login(staff_member.user)

    assert client.get("/").status_code == 200
    assert client.get(reverse("inbox:queue")).status_code == 200


def test_an_app_counts_only_if_every_agency_of_the_person_allows_it(
    client: Client, staff_member: Any, other_agency: Any, site_admin: Any
) -> None:
    actions.add_staff_member(
        by=site_admin,
        agency=other_agency,
        user=staff_member.user,
        public_name="Sam Rivera",
        job_title="Volunteer coordinator",
    )
    give(staff_member.user, Authenticator.Type.TOTP)
    allow_apps(staff_member.agency, site_admin)
    client.force_login(staff_member.user)

    assert client.get("/")["Location"] == ADD_KEY  # Parks and Recreation does not allow it

    allow_apps(other_agency, site_admin)
    assert client.get("/").status_code == 200


def test_a_security_key_always_counts(client: Client, staff_member: Any) -> None:
    give(staff_member.user, Authenticator.Type.WEBAUTHN)
    client.force_login(staff_member.user)

    assert client.get(reverse("inbox:queue")).status_code == 200


def test_staff_with_only_an_app_cannot_use_the_api_with_their_session(
    client: Client, staff_member: Any
) -> None:
    give(staff_member.user, Authenticator.Type.TOTP)
    client.force_login(staff_member.user)

    response = client.get("/api/v1/me/")

    assert response.status_code == 403
    assert response.json()["detail"]


def test_staff_with_no_factor_are_asked_for_a_security_key(
    client: Client, staff_member: Any
) -> None:
    client.force_login(staff_member.user)

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1] == (reverse("mfa_index"), 302)
    assert "Set up a security key or passkey" in response.content.decode()


def test_citizens_with_an_app_are_never_asked_for_a_key(client: Client, citizen: Any) -> None:
    give(citizen, Authenticator.Type.TOTP)
    client.force_login(citizen)

    assert client.get("/").status_code == 200


def test_demo_staff_still_skip_the_second_factor_on_a_demo_server(
    client: Client, staff_member: Any, settings: Any
) -> None:
    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = True
    user = staff_member.user
    user.is_demo = True
    user.save(update_fields=["is_demo"])
    client.force_login(user)

    assert client.get(reverse("inbox:queue")).status_code == 200


# --- the code prompt at sign-in -------------------------------------------------------------


def sign_in_to_code_prompt(client: Client, user: Any) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")


def test_an_app_code_is_refused_at_sign_in_when_the_agency_wants_a_key(
    client: Client, staff_member: Any
) -> None:
    user = staff_member.user
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    give(user, Authenticator.Type.WEBAUTHN)
    sign_in_to_code_prompt(client, user)

    refused = post_code(client, secret)

    assert refused.status_code == 200
    assert "does not accept codes from an authenticator app" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_still_gets_staff_with_a_key_in(client: Client, staff_member: Any) -> None:
    user = staff_member.user
    TOTP.activate(user, generate_totp_secret())
    give(user, Authenticator.Type.WEBAUTHN)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    sign_in_to_code_prompt(client, user)

    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_app_code_is_accepted_at_sign_in_when_the_agency_allows_it(
    client: Client, staff_member: Any, site_admin: Any
) -> None:
    allow_apps(staff_member.agency, site_admin)
    user = staff_member.user
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    give(user, Authenticator.Type.WEBAUTHN)
    sign_in_to_code_prompt(client, user)

    response = post_code(client, secret)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_staff_with_only_an_app_can_sign_in_to_add_a_key(client: Client, staff_member: Any) -> None:
    user = staff_member.user
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    sign_in_to_code_prompt(client, user)

    post_code(client, secret)

    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/")["Location"] == ADD_KEY


# --- session limits ------------------------------------------------------------------------


def test_staff_are_signed_out_after_thirty_minutes_idle(
    staff_client_for: Any, staff_member: Any
) -> None:
    start = timezone.now()
    with freeze_time(start) as clock:
        client = staff_client_for(staff_member.user)
        assert client.get(reverse("inbox:queue")).status_code == 200
        clock.tick(timedelta(minutes=29))
        assert client.get(reverse("inbox:queue")).status_code == 200
        clock.tick(timedelta(minutes=29))
        assert client.get(reverse("inbox:queue")).status_code == 200  # active: still in

        clock.tick(timedelta(minutes=31))
        response = client.get(reverse("inbox:queue") + "?queue=mine", follow=True)

    first = response.redirect_chain[0][0]
    assert first.startswith(reverse("account_login") + "?next=")
    assert "%2Finbox%2F%3Fqueue%3Dmine" in first
    assert "after 30 minutes without activity" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_are_signed_out_twelve_hours_after_signing_in_however_active(
    staff_client_for: Any, staff_member: Any
) -> None:
    start = timezone.now()
    with freeze_time(start) as clock:
        client = staff_client_for(staff_member.user)
        for _ in range(11 * 4 + 3):  # a request every 15 minutes for 11 h 45
            clock.tick(timedelta(minutes=15))
            assert client.get("/").status_code == 200
        clock.tick(timedelta(minutes=15))
        response = client.get("/", follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("account_login"))
    assert "12 hours after signing in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_expired_staff_session_gets_a_json_401_from_the_api(
    staff_client_for: Any, staff_member: Any
) -> None:
    with freeze_time(timezone.now()) as clock:
        client = staff_client_for(staff_member.user)
        clock.tick(timedelta(minutes=45))
        response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["status"] == 401
    assert "30 minutes" in response.json()["detail"]


def test_citizens_stay_signed_in_through_long_idle_spells(client: Client, citizen: Any) -> None:
    with freeze_time(timezone.now()) as clock:
        client.force_login(citizen)
        clock.tick(timedelta(hours=13))
        assert client.get(reverse("identity:account")).status_code == 200
        clock.tick(timedelta(days=20))
        assert client.get(reverse("identity:account")).status_code == 200


def test_signing_in_again_starts_the_clocks_again(staff_client_for: Any, staff_member: Any) -> None:
    with freeze_time(timezone.now()) as clock:
        client = staff_client_for(staff_member.user)
        clock.tick(timedelta(hours=1))
        client.get("/")  # signed out: idle
        client.force_login(staff_member.user)
        assert client.get(reverse("inbox:queue")).status_code == 200


def test_a_tampered_clock_in_the_session_counts_as_just_signed_in(
    staff_client_for: Any, staff_member: Any
) -> None:
    client = staff_client_for(staff_member.user)
    session = client.session
    session["townhall_signed_in_at"] = "yesterday"
    session["townhall_last_seen_at"] = None
    session.save()

    assert client.get(reverse("inbox:queue")).status_code == 200
