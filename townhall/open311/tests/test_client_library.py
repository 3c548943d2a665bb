"""An Open311 client nobody here wrote drives the live server.

`georeport` (PyPI) reads services, their definitions and requests in JSON and in XML. It
has no call for filing, and no other client on PyPI installs on Python 3 (`three` and
`open311` are Python 2 only), so the POST is made with `requests` exactly as the
specification shows: a form-encoded body."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from georeport import GeoReport

from .conftest import KEY

JURISDICTION = "springfield.example.org"


@pytest.fixture
def city(
    live_server: Any, transactional_db: Any, application: Any, pothole_service: Any
) -> dict[str, Any]:
    return {
        "root": f"{live_server.url}/open311/v2",
        "json": GeoReport(f"{live_server.url}/open311/v2", jurisdiction=JURISDICTION),
        "xml": GeoReport(
            f"{live_server.url}/open311/v2", jurisdiction=JURISDICTION, output_format="xml"
        ),
    }


def test_a_client_library_lists_services_and_their_definitions(city: dict[str, Any]) -> None:
    services = city["json"].get_service_list()
    definition = city["json"].get_service_definition("pothole")
    xml_services = city["xml"].get_service_list()
    xml_definition = city["xml"].get_service_definition("pothole")

    assert [s["service_code"] for s in services] == ["pothole"]
    assert [a["code"] for a in definition["attributes"]] == ["size"]
    # xmltodict gives a single child as a mapping.
    assert xml_services["service_code"] == "pothole"
    assert xml_definition["attributes"]["attribute"]["code"] == "size"


def test_a_form_post_as_the_spec_shows_is_read_back_by_the_library(
    city: dict[str, Any], live_server: Any, pothole_form: dict[str, Any]
) -> None:
    from townhall.commitments.models import Commitment, CommitmentKind
    from townhall.service_requests.models import ServiceRequest

    posted = requests.post(f"{city['root']}/requests.json", data=pothole_form, timeout=30)
    assert posted.status_code == 201, posted.text
    reference = posted.json()[0]["service_request_id"]

    listed = city["json"].get_service_requests(status="open", service_code="pothole")
    one = city["json"].get_service_request(reference)
    one_xml = city["xml"].get_service_request(reference)
    by_id_xml = city["xml"].get_service_requests(service_request_id=reference)

    request = ServiceRequest.objects.get(reference=reference)
    respond = Commitment.objects.get(kind=CommitmentKind.RESPOND, subject_id=str(request.pk))
    expected = request.expected_at
    assert expected == respond.due_at
    assert [r["service_request_id"] for r in listed] == [reference]
    assert one["description"] == "A large sinkhole is destroying the street"
    assert one_xml["service_request_id"] == reference
    assert one_xml["expected_datetime"] == one["expected_datetime"]
    assert by_id_xml["status"] == "open"
    from django.utils.dateparse import parse_datetime

    assert parse_datetime(one["expected_datetime"]) == respond.due_at.replace(microsecond=0)
    page = requests.get(f"{live_server.url}/requests/{reference}/", timeout=30)
    assert page.status_code == 200
    assert "A large sinkhole is destroying the street" in page.text


def test_the_library_sees_errors_as_http_errors(city: dict[str, Any]) -> None:
    with pytest.raises(requests.HTTPError) as failed:
        city["json"].get_service_definition("no-such-service")

    assert failed.value.response.status_code == 404
    assert failed.value.response.json()[0]["code"] == 404
    bad_key = requests.post(
        f"{city['root']}/requests.xml",
        data={"api_key": KEY + "x", "service_code": "pothole"},
        timeout=30,
    )
    assert bad_key.status_code == 403
    assert "<errors><error><code>403</code>" in bad_key.text
