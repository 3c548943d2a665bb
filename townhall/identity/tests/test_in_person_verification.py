"""/account/verify/: a verifier looks a person up by exact email, records the kind of
identity document seen (never its number) and the account becomes identity-verified."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from townhall.activity.models import Activity, Notification
from townhall.identity.actions import set_in_person_verifier
from townhall.identity.models import AssuranceMethod, AssuranceRecord

pytestmark = pytest.mark.django_db

VERIFY = reverse("identity:verify-in-person")


@pytest.fixture
def verifier(staff_member: Any, site_admin: Any) -> Any:
    """Sam Rivera of Public Works, given the verifier role by an administrator (the
    membership)."""
    set_in_person_verifier(by=site_admin, user=staff_member.user, allowed=True)
    return staff_member


@pytest.fixture
def verifier_client(staff_client_for: Any, verifier: Any) -> Client:
    return staff_client_for(verifier.user)  # type: ignore[no-any-return]


def check(client: Client, email: str, **extra: str) -> Any:
    data = {"email": email, "document_type": "passport", "confirm": "on", **extra}
    return client.post(VERIFY, data)


def test_a_verifier_raises_a_citizen_to_identity_verified(
    verifier_client: Client, verifier: Any, citizen: Any
) -> None:
    page = verifier_client.get(VERIFY, {"email": "ALEX@example.org"})
    assert page.status_code == 200
    assert "Alex Park" in page.content.decode()

    response = check(verifier_client, citizen.email)

    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.assurance_level == "identity_verified"
    record = AssuranceRecord.objects.get(user=citizen, method=AssuranceMethod.IN_PERSON)
    assert record.document_type == "passport"
    assert record.verified_by == verifier.user
    assert record.verified_as == verifier
    assert record.verified_as.agency == verifier.agency


def test_the_citizen_is_notified_and_the_act_is_logged_with_the_work_persona(
    verifier_client: Client, verifier: Any, citizen: Any
) -> None:
    check(verifier_client, citizen.email)

    activity = Activity.objects.get(
        verb="account.assurance_raised", actor=verifier.user, citizen=citizen
    )
    assert activity.persona == verifier
    assert activity.agency == verifier.agency
    assert activity.citizen == citizen
    assert Notification.objects.filter(recipient=citizen, activity=activity).exists()


def test_someone_without_the_role_gets_a_404_and_learns_nothing(
    staff_client_for: Any, staff_member: Any, citizen: Any
) -> None:
    client = staff_client_for(staff_member.user)

    assert client.get(VERIFY).status_code == 404
    assert client.get(VERIFY, {"email": citizen.email}).status_code == 404
    assert check(client, citizen.email).status_code == 404
    citizen.refresh_from_db()
    assert citizen.assurance_level == "email_verified"


def test_a_citizen_cannot_verify_anyone(client: Client, citizen: Any, citizen2: Any) -> None:
    client.force_login(citizen)

    assert check(client, citizen2.email).status_code == 404
    assert not AssuranceRecord.objects.filter(method=AssuranceMethod.IN_PERSON).exists()


def test_visitors_are_asked_to_sign_in(client: Client, db: Any) -> None:
    assert client.get(VERIFY)["Location"].startswith(reverse("account_login"))


def test_a_document_number_is_never_stored(verifier_client: Client, citizen: Any) -> None:
    check(
        verifier_client,
        citizen.email,
        document_number="X1234567",
        number="X1234567",
        notes="passport X1234567",
    )

    record = AssuranceRecord.objects.get(user=citizen, method=AssuranceMethod.IN_PERSON)
    stored = str(AssuranceRecord.objects.filter(pk=record.pk).values().get()) + "".join(
        Activity.objects.values_list("summary", flat=True)
    )
    assert "X1234567" not in stored


def test_the_form_has_no_place_for_a_number(verifier_client: Client, citizen: Any) -> None:
    html = verifier_client.get(VERIFY, {"email": citizen.email}).content.decode()

    assert "<textarea" not in html
    assert 'name="number"' not in html and 'name="document_number"' not in html


def test_an_unknown_address_says_so_without_recording_anything(
    verifier_client: Client,
) -> None:
    page = verifier_client.get(VERIFY, {"email": "nobody@example.org"})
    assert "No account uses this address" in page.content.decode()

    response = check(verifier_client, "nobody@example.org")
    assert response.status_code == 400
    assert not AssuranceRecord.objects.filter(method=AssuranceMethod.IN_PERSON).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"document_type": ""},
        {"document_type": "tattoo"},
        {"document_type": "<script>alert(1)</script>"},
        {"confirm": ""},
        {"email": "not an address"},
        {"email": "a" * 5000 + "@example.org"},
    ],
)
def test_bad_input_is_refused_next_to_the_field(
    verifier_client: Client, citizen: Any, data: dict[str, str]
) -> None:
    payload = {"email": citizen.email, "document_type": "passport", "confirm": "on", **data}
    response = verifier_client.post(VERIFY, payload)

    assert response.status_code in (200, 400)
    assert "<script>alert(1)</script>" not in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.assurance_level == "email_verified"


def test_a_verifier_cannot_verify_themselves(verifier_client: Client, verifier: Any) -> None:
    page = verifier_client.get(VERIFY, {"email": verifier.user.email})
    assert "No account uses this address" in page.content.decode()
    check(verifier_client, verifier.user.email)
    verifier.user.refresh_from_db()
    assert verifier.user.assurance_level == "email_verified"


def test_a_verifier_in_two_agencies_chooses_the_persona(
    verifier_client: Client, verifier: Any, other_agency: Any, site_admin: Any, citizen: Any
) -> None:
    # A second work persona (agencies' add_staff_member is a layer above this app).
    parks = type(verifier).objects.create(
        user=verifier.user,
        agency=other_agency,
        public_name="Sam Rivera",
        slug="sam-rivera",
        job_title="Front desk",
    )
    assert check(verifier_client, citizen.email).status_code == 200  # must choose

    response = check(verifier_client, citizen.email, acting_as=str(parks.pk))

    assert response.status_code == 302
    assert AssuranceRecord.objects.get(user=citizen, method="in_person").verified_as == parks


def test_checking_again_records_nothing_new(verifier_client: Client, citizen: Any) -> None:
    check(verifier_client, citizen.email)
    check(verifier_client, citizen.email)

    assert AssuranceRecord.objects.filter(user=citizen, method="in_person").count() == 1
    assert Notification.objects.filter(recipient=citizen).count() == 1


def test_only_a_site_administrator_chooses_verifiers_and_can_take_the_role_back(
    verifier: Any, citizen: Any, site_admin: Any, staff_client_for: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        set_in_person_verifier(by=verifier.user, user=citizen, allowed=True)
    assert not Permission.objects.filter(user=citizen, codename="verify_in_person").exists()
    assert Activity.objects.filter(verb="identity.verifier_granted").count() == 1

    set_in_person_verifier(by=site_admin, user=verifier.user, allowed=False)
    assert staff_client_for(verifier.user).get(VERIFY).status_code == 404
