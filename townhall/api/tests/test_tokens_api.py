"""GET /api/v1/auth/tokens/ and DELETE /api/v1/auth/tokens/{id}/: your own tokens only."""

from typing import Any

from rest_framework.test import APIClient

from townhall.identity.actions import issue_api_token
from townhall.identity.models import ApiToken


def test_token_list_never_shows_a_key_or_its_hash(citizen: Any, bearer_client: Any) -> None:
    client = bearer_client(citizen)
    token = ApiToken.objects.get(user=citizen)
    body = client.get("/api/v1/auth/tokens/").content.decode()
    assert token.key_hash not in body
    [row] = client.get("/api/v1/auth/tokens/").json()["results"]
    assert set(row) == {
        "id",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
        "is_active",
    }


def test_citizen_cannot_see_another_citizens_tokens(
    citizen: Any, citizen2: Any, bearer_client: Any
) -> None:
    issue_api_token(by=citizen2, user=citizen2, name="Bea's secret script", via="test")
    names = [
        t["name"] for t in bearer_client(citizen).get("/api/v1/auth/tokens/").json()["results"]
    ]
    assert names == ["Test token"]


def test_citizen_cannot_revoke_another_citizens_token(
    citizen: Any, citizen2: Any, bearer_client: Any
) -> None:
    theirs, _key = issue_api_token(by=citizen2, user=citizen2, name="Bea's", via="test")
    response = bearer_client(citizen).delete(f"/api/v1/auth/tokens/{theirs.pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "status": 404}
    theirs.refresh_from_db()
    assert theirs.is_active


def test_revoking_twice_is_harmless(citizen: Any, bearer_client: Any) -> None:
    client = APIClient()
    client.force_login(citizen)
    token, _key = issue_api_token(by=citizen, user=citizen, name="Old", via="test")
    assert client.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    assert client.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first


def test_unknown_or_absurd_token_ids_are_404(citizen: Any, bearer_client: Any) -> None:
    client = bearer_client(citizen)
    for token_id in ["999999", "99999999999999999999999999"]:
        response = client.delete(f"/api/v1/auth/tokens/{token_id}/")
        assert response.status_code == 404, token_id
        assert response.json()["status"] == 404


def test_a_token_can_only_be_revoked_not_read_or_changed(citizen: Any, bearer_client: Any) -> None:
    client = bearer_client(citizen)
    token = ApiToken.objects.get(user=citizen)
    for method in ("get", "put", "patch"):
        response = getattr(client, method)(f"/api/v1/auth/tokens/{token.pk}/")
        assert response.status_code == 405, method
        assert response.json()["status"] == 405


def test_anonymous_caller_cannot_list_or_revoke(citizen: Any, api_client: APIClient) -> None:
    token, _key = issue_api_token(by=citizen, user=citizen, name="Mine", via="test")
    assert api_client.get("/api/v1/auth/tokens/").status_code == 401
    assert api_client.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 401
    token.refresh_from_db()
    assert token.is_active


def test_session_caller_must_send_the_csrf_token_to_revoke(citizen: Any) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(citizen)
    token, _key = issue_api_token(by=citizen, user=citizen, name="Mine", via="test")
    response = client.delete(f"/api/v1/auth/tokens/{token.pk}/")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    token.refresh_from_db()
    assert token.is_active


def test_token_list_is_paginated_newest_first(citizen: Any, bearer_client: Any) -> None:
    client = bearer_client(citizen)
    for n in range(4):
        issue_api_token(by=citizen, user=citizen, name=f"token {n}", via="test")
    first = client.get("/api/v1/auth/tokens/?page_size=3").json()
    assert [t["name"] for t in first["results"]] == ["token 3", "token 2", "token 1"]
    second = client.get(first["next"]).json()
    assert [t["name"] for t in second["results"]] == ["token 0", "Test token"]
    assert second["next"] is None


def test_token_list_costs_the_same_few_queries_for_many_tokens(
    citizen: Any, bearer_client: Any, django_assert_max_num_queries: Any
) -> None:
    client = bearer_client(citizen)
    client.get("/api/v1/me/")  # the token's last_used_at is now fresh: no update below
    for n in range(12):
        issue_api_token(by=citizen, user=citizen, name=f"token {n}", via="test")
    with django_assert_max_num_queries(2):  # the token lookup, the page
        response = client.get("/api/v1/auth/tokens/")
    assert len(response.json()["results"]) == 13
