"""Site administration of accounts and API tokens."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied

from townhall.activity.models import Activity
from townhall.identity import actions
from townhall.identity.models import ApiToken, User

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "townhall-demo-password"


def test_site_admin_finds_accounts_by_email_or_display_name(
    client: Any, site_admin: Any, citizen: Any, citizen2: Any
) -> None:
    client.force_login(site_admin)

    by_email = client.get("/admin/identity/user/", {"q": "bea@"}).content.decode()
    by_name = client.get("/admin/identity/user/", {"q": "Alex Park"}).content.decode()

    assert "bea@example.org" in by_email
    assert "alex@example.org" not in by_email
    assert "alex@example.org" in by_name
    assert "bea@example.org" not in by_name
    assert '<td class="field-assurance_level">Email verified</td>' in by_name


def test_account_list_with_many_accounts_takes_a_fixed_number_of_queries(
    client: Any, site_admin: Any, make_user: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        make_user(f"person{n}@example.org")
    client.force_login(site_admin)

    with django_assert_max_num_queries(10):
        response = client.get("/admin/identity/user/")

    assert response.status_code == 200
    assert response.content.decode().count("@example.org</a>") >= 12


def test_account_page_in_admin_never_shows_the_password_or_its_hash(
    client: Any, site_admin: Any, citizen: Any
) -> None:
    client.force_login(site_admin)

    html = client.get(f"/admin/identity/user/{citizen.pk}/change/").content.decode()

    assert "alex@example.org" in html
    assert citizen.password not in html
    assert citizen.password.split("$")[-1] not in html
    assert DEMO_PASSWORD not in html
    assert 'name="password"' not in html
    assert 'name="assurance_level"' not in html  # changes only through verification
    assert 'name="email"' not in html  # allauth's email page changes it, with confirmation


def test_site_admin_opens_an_account_that_must_confirm_its_address(
    client: Any, site_admin: Any
) -> None:
    client.force_login(site_admin)

    response = client.post(
        "/admin/identity/user/add/",
        {
            "email": "New.Clerk@Example.org",
            "display_name": "New Clerk",
            "preferred_language": "es",
            "usable_password": "true",
            "password1": "lantern-orchard-ribbon-77",
            "password2": "lantern-orchard-ribbon-77",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.clerk@example.org")
    assert user.check_password("lantern-orchard-ribbon-77")
    assert user.preferred_language == "es"
    assert user.assurance_level == "none"
    assert EmailAddress.objects.filter(user=user, verified=False, primary=True).exists()
    assert Activity.objects.filter(verb="account.created", actor=site_admin, citizen=user).exists()


def test_opening_an_account_with_a_taken_address_is_refused(
    client: Any, site_admin: Any, citizen: Any
) -> None:
    client.force_login(site_admin)

    response = client.post(
        "/admin/identity/user/add/",
        {
            "email": "ALEX@example.org",
            "display_name": "Impostor",
            "preferred_language": "en",
            "usable_password": "false",
        },
    )

    assert response.status_code == 200
    assert User.objects.filter(email__iexact="alex@example.org").count() == 1


def test_only_a_site_administrator_can_open_an_account(citizen: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.create_account(by=citizen, email="x@example.org", display_name="X", password=None)
    assert not User.objects.filter(email="x@example.org").exists()


def test_api_tokens_in_admin_are_read_only_and_hide_the_hash(
    client: Any, site_admin: Any, citizen: Any
) -> None:
    token, key = actions.issue_api_token(by=citizen, user=citizen, name="laptop", via="web")
    client.force_login(site_admin)

    listing = client.get("/admin/identity/apitoken/").content.decode()
    detail = client.get(f"/admin/identity/apitoken/{token.pk}/change/").content.decode()

    assert "laptop" in listing
    for html in [listing, detail]:
        assert token.key_hash not in html
        assert key not in html
    assert 'name="name"' not in detail
    assert client.get("/admin/identity/apitoken/add/").status_code == 403
    assert client.post(f"/admin/identity/apitoken/{token.pk}/delete/").status_code == 403


def test_site_admin_revokes_tokens_through_the_same_action(
    client: Any, site_admin: Any, citizen: Any
) -> None:
    token, _ = actions.issue_api_token(by=citizen, user=citizen, name="laptop", via="web")
    client.force_login(site_admin)

    response = client.post(
        "/admin/identity/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Activity.objects.filter(verb="api_token.revoked", actor=site_admin).exists()
    assert ApiToken.objects.active().count() == 0


def test_an_account_opened_without_a_password_cannot_sign_in_with_one(
    client: Any, site_admin: Any
) -> None:
    client.force_login(site_admin)

    client.post(
        "/admin/identity/user/add/",
        {
            "email": "clerk@example.org",
            "display_name": "Clerk",
            "preferred_language": "en",
            "usable_password": "false",
        },
    )

    assert not User.objects.get(email="clerk@example.org").has_usable_password()
