"""POST /api/v1/auth/token/: who gets a token for a password, and who is refused."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from townhall.identity.models import ApiToken

from .conftest import PASSWORD

URL = "/api/v1/auth/token/"


def ask(client: APIClient, email: Any, password: Any = PASSWORD, **extra: Any) -> Any:
    return client.post(URL, {"email": email, "password": password, **extra}, format="json")


def test_unnamed_token_gets_a_default_name(citizen: Any, api_client: APIClient) -> None:
    response = ask(api_client, "alex@example.org")
    assert response.status_code == 201
    assert response.json()["name"] == "API token"


def test_email_address_is_matched_whatever_its_case(citizen: Any, api_client: APIClient) -> None:
    assert ask(api_client, "  ALEX@Example.ORG ").status_code == 201


def test_wrong_password_and_unknown_email_get_the_same_answer(
    citizen: Any, api_client: APIClient
) -> None:
    wrong_password = ask(api_client, "alex@example.org", "not-the-password-at-all")
    unknown_email = ask(api_client, "nobody@example.org", "not-the-password-at-all")
    assert wrong_password.status_code == unknown_email.status_code == 400
    assert (
        wrong_password.json()
        == unknown_email.json()
        == {
            "detail": "That email address and password do not match an account.",
            "status": 400,
        }
    )
    assert not ApiToken.objects.exists()


def test_unverified_email_address_gets_no_token(make_user: Any, api_client: APIClient) -> None:
    make_user("new@example.org", verified=False)
    response = ask(api_client, "new@example.org")
    assert response.status_code == 403
    assert "not verified" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_deactivated_account_gets_no_token(make_user: Any, api_client: APIClient) -> None:
    make_user("gone@example.org", is_active=False)
    assert ask(api_client, "gone@example.org").status_code == 400


def test_staff_member_is_sent_to_the_account_page_for_a_token(
    staff_member: Any, api_client: APIClient, settings: Any
) -> None:
    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = False
    response = ask(api_client, staff_member.user.email)
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "second factor" in detail
    assert "http://testserver/account/tokens/" in detail
    assert not ApiToken.objects.exists()


def test_staff_member_who_is_not_a_demo_account_is_refused_even_on_a_demo_server(
    staff_member: Any, api_client: APIClient, settings: Any
) -> None:
    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = True
    assert ask(api_client, staff_member.user.email).status_code == 403


def test_demo_staff_is_refused_when_the_server_is_not_a_demo(
    demo_staff: Any, api_client: APIClient, settings: Any
) -> None:
    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = False
    assert ask(api_client, demo_staff.email).status_code == 403


def test_demo_staff_gets_a_token_on_a_demo_server(
    demo_staff: Any, api_client: APIClient, settings: Any
) -> None:
    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = True
    response = ask(api_client, demo_staff.email)
    assert response.status_code == 201
    assert ApiToken.objects.get().user == demo_staff


def test_former_staff_member_is_treated_as_a_citizen(
    staff_member: Any, api_client: APIClient, settings: Any
) -> None:
    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = False
    staff_member.is_active = False
    staff_member.save(update_fields=["is_active"])
    assert ask(api_client, staff_member.user.email).status_code == 201


def test_five_wrong_passwords_lock_the_address_even_against_the_right_one(
    citizen: Any, api_client: APIClient
) -> None:
    for _attempt in range(5):
        assert ask(api_client, "alex@example.org", "guess-guess-guess").status_code == 400
    locked = ask(api_client, "alex@example.org")
    assert locked.status_code == 429
    assert "Too many wrong passwords for this email address" in locked.json()["detail"]
    assert locked.json()["status"] == 429
    assert int(locked["Retry-After"]) > 0
    assert not ApiToken.objects.exists()


def test_the_lock_counts_addresses_separately(
    citizen: Any, citizen2: Any, api_client: APIClient
) -> None:
    for _attempt in range(5):
        ask(api_client, "alex@example.org", "guess-guess-guess")
    assert ask(api_client, "bea@example.org").status_code == 201


def test_a_right_password_resets_the_count_of_wrong_ones(
    citizen: Any, api_client: APIClient
) -> None:
    for _attempt in range(4):
        ask(api_client, "alex@example.org", "guess-guess-guess")
    assert ask(api_client, "alex@example.org").status_code == 201
    for _attempt in range(4):
        ask(api_client, "alex@example.org", "guess-guess-guess")
    assert ask(api_client, "alex@example.org").status_code == 201


def test_more_than_ten_requests_a_minute_from_one_address_are_throttled(
    citizen: Any, api_client: APIClient
) -> None:
    statuses = [
        ask(api_client, f"person{n}@example.org", "whatever-password").status_code
        for n in range(10)
    ]
    assert statuses == [400] * 10
    throttled = ask(api_client, "alex@example.org")
    assert throttled.status_code == 429
    assert throttled.json()["detail"].startswith("Too many requests for a token from your address")


@pytest.mark.parametrize("header", ["Bearer garbage", "Bearer th_revoked"])
def test_an_authorization_header_does_not_matter_to_the_password_endpoint(
    citizen: Any, api_client: APIClient, header: str
) -> None:
    api_client.credentials(HTTP_AUTHORIZATION=header)
    assert ask(api_client, "alex@example.org").status_code == 201
