"""The request endpoints are in the OpenAPI schema, with the names clients rely on."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

DOCUMENTED = {
    "/api/v1/requests/": {"get", "post"},
    "/api/v1/requests/{reference}/": {"get"},
    "/api/v1/requests/{reference}/notes/": {"get", "post"},
    "/api/v1/requests/{reference}/support/": {"post", "delete"},
    "/api/v1/requests/{reference}/files/{id}/": {"get"},
    **{
        f"/api/v1/requests/{{reference}}/{action}/": {"post"}
        for action in [
            "take",
            "assign",
            "transfer",
            "reply",
            "clarify",
            "answer",
            "close",
            "decline",
            "duplicate",
            "extend",
        ]
    },
}


@pytest.fixture
def schema(api_client: APIClient, db: Any) -> dict:
    response = api_client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_every_request_endpoint_is_documented(schema: dict) -> None:
    for path, methods in DOCUMENTED.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def test_the_documented_request_has_the_promised_names(schema: dict) -> None:
    components = schema["components"]["schemas"]
    request = components["Request"]["properties"]
    assert {
        "reference",
        "service",
        "status",
        "submitted_at",
        "public",
        "agency",
        "assignee",
        "expected_at",
        "commitments",
        "timeline",
    } <= set(request)
    assert {"kind", "due_at", "state", "made_by", "kept_at"} <= set(
        components["Commitment"]["properties"]
    )
    assert set(components["TimelineEntry"]["properties"]) == {
        "occurred_at",
        "verb",
        "summary",
        "by",
    }
    filing = components["RequestFilingRequest"]["properties"]
    assert set(filing) == {"service", "description", "attributes", "location", "public"}
    assert set(components["LocationInputRequest"]["properties"]) == {"lat", "long", "address"}


def test_filing_documents_the_idempotency_key_and_the_conflict(schema: dict) -> None:
    filing = schema["paths"]["/api/v1/requests/"]["post"]
    headers = [p["name"] for p in filing["parameters"] if p["in"] == "header"]
    assert headers == ["Idempotency-Key"]
    assert {"201", "400", "401", "403", "409"} <= set(filing["responses"])
