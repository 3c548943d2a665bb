"""GET /api/v1/me/: the caller's own account, and nobody else's."""

from typing import Any

from rest_framework.test import APIClient


def test_anonymous_caller_gets_401_json(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "status": 401,
    }
    assert response["WWW-Authenticate"] == "Bearer"


def test_citizen_sees_their_own_account(citizen: Any, bearer_client: Any) -> None:
    citizen.legal_name = "Alexandra Park"
    citizen.save(update_fields=["legal_name"])
    data = bearer_client(citizen).get("/api/v1/me/").json()
    assert data["email"] == "alex@example.org"
    assert data["display_name"] == "Alex Park"
    assert data["legal_name"] == "Alexandra Park"
    assert data["preferred_language"] == "en"
    assert data["assurance_level"] == "email_verified"
    assert data["assurance_changed_at"] is not None
    assert data["staff_memberships"] == []
    assert "password" not in data


def test_each_token_shows_only_its_own_account(
    citizen: Any, citizen2: Any, bearer_client: Any
) -> None:
    assert bearer_client(citizen).get("/api/v1/me/").json()["email"] == "alex@example.org"
    assert bearer_client(citizen2).get("/api/v1/me/").json()["email"] == "bea@example.org"


def test_staff_member_sees_their_active_work_personas(
    staff_member: Any, other_agency: Any, site_admin: Any, bearer_client: Any
) -> None:
    from townhall.agencies import actions

    former = actions.add_staff_member(
        by=site_admin,
        agency=other_agency,
        user=staff_member.user,
        public_name="Sam R.",
        job_title="Seasonal Ranger",
    )
    former.is_active = False
    former.save(update_fields=["is_active"])

    data = bearer_client(staff_member.user).get("/api/v1/me/").json()
    assert data["staff_memberships"] == [
        {
            "id": staff_member.pk,
            "agency": "public-works",
            "agency_name": "Public Works",
            "public_name": "Sam Rivera",
            "title": "Road Maintenance Supervisor",
            "job_title": "Road Maintenance Supervisor",
            "role": "staff",
            "is_public_profile": True,
        }
    ]


def test_signed_in_browser_session_also_reaches_the_api(citizen: Any) -> None:
    client = APIClient()
    client.force_login(citizen)
    assert client.get("/api/v1/me/").json()["email"] == "alex@example.org"


def test_account_endpoint_is_read_only(citizen: Any, bearer_client: Any) -> None:
    client = bearer_client(citizen)
    response = client.patch("/api/v1/me/", {"email": "evil@example.org"}, format="json")
    assert response.status_code == 405
    assert response.json()["status"] == 405
    citizen.refresh_from_db()
    assert citizen.email == "alex@example.org"
