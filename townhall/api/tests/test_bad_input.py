"""Nasty input gets a JSON 4xx with a readable `detail`, never a 500 or an HTML page."""

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from townhall.identity.models import ApiToken

from .conftest import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


def assert_json_error(response: Any, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["status"] == status
    assert isinstance(data["detail"], str) and data["detail"]
    return data


# --- the body of POST /auth/token/ ----------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b'{"email": "alex@example.org", "password": }',
        b"\xff\xfe\x00garbage",
        b'{"email": NaN, "password": "x"}',
        b"[" * 100_000 + b"]" * 100_000,  # nested past Python's recursion limit
    ],
    ids=["truncated", "missing-value", "not-utf8", "nan", "deeply-nested"],
)
def test_malformed_json_is_a_400(api_client: APIClient, body: bytes, db: Any) -> None:
    response = api_client.post(TOKEN_URL, body, content_type="application/json")
    data = assert_json_error(response, 400)
    assert data["detail"].startswith("The body is not valid JSON")


def test_an_unknown_character_set_is_a_400(api_client: APIClient, db: Any) -> None:
    body = json.dumps({"email": "alex@example.org", "password": PASSWORD})
    for charset in ["klingon", "bz2_codec"]:
        response = api_client.post(
            TOKEN_URL, body, content_type=f"application/json; charset={charset}"
        )
        assert_json_error(response, 400)


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", "a/b"],
)
def test_a_body_that_is_not_json_is_a_415(
    api_client: APIClient, content_type: str, db: Any
) -> None:
    response = api_client.post(
        TOKEN_URL, "email=alex%40example.org&password=x", content_type=content_type
    )
    data = assert_json_error(response, 415)
    assert "Unsupported media type" in data["detail"]


def test_a_huge_body_is_a_413(api_client: APIClient, citizen: Any, settings: Any) -> None:
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    body = json.dumps({"email": citizen.email, "password": PASSWORD, "name": padding})
    response = api_client.post(TOKEN_URL, body, content_type="application/json")
    data = assert_json_error(response, 413)
    assert "larger than" in data["detail"]
    assert not ApiToken.objects.exists()


def test_an_empty_body_lists_the_missing_fields(api_client: APIClient, db: Any) -> None:
    for body in [b"", b"{}"]:
        response = api_client.post(TOKEN_URL, body, content_type="application/json")
        data = assert_json_error(response, 400)
        assert set(data["errors"]) == {"email", "password"}
        assert data["errors"]["email"] == ["This field is required."]


@pytest.mark.parametrize(
    "email",
    [
        123,
        1.5,
        True,
        None,
        ["alex@example.org"],
        {"$ne": ""},
        "",
        "not-an-email",
        "alex@example.org\x00",
        "a" * 300 + "@example.org",
        "' OR 1=1 --",
    ],
    ids=["int", "float", "bool", "null", "list", "object", "empty", "no-at", "nul", "long", "sql"],
)
def test_an_email_that_is_not_an_email_address_string_is_a_400(
    api_client: APIClient, citizen: Any, email: Any
) -> None:
    response = api_client.post(TOKEN_URL, {"email": email, "password": PASSWORD}, format="json")
    data = assert_json_error(response, 400)
    assert "email" in data["errors"]


@pytest.mark.parametrize("password", [None, 12345, ["x"], "x" * 5000, "pass\x00word"], ids=str)
def test_a_password_that_is_not_a_plausible_string_is_a_400(
    api_client: APIClient, citizen: Any, password: Any
) -> None:
    response = api_client.post(
        TOKEN_URL, {"email": citizen.email, "password": password}, format="json"
    )
    assert_json_error(response, 400)
    assert not ApiToken.objects.exists()


def test_a_json_array_or_string_instead_of_an_object_is_a_400(
    api_client: APIClient, db: Any
) -> None:
    for body in ['["alex@example.org", "pw"]', '"alex@example.org"', "42", "null"]:
        response = api_client.post(TOKEN_URL, body, content_type="application/json")
        assert_json_error(response, 400)


def test_a_sql_looking_but_valid_email_address_is_just_a_wrong_login(
    api_client: APIClient, citizen: Any
) -> None:
    response = api_client.post(
        TOKEN_URL, {"email": "x'or'1'='1@example.org", "password": "' OR '1'='1"}, format="json"
    )
    assert_json_error(response, 400)
    assert not ApiToken.objects.exists()


def test_a_token_name_with_markup_is_kept_as_text(api_client: APIClient, citizen: Any) -> None:
    name = "<img src=x onerror=alert(1)>"
    response = api_client.post(
        TOKEN_URL, {"email": citizen.email, "password": PASSWORD, "name": name}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["name"] == name == ApiToken.objects.get().name


def test_a_token_name_that_is_too_long_is_a_400(api_client: APIClient, citizen: Any) -> None:
    response = api_client.post(
        TOKEN_URL, {"email": citizen.email, "password": PASSWORD, "name": "n" * 81}, format="json"
    )
    assert "name" in assert_json_error(response, 400)["errors"]


def test_other_methods_on_the_token_endpoint_are_405(api_client: APIClient, db: Any) -> None:
    for method in ("get", "put", "patch", "delete"):
        assert_json_error(getattr(api_client, method)(TOKEN_URL), 405)


# --- the Authorization header -----------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Bearer \xff\xfe\xfd",  # bytes that are not UTF-8 (headers arrive as latin-1)
        "Bearer \u2603",  # a character no HTTP header can carry
        "Bearer",
        "Bearer ",
        "Bearer two parts",
        "Bearer th_" + "A" * 43,
        "Bearer " + "x" * 10_000,
        "Bearer \x00",
        "bearer ' OR 1=1 --",
    ],
    ids=["not-utf8", "non-latin1", "no-token", "blank", "spaces", "unknown", "huge", "nul", "sql"],
)
def test_a_garbage_bearer_token_is_a_401(api_client: APIClient, header: str, db: Any) -> None:
    api_client.credentials(HTTP_AUTHORIZATION=header)
    response = api_client.get("/api/v1/me/")
    assert_json_error(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_garbage_bearer_token_is_refused_on_public_endpoints_too(
    api_client: APIClient, agency: Any
) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Bearer nonsense")
    assert_json_error(api_client.get("/api/v1/agencies/"), 401)


def test_other_authorization_schemes_are_ignored(api_client: APIClient, agency: Any) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Basic YWxleDpwdw==")
    assert api_client.get("/api/v1/agencies/").status_code == 200
    assert_json_error(api_client.get("/api/v1/me/"), 401)


def test_a_deactivated_accounts_token_stops_working(citizen: Any, bearer_client: Any) -> None:
    client = bearer_client(citizen)
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])
    assert_json_error(client.get("/api/v1/me/"), 401)


# --- addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/v1/whatever", "/api/v1/whatever/", "/api/v1/agencies/a/b/c/", "/api/v2/", "/api/"],
)
def test_an_unknown_api_address_is_a_json_404(api_client: APIClient, path: str, db: Any) -> None:
    data = assert_json_error(api_client.get(path), 404)
    assert data["detail"] == "We could not find the page you were looking for."


def test_asking_for_html_or_an_unknown_format_does_not_break_the_api(
    api_client: APIClient, agency: Any
) -> None:
    assert api_client.get("/api/v1/agencies/", HTTP_ACCEPT="text/html,*/*;q=0.8").status_code == 200
    assert_json_error(api_client.get("/api/v1/agencies/", HTTP_ACCEPT="text/html"), 406)
    assert_json_error(api_client.get("/api/v1/agencies/?format=xml"), 404)


@pytest.mark.django_db
def test_a_nul_byte_the_database_cannot_hold_is_a_json_400_not_a_500(api_client, monkeypatch):
    from django.db import DataError

    from townhall.api import views

    def refuse(*args, **kwargs):
        raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")

    monkeypatch.setattr(views.AgencyViewSet, "get_queryset", refuse)
    response = api_client.get("/api/v1/agencies/")
    assert response.status_code == 400
    assert response.json()["detail"] == "Some of what you sent cannot be stored or searched for."
