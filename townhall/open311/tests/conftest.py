"""Fixtures for the Open311 tests: an application with a known key, and a client that
speaks Open311 (form-encoded POSTs, the format by suffix)."""

from __future__ import annotations

from typing import Any

import pytest
from defusedxml import ElementTree

KEY = "test-open311-key"
BASE = "/open311/v2"


@pytest.fixture
def application(site_admin: Any) -> Any:
    from townhall.open311 import actions

    application, _key = actions.issue_application(
        by=site_admin, name="Fix My Street app", contact_email="team@app.example", key=KEY
    )
    return application


@pytest.fixture
def pothole_form() -> dict[str, Any]:
    """The specification's POST example, for the pothole service of the fixtures."""
    return {
        "api_key": KEY,
        "service_code": "pothole",
        "lat": "39.7817",
        "long": "-89.6501",
        "address_string": "12 Monroe St",
        "email": "someone@example.net",
        "device_id": "tt222111",
        "account_id": "123456",
        "first_name": "john",
        "last_name": "smith",
        "phone": "111111111",
        "description": "A large sinkhole is destroying the street",
        "media_url": "http://example.com/photo.jpg",
        "attribute[size]": "large",
    }


def parse_xml(response: Any) -> Any:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)


def errors_of(response: Any) -> list[dict[str, Any]]:
    """The error list of a JSON or XML error answer, as [{code, description}]."""
    if response["Content-Type"].startswith("text/xml"):
        root = parse_xml(response)
        assert root.tag == "errors"
        return [
            {"code": int(error.findtext("code")), "description": error.findtext("description")}
            for error in root.findall("error")
        ]
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert isinstance(body, list)
    return body
