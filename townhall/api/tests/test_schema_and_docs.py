"""The OpenAPI schema is valid and complete; the Swagger UI is served from our own files."""

import re
from io import StringIO
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

DOCUMENTED = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/auth/tokens/": {"get"},
    "/api/v1/auth/tokens/{id}/": {"delete"},
    "/api/v1/me/": {"get"},
    "/api/v1/agencies/": {"get"},
    "/api/v1/agencies/{slug}/": {"get"},
    "/api/v1/services/": {"get"},
    "/api/v1/services/{code}/": {"get"},
    "/api/v1/calendar/due/": {"get"},
}


@pytest.fixture
def schema(api_client: APIClient, db: Any) -> dict:
    response = api_client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_a_valid_openapi_3_document(schema: dict) -> None:
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises jsonschema.ValidationError when it is not


def test_schema_documents_every_endpoint_and_method(schema: dict) -> None:
    for path, methods in DOCUMENTED.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def test_schema_describes_bearer_tokens_and_the_error_shape(schema: dict) -> None:
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    me = schema["paths"]["/api/v1/me/"]["get"]
    assert {"bearerAuth": []} in me["security"]
    assert "401" in me["responses"]
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"detail", "status"}
    token_create = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert {"201", "400", "403", "429"} <= set(token_create["responses"])


def test_schema_generates_without_warnings(db: Any) -> None:
    # --fail-on-warn turns any warning (an undocumented view, a guessed type) into an error
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=StringIO())


def test_docs_page_loads_swagger_ui_only_from_local_static_files(
    api_client: APIClient, db: Any
) -> None:
    response = api_client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.I), "an external URL"
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references
    for reference in references:
        assert reference.startswith("/"), reference
        if reference.startswith("/static/"):
            assert finders.find(reference.removeprefix("/static/")), reference


def test_docs_page_has_no_inline_script_or_style_for_the_content_security_policy(
    api_client: APIClient, db: Any
) -> None:
    html = api_client.get("/api/v1/docs/").content.decode()
    assert "<style" not in html
    assert " style=" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert " src=" in tag, tag
    assert "'unsafe-inline'" not in api_client.get("/api/v1/docs/")["Content-Security-Policy"]


def test_docs_script_points_swagger_ui_at_our_schema(api_client: APIClient, db: Any) -> None:
    html = api_client.get("/api/v1/docs/").content.decode()
    [script_url] = [s for s in re.findall(r'<script src="([^"]+)"', html) if "script" in s]
    script = api_client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()


def test_swagger_ui_static_files_are_served(api_client: APIClient, db: Any) -> None:
    html = api_client.get("/api/v1/docs/").content.decode()
    bundle = re.search(r'src="(/static/[^"]*swagger-ui-bundle\.js)"', html).group(1)
    response = api_client.get(bundle)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:1000]


def test_schema_describes_a_service_with_its_standard_and_open311_attributes(schema: dict) -> None:
    components = schema["components"]["schemas"]
    assert set(components["Service"]["properties"]) == {
        "code",
        "name",
        "description",
        "kind",
        "group",
        "keywords",
        "agency",
        "standard",
        "allows_private",
        "public_by_default",
        "location_required",
        "required_assurance",
        "required_assurance_level",
        "attributes",
    }
    assert set(components["ServiceAgency"]["properties"]) == {
        "slug",
        "name",
        "jurisdiction",
        "timezone",
    }
    assert set(components["Standard"]["properties"]) == {
        "acknowledge_working_days",
        "respond_working_days",
        "extension_working_days",
    }
    assert set(components["ServiceAttribute"]["properties"]) == {
        "code",
        "datatype",
        "required",
        "order",
        "description",
        "datatype_description",
        "variable",
        "values",
    }
    assert "date" in components["DatatypeEnum"]["enum"]
    assert components["AssuranceLevelEnum"]["enum"] == [
        "none",
        "email_verified",
        "identity_verified",
    ]
    parameters = schema["paths"]["/api/v1/services/"]["get"]["parameters"]
    assert {"agency", "kind", "cursor", "page_size"} <= {p["name"] for p in parameters}
