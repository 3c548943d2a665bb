"""GET /api/v1/transparency/agencies/ and /agencies/{slug}/ take `?service=` (a service's
code) and `?team=` (a team's short name or id): the figures of that service or team only.
An unknown value is a 400 in the API's error format; the cost stays a few queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from townhall.agencies import actions as agency_actions
from townhall.agencies.models import Agency
from townhall.service_requests import actions
from townhall.transparency import rollups

pytestmark = pytest.mark.django_db

LIST = "/api/v1/transparency/agencies/"


@pytest.fixture
def city(
    citizen: Any,
    staff_member: Any,
    team: Any,
    file_pothole: Any,
    foi_request: Any,
    other_agency: Any,
    site_admin: Any,
) -> dict[str, Any]:
    """Public Works: two pothole reports (one with its Streets team) and an FOI request.
    Parks and Recreation: a shelter booking, and a team also called Streets."""
    potholes = [file_pothole(), file_pothole()]
    actions.assign_request(by=staff_member.user, request=potholes[0], team=team)
    shelter = agency_actions.add_service(
        by=site_admin, agency=other_agency, code="shelter", name="Book a picnic shelter"
    )
    actions.file_request(by=citizen, service=shelter, description="Saturday, please.")
    parks_streets = agency_actions.create_team(by=site_admin, agency=other_agency, name="Streets")
    rollups.rebuild()
    return {"team": team, "parks_streets": parks_streets}


def detail(agency: Any) -> str:
    return f"/api/v1/transparency/agencies/{agency.slug}/"


def by_slug(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    return {entry["agency"]["slug"]: entry for entry in response.json()["results"]}


def assert_refused(response: Any, field: str) -> None:
    assert response.status_code == 400
    data = response.json()
    assert set(data) == {"detail", "errors", "status"}
    assert data["status"] == 400
    assert list(data["errors"]) == [field]
    assert data["errors"][field][0]


# --- one agency -----------------------------------------------------------------------------


def test_one_service_of_an_agency(api_client: APIClient, city: Any, agency: Any) -> None:
    everything = api_client.get(detail(agency)).json()
    assert everything["received"] == 3
    data = api_client.get(detail(agency), {"service": "pothole"}).json()
    assert data["received"] == 2
    assert data["open"] == 2
    assert [service["code"] for service in data["services"]] == ["pothole"]
    foi = api_client.get(detail(agency), {"service": "foi-public-works", "period": "week"})
    assert foi.json()["received"] == 1 and foi.json()["period"] == "week"


def test_one_team_by_short_name_or_id(api_client: APIClient, city: Any, agency: Any) -> None:
    team = city["team"]
    by_name = api_client.get(detail(agency), {"team": team.slug}).json()
    by_id = api_client.get(detail(agency), {"team": str(team.pk)}).json()
    assert by_name["received"] == by_id["received"] == 1
    assert by_name["open"] == 1
    assert [entry["slug"] for entry in by_name["teams"]] == [team.slug]


def test_service_and_team_together(api_client: APIClient, city: Any, agency: Any) -> None:
    data = api_client.get(
        detail(agency), {"service": "foi-public-works", "team": city["team"].slug}
    ).json()
    assert data["received"] == 0


@pytest.mark.parametrize(
    "value",
    [
        "no-such-service",
        "shelter",
        "<script>alert(1)</script>",
        "x" * 500,
        "../pothole",
        "pot hole",
    ],
)
def test_an_unknown_service_is_a_400_naming_the_field(
    api_client: APIClient, city: Any, agency: Any, value: str
) -> None:
    response = api_client.get(detail(agency), {"service": value})
    assert_refused(response, "service")
    assert "<script>" not in response.content.decode()


def test_another_agencys_team_is_not_this_agencys(
    api_client: APIClient, city: Any, agency: Any
) -> None:
    assert_refused(api_client.get(detail(agency), {"team": str(city["parks_streets"].pk)}), "team")
    assert_refused(api_client.get(detail(agency), {"team": "99999999999"}), "team")
    assert_refused(api_client.get(detail(agency), {"team": "9" * 40}), "team")
    assert_refused(api_client.get(detail(agency), {"team": "streets\x00"}), "team")


def test_an_empty_filter_is_no_filter(api_client: APIClient, city: Any, agency: Any) -> None:
    data = api_client.get(detail(agency), {"service": "", "team": " "}).json()
    assert data["received"] == 3


# --- every agency ----------------------------------------------------------------------------


def test_the_list_by_service_shows_only_the_agency_offering_it(
    api_client: APIClient, city: Any, agency: Any, other_agency: Any
) -> None:
    pothole = by_slug(api_client.get(LIST, {"service": "pothole"}))
    assert list(pothole) == [agency.slug]
    assert pothole[agency.slug]["received"] == 2
    assert pothole[agency.slug]["open"] == 2
    shelter = by_slug(api_client.get(LIST, {"service": "shelter"}))
    assert list(shelter) == [other_agency.slug]
    assert shelter[other_agency.slug]["received"] == 1


def test_the_list_by_team_short_name_covers_each_agencys_team_of_that_name(
    api_client: APIClient, city: Any, agency: Any, other_agency: Any
) -> None:
    streets = by_slug(api_client.get(LIST, {"team": "streets"}))
    assert set(streets) == {agency.slug, other_agency.slug}
    assert streets[agency.slug]["received"] == 1
    assert streets[other_agency.slug]["received"] == 0
    by_id = by_slug(api_client.get(LIST, {"team": str(city["parks_streets"].pk)}))
    assert list(by_id) == [other_agency.slug]


def test_the_list_refuses_unknown_values(api_client: APIClient, city: Any) -> None:
    assert_refused(api_client.get(LIST, {"service": "nope"}), "service")
    assert_refused(api_client.get(LIST, {"team": "nope"}), "team")
    assert_refused(api_client.get(LIST, {"team": "-1"}), "team")


def test_an_unpublished_agencys_service_and_team_are_unknown(
    api_client: APIClient, city: Any, other_agency: Any
) -> None:
    Agency.objects.filter(pk=other_agency.pk).update(is_published=False)
    assert_refused(api_client.get(LIST, {"service": "shelter"}), "service")
    assert_refused(api_client.get(LIST, {"team": str(city["parks_streets"].pk)}), "team")
    streets = by_slug(api_client.get(LIST, {"team": "streets"}))
    assert other_agency.slug not in streets


def _queries(client: APIClient, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured.captured_queries)


def test_the_cost_does_not_grow_with_the_city(
    api_client: APIClient,
    city: Any,
    agency: Any,
    site_admin: Any,
    file_pothole: Any,
    django_assert_max_num_queries: Any,
) -> None:
    asked = [
        (LIST, {"team": "streets"}),
        (LIST, {"service": "pothole"}),
        (detail(agency), {"service": "pothole", "team": "streets"}),
    ]
    before = [_queries(api_client, url, params) for url, params in asked]
    for number in range(4):
        other = agency_actions.create_agency(
            by=site_admin,
            name=f"Agency {number}",
            purpose="More of the city.",
            jurisdiction="US-IL",
            time_zone="America/Chicago",
        )
        agency_actions.create_team(by=site_admin, agency=other, name="Streets")
    for _n in range(5):
        file_pothole()
    rollups.rebuild()
    for (url, params), count in zip(asked, before, strict=True):
        with django_assert_max_num_queries(count):
            assert api_client.get(url, params).status_code == 200
