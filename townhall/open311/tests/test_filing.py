"""POST requests: a form shaped as the specification's example files a real request,
linked to a verified account when the email matches one, otherwise held for the person
to claim; retries file nothing twice."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from .conftest import BASE, parse_xml


def _filed(response: Any) -> Any:
    from townhall.service_requests.models import ServiceRequest

    assert response.status_code == 201, response.content
    return ServiceRequest.objects.get(reference=response.json()[0]["service_request_id"])


def test_a_form_post_files_a_public_request_and_answers_its_id(
    client: Any, application: Any, pothole_service: Any, pothole_form: dict[str, Any]
) -> None:
    response = client.post(f"{BASE}/requests.json", pothole_form)

    request = _filed(response)
    (reply,) = response.json()
    assert reply["service_request_id"] == request.reference
    assert reply["service_notice"] == "Answered within 5 working days."
    assert reply["account_id"] == "123456"
    assert isinstance(reply["token"], str)
    assert request.is_public
    assert request.description == "A large sinkhole is destroying the street"
    assert request.answers == {"size": "large"}
    assert request.address == "12 Monroe St"
    assert str(request.latitude) == "39.781700"


def test_the_filed_request_shows_on_its_status_page_with_the_respond_commitment_due(
    client: Any, application: Any, pothole_service: Any, pothole_form: dict[str, Any]
) -> None:
    from townhall.commitments.models import Commitment, CommitmentKind

    request = _filed(client.post(f"{BASE}/requests.json", pothole_form))
    respond = Commitment.objects.get(kind=CommitmentKind.RESPOND, subject_id=str(request.pk))

    page = client.get(reverse("requests:request-detail", args=[request.reference]))
    shown = client.get(f"{BASE}/requests/{request.reference}.json").json()[0]

    assert page.status_code == 200
    assert "A large sinkhole is destroying the street" in page.content.decode()
    from django.utils.dateparse import parse_datetime

    assert parse_datetime(shown["expected_datetime"]) == respond.due_at.replace(microsecond=0)
    assert request.expected_at == respond.due_at


def test_an_xml_post_answers_in_xml(
    client: Any, application: Any, pothole_service: Any, pothole_form: dict[str, Any]
) -> None:
    response = client.post(f"{BASE}/requests.xml", pothole_form)

    assert response.status_code == 201
    root = parse_xml(response)
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text.startswith("SPR-")
    assert root.findtext("request/service_notice") == "Answered within 5 working days."


def test_a_multipart_post_is_accepted_too(
    client: Any, application: Any, pothole_service: Any, pothole_form: dict[str, Any]
) -> None:
    # The test client sends dicts as multipart/form-data.
    from django.test.client import MULTIPART_CONTENT

    response = client.post(f"{BASE}/requests.json", pothole_form, content_type=MULTIPART_CONTENT)

    assert _filed(response).service.code == "pothole"


def test_the_api_key_may_come_in_the_query_string(
    client: Any, application: Any, pothole_service: Any, pothole_form: dict[str, Any]
) -> None:
    key = pothole_form.pop("api_key")

    response = client.post(f"{BASE}/requests.json?api_key={key}", pothole_form)

    assert response.status_code == 201


def test_an_unknown_email_is_held_as_a_contact_of_the_application(
    client: Any, application: Any, pothole_service: Any, pothole_form: dict[str, Any]
) -> None:
    request = _filed(client.post(f"{BASE}/requests.json", pothole_form))

    assert request.requester == application.account
    contact = request.contact
    assert (contact.email, contact.first_name, contact.last_name, contact.phone) == (
        "someone@example.net",
        "john",
        "smith",
        "111111111",
    )
    assert (contact.device_id, contact.account_id) == ("tt222111", "123456")
    assert contact.claimed_at is None


def test_a_verified_email_files_as_that_citizen(
    client: Any,
    application: Any,
    pothole_service: Any,
    pothole_form: dict[str, Any],
    citizen: Any,
) -> None:
    from townhall.activity.models import Follow

    pothole_form["email"] = citizen.email.upper()

    request = _filed(client.post(f"{BASE}/requests.json", pothole_form))

    assert request.requester == citizen
    assert not hasattr(request, "contact") or request.contact is None
    assert Follow.objects.filter(user=citizen, target_id=str(request.pk)).exists()


def test_an_unverified_account_with_that_email_does_not_get_the_request(
    client: Any,
    application: Any,
    pothole_service: Any,
    pothole_form: dict[str, Any],
    make_user: Any,
) -> None:
    person = make_user("someone@example.net", verified=False)

    request = _filed(client.post(f"{BASE}/requests.json", pothole_form))

    assert request.requester != person
    assert request.contact.email == "someone@example.net"


def test_confirming_the_email_claims_the_requests_filed_for_it(
    client: Any,
    application: Any,
    pothole_service: Any,
    pothole_form: dict[str, Any],
    make_user: Any,
    citizen2: Any,
) -> None:
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    from townhall.commitments.models import Commitment

    request = _filed(client.post(f"{BASE}/requests.json", pothole_form))
    pothole_form["email"] = "other@example.net"
    pothole_form["description"] = "Someone else's report"
    other = _filed(client.post(f"{BASE}/requests.json", pothole_form))
    person = make_user("someone@example.net", verified=False)
    address = EmailAddress.objects.get(user=person)

    client.force_login(person)
    confirmed = client.post(
        reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key])
    )

    assert confirmed.status_code == 302
    request.refresh_from_db()
    other.refresh_from_db()
    assert request.requester == person
    assert request.contact.claimed_by == person
    assert other.requester == application.account  # another address: not theirs
    assert set(
        Commitment.objects.filter(subject_id=str(request.pk)).values_list("made_to", flat=True)
    ) == {person.pk}
    # Now it is theirs: they see it among their requests.
    assert request.reference in client.get(reverse("requests:request-mine")).content.decode()


def test_claiming_needs_a_confirmed_email(make_user: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from townhall.service_requests.actions import claim_contact_requests

    person = make_user("someone@example.net", verified=False)

    with pytest.raises(PermissionDenied):
        claim_contact_requests(by=person)


def test_a_repeated_post_after_a_timeout_files_nothing_new(
    client: Any, application: Any, pothole_service: Any, pothole_form: dict[str, Any]
) -> None:
    from townhall.service_requests.models import ServiceRequest

    first = client.post(f"{BASE}/requests.json", pothole_form).json()
    again = client.post(f"{BASE}/requests.json", pothole_form).json()

    assert first == again
    assert ServiceRequest.objects.count() == 1


def test_a_different_post_files_a_new_request(
    client: Any, application: Any, pothole_service: Any, pothole_form: dict[str, Any]
) -> None:
    first = client.post(f"{BASE}/requests.json", pothole_form).json()
    pothole_form["description"] = "Another hole, further down"
    second = client.post(f"{BASE}/requests.json", pothole_form).json()

    assert first[0]["service_request_id"] != second[0]["service_request_id"]


@pytest.mark.parametrize(
    "fields",
    [
        [("attribute[colour]", "red"), ("attribute[colour]", "blue")],
        [("attribute[colour][]", "red"), ("attribute[colour][]", "blue")],
        [("attribute[colour]", "red"), ("attribute[colour][]", "blue")],
    ],
    ids=["repeated", "brackets", "mixed"],
)
def test_multi_value_attributes_become_one_list(
    client: Any,
    application: Any,
    pothole_service: Any,
    pothole_form: dict[str, Any],
    site_admin: Any,
    fields: list[tuple[str, str]],
) -> None:
    from urllib.parse import urlencode

    from townhall.agencies import actions

    actions.add_service_attribute(
        by=site_admin,
        service=pothole_service,
        code="colour",
        description="Which colours are the cones?",
        datatype="multivaluelist",
        values=[{"key": "red", "name": "Red"}, {"key": "blue", "name": "Blue"}],
    )
    body = urlencode(list(pothole_form.items()) + fields)

    response = client.post(
        f"{BASE}/requests.json", body, content_type="application/x-www-form-urlencoded"
    )

    assert _filed(response).answers["colour"] == ["red", "blue"]


def test_address_id_alone_is_a_location(
    client: Any, application: Any, pothole_service: Any, pothole_form: dict[str, Any]
) -> None:
    for name in ("lat", "long", "address_string"):
        del pothole_form[name]
    pothole_form["address_id"] = "AX-12"

    request = _filed(client.post(f"{BASE}/requests.json", pothole_form))
    shown = client.get(f"{BASE}/requests/{request.reference}.json").json()[0]

    assert shown["address_id"] == "AX-12"
    assert shown["lat"] is None


def test_the_token_leads_to_the_request(
    client: Any, application: Any, pothole_service: Any, pothole_form: dict[str, Any]
) -> None:
    reply = client.post(f"{BASE}/requests.json", pothole_form).json()[0]

    as_json = client.get(f"{BASE}/tokens/{reply['token']}.json")
    as_xml = parse_xml(client.get(f"{BASE}/tokens/{reply['token']}.xml"))

    assert as_json.json() == [
        {"service_request_id": reply["service_request_id"], "token": reply["token"]}
    ]
    assert as_xml.findtext("request/service_request_id") == reply["service_request_id"]
    assert client.get(f"{BASE}/tokens/nope.json").status_code == 404


def test_a_service_needing_a_verified_identity_refuses_an_unverified_contact(
    client: Any, application: Any, pothole_service: Any, pothole_form: dict[str, Any]
) -> None:
    from townhall.service_requests.models import ServiceRequest

    pothole_service.required_assurance = "identity_verified"
    pothole_service.save()

    response = client.post(f"{BASE}/requests.json", pothole_form)

    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("service_code:")
    assert not ServiceRequest.objects.exists()


def test_only_an_application_account_may_file_for_a_contact(
    citizen: Any, pothole_service: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    from townhall.service_requests.actions import file_request

    with pytest.raises(PermissionDenied):
        file_request(
            by=citizen,
            service=pothole_service,
            description="On behalf of a neighbour",
            answers={"size": "large"},
            address="1 Main St",
            contact={"email": "neighbour@example.net"},
        )


@pytest.mark.parametrize("description", [None, "", "   "])
def test_the_description_is_optional_as_the_specification_says(
    client: Any,
    application: Any,
    pothole_service: Any,
    pothole_form: dict[str, Any],
    description: str | None,
) -> None:
    if description is None:
        pothole_form.pop("description")
    else:
        pothole_form["description"] = description

    request = _filed(client.post(f"{BASE}/requests.json", pothole_form))

    assert request.description == (
        f"{pothole_service.name}: reported through {application.name} without a description."
    )
    shown = client.get(f"{BASE}/requests/{request.reference}.json").json()[0]
    assert shown["description"] == request.description
