"""GET /api/v1/services/ and /api/v1/services/{code}/: what can be filed, and how it is kept."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from townhall.agencies import actions
from townhall.agencies.models import ServiceKind
from townhall.api.serializers import ServiceFilterSerializer

POTHOLE = {
    "code": "pothole",
    "name": "Pothole",
    "description": "Report a pothole on a city street.",
    "kind": "problem_report",
    "group": "Streets",
    "keywords": ["hole", "road"],
    "agency": {
        "slug": "public-works",
        "name": "Public Works",
        "jurisdiction": "US-IL",
        "timezone": "America/Chicago",
    },
    "standard": {
        "acknowledge_working_days": 1,
        "respond_working_days": 5,
        "extension_working_days": 0,
    },
    "allows_private": True,
    "public_by_default": True,
    "location_required": True,
    "required_assurance": "email_verified",
    "required_assurance_level": "email_verified",
    "attributes": [
        {
            "code": "road-position",
            "datatype": "singlevaluelist",
            "required": True,
            "order": 0,
            "description": "Where on the road is it?",
            "datatype_description": "",
            "variable": True,
            "values": [
                {"key": "lane", "name": "In a traffic lane"},
                {"key": "sidewalk", "name": "On the sidewalk"},
            ],
        },
        {
            "code": "seen-on",
            "datatype": "date",
            "required": False,
            "order": 1,
            "description": "When did you first see it?",
            "datatype_description": "Roughly is fine.",
            "variable": True,
            "values": [],
        },
    ],
}


@pytest.fixture
def pothole(agency: Any, site_admin: Any) -> Any:
    service = actions.add_service(
        by=site_admin,
        agency=agency,
        code="pothole",
        name="Pothole",
        description="Report a pothole on a city street.",
        kind=ServiceKind.PROBLEM_REPORT,
        keywords=["hole", "road"],
        group="Streets",
        location_required=True,
        acknowledge_working_days=1,
        respond_working_days=5,
        public_by_default=True,
    )
    # Added out of order: the API lists them by `order`.
    actions.add_service_attribute(
        by=site_admin,
        service=service,
        code="seen-on",
        description="When did you first see it?",
        datatype="date",
        datatype_description="Roughly is fine.",
        order=1,
    )
    actions.add_service_attribute(
        by=site_admin,
        service=service,
        code="road-position",
        description="Where on the road is it?",
        datatype="singlevaluelist",
        required=True,
        order=0,
        values=[
            {"key": "lane", "name": "In a traffic lane"},
            {"key": "sidewalk", "name": "On the sidewalk"},
        ],
    )
    return service


@pytest.fixture
def foi(other_agency: Any, site_admin: Any) -> Any:
    return actions.add_service(
        by=site_admin,
        agency=other_agency,
        code="foi-request",
        name="Freedom of Information request",
        kind=ServiceKind.FOI_REQUEST,
        acknowledge_working_days=5,
        respond_working_days=20,
    )


def test_a_service_is_described_whole_in_the_agreed_shape(
    pothole: Any, api_client: APIClient
) -> None:
    response = api_client.get("/api/v1/services/pothole/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == POTHOLE


def test_the_list_gives_each_service_in_the_same_shape_ordered_by_code(
    pothole: Any, foi: Any, api_client: APIClient
) -> None:
    data = api_client.get("/api/v1/services/").json()
    assert [s["code"] for s in data["results"]] == ["foi-request", "pothole"]
    assert data["results"][1] == POTHOLE
    first = data["results"][0]
    assert first["kind"] == "foi_request"
    assert first["standard"] == {
        "acknowledge_working_days": 5,
        "respond_working_days": 20,
        "extension_working_days": 10,
    }
    assert first["public_by_default"] is True and first["allows_private"] is False
    assert first["agency"]["slug"] == "parks-and-recreation"
    assert first["attributes"] == []


def test_withdrawn_services_and_unpublished_agencies_are_left_out(
    pothole: Any, foi: Any, other_agency: Any, site_admin: Any, api_client: APIClient
) -> None:
    actions.update_service(by=site_admin, service=pothole, changes={"is_active": False})
    actions.update_agency(by=site_admin, agency=other_agency, changes={"is_published": False})
    assert api_client.get("/api/v1/services/").json()["results"] == []
    for code in ["pothole", "foi-request"]:
        response = api_client.get(f"/api/v1/services/{code}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "status": 404}


@pytest.mark.parametrize("code", ["no-such-service", "POTHOLE", "pothole-"])
def test_an_unknown_code_is_a_json_404(pothole: Any, api_client: APIClient, code: str) -> None:
    response = api_client.get(f"/api/v1/services/{code}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "status": 404}


def test_an_address_that_is_no_code_at_all_is_a_json_404(api_client: APIClient, db: Any) -> None:
    response = api_client.get("/api/v1/services/%3Cscript%3E/")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_services_can_be_filtered_by_agency_and_kind(
    pothole: Any, foi: Any, agency: Any, site_admin: Any, api_client: APIClient
) -> None:
    actions.add_service(
        by=site_admin, agency=agency, code="streets-question", name="Q", kind="question"
    )

    def codes(query: str) -> list[str]:
        response = api_client.get(f"/api/v1/services/?{query}")
        assert response.status_code == 200, response.json()
        return [s["code"] for s in response.json()["results"]]

    assert codes("agency=public-works") == ["pothole", "streets-question"]
    assert codes("agency=parks-and-recreation") == ["foi-request"]
    assert codes("kind=foi_request") == ["foi-request"]
    assert codes("agency=public-works&kind=question") == ["streets-question"]
    assert codes("agency=parks-and-recreation&kind=question") == []
    assert codes("agency=&kind=") == ["foi-request", "pothole", "streets-question"]


@pytest.mark.parametrize(
    "query, field, message",
    [
        (
            "kind=faq",
            "kind",
            "“faq” is not a kind of service. Choose one of: question, problem_report, "
            "service, foi_request, complaint.",
        ),
        (
            "kind=%3Cscript%3E",
            "kind",
            "“<script>” is not a kind of service. Choose one of: question, problem_report, "
            "service, foi_request, complaint.",
        ),
        ("agency=no-such-agency", "agency", "No published agency has the slug “no-such-agency”."),
        ("agency=public works", "agency", "Give an agency by its slug, such as public-works."),
        ("agency=' OR 1=1 --", "agency", "Give an agency by its slug, such as public-works."),
        ("agency=" + "a" * 81, "agency", "Give an agency by its slug, such as public-works."),
    ],
)
def test_a_bad_filter_is_a_400_that_says_what_is_wrong(
    pothole: Any, api_client: APIClient, query: str, field: str, message: str
) -> None:
    response = api_client.get(f"/api/v1/services/?{query}")
    assert response.status_code == 400
    data = response.json()
    assert data["status"] == 400
    assert data["errors"] == {field: [message]}


def test_an_unpublished_agency_cannot_be_used_as_a_filter(
    pothole: Any, agency: Any, site_admin: Any, api_client: APIClient
) -> None:
    actions.update_agency(by=site_admin, agency=agency, changes={"is_published": False})
    response = api_client.get("/api/v1/services/?agency=public-works")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "agency": ["No published agency has the slug “public-works”."]
    }


def test_the_kinds_named_in_the_error_are_all_the_kinds() -> None:
    message = str(ServiceFilterSerializer().fields["kind"].error_messages["invalid_choice"])
    assert message.endswith(": " + ", ".join(ServiceKind.values) + ".")


def test_services_come_in_pages_by_code(
    agency: Any, site_admin: Any, api_client: APIClient
) -> None:
    for n in range(5):
        actions.add_service(by=site_admin, agency=agency, code=f"service-{n}", name=f"S{n}")
    first = api_client.get("/api/v1/services/?page_size=2").json()
    assert [s["code"] for s in first["results"]] == ["service-0", "service-1"]
    second = api_client.get(first["next"]).json()
    assert [s["code"] for s in second["results"]] == ["service-2", "service-3"]
    third = api_client.get(second["next"]).json()
    assert [s["code"] for s in third["results"]] == ["service-4"]
    assert third["next"] is None


def test_a_forged_cursor_is_a_json_404(pothole: Any, api_client: APIClient) -> None:
    response = api_client.get("/api/v1/services/?cursor=not-a-cursor")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_the_service_list_costs_the_same_few_queries_however_many_services(
    site_admin: Any,
    api_client: APIClient,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(4):
        agency = actions.create_agency(
            by=site_admin, name=f"Agency {n}", purpose="p", jurisdiction="US-IL", time_zone="UTC"
        )
        for m in range(3):
            service = actions.add_service(
                by=site_admin, agency=agency, code=f"s-{n}-{m}", name=f"S {n} {m}"
            )
            for q in range(3):
                actions.add_service_attribute(
                    by=site_admin,
                    service=service,
                    code=f"q{q}",
                    description=f"Question {q}",
                    datatype="multivaluelist",
                    values=[{"key": "a", "name": "A"}, {"key": "b", "name": "B"}],
                )
    # the page of services with their agencies, then all their questions
    with django_assert_max_num_queries(2):
        response = api_client.get("/api/v1/services/")
    results = response.json()["results"]
    assert len(results) == 12
    assert all(len(s["attributes"]) == 3 for s in results)
    # a filter by agency adds one look-up, however many services match
    with django_assert_max_num_queries(3):
        response = api_client.get("/api/v1/services/?agency=agency-2")
    assert len(response.json()["results"]) == 3


def test_one_service_costs_a_fixed_number_of_queries(
    pothole: Any, api_client: APIClient, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        assert api_client.get("/api/v1/services/pothole/").status_code == 200


def test_text_comes_back_exactly_as_written_for_clients_to_escape(
    agency: Any, site_admin: Any, api_client: APIClient
) -> None:
    nasty = "<script>alert('x')</script> & \"quotes\""
    service = actions.add_service(
        by=site_admin, agency=agency, code="nasty", name=nasty, description=nasty
    )
    actions.add_service_attribute(
        by=site_admin,
        service=service,
        code="q",
        description=nasty,
        datatype="singlevaluelist",
        values=[{"key": "a", "name": nasty}],
    )
    data = api_client.get("/api/v1/services/nasty/").json()
    assert data["name"] == data["description"] == nasty
    assert data["attributes"][0]["description"] == nasty
    assert data["attributes"][0]["values"] == [{"key": "a", "name": nasty}]


def test_the_services_api_needs_no_sign_in_but_refuses_a_bad_token(
    pothole: Any, api_client: APIClient
) -> None:
    assert api_client.get("/api/v1/services/").status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-token")
    assert api_client.get("/api/v1/services/").status_code == 401


def test_the_services_api_only_reads(pothole: Any, api_client: APIClient) -> None:
    for method in ["post", "put", "patch", "delete"]:
        response = getattr(api_client, method)("/api/v1/services/pothole/", {}, format="json")
        assert response.status_code == 405, method
    assert api_client.post("/api/v1/services/", {}, format="json").status_code == 405
