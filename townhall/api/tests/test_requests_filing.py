"""POST /api/v1/requests/: filing a request, retried safely, and refused clearly."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from townhall.activity.models import Activity
from townhall.service_requests.models import ServiceRequest

POTHOLE_BODY = {
    "service": "pothole",
    "description": "Deep pothole outside number 12, cyclists swerve around it.",
    "attributes": {"size": "large"},
    "location": {"lat": 39.7817, "long": -89.6501, "address": "12 Monroe St"},
}

URL = "/api/v1/requests/"


def post(client: APIClient, body: Any, **headers: Any) -> Any:
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def assert_invalid(response: Any) -> dict:
    assert response.status_code == 400, response.content[:500]
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["status"] == 400 and data["detail"]
    return data["errors"]


# --- filing -----------------------------------------------------------------------------------


def test_filing_answers_201_with_the_request_and_its_address(
    citizen: Any, pothole_service: Any, as_user: Any
) -> None:
    response = post(as_user(citizen), {**POTHOLE_BODY, "public": True})
    assert response.status_code == 201, response.json()
    data = response.json()
    filed = ServiceRequest.objects.get()
    assert data["reference"] == filed.reference
    assert response["Location"] == f"http://testserver/api/v1/requests/{filed.reference}/"
    assert data["url"] == response["Location"]
    assert data["service"] == "pothole"
    assert data["status"] == "submitted"
    assert data["public"] is True
    assert data["description"] == POTHOLE_BODY["description"]
    assert data["attributes"] == {"size": "large"}
    assert data["location"] == {"lat": 39.7817, "long": -89.6501, "address": "12 Monroe St"}
    assert data["agency"] == {"slug": "public-works", "name": "Public Works"}
    assert data["assignee"] is None
    assert data["expected_at"] is not None
    assert {c["kind"] for c in data["commitments"]} == {"acknowledge", "respond"}
    assert data["timeline"][0]["verb"] == "request.filed"
    assert data["timeline"][0]["by"] == "Alex Park"
    assert filed.requester == citizen


def test_public_left_out_takes_the_services_default(
    citizen: Any, pothole_service: Any, foi_service: Any, as_user: Any
) -> None:
    client = as_user(citizen)
    assert post(client, POTHOLE_BODY).json()["public"] is False
    foi = {"service": "foi-public-works", "description": "All road repair contracts of 2025."}
    assert post(client, foi).json()["public"] is True


def test_a_private_foi_request_is_refused_under_public(
    citizen: Any, foi_service: Any, as_user: Any
) -> None:
    body = {"service": "foi-public-works", "description": "Contracts.", "public": False}
    errors = assert_invalid(post(as_user(citizen), body))
    assert "always public" in errors["public"][0]
    assert not ServiceRequest.objects.exists()


def test_a_location_may_be_an_address_alone(
    citizen: Any, pothole_service: Any, as_user: Any
) -> None:
    body = {**POTHOLE_BODY, "location": {"address": "Corner of 5th and Monroe"}}
    response = post(as_user(citizen), body)
    assert response.status_code == 201, response.json()
    assert response.json()["location"] == {
        "lat": None,
        "long": None,
        "address": "Corner of 5th and Monroe",
    }


def test_html_in_the_description_comes_back_as_text(
    citizen: Any, pothole_service: Any, as_user: Any
) -> None:
    nasty = "<script>alert(1)</script> '; DROP TABLE service_requests; --"
    response = post(as_user(citizen), {**POTHOLE_BODY, "description": nasty})
    assert response.status_code == 201
    assert response.json()["description"] == nasty


# --- idempotency ------------------------------------------------------------------------------


def test_a_retried_post_with_the_same_key_files_once_and_answers_the_same(
    citizen: Any, pothole_service: Any, as_user: Any
) -> None:
    client = as_user(citizen)
    first = post(client, POTHOLE_BODY, HTTP_IDEMPOTENCY_KEY="c0ffee-1")
    again = post(client, POTHOLE_BODY, HTTP_IDEMPOTENCY_KEY="c0ffee-1")
    assert first.status_code == 201
    assert again.status_code in (200, 201)
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert ServiceRequest.objects.count() == 1
    assert Activity.objects.filter(verb="request.filed").count() == 1


def test_the_same_key_with_other_content_is_a_409(
    citizen: Any, pothole_service: Any, as_user: Any
) -> None:
    client = as_user(citizen)
    assert post(client, POTHOLE_BODY, HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    changed = {**POTHOLE_BODY, "description": "Another pothole entirely."}
    response = post(client, changed, HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 409
    data = response.json()
    assert data["status"] == 409
    assert "Idempotency-Key" in data["detail"]
    assert ServiceRequest.objects.count() == 1


def test_without_a_key_or_with_another_key_each_post_files(
    citizen: Any, pothole_service: Any, as_user: Any
) -> None:
    client = as_user(citizen)
    assert post(client, POTHOLE_BODY).status_code == 201
    assert post(client, POTHOLE_BODY).status_code == 201
    assert post(client, POTHOLE_BODY, HTTP_IDEMPOTENCY_KEY="a").status_code == 201
    assert post(client, POTHOLE_BODY, HTTP_IDEMPOTENCY_KEY="b").status_code == 201
    assert ServiceRequest.objects.count() == 4


def test_keys_belong_to_one_account(
    citizen: Any, citizen2: Any, pothole_service: Any, as_user: Any
) -> None:
    first = post(as_user(citizen), POTHOLE_BODY, HTTP_IDEMPOTENCY_KEY="shared")
    second = post(as_user(citizen2), POTHOLE_BODY, HTTP_IDEMPOTENCY_KEY="shared")
    assert first.status_code == second.status_code == 201
    assert first.json()["reference"] != second.json()["reference"]


@pytest.mark.parametrize("key", ["k" * 101, "with space", "caf\u00e9"])
def test_an_unusable_key_is_a_400(
    citizen: Any, pothole_service: Any, as_user: Any, key: str
) -> None:
    errors = assert_invalid(post(as_user(citizen), POTHOLE_BODY, HTTP_IDEMPOTENCY_KEY=key))
    assert "Idempotency-Key" in errors
    assert not ServiceRequest.objects.exists()


# --- who may file -----------------------------------------------------------------------------


def test_an_anonymous_post_is_a_401(pothole_service: Any, api_client: APIClient) -> None:
    response = post(api_client, POTHOLE_BODY)
    assert response.status_code == 401
    assert response.json()["status"] == 401
    assert not ServiceRequest.objects.exists()


def test_too_low_an_assurance_is_a_403_that_says_how_to_get_it(
    make_user: Any, pothole_service: Any, as_user: Any
) -> None:
    unverified = make_user("new@example.org", "New Person", verified=False)
    response = post(as_user(unverified), POTHOLE_BODY)
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "Email verified" in detail
    assert "/account/" in detail
    assert not ServiceRequest.objects.exists()


# --- bad input --------------------------------------------------------------------------------


def test_a_missing_service_is_named(citizen: Any, pothole_service: Any, as_user: Any) -> None:
    body = {k: v for k, v in POTHOLE_BODY.items() if k != "service"}
    assert "service" in assert_invalid(post(as_user(citizen), body))


@pytest.mark.parametrize("code", ["no-such-service", "<script>", "x" * 65, "' OR 1=1 --"])
def test_an_unknown_service_is_named(
    citizen: Any, pothole_service: Any, as_user: Any, code: str
) -> None:
    errors = assert_invalid(post(as_user(citizen), {**POTHOLE_BODY, "service": code}))
    assert list(errors) == ["service"]


def test_a_withdrawn_service_cannot_be_filed(
    citizen: Any, pothole_service: Any, site_admin: Any, as_user: Any
) -> None:
    from townhall.agencies import actions as agency_actions

    agency_actions.update_service(
        by=site_admin, service=pothole_service, changes={"is_active": False}
    )
    errors = assert_invalid(post(as_user(citizen), POTHOLE_BODY))
    assert "“pothole”" in errors["service"][0]


@pytest.mark.parametrize(
    "attributes, field",
    [
        ({}, "attributes.size"),
        ({"size": "gigantic"}, "attributes.size"),
        ({"size": ["small", "large"]}, "attributes.size"),
    ],
    ids=["missing-required", "unknown-choice", "list-for-one-choice"],
)
def test_wrong_attribute_answers_are_named_by_code(
    citizen: Any, pothole_service: Any, as_user: Any, attributes: Any, field: str
) -> None:
    errors = assert_invalid(post(as_user(citizen), {**POTHOLE_BODY, "attributes": attributes}))
    assert field in errors, errors
    assert not ServiceRequest.objects.exists()


def test_attributes_that_are_not_an_object_are_refused(
    citizen: Any, pothole_service: Any, as_user: Any
) -> None:
    errors = assert_invalid(post(as_user(citizen), {**POTHOLE_BODY, "attributes": ["large"]}))
    assert "attributes" in errors


@pytest.mark.parametrize(
    "location",
    [
        {"lat": 51.5, "long": -0.12},  # London
        {"lat": 39.78, "long": 89.65},  # the sign forgotten
    ],
)
def test_a_place_outside_the_service_area_is_refused(
    citizen: Any, pothole_service: Any, as_user: Any, location: dict
) -> None:
    errors = assert_invalid(post(as_user(citizen), {**POTHOLE_BODY, "location": location}))
    assert "outside Springfield" in errors["location"][0]


@pytest.mark.parametrize(
    "location",
    [{"lat": 39.78}, {"long": -89.65}, {"lat": 39.78, "long": None}],
    ids=["lat-only", "long-only", "long-null"],
)
def test_a_latitude_without_a_longitude_is_refused(
    citizen: Any, pothole_service: Any, as_user: Any, location: dict
) -> None:
    errors = assert_invalid(post(as_user(citizen), {**POTHOLE_BODY, "location": location}))
    assert "both" in str(errors["location"])


@pytest.mark.parametrize(
    "lat", ["north", True, [39.7], {"deg": 39}, "NaN", "Infinity", "1e400", 91, -1000]
)
def test_a_coordinate_that_is_not_a_number_of_degrees_is_refused(
    citizen: Any, pothole_service: Any, as_user: Any, lat: Any
) -> None:
    body = {**POTHOLE_BODY, "location": {"lat": lat, "long": -89.65}}
    errors = assert_invalid(post(as_user(citizen), body))
    assert "location" in errors


def test_a_location_is_needed_where_the_service_needs_one(
    citizen: Any, pothole_service: Any, as_user: Any
) -> None:
    body = {k: v for k, v in POTHOLE_BODY.items() if k != "location"}
    errors = assert_invalid(post(as_user(citizen), body))
    assert "Say where" in errors["location"][0]
    errors = assert_invalid(post(as_user(citizen), {**body, "location": None}))
    assert "location" in errors


def test_a_huge_description_is_refused(citizen: Any, pothole_service: Any, as_user: Any) -> None:
    errors = assert_invalid(post(as_user(citizen), {**POTHOLE_BODY, "description": "x" * 10_001}))
    assert "10000" in errors["description"][0]
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize("description", ["", "   \n\t ", None])
def test_an_empty_description_is_refused(
    citizen: Any, pothole_service: Any, as_user: Any, description: Any
) -> None:
    errors = assert_invalid(post(as_user(citizen), {**POTHOLE_BODY, "description": description}))
    assert "description" in errors


def test_a_nul_character_in_the_description_is_refused(
    citizen: Any, pothole_service: Any, as_user: Any
) -> None:
    errors = assert_invalid(post(as_user(citizen), {**POTHOLE_BODY, "description": "a\x00b"}))
    assert "description" in errors


@pytest.mark.parametrize(
    "body",
    [b"{", b'{"service": "pothole",}', b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000],
    ids=["truncated", "trailing-comma", "not-utf8", "deeply-nested"],
)
def test_malformed_json_is_a_400(
    citizen: Any, pothole_service: Any, as_user: Any, body: bytes
) -> None:
    response = as_user(citizen).post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The body is not valid JSON")


@pytest.mark.parametrize("body", [[POTHOLE_BODY], "pothole", 42, None])
def test_a_body_that_is_not_an_object_is_a_400(
    citizen: Any, pothole_service: Any, as_user: Any, body: Any
) -> None:
    assert_invalid(post(as_user(citizen), body))
    assert not ServiceRequest.objects.exists()


def test_a_form_encoded_body_is_a_415(citizen: Any, pothole_service: Any, as_user: Any) -> None:
    response = as_user(citizen).post(
        URL, "service=pothole", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


def test_every_problem_in_the_fields_is_listed_at_once(
    citizen: Any, pothole_service: Any, as_user: Any
) -> None:
    body = {
        "service": "pothole",
        "description": "",
        "attributes": {"size": "gigantic"},
        "location": {"lat": 10, "long": 10},
    }
    errors = assert_invalid(post(as_user(citizen), body))
    assert {"description", "attributes.size", "location"} <= set(errors)
