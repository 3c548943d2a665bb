"""The whole life of a token, through the API only: get, use, list, revoke, refused."""

from typing import Any

from rest_framework.test import APIClient

from .conftest import PASSWORD


def test_citizen_gets_a_token_by_password_uses_it_lists_it_and_revokes_it(
    citizen: Any, api_client: APIClient
) -> None:
    response = api_client.post(
        "/api/v1/auth/token/",
        {"email": "alex@example.org", "password": PASSWORD, "name": "Laptop"},
        format="json",
    )
    assert response.status_code == 201, response.content
    issued = response.json()
    key = issued["token"]
    assert key.startswith("th_")
    assert issued["name"] == "Laptop"
    assert issued["created_at"]
    assert response["Cache-Control"] == "no-store"

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["email"] == "alex@example.org"

    listed = client.get("/api/v1/auth/tokens/")
    assert listed.status_code == 200
    [token] = listed.json()["results"]
    assert token["name"] == "Laptop"
    assert token["prefix"] == key[:10]
    assert token["revoked_at"] is None
    assert token["last_used_at"] is not None  # the /me/ call above used it
    assert key not in listed.content.decode()

    revoked = client.delete(f"/api/v1/auth/tokens/{token['id']}/")
    assert revoked.status_code == 204

    refused = client.get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json() == {
        "detail": "That token is not valid, or it has been revoked.",
        "status": 401,
    }
    assert refused["WWW-Authenticate"] == "Bearer"


def test_revoking_a_token_leaves_the_accounts_other_tokens_working(
    citizen: Any, issue_token: Any
) -> None:
    kept, dropped = issue_token(citizen, "kept"), issue_token(citizen, "dropped")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {dropped}")
    [dropped_row] = [
        t for t in client.get("/api/v1/auth/tokens/").json()["results"] if t["name"] == "dropped"
    ]
    assert client.delete(f"/api/v1/auth/tokens/{dropped_row['id']}/").status_code == 204

    client.credentials(HTTP_AUTHORIZATION=f"Bearer {kept}")
    tokens = {t["name"]: t for t in client.get("/api/v1/auth/tokens/").json()["results"]}
    assert tokens["kept"]["is_active"] is True
    assert tokens["dropped"]["is_active"] is False
    assert tokens["dropped"]["revoked_at"] is not None


def test_issuing_and_revoking_are_recorded_in_the_activity_log(
    citizen: Any, api_client: APIClient
) -> None:
    from townhall.activity.models import Activity

    key = api_client.post(
        "/api/v1/auth/token/", {"email": citizen.email, "password": PASSWORD}, format="json"
    ).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    token_id = api_client.get("/api/v1/auth/tokens/").json()["results"][0]["id"]
    api_client.delete(f"/api/v1/auth/tokens/{token_id}/")

    verbs = list(
        Activity.objects.filter(citizen=citizen, verb__startswith="api_token.").values_list(
            "verb", flat=True
        )
    )
    assert sorted(verbs) == ["api_token.issued", "api_token.revoked"]
