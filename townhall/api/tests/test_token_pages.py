"""/account/tokens/: list, create (key shown once) and revoke tokens in the browser."""

from typing import Any

import pytest
from django.test import Client

from townhall.identity.actions import issue_api_token
from townhall.identity.models import ApiToken
from townhall.identity.tests.totp_codes import fresh_code

from .conftest import PASSWORD

LIST = "/account/tokens/"
CREATE = "/account/tokens/new/"


@pytest.fixture
def alex(client: Client, citizen: Any) -> Client:
    client.force_login(citizen)
    return client


def sign_in_with_totp(client: Client, user: Any) -> None:
    """Sign in through allauth's real pages: password first, then an authenticator code."""
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        generate_totp_secret,
    )

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    response = client.post("/accounts/2fa/authenticate/", {"code": fresh_code(secret)})
    assert response.status_code == 302, response.content[:500]


@pytest.fixture
def apps_accepted(staff_member: Any, site_admin: Any) -> None:
    """Public Works lets its staff use an authenticator app (decision 0016)."""
    from townhall.agencies.actions import update_agency

    update_agency(by=site_admin, agency=staff_member.agency, changes={"allow_totp_for_staff": True})


def test_visitor_is_asked_to_sign_in(client: Client, db: Any) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(CREATE, {"name": "x"}).status_code == 302
    assert not ApiToken.objects.exists()


def test_citizen_sees_only_their_own_tokens(alex: Client, citizen: Any, citizen2: Any) -> None:
    issue_api_token(by=citizen, user=citizen, name="Alex laptop", via="test")
    issue_api_token(by=citizen2, user=citizen2, name="Bea phone", via="test")
    html = alex.get(LIST).content.decode()
    assert "Alex laptop" in html
    assert "Bea phone" not in html
    assert "Never" in html  # not used yet
    assert "Create token" in html


def test_new_key_is_shown_once_and_works_with_the_api(alex: Client, citizen: Any) -> None:
    response = alex.post(CREATE, {"name": "Spreadsheet"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=citizen)
    key = response.context["key"]
    html = response.content.decode()
    assert key in html
    assert "Copy your token now" in html
    assert token.prefix == key[:10]
    assert key not in alex.get(LIST).content.decode()  # never again

    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/me/").json()["email"] == citizen.email


def test_a_token_needs_a_name(alex: Client) -> None:
    response = alex.post(CREATE, {"name": "   "})
    html = response.content.decode()
    assert "There is a problem" in html
    assert "usa-form-group--error" in html
    assert "usa-input--error" in html
    assert 'href="#id_name"' in html
    assert "This field is required." in html
    assert not ApiToken.objects.exists()


def test_a_too_long_name_is_refused_next_to_the_field(alex: Client) -> None:
    response = alex.post(CREATE, {"name": "n" * 81})
    assert "usa-error-message" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_name_with_markup_is_shown_as_text(alex: Client, citizen: Any) -> None:
    alex.post(CREATE, {"name": "<script>alert(1)</script>"})
    html = alex.get(LIST).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_citizen_revokes_a_token_with_a_button(alex: Client, citizen: Any) -> None:
    token, _key = issue_api_token(by=citizen, user=citizen, name="Old script", via="test")
    response = alex.post(f"/account/tokens/{token.pk}/revoke/", follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    token.refresh_from_db()
    assert not token.is_active
    html = response.content.decode()
    assert "is revoked" in html
    assert "Revoked on" in html


def test_citizen_cannot_revoke_another_citizens_token(alex: Client, citizen2: Any) -> None:
    theirs, _key = issue_api_token(by=citizen2, user=citizen2, name="Bea's", via="test")
    assert alex.post(f"/account/tokens/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_revoking_needs_a_post(alex: Client, citizen: Any) -> None:
    token, _key = issue_api_token(by=citizen, user=citizen, name="Mine", via="test")
    assert alex.get(f"/account/tokens/{token.pk}/revoke/").status_code == 405
    assert alex.get(CREATE).status_code == 405
    token.refresh_from_db()
    assert token.is_active


def test_staff_member_without_a_second_factor_in_this_session_cannot_create_a_token(
    client: Client, staff_member: Any, settings: Any, apps_accepted: None
) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = False
    TOTP.activate(staff_member.user, generate_totp_secret())  # has one, did not use it
    client.force_login(staff_member.user)
    page = client.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sign in with your second factor first" in html
    assert "Create token" not in html
    refused = client.post(CREATE, {"name": "Sneaky"})
    assert refused.status_code == 403
    assert not ApiToken.objects.exists()


def test_staff_member_signed_in_with_a_second_factor_can_create_a_token(
    client: Client, staff_member: Any, settings: Any, apps_accepted: None
) -> None:
    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = False
    sign_in_with_totp(client, staff_member.user)
    assert "Create token" in client.get(LIST).content.decode()
    response = client.post(CREATE, {"name": "Inbox export"})
    assert response.status_code == 200
    assert ApiToken.objects.get().user == staff_member.user


def test_demo_staff_can_create_a_token_on_a_demo_server(
    client: Client, demo_staff: Any, settings: Any
) -> None:
    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = True
    client.force_login(demo_staff)
    assert client.post(CREATE, {"name": "Demo"}).status_code == 200
    assert ApiToken.objects.get().user == demo_staff


def test_staff_member_can_always_revoke_their_tokens(
    client: Client, staff_member: Any, settings: Any, apps_accepted: None
) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = False
    TOTP.activate(staff_member.user, generate_totp_secret())
    user = staff_member.user
    token, _key = issue_api_token(by=user, user=user, name="Lost laptop", via="test")
    client.force_login(user)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert not token.is_active


def test_token_page_costs_the_same_few_queries_for_many_tokens(
    alex: Client, citizen: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(15):
        issue_api_token(by=citizen, user=citizen, name=f"token {n}", via="test")
    with django_assert_max_num_queries(6):
        response = alex.get(LIST)
    assert response.content.decode().count("Revoke<span") == 15
