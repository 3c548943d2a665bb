"""The 201 answer to POST /api/v1/requests/ is the request exactly as GET reads it, for a
new filing (built from what the filing wrote) and for a retry with the same key (read
again, as it stands now)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from townhall.agencies import actions as agency_actions
from townhall.service_requests import actions
from townhall.service_requests.models import ServiceRequest

pytestmark = pytest.mark.django_db

URL = "/api/v1/requests/"


def post(client: Any, body: Any, **headers: Any) -> Any:
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def read_back(client: Any, reference: str) -> dict:
    response = client.get(f"{URL}{reference}/")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def survey_service(agency: Any, site_admin: Any) -> Any:
    """A public service asking a question of every type (some not required)."""
    service = agency_actions.add_service(
        by=site_admin,
        agency=agency,
        code="tree-survey",
        name="Report a street tree",
        kind="problem_report",
        keywords="tree",
        group="Streets",
        location_required=False,
        public_by_default=True,
        acknowledge_working_days=1,
        respond_working_days=10,
    )
    questions = [
        ("species", "string", False, []),
        ("girth", "number", True, []),
        ("planted", "date", False, []),
        (
            "issues",
            "multivaluelist",
            False,
            [{"key": "roots", "name": "Roots"}, {"key": "dead", "name": "Dead branches"}],
        ),
    ]
    for code, datatype, required, values in questions:
        agency_actions.add_service_attribute(
            by=site_admin,
            service=service,
            code=code,
            description=code.title(),
            datatype=datatype,
            required=required,
            values=values,
        )
    return service


def test_a_new_filing_answers_what_get_reads(
    citizen: Any, pothole_service: Any, as_user: Any
) -> None:
    client = as_user(citizen)
    body = {
        "service": "pothole",
        "description": "Deep pothole outside number 12 <b>cyclists</b> swerve.",
        "attributes": {"size": "large"},
        "location": {"lat": 39.7817, "long": -89.6501, "address": "12 Monroe St"},
        "public": True,
    }
    created = post(client, body)
    assert created.status_code == 201
    assert created.json() == read_back(client, created.json()["reference"])


def test_every_kind_of_answer_reads_the_same_in_the_answer_and_in_get(
    citizen: Any, survey_service: Any, as_user: Any
) -> None:
    client = as_user(citizen)
    body = {
        "service": "tree-survey",
        "description": "An old oak losing branches over the pavement.",
        "attributes": {"species": "Oak", "girth": 2.5, "planted": "1950-04-01", "issues": ["dead"]},
    }
    created = post(client, body, HTTP_IDEMPOTENCY_KEY="tree-1")
    assert created.status_code == 201
    assert created.json()["attributes"]["girth"] in (2.5, "2.5")
    assert created.json() == read_back(client, created.json()["reference"])


def test_a_request_routed_to_a_team_answers_what_get_reads(
    citizen: Any, pothole_service: Any, as_user: Any, manager: Any, team: Any, agency: Any
) -> None:
    actions.add_routing_rule(by=manager.user, agency=agency, team=team, service=pothole_service)
    client = as_user(citizen)
    body = {
        "service": "pothole",
        "description": "Pothole by the school gate.",
        "attributes": {"size": "small"},
        "location": {"address": "1 School Lane"},
    }
    created = post(client, body)
    assert created.status_code == 201
    assert created.json() == read_back(client, created.json()["reference"])


def test_a_retry_answers_the_request_as_it_stands_now(
    citizen: Any, pothole_service: Any, as_user: Any, staff_member: Any
) -> None:
    client = as_user(citizen)
    body = {
        "service": "pothole",
        "description": "Pothole on Elm Street.",
        "attributes": {"size": "large"},
        "location": {"address": "5 Elm St"},
        "public": True,
    }
    first = post(client, body, HTTP_IDEMPOTENCY_KEY="elm-1")
    filed = ServiceRequest.objects.get(reference=first.json()["reference"])
    actions.reply_to_request(by=staff_member.user, request=filed, body="We will fill it this week.")

    again = post(client, body, HTTP_IDEMPOTENCY_KEY="elm-1")

    assert again.status_code == 201
    assert again.json()["reference"] == first.json()["reference"]
    assert again.json() == read_back(client, first.json()["reference"])
    assert again.json()["status"] == "acknowledged"
    assert any("fill it this week" in str(message) for message in again.json()["messages"])


def test_a_private_filing_answers_what_get_reads_and_shows_its_promises(
    citizen: Any, pothole_service: Any, as_user: Any
) -> None:
    """A private request's log entries are for its participants and its promises are not
    public: the filer still reads both, in the answer as in GET."""
    client = as_user(citizen)
    body = {
        "service": "pothole",
        "description": "Pothole outside my own driveway.",
        "attributes": {"size": "small"},
        "location": {"address": "7 Oak Row"},
        "public": False,
    }
    created = post(client, body)
    assert created.status_code == 201
    answer = created.json()
    assert answer["public"] is False
    assert [c["kind"] for c in answer["commitments"]] == ["acknowledge", "respond"]
    assert [entry["verb"] for entry in answer["timeline"]][0] == "request.filed"
    assert len(answer["timeline"]) == 3  # filed, and the two promises
    assert answer == read_back(client, answer["reference"])


def test_a_site_administrator_filing_answers_what_get_reads(
    site_admin: Any, pothole_service: Any, as_user: Any
) -> None:
    client = as_user(site_admin)
    body = {
        "service": "pothole",
        "description": "Pothole seen on the way to the office.",
        "attributes": {"size": "large"},
        "location": {"address": "1 Main St"},
        "public": False,
    }
    created = post(client, body)
    assert created.status_code == 201
    assert created.json() == read_back(client, created.json()["reference"])
