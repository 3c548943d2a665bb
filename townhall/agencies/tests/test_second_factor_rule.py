"""Who must set up a second factor: staff and site administrators, never citizens."""

import pytest
from allauth.mfa.models import Authenticator


@pytest.mark.django_db
def test_site_administrator_without_a_second_factor_is_sent_to_set_one_up(client, make_user):
    admin = make_user("chief@example.org", "Chief", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"


@pytest.mark.django_db
def test_site_administrator_with_a_security_key_reaches_the_admin(client, make_user):
    admin = make_user("chief@example.org", "Chief", is_superuser=True, is_staff=True)
    Authenticator.objects.create(user=admin, type=Authenticator.Type.WEBAUTHN, data={})
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_site_administrator_with_only_an_authenticator_app_is_sent_to_add_a_key(client, make_user):
    admin = make_user("chief@example.org", "Chief", is_superuser=True, is_staff=True)
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={})
    client.force_login(admin)
    assert client.get("/admin/")["Location"] == "/accounts/2fa/webauthn/add/"


@pytest.mark.django_db
def test_recovery_codes_alone_do_not_count_as_a_second_factor(client, staff_member):
    Authenticator.objects.create(
        user=staff_member.user, type=Authenticator.Type.RECOVERY_CODES, data={}
    )
    client.force_login(staff_member.user)
    assert client.get("/agencies/")["Location"] == "/accounts/2fa/"


@pytest.mark.django_db
def test_citizen_is_never_asked_for_a_second_factor(client, citizen):
    client.force_login(citizen)
    assert client.get("/agencies/").status_code == 200
