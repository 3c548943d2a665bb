"""Assurance records: how and when an account reached its level, expiry and revocation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from townhall.activity.models import Notification
from townhall.identity import actions
from townhall.identity.models import AssuranceLevel, AssuranceMethod, AssuranceRecord

pytestmark = pytest.mark.django_db

IDENTITY = AssuranceLevel.IDENTITY_VERIFIED


@pytest.fixture
def verifier(make_user: Any) -> Any:
    user = make_user("desk@example.org", "Service Desk")
    user.user_permissions.add(Permission.objects.get(codename="verify_in_person"))
    return type(user).objects.get(pk=user.pk)  # forget the cached permissions


def verify_in_person(by: Any, user: Any, **extra: Any) -> AssuranceRecord:
    return actions.raise_assurance(
        by=by,
        user=user,
        level=IDENTITY,
        method=AssuranceMethod.IN_PERSON,
        document_type=extra.pop("document_type", "passport"),
        **extra,
    )


def test_confirming_an_email_leaves_an_email_record(citizen: Any) -> None:
    record = citizen.assurance_records.get()
    assert (record.level, record.method) == ("email_verified", "email")
    assert citizen.assurance_changed_at == record.reached_at


def test_a_verifier_raises_a_citizen_in_person_with_a_document_type(
    citizen: Any, verifier: Any
) -> None:
    record = verify_in_person(verifier, citizen)
    citizen.refresh_from_db()
    assert citizen.assurance_level == IDENTITY
    assert record.verified_by == verifier
    assert record.document_type == "passport"
    assert citizen.assurance_changed_at == record.reached_at


def test_an_in_person_record_needs_a_known_document_type(citizen: Any, verifier: Any) -> None:
    for bad in ("", "passport number 123456789"):
        with pytest.raises(ValidationError) as refused:
            verify_in_person(verifier, citizen, document_type=bad)
        assert "document_type" in refused.value.message_dict
    citizen.refresh_from_db()
    assert citizen.assurance_level == "email_verified"


def test_only_verifiers_raise_others_in_person(citizen: Any, citizen2: Any) -> None:
    with pytest.raises(PermissionDenied):
        verify_in_person(citizen2, citizen)


def test_a_verifier_cannot_verify_themselves(verifier: Any) -> None:
    with pytest.raises(PermissionDenied):
        verify_in_person(verifier, verifier)


def test_staff_of_an_agency_without_the_verifier_permission_cannot(
    citizen: Any, staff_member: Any
) -> None:
    with pytest.raises(PermissionDenied):
        verify_in_person(staff_member.user, citizen)


def test_nobody_raises_another_citizens_level_through_an_identity_provider(
    citizen: Any, citizen2: Any
) -> None:
    with pytest.raises(PermissionDenied):
        actions.raise_assurance(
            by=citizen2, user=citizen, level=IDENTITY, method="oidc", provider_id="idp"
        )


def test_anonymous_cannot_raise_anything(citizen: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        verify_in_person(AnonymousUser(), citizen)


def test_the_level_is_the_highest_current_record_and_expiry_lowers_it(
    citizen: Any, verifier: Any
) -> None:
    soon = timezone.now() + timedelta(days=1)
    verify_in_person(verifier, citizen, expires_at=soon)
    citizen.refresh_from_db()
    assert citizen.assurance_level == IDENTITY
    AssuranceRecord.objects.filter(level=IDENTITY).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    actions.refresh_assurance(user=citizen)
    citizen.refresh_from_db()
    assert citizen.assurance_level == "email_verified"


def test_an_already_expired_level_is_refused(citizen: Any, verifier: Any) -> None:
    with pytest.raises(ValidationError):
        verify_in_person(verifier, citizen, expires_at=timezone.now() - timedelta(days=1))


def test_a_repeated_sign_in_does_not_pile_up_records(citizen: Any) -> None:
    for _ in range(3):
        actions.raise_assurance(
            by=citizen, user=citizen, level=IDENTITY, method="oidc", provider_id="idp"
        )
    assert citizen.assurance_records.filter(method="oidc").count() == 1


def test_an_administrator_revokes_with_a_reason_the_citizen_is_told(
    citizen: Any, verifier: Any, site_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    record = verify_in_person(verifier, citizen)
    with django_capture_on_commit_callbacks(execute=True):
        actions.revoke_assurance(by=site_admin, record=record, reason="Wrong person was seen.")
    citizen.refresh_from_db()
    record.refresh_from_db()
    assert citizen.assurance_level == "email_verified"
    assert record.revoked_by == site_admin
    assert record.revocation_reason == "Wrong person was seen."
    notification = Notification.objects.get(recipient=citizen)
    assert "Wrong person was seen." in notification.activity.summary
    assert notification.url == "/account/"


def test_only_an_administrator_revokes(citizen: Any, verifier: Any, citizen2: Any) -> None:
    record = verify_in_person(verifier, citizen)
    for who in (citizen, citizen2, verifier):
        with pytest.raises(PermissionDenied):
            actions.revoke_assurance(by=who, record=record, reason="No.")
    record.refresh_from_db()
    assert record.revoked_at is None


def test_a_revocation_needs_a_reason_and_happens_once(
    citizen: Any, verifier: Any, site_admin: Any
) -> None:
    record = verify_in_person(verifier, citizen)
    with pytest.raises(ValidationError):
        actions.revoke_assurance(by=site_admin, record=record, reason="   ")
    actions.revoke_assurance(by=site_admin, record=record, reason="Mistake.")
    with pytest.raises(ValidationError):
        actions.revoke_assurance(by=site_admin, record=record, reason="Again.")


def test_the_account_page_shows_how_the_level_was_reached_and_any_revocation(
    client: Any, citizen: Any, verifier: Any, site_admin: Any
) -> None:
    record = verify_in_person(verifier, citizen, document_type="driving_license")
    client.force_login(citizen)
    page = client.get("/account/").content.decode()
    assert "Identity verified" in page
    assert "Checked in person, with a document: Driver&#x27;s license." in page
    actions.revoke_assurance(by=site_admin, record=record, reason="The license was expired.")
    page = client.get("/account/").content.decode()
    assert "The license was expired." in page
    assert "You confirmed your email address." in page


def test_records_are_visible_to_their_holder_and_administrators_only(
    citizen: Any, citizen2: Any, site_admin: Any
) -> None:
    assert set(AssuranceRecord.objects.visible_to(citizen).values_list("user", flat=True)) == {
        citizen.pk
    }
    assert AssuranceRecord.objects.visible_to(site_admin).count() == 3
    from django.contrib.auth.models import AnonymousUser

    assert not AssuranceRecord.objects.visible_to(AnonymousUser()).exists()
    assert citizen2.pk not in AssuranceRecord.objects.visible_to(citizen).values_list(
        "user", flat=True
    )


def test_an_administrator_revokes_in_the_site_administration_with_a_reason(
    client: Any, citizen: Any, verifier: Any, site_admin: Any
) -> None:
    record = verify_in_person(verifier, citizen)
    client.force_login(site_admin)
    url = f"/admin/identity/assurancerecord/{record.pk}/change/"
    assert client.get(url).status_code == 200
    client.post(url, {"revocation_reason": ""})
    record.refresh_from_db()
    assert record.revoked_at is None  # no reason, no revocation
    client.post(url, {"revocation_reason": "Seen with a borrowed passport."})
    record.refresh_from_db()
    citizen.refresh_from_db()
    assert record.revocation_reason == "Seen with a borrowed passport."
    assert record.revoked_by == site_admin
    assert citizen.assurance_level == "email_verified"


def test_identity_provider_policies_are_edited_in_the_site_administration(
    client: Any, site_admin: Any
) -> None:
    from townhall.identity.models import IdentityProviderPolicy

    client.force_login(site_admin)
    response = client.post(
        "/admin/identity/identityproviderpolicy/add/",
        {
            "provider_id": "login-gov",
            "name_claim": "name",
            "email_claim": "email",
            "email_verified_claim": "email_verified",
            "identity_acr_values": "urn:acr.login.gov:verified-facial-match-required",
            "identity_vot_values": "",
            "expiry_claim": "",
            "identity_valid_days": "",
        },
    )
    assert response.status_code == 302
    policy = IdentityProviderPolicy.objects.get(provider_id="login-gov")
    assert policy.acr_values == ["urn:acr.login.gov:verified-facial-match-required"]


def test_signing_in_after_a_level_expired_lowers_it(
    client: Any, citizen: Any, verifier: Any
) -> None:
    verify_in_person(verifier, citizen, expires_at=timezone.now() + timedelta(days=1))
    AssuranceRecord.objects.filter(level=IDENTITY).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    citizen.refresh_from_db()
    assert citizen.assurance_level == IDENTITY  # still the stored value
    assert actions.has_lapsed_assurance(citizen)
    client.force_login(citizen)
    citizen.refresh_from_db()
    assert citizen.assurance_level == "email_verified"
    assert not actions.has_lapsed_assurance(citizen)


def test_the_migration_gives_accounts_verified_before_records_one_record_each(
    make_user: Any,
) -> None:
    import importlib

    from django.apps import apps

    from townhall.identity.models import User

    migration = importlib.import_module("townhall.identity.migrations.0003_assurance_records")
    emailed = make_user("old1@example.org")
    proofed = make_user("old2@example.org")
    newcomer = make_user("old3@example.org", verified=False)
    User.objects.filter(pk=proofed.pk).update(assurance_level=IDENTITY)
    AssuranceRecord.objects.all().delete()  # as before records existed

    migration.record_existing_levels(apps, None)

    assert list(emailed.assurance_records.values_list("level", "method")) == [
        ("email_verified", "email")
    ]
    assert list(proofed.assurance_records.values_list("level", "method")) == [(IDENTITY, "admin")]
    assert not newcomer.assurance_records.exists()
