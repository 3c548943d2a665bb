"""GET /api/v1/agencies/ and /api/v1/agencies/{slug}/: published agencies, whole."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from townhall.agencies import actions


@pytest.fixture
def equipped_agency(agency: Any, site_admin: Any, staff_member: Any, make_user: Any) -> Any:
    """Public Works with a goal, a team, a public and a private staff member, two services."""
    actions.add_goal(
        by=site_admin,
        agency=agency,
        title="Fix potholes fast",
        measure="Share of potholes filled within 5 working days",
        description="Smooth streets for everyone.",
    )
    actions.create_team(by=site_admin, agency=agency, name="Streets", description="Roads, signs")
    actions.add_staff_member(
        by=site_admin,
        agency=agency,
        user=make_user("quiet@example.org"),
        public_name="Quinn Quiet",
        job_title="Analyst",
        is_public_profile=False,
    )
    actions.add_service(
        by=site_admin,
        agency=agency,
        code="pothole",
        name="Pothole",
        kind="problem_report",
        acknowledge_working_days=1,
        respond_working_days=5,
    )
    retired = actions.add_service(by=site_admin, agency=agency, code="old", name="Retired service")
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    return agency


def test_agency_detail_shows_purpose_goals_teams_public_staff_and_services(
    equipped_agency: Any, staff_member: Any, api_client: APIClient
) -> None:
    response = api_client.get("/api/v1/agencies/public-works/")
    assert response.status_code == 200
    data = response.json()
    assert data["url"] == "http://testserver/api/v1/agencies/public-works/"
    assert data["name"] == "Public Works"
    assert data["slug"] == "public-works"
    assert data["purpose"] == "Keep Springfield's streets, water and waste running."
    assert data["jurisdiction"] == "US-IL"
    assert data["time_zone"] == "America/Chicago"
    assert data["parent"] is None
    assert data["goals"] == [
        {
            "title": "Fix potholes fast",
            "description": "Smooth streets for everyone.",
            "measure": "Share of potholes filled within 5 working days",
            "metric": None,
            "target": None,
        }
    ]
    assert data["teams"] == [{"name": "Streets", "slug": "streets", "description": "Roads, signs"}]
    assert data["staff"] == [
        {
            "id": staff_member.pk,
            "public_name": "Sam Rivera",
            "job_title": "Road Maintenance Supervisor",
            "role": "staff",
            "profile_url": "http://testserver/agencies/public-works/people/sam-rivera/",
        }
    ]
    assert data["services"] == [
        {
            "code": "pothole",
            "name": "Pothole",
            "description": "",
            "kind": "problem_report",
            "standard": {
                "acknowledge_working_days": 1,
                "respond_working_days": 5,
                "extension_working_days": 0,
            },
        }
    ]


def test_staff_profile_links_lead_to_the_public_profile_page(
    equipped_agency: Any, api_client: APIClient
) -> None:
    profile_url = api_client.get("/api/v1/agencies/public-works/").json()["staff"][0]["profile_url"]
    page = APIClient().get(profile_url.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert "Sam Rivera" in page.content.decode()


def test_agency_list_is_ordered_by_slug_and_hides_unpublished_agencies(
    agency: Any, other_agency: Any, site_admin: Any, api_client: APIClient
) -> None:
    hidden = actions.create_agency(
        by=site_admin,
        name="Aardvark Control",
        purpose="Secret.",
        jurisdiction="US-IL",
        time_zone="America/Chicago",
    )
    hidden.is_published = False
    hidden.save(update_fields=["is_published"])
    data = api_client.get("/api/v1/agencies/").json()
    assert [a["slug"] for a in data["results"]] == ["parks-and-recreation", "public-works"]
    assert api_client.get("/api/v1/agencies/aardvark-control/").status_code == 404


def test_parent_agency_is_named_by_slug_unless_it_is_unpublished(
    agency: Any, site_admin: Any, api_client: APIClient
) -> None:
    actions.create_agency(
        by=site_admin,
        name="Water",
        purpose="Water.",
        jurisdiction="US-IL",
        time_zone="America/Chicago",
        parent=agency,
    )
    assert api_client.get("/api/v1/agencies/water/").json()["parent"] == "public-works"
    agency.is_published = False
    agency.save(update_fields=["is_published"])
    assert api_client.get("/api/v1/agencies/water/").json()["parent"] is None


def test_unknown_agency_slug_is_a_json_404(api_client: APIClient, db: Any) -> None:
    for slug in ["nope", "DROP-TABLE-agencies", "x" * 500]:
        response = api_client.get(f"/api/v1/agencies/{slug}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "status": 404}


def test_agency_text_comes_back_exactly_as_written(site_admin: Any, api_client: APIClient) -> None:
    purpose = "<script>alert('x')</script> & \"quotes\"; DROP TABLE agencies;--"
    actions.create_agency(
        by=site_admin,
        name="Odd",
        purpose=purpose,
        jurisdiction="US-IL",
        time_zone="America/Chicago",
    )
    assert api_client.get("/api/v1/agencies/odd/").json()["purpose"] == purpose


def test_agency_list_pages_with_a_cursor(site_admin: Any, api_client: APIClient) -> None:
    for name in ["Delta", "Alpha", "Charlie", "Bravo", "Echo"]:
        actions.create_agency(
            by=site_admin, name=name, purpose="p", jurisdiction="US-IL", time_zone="UTC"
        )
    first = api_client.get("/api/v1/agencies/?page_size=2").json()
    assert [a["slug"] for a in first["results"]] == ["alpha", "bravo"]
    second = api_client.get(first["next"]).json()
    assert [a["slug"] for a in second["results"]] == ["charlie", "delta"]
    third = api_client.get(second["next"]).json()
    assert [a["slug"] for a in third["results"]] == ["echo"]
    assert third["next"] is None


def test_a_forged_cursor_is_a_json_404_and_odd_but_decodable_ones_are_harmless(
    agency: Any, api_client: APIClient
) -> None:
    for cursor in ["garbage", "%FF%FE"]:
        response = api_client.get(f"/api/v1/agencies/?cursor={cursor}")
        assert response.status_code == 404, cursor
        assert response.json() == {"detail": "Invalid cursor", "status": 404}
    # "p=1" with a stray NUL after it, and a huge offset, base64-encoded
    for cursor in ["cD0x%00", "bz0xMDAwMDAwMDAwMDAwMDAwMDAwMDA="]:
        response = api_client.get(f"/api/v1/agencies/?cursor={cursor}")
        assert response.status_code == 200, cursor
        assert "results" in response.json()
    # "r=1&p=%00": a position holding a NUL byte, which no database column can hold
    response = api_client.get("/api/v1/agencies/?cursor=cj0xJnA9JTAw")
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor", "status": 404}


def test_silly_page_sizes_fall_back_to_the_default(agency: Any, api_client: APIClient) -> None:
    for size in ["-1", "abc", "0", "1" * 30, ""]:
        response = api_client.get(f"/api/v1/agencies/?page_size={size}")
        assert response.status_code == 200, size
        assert [a["slug"] for a in response.json()["results"]] == ["public-works"]


def test_agency_list_costs_the_same_few_queries_however_many_agencies(
    site_admin: Any, make_user: Any, api_client: APIClient, django_assert_max_num_queries: Any
) -> None:
    for n in range(8):
        agency = actions.create_agency(
            by=site_admin, name=f"Agency {n}", purpose="p", jurisdiction="US-IL", time_zone="UTC"
        )
        actions.add_goal(by=site_admin, agency=agency, title=f"Goal {n}", measure="m")
        actions.add_goal(by=site_admin, agency=agency, title=f"Goal {n}b", measure="m")
        actions.create_team(by=site_admin, agency=agency, name=f"Team {n}")
        actions.add_service(by=site_admin, agency=agency, code=f"service-{n}", name=f"S{n}")
        for m in range(2):
            actions.add_staff_member(
                by=site_admin,
                agency=agency,
                user=make_user(f"staff{n}-{m}@example.org"),
                public_name=f"Person {n}-{m}",
                job_title="Clerk",
            )
    # the page, then goals, teams, public staff and services: one query each
    with django_assert_max_num_queries(5):
        response = api_client.get("/api/v1/agencies/")
    results = response.json()["results"]
    assert len(results) == 8
    assert all(len(a["goals"]) == 2 and len(a["staff"]) == 2 for a in results)


def test_agency_detail_costs_a_fixed_number_of_queries(
    equipped_agency: Any, api_client: APIClient, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(5):
        assert api_client.get("/api/v1/agencies/public-works/").status_code == 200
