"""Repeated failed sign-ins lock the door for a while, even to the right password."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts. Try again later."


def test_a_wrong_password_is_refused_with_a_clear_message(
    client: Any, citizen: Any, sign_in: Any
) -> None:
    response = sign_in(client, citizen.email, "not-the-password-at-all")

    assert response.status_code == 200
    html = response.content.decode()
    assert "usa-alert--error" in html
    assert "The email address and/or password you specified are not correct." in html
    assert "_auth_user_id" not in client.session


def test_after_five_failures_even_the_right_password_is_refused(
    client: Any, citizen: Any, sign_in: Any
) -> None:
    for attempt in range(5):
        response = sign_in(client, citizen.email, f"wrong-password-{attempt}")
        assert TOO_MANY not in response.content.decode()

    response = sign_in(client, citizen.email)

    assert response.status_code == 200
    html = response.content.decode()
    assert TOO_MANY in html
    assert "usa-alert--error" in html
    assert "_auth_user_id" not in client.session


def test_the_lock_follows_the_account_across_addresses_and_letter_case(
    client: Any, citizen: Any, sign_in: Any
) -> None:
    for attempt in range(5):
        sign_in(
            client,
            citizen.email.upper(),
            f"wrong-password-{attempt}",
            REMOTE_ADDR=f"198.51.100.{attempt + 1}",
        )

    response = sign_in(client, citizen.email, REMOTE_ADDR="203.0.113.9")

    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_follows_the_network_address_across_accounts(
    client: Any, citizen: Any, make_user: Any, sign_in: Any
) -> None:
    for attempt in range(5):
        other = make_user(f"other{attempt}@example.org")
        sign_in(client, other.email, "wrong-password", REMOTE_ADDR="198.51.100.7")

    response = sign_in(client, citizen.email, REMOTE_ADDR="198.51.100.7")

    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_still_let_the_right_password_in(
    client: Any, citizen: Any, sign_in: Any
) -> None:
    for attempt in range(4):
        sign_in(client, citizen.email, f"wrong-password-{attempt}")

    response = sign_in(client, citizen.email)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)
