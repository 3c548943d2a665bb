"""Every Open311 parameter wrong in the ways the specification allows: the spec's error
list, the right status, in the requested format, and nothing half-filed."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import BASE, errors_of


def _nothing_filed() -> None:
    from townhall.open311.models import Open311Filing
    from townhall.service_requests.models import RequestContact, ServiceRequest

    assert not ServiceRequest.objects.exists()
    assert not RequestContact.objects.exists()
    assert not Open311Filing.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("change", "status", "names"),
    [
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "no-such-service"}, 404, "service_code"),
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "wrong-key"}, 403, "api_key"),
        ({"api_key": "k" * 5000}, 403, "api_key"),
        ({"long": None}, 400, "lat/long"),
        ({"lat": None}, 400, "lat/long"),
        ({"lat": "91", "long": "0"}, 400, "lat"),
        ({"long": "-180.5"}, 400, "long"),
        ({"lat": "north"}, 400, "lat"),
        ({"lat": "NaN"}, 400, "lat"),
        ({"lat": "0", "long": "0"}, 400, "lat/long"),  # on Earth, not in Springfield
        ({"lat": None, "long": None, "address_string": None}, 400, "lat/long"),
        ({"attribute[size]": "gigantic"}, 400, "attribute[size]"),
        ({"attribute[size]": None}, 400, "attribute[size]"),
        ({"attribute[]": "x"}, 400, "attribute"),
        ({"description": "x" * 1_000_000}, 400, "description"),
        ({"email": "not-an-address"}, 400, "email"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"jurisdiction_id": "chicago.gov"}, 404, "jurisdiction_id"),
        ({"jurisdiction_id": "j" * 5000}, 404, "jurisdiction_id"),
        ({"phone": "1" * 300}, 400, "phone"),
        ({"description": "nul \x00 byte"}, 400, "description"),
    ],
)
def test_a_bad_post_is_refused_with_the_spec_error_and_files_nothing(
    client: Any,
    application: Any,
    pothole_service: Any,
    pothole_form: dict[str, Any],
    change: dict[str, Any],
    status: int,
    names: str,
    fmt: str,
) -> None:
    for key, value in change.items():
        if value is None:
            pothole_form.pop(key, None)
        else:
            pothole_form[key] = value

    response = client.post(f"{BASE}/requests.{fmt}", pothole_form)

    assert response.status_code == status, response.content
    errors = errors_of(response)
    assert errors and all(error["code"] == status for error in errors)
    assert any(error["description"].startswith(names) for error in errors), errors
    _nothing_filed()


def test_a_non_numeric_number_attribute_is_refused(
    client: Any,
    application: Any,
    pothole_service: Any,
    pothole_form: dict[str, Any],
    site_admin: Any,
) -> None:
    from townhall.agencies import actions

    actions.add_service_attribute(
        by=site_admin,
        service=pothole_service,
        code="depth",
        description="How deep, in centimetres?",
        datatype="number",
    )
    pothole_form["attribute[depth]"] = "very deep"

    response = client.post(f"{BASE}/requests.json", pothole_form)

    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("attribute[depth]:")
    _nothing_filed()


def test_an_unknown_attribute_code_is_refused(
    client: Any, application: Any, pothole_service: Any, pothole_form: dict[str, Any]
) -> None:
    pothole_form["attribute[colour]"] = "red"

    response = client.post(f"{BASE}/requests.json", pothole_form)

    assert response.status_code == 400
    assert "attribute[colour]" in response.json()[0]["description"]
    _nothing_filed()


def test_two_values_for_a_single_value_question_are_refused(
    client: Any, application: Any, pothole_service: Any, pothole_form: dict[str, Any]
) -> None:
    pothole_form["attribute[size]"] = ["small", "large"]

    response = client.post(f"{BASE}/requests.json", pothole_form)

    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("attribute[size]")
    _nothing_filed()


def test_a_revoked_key_is_refused(
    client: Any,
    application: Any,
    site_admin: Any,
    pothole_service: Any,
    pothole_form: dict[str, Any],
) -> None:
    from townhall.open311.actions import revoke_application

    revoke_application(by=site_admin, application=application)

    response = client.post(f"{BASE}/requests.json", pothole_form)

    assert response.status_code == 403
    assert "revoked" in response.json()[0]["description"]
    _nothing_filed()


def test_a_body_larger_than_django_accepts_is_400_not_500(
    client: Any, application: Any, pothole_service: Any, pothole_form: dict[str, Any]
) -> None:
    pothole_form["description"] = "x" * 3_000_000

    response = client.post(f"{BASE}/requests.json", pothole_form)

    assert response.status_code == 400
    _nothing_filed()


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("query", "name"),
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "start_date"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-45T00:00:00Z"}, "end_date"),
        ({"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-02-01T00:00:00Z"}, "start_date"),
        ({"updated_after": "soon"}, "updated_after"),
        ({"status": "pending"}, "status"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page_size": "5000"}, "page_size"),
        ({"page_size": "many"}, "page_size"),
        ({"extensions": "maybe"}, "extensions"),
        ({"service_request_id": ",".join(str(n) for n in range(200))}, "service_request_id"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(
    client: Any, db: Any, query: dict[str, str], name: str, fmt: str
) -> None:
    response = client.get(f"{BASE}/requests.{fmt}", query)

    assert response.status_code == 400, response.content
    (error,) = errors_of(response)
    assert error["code"] == 400
    assert error["description"].startswith(name)


def test_a_bad_api_key_on_a_read_is_403(client: Any, db: Any) -> None:
    response = client.get(f"{BASE}/services.json", {"api_key": "nope"})

    assert response.status_code == 403
    assert response.json()[0]["code"] == 403


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_request_is_404(client: Any, db: Any, fmt: str) -> None:
    response = client.get(f"{BASE}/requests/SPR-2026-999999.{fmt}")

    assert response.status_code == 404
    assert errors_of(response)[0]["description"].startswith("service_request_id")


def test_the_rate_limit_answers_429_in_the_error_format(
    client: Any, site_admin: Any, pothole_service: Any
) -> None:
    from townhall.open311.actions import issue_application

    issue_application(
        by=site_admin,
        name="Chatty app",
        contact_email="chatty@app.example",
        rate_limit_per_minute=2,
        key="chatty-key",
    )

    statuses = [
        client.get(f"{BASE}/services.json", {"api_key": "chatty-key"}).status_code for _ in range(3)
    ]
    last = client.get(f"{BASE}/services.xml", {"api_key": "chatty-key"})

    assert statuses == [200, 200, 429]
    assert last.status_code == 429
    assert errors_of(last)[0]["code"] == 429
    # Without a key the public lists stay readable.
    assert client.get(f"{BASE}/services.json").status_code == 200


def test_an_unexpected_failure_answers_500_in_the_format_not_an_html_page(
    client: Any, db: Any, monkeypatch: Any
) -> None:
    from townhall.open311 import queries

    def broken() -> Any:
        raise RuntimeError("database fell over")

    monkeypatch.setattr(queries, "offered_services", broken)

    response = client.get(f"{BASE}/services.xml")

    assert response.status_code == 500
    assert errors_of(response)[0]["code"] == 500
