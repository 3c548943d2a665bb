"""Assurance levels over the API: where /me says the level came from, what each service
needs, and the 403 that names the level missing and the page where to get it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from townhall.identity import actions
from townhall.identity.models import AssuranceLevel, AssuranceMethod
from townhall.service_requests.models import ServiceRequest


@pytest.fixture
def permit_service(agency: Any, site_admin: Any) -> Any:
    from townhall.agencies import actions as agency_actions

    return agency_actions.add_service(
        by=site_admin,
        agency=agency,
        code="permit",
        name="Apply for a street party permit",
        description="Close a street for a party.",
        required_assurance=AssuranceLevel.IDENTITY_VERIFIED,
    )


def file_permit(client: Any) -> Any:
    body = {"service": "permit", "description": "A party on Elm Street on the 4th of July."}
    return client.post("/api/v1/requests/", json.dumps(body), content_type="application/json")


def test_me_says_an_email_verified_account_got_there_by_email(
    citizen: Any, bearer_client: Any
) -> None:
    data = bearer_client(citizen).get("/api/v1/me/").json()
    assert data["assurance_level"] == "email_verified"
    assert data["assurance_source"]["method"] == "email"
    assert data["assurance_source"]["provider"] is None


def test_me_names_the_identity_provider(citizen: Any, bearer_client: Any) -> None:
    actions.record_provider_sign_in(
        user=citizen,
        provider_id="springfield-id",
        provider_name="Springfield ID",
        claims={"acr": "urn:id:verified"},
    )
    # No policy yet for this provider: its acr means nothing.
    assert bearer_client(citizen).get("/api/v1/me/").json()["assurance_level"] == "email_verified"

    from townhall.identity.models import IdentityProviderPolicy

    IdentityProviderPolicy.objects.create(
        provider_id="springfield-id", identity_acr_values="urn:id:verified"
    )
    actions.record_provider_sign_in(
        user=citizen,
        provider_id="springfield-id",
        provider_name="Springfield ID",
        claims={"acr": "urn:id:verified"},
    )
    data = bearer_client(citizen).get("/api/v1/me/").json()
    assert data["assurance_level"] == "identity_verified"
    assert data["assurance_source"]["method"] == "oidc"
    assert data["assurance_source"]["provider"] == "Springfield ID"


def test_me_gives_no_source_at_level_none(make_user: Any, bearer_client: Any) -> None:
    newcomer = make_user("new@example.org", verified=False)
    data = bearer_client(newcomer).get("/api/v1/me/").json()
    assert data["assurance_level"] == "none"
    assert data["assurance_source"] is None


def test_me_after_a_revocation_falls_back_to_the_remaining_record(
    citizen: Any, site_admin: Any, bearer_client: Any
) -> None:
    record = actions.raise_assurance(
        by=site_admin,
        user=citizen,
        level=AssuranceLevel.IDENTITY_VERIFIED,
        method=AssuranceMethod.IN_PERSON,
        document_type="passport",
    )
    assert bearer_client(citizen).get("/api/v1/me/").json()["assurance_source"]["method"] == (
        "in_person"
    )
    actions.revoke_assurance(by=site_admin, record=record, reason="The passport was not hers.")
    data = bearer_client(citizen).get("/api/v1/me/").json()
    assert data["assurance_level"] == "email_verified"
    assert data["assurance_source"]["method"] == "email"


def test_each_service_carries_its_required_assurance_level(
    permit_service: Any, pothole_service: Any, api_client: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(6):
        data = api_client.get("/api/v1/services/").json()
    levels = {service["code"]: service["required_assurance_level"] for service in data["results"]}
    assert levels == {"permit": "identity_verified", "pothole": "email_verified"}


def test_filing_below_the_level_is_a_403_naming_the_level_and_the_page(
    citizen: Any, permit_service: Any, as_user: Any
) -> None:
    response = file_permit(as_user(citizen))
    assert response.status_code == 403
    data = response.json()
    assert data["status"] == 403
    assert data["required_assurance_level"] == "identity_verified"
    assert data["assurance_url"].endswith("/account/")
    assert "Identity verified" in data["detail"]
    assert not ServiceRequest.objects.exists()


def test_filing_at_the_level_is_accepted(
    citizen2: Any, site_admin: Any, permit_service: Any, as_user: Any
) -> None:
    actions.raise_assurance(
        by=site_admin,
        user=citizen2,
        level=AssuranceLevel.IDENTITY_VERIFIED,
        method=AssuranceMethod.IN_PERSON,
        document_type="state_id",
    )
    response = file_permit(as_user(citizen2))
    assert response.status_code == 201, response.json()
