"""The account page tells staff which second factors their agency accepts (a security key
or passkey always; an authenticator app only where the agency allows it) and whether what
they have set up meets that. Citizens see on/off only. Decision 0016."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("identity:account")
ADD_KEY = reverse("mfa_add_webauthn")
KEY_ONLY = "Codes from an authenticator app (TOTP) are not accepted for your agency's staff."
APP_ACCEPTED = "or an authenticator app (TOTP codes), which your agency allows"
ADD_A_KEY = "Your authenticator app is not enough for your agency: add a security key or passkey."
WITHOUT_THE_STAFF_CHECK = override_settings(
    MIDDLEWARE=[m for m in settings.MIDDLEWARE if not m.endswith("StaffSecondFactorMiddleware")]
)


def give(user: Any, kind: str) -> None:
    Authenticator.objects.create(user=user, type=kind, data={"name": "Mine"})


def allow_apps(agency: Any, allowed: bool = True) -> None:
    # identity sits below agencies (import-linter): set the agency's policy on the object,
    # as an agency administrator's change through the admin would.
    agency.allow_totp_for_staff = allowed
    agency.save(update_fields=["allow_totp_for_staff"])


def page(client: Client, user: Any) -> str:
    client.force_login(user)
    response = client.get(ACCOUNT)
    assert response.status_code == 200
    return response.content.decode()


def test_a_citizen_sees_on_or_off_and_no_staff_rule(client: Client, citizen: Any) -> None:
    body = page(client, citizen)
    assert "Two-factor authentication</a>:\n          off" in body
    assert "Your second factor as staff" not in body

    give(citizen, Authenticator.Type.TOTP)
    body = page(client, citizen)
    assert "Two-factor authentication</a>:\n          on" in body
    assert "Your second factor as staff" not in body
    assert ADD_A_KEY not in body


def test_staff_with_a_key_at_an_agency_that_wants_keys_are_told_it_meets_the_rule(
    client: Client, staff_member: Any
) -> None:
    give(staff_member.user, Authenticator.Type.WEBAUTHN)
    body = page(client, staff_member.user)
    assert "Your second factor as staff" in body
    assert "As staff of Public Works" in body
    assert KEY_ONLY in body
    assert APP_ACCEPTED not in body
    assert "You have a security key or passkey set up: that meets the rule." in body
    assert ADD_A_KEY not in body


def test_staff_with_a_key_and_an_app_are_told_the_app_does_not_count(
    client: Client, staff_member: Any
) -> None:
    give(staff_member.user, Authenticator.Type.WEBAUTHN)
    give(staff_member.user, Authenticator.Type.TOTP)
    body = page(client, staff_member.user)
    assert "Your authenticator app's codes are not accepted when you sign in" in body


def test_staff_whose_agency_allows_apps_are_told_their_app_is_enough(
    client: Client, staff_member: Any
) -> None:
    allow_apps(staff_member.agency)
    give(staff_member.user, Authenticator.Type.TOTP)
    body = page(client, staff_member.user)
    assert APP_ACCEPTED in body
    assert KEY_ONLY not in body
    assert "You have an authenticator app set up, which your agency accepts" in body
    assert ADD_A_KEY not in body


def test_staff_with_only_an_app_their_agency_refuses_are_told_plainly_to_add_a_key(
    client: Client, staff_member: Any
) -> None:
    give(staff_member.user, Authenticator.Type.TOTP)
    client.force_login(staff_member.user)
    # The site itself sends them to add a key, saying why...
    response = client.get(ACCOUNT, follow=True)
    assert response.redirect_chain[0] == (ADD_KEY, 302)
    assert "an authenticator app is not enough" in response.content.decode()
    # ...and the account page, wherever it is shown to them, says the same.
    with WITHOUT_THE_STAFF_CHECK:
        body = page(Client(), staff_member.user)
    assert KEY_ONLY in body
    assert ADD_A_KEY in body
    assert f'href="{ADD_KEY}"' in body


def test_a_demo_staff_account_on_a_demo_server_sees_the_rule_it_skips(
    client: Client, staff_member: Any, settings: Any
) -> None:
    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = True
    user = staff_member.user
    user.is_demo = True
    user.save(update_fields=["is_demo"])
    give(user, Authenticator.Type.TOTP)
    body = page(client, user)
    assert ADD_A_KEY in body
    assert "This demo server lets demo accounts skip it for now." in body


def test_an_app_counts_only_if_every_agency_of_the_person_allows_it(
    client: Client, staff_member: Any, other_agency: Any
) -> None:
    public_works = staff_member.agency
    second = staff_member  # Sam also works for Parks and Recreation (a second membership)
    second.pk = None
    second.agency = other_agency
    second.job_title = "Volunteer coordinator"
    second.save()
    allow_apps(public_works)
    give(staff_member.user, Authenticator.Type.WEBAUTHN)
    give(staff_member.user, Authenticator.Type.TOTP)
    body = page(client, staff_member.user)
    assert "As staff of Parks and Recreation, Public Works" in body
    assert KEY_ONLY in body  # Parks and Recreation does not allow apps

    allow_apps(other_agency)
    body = page(client, staff_member.user)
    assert APP_ACCEPTED in body
    assert "not accepted when you sign in" not in body


def test_a_site_administrator_is_told_apps_never_count_for_them(
    client: Client, site_admin: Any
) -> None:
    body = page(client, site_admin)  # has a security key (the fixture)
    assert "As a site administrator, you sign in with a security key or passkey" in body
    assert "You have a security key or passkey set up: that meets the rule." in body


def test_a_former_staff_member_is_a_citizen_again(client: Client, staff_member: Any) -> None:
    staff_member.is_active = False  # their agency ended the membership
    staff_member.save(update_fields=["is_active"])
    body = page(client, staff_member.user)
    assert "Your second factor as staff" not in body


def test_the_page_costs_a_fixed_number_of_queries(
    client: Client, staff_member: Any, django_assert_max_num_queries: Any
) -> None:
    give(staff_member.user, Authenticator.Type.WEBAUTHN)
    client.force_login(staff_member.user)
    with django_assert_max_num_queries(25):
        assert client.get(ACCOUNT).status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_staff_rule_and_its_warning_pass_axe(
    browser_page: Any, axe_check: Any, live_server: Any, staff_member: Any, settings: Any
) -> None:
    settings.DEMO_STAFF_SKIP_SECOND_FACTOR = True
    allow_apps(staff_member.agency, False)  # browser tests allow apps by default
    user = staff_member.user
    user.is_demo = True
    user.save(update_fields=["is_demo"])
    give(user, Authenticator.Type.TOTP)
    client = Client()
    client.force_login(user)
    browser_page.context.add_cookies(
        [
            {"name": name, "value": morsel.value, "url": live_server.url}
            for name, morsel in client.cookies.items()
        ]
    )
    browser_page.goto(ACCOUNT)
    browser_page.get_by_role("heading", name="Your second factor as staff").wait_for()
    assert ADD_A_KEY in browser_page.locator("main").inner_text()
    axe_check(browser_page)
