"""Changing the email address or a second factor asks who you are again (unless you did
within the last 5 minutes), changing the password asks for the current one, and the old
address is told of each change (decision 0016)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

pytestmark = pytest.mark.django_db

PASSWORD = "townhall-demo-password"
NEW_PASSWORD = "copper-lantern-meadow-41"
REAUTHENTICATE = reverse("account_reauthenticate")


def reauthenticate(client: Client) -> None:
    response = client.post(REAUTHENTICATE, {"password": PASSWORD})
    assert response.status_code == 302


def change_password(client: Client) -> Any:
    return client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def test_changing_the_password_needs_the_current_one(client: Client, citizen: Any) -> None:
    """The password form is its own re-authentication: it asks for the current password."""
    client.force_login(citizen)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-my-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_a_changed_password_is_announced_to_the_address(
    client: Client, citizen: Any, mailoutbox: list[Any]
) -> None:
    client.force_login(citizen)
    reauthenticate(client)

    response = change_password(client)

    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert [message.to for message in mailoutbox] == [[citizen.email]]
    assert "password" in mailoutbox[0].subject.lower()


def test_reauthentication_lasts_five_minutes(client: Client, citizen: Any) -> None:
    with freeze_time(timezone.now()) as clock:
        client.force_login(citizen)
        reauthenticate(client)
        clock.tick(timedelta(minutes=6))
        response = client.post(
            reverse("account_email"), {"action_add": "", "email": "alex.new@example.org"}
        )

    assert response["Location"].startswith(REAUTHENTICATE)


def test_adding_an_email_address_asks_for_the_password_again(client: Client, citizen: Any) -> None:
    client.force_login(citizen)

    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "alex.new@example.org"}
    )

    assert response["Location"].startswith(REAUTHENTICATE)
    assert not EmailAddress.objects.filter(email="alex.new@example.org").exists()


def test_a_new_main_address_is_announced_to_the_old_one(
    client: Client, citizen: Any, mailoutbox: list[Any]
) -> None:
    EmailAddress.objects.create(
        user=citizen, email="alex.new@example.org", verified=True, primary=False
    )
    client.force_login(citizen)
    reauthenticate(client)

    response = client.post(
        reverse("account_email"), {"action_primary": "", "email": "alex.new@example.org"}
    )

    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.email == "alex.new@example.org"
    announced = [message for message in mailoutbox if "alex.new@example.org" in message.body]
    assert [message.to for message in announced] == [["alex@example.org"]]


def test_setting_a_main_address_without_reauthenticating_changes_nothing(
    client: Client, citizen: Any, mailoutbox: list[Any]
) -> None:
    EmailAddress.objects.create(
        user=citizen, email="alex.new@example.org", verified=True, primary=False
    )
    client.force_login(citizen)

    response = client.post(
        reverse("account_email"), {"action_primary": "", "email": "alex.new@example.org"}
    )

    assert response["Location"].startswith(REAUTHENTICATE)
    citizen.refresh_from_db()
    assert citizen.email == "alex@example.org"
    assert mailoutbox == []


def test_adding_a_second_factor_asks_again_and_is_announced(
    client: Client, citizen: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    from townhall.identity.tests.test_staff_second_factor import current_code

    client.force_login(citizen)
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(REAUTHENTICATE)
    reauthenticate(client)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})

    assert response.status_code == 302
    assert [message.to for message in mailoutbox] == [[citizen.email]]
