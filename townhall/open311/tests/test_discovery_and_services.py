"""Discovery, the service list and service definitions, shaped as the specification's
examples, in JSON and XML."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import BASE, errors_of, parse_xml


def test_discovery_names_the_endpoint_in_json(client: Any, db: Any) -> None:
    response = client.get("/open311/discovery.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]


def test_discovery_in_xml(client: Any, db: Any) -> None:
    root = parse_xml(client.get("/open311/discovery.xml"))

    assert root.tag == "discovery"
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_service_list_in_json_is_a_top_level_array_of_strings(
    client: Any, pothole_service: Any
) -> None:
    response = client.get(f"{BASE}/services.json")

    assert response.status_code == 200
    assert response.json() == [
        {
            "service_code": "pothole",
            "service_name": "Report a pothole",
            "description": "",
            "metadata": True,
            "type": "realtime",
            "keywords": "pothole,road,street",
            "group": "Streets",
        }
    ]


def test_service_list_in_xml(client: Any, pothole_service: Any, foi_service: Any) -> None:
    root = parse_xml(client.get(f"{BASE}/services.xml"))

    assert root.tag == "services"
    services = {s.findtext("service_code"): s for s in root.findall("service")}
    assert set(services) == {"pothole", "foi-public-works"}
    assert services["pothole"].findtext("metadata") == "true"
    assert services["foi-public-works"].findtext("metadata") == "false"
    assert services["pothole"].findtext("group") == "Streets"


def test_services_no_longer_offered_are_not_listed(
    client: Any, pothole_service: Any, foi_service: Any
) -> None:
    foi_service.is_active = False
    foi_service.save()

    codes = [s["service_code"] for s in client.get(f"{BASE}/services.json").json()]

    assert codes == ["pothole"]
    assert client.get(f"{BASE}/services/foi-public-works.json").status_code == 404


def test_service_definition_in_json(client: Any, pothole_service: Any) -> None:
    response = client.get(f"{BASE}/services/pothole.json")

    assert response.status_code == 200
    assert response.json() == {
        "service_code": "pothole",
        "attributes": [
            {
                "variable": True,
                "code": "size",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "",
                "order": 0,
                "description": "How big is it?",
                "values": [
                    {"key": "small", "name": "Smaller than a plate"},
                    {"key": "large", "name": "Larger"},
                ],
            }
        ],
    }


def test_service_definition_in_xml(client: Any, pothole_service: Any) -> None:
    root = parse_xml(client.get(f"{BASE}/services/pothole.xml"))

    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "pothole"
    attribute = root.find("attributes/attribute")
    assert attribute.findtext("variable") == "true"
    assert attribute.findtext("required") == "true"
    assert attribute.findtext("datatype") == "singlevaluelist"
    assert [v.findtext("key") for v in attribute.findall("values/value")] == ["small", "large"]


def test_a_date_question_is_offered_as_datetime(
    client: Any, pothole_service: Any, site_admin: Any
) -> None:
    from townhall.agencies import actions

    actions.add_service_attribute(
        by=site_admin,
        service=pothole_service,
        code="seen_on",
        description="When did you see it?",
        datatype="date",
        order=1,
    )

    attributes = client.get(f"{BASE}/services/pothole.json").json()["attributes"]

    assert [a["datatype"] for a in attributes] == ["singlevaluelist", "datetime"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404_in_the_requested_format(
    client: Any, pothole_service: Any, fmt: str
) -> None:
    response = client.get(f"{BASE}/services/no-such-thing.{fmt}")

    assert response.status_code == 404
    (error,) = errors_of(response)
    assert error["code"] == 404
    assert "service_code" in error["description"]


@pytest.mark.parametrize("jurisdiction", ["", "springfield.example.org"])
def test_the_right_or_an_empty_jurisdiction_is_accepted(
    client: Any, pothole_service: Any, jurisdiction: str
) -> None:
    response = client.get(f"{BASE}/services.json", {"jurisdiction_id": jurisdiction})

    assert response.status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_another_jurisdiction_is_404(client: Any, pothole_service: Any, fmt: str) -> None:
    response = client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "chicago.gov"})

    assert response.status_code == 404
    assert "jurisdiction_id" in errors_of(response)[0]["description"]


@pytest.mark.parametrize(
    "path", ["/open311/v2/nothing.json", "/open311/v2/services.html", "/open311/v2/services"]
)
def test_unknown_open311_addresses_answer_in_open311_errors_not_html(
    client: Any, db: Any, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert errors_of(response)[0]["code"] == 404


def test_a_wrong_method_is_405_in_the_requested_format(client: Any, db: Any) -> None:
    response = client.post(f"{BASE}/services.json")

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert errors_of(response)[0]["code"] == 405
