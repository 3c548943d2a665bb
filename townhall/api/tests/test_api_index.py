"""`GET /api/v1/` answers with the API's entry points, so a developer (or a client that
starts from the root) finds the docs, the schema and each collection without guessing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_index_lists_absolute_addresses_that_answer(client: Client, agency: Any) -> None:
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["version"] == "v1"
    links = body["links"]
    assert links["docs"] == "http://testserver/api/v1/docs/"
    assert links["open311"] == "http://testserver/open311/discovery.json"
    for name in ("schema", "services", "agencies", "consultations", "transparency", "open311"):
        path = links[name].removeprefix("http://testserver")
        assert client.get(path).status_code == 200, name
    assert client.get(links["requests"].removeprefix("http://testserver")).status_code in (
        401,
        403,
    )


def test_the_index_is_in_the_openapi_schema(client: Client) -> None:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert schema["paths"]["/api/v1/"]["get"]["operationId"] == "api_index"
