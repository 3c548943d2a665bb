"""The service finder: every service offered, grouped, with a search that works without
JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from townhall.agencies import actions as agency_actions

from .conftest_citizen import page_text

pytestmark = pytest.mark.django_db

URL = reverse("requests:request-new")


@pytest.fixture
def services(pothole_service: Any, foi_service: Any, other_agency: Any, site_admin: Any) -> Any:
    bench = agency_actions.add_service(
        by=site_admin,
        agency=other_agency,
        code="broken-bench",
        name="Report a broken bench",
        description="Benches, tables and picnic shelters in city parks.",
        kind="problem_report",
        keywords="seat, picnic",
        group="Parks",
    )
    return {"pothole": pothole_service, "foi": foi_service, "bench": bench}


def test_everyone_sees_every_service_grouped(client: Any, services: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    text = page_text(response)
    assert "Make a request" in text
    # Named groups first, alphabetically; the rest last.
    assert text.index("Parks") < text.index("Streets") < text.index("Other services")
    for service in services.values():
        assert reverse("requests:request-file", kwargs={"code": service.code}) in (
            response.content.decode()
        )
    assert 'method="get"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "found", "not_found"),
    [
        ("pothole", "Report a pothole", "Report a broken bench"),
        ("potholes", "Report a pothole", "Report a broken bench"),
        ("PICNIC", "Report a broken bench", "Report a pothole"),  # a keyword
        ("shelters", "Report a broken bench", "Report a pothole"),  # the description
        ("streets", "Report a pothole", "Report a broken bench"),  # the group
        ("parks recreation", "Report a broken bench", "Report a pothole"),  # the agency
        ("freedom", "Freedom of information request", "Report a pothole"),
    ],
)
def test_search_finds_services_by_name_keyword_description_group_or_agency(
    client: Any, services: Any, query: str, found: str, not_found: str
) -> None:
    text = page_text(client.get(URL, {"q": query}))
    assert found in text
    assert not_found not in text


def test_a_search_with_no_match_says_so_and_offers_everything(client: Any, services: Any) -> None:
    for query in ["zzzz", "%", "_", "' OR 1=1 --", "<script>alert(1)</script>"]:
        response = client.get(URL, {"q": query})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()
        text = page_text(response)
        assert "No service matches your search" in text, query
        assert "see every service" in text


def test_a_search_with_a_nul_character_is_refused_politely(client: Any, services: Any) -> None:
    response = client.get(URL, {"q": "pot\x00hole"})
    assert response.status_code == 200
    text = page_text(response)
    assert "Null characters are not allowed." in text
    assert "Report a pothole" in text


def test_a_huge_search_is_refused_politely(client: Any, services: Any) -> None:
    response = client.get(URL, {"q": "pothole " * 100})
    assert response.status_code == 200
    assert "Keep your search to 100 characters or fewer." in page_text(response)


def test_services_no_longer_offered_are_not_listed(
    client: Any, services: Any, site_admin: Any
) -> None:
    agency_actions.update_service(
        by=site_admin, service=services["bench"], changes={"is_active": False}
    )
    assert "Report a broken bench" not in page_text(client.get(URL))


def test_with_no_services_the_page_says_so(client: Any, db: Any) -> None:
    assert "No agency offers services through this site yet." in page_text(client.get(URL))


def test_the_finder_costs_one_query_whatever_the_number_of_services(
    client: Any, services: Any, agency: Any, site_admin: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        agency_actions.add_service(by=site_admin, agency=agency, code=f"s-{n}", name=f"Service {n}")
    with django_assert_max_num_queries(3):
        response = client.get(URL, {"q": "service"})
    assert "Service 29" in page_text(response)
