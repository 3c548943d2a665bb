"""Fixtures of the service-request API tests (imported by the test_requests_* modules).

They mirror `townhall/service_requests/tests/conftest.py`, which pytest does not share
with this folder. Data is built through actions.
"""

from __future__ import annotations

from typing import Any

import pytest

from townhall.agencies import actions as agency_actions
from townhall.agencies.models import ServiceKind, StaffRole

# Inside the default SERVICE_AREA (Springfield, Illinois).
LAT, LONG = "39.781700", "-89.650100"
POTHOLE_BODY = {
    "service": "pothole",
    "description": "Deep pothole outside number 12, cyclists swerve around it.",
    "attributes": {"size": "large"},
    "location": {"lat": 39.7817, "long": -89.6501, "address": "12 Monroe St"},
}


@pytest.fixture
def team(agency: Any, site_admin: Any) -> Any:
    return agency_actions.create_team(by=site_admin, agency=agency, name="Streets")


@pytest.fixture
def manager(make_user: Any, agency: Any, site_admin: Any, team: Any) -> Any:
    """Lee Chen, the Streets team's manager at Public Works (the membership)."""
    return agency_actions.add_staff_member(
        by=site_admin,
        agency=agency,
        user=make_user("lee@example.org", "Lee"),
        public_name="Lee Chen",
        job_title="Streets Manager",
        role=StaffRole.MANAGER,
        teams=[team],
    )


@pytest.fixture
def colleague(make_user: Any, agency: Any, site_admin: Any) -> Any:
    """Kim Osei, another Public Works staff member (the membership)."""
    return agency_actions.add_staff_member(
        by=site_admin,
        agency=agency,
        user=make_user("kim@example.org", "Kim"),
        public_name="Kim Osei",
        job_title="Inspector",
    )


@pytest.fixture
def other_staff(make_user: Any, other_agency: Any, site_admin: Any) -> Any:
    """Pat Green of Parks and Recreation (the membership): an unrelated agency."""
    return agency_actions.add_staff_member(
        by=site_admin,
        agency=other_agency,
        user=make_user("pat@example.org", "Pat"),
        public_name="Pat Green",
        job_title="Ranger",
    )


@pytest.fixture
def pothole_service(agency: Any, site_admin: Any) -> Any:
    """Report a pothole: needs a location, private by default, acknowledge 2 / answer 5."""
    service = agency_actions.add_service(
        by=site_admin,
        agency=agency,
        code="pothole",
        name="Report a pothole",
        kind=ServiceKind.PROBLEM_REPORT,
        keywords="pothole, road, street",
        group="Streets",
        location_required=True,
        acknowledge_working_days=2,
        respond_working_days=5,
    )
    agency_actions.add_service_attribute(
        by=site_admin,
        service=service,
        code="size",
        description="How big is it?",
        datatype="singlevaluelist",
        required=True,
        values=[
            {"key": "small", "name": "Smaller than a plate"},
            {"key": "large", "name": "Larger"},
        ],
    )
    return service


@pytest.fixture
def foi_service(agency: Any, site_admin: Any) -> Any:
    """A freedom-of-information request: public, 5 / 20 working days, 10-day extension."""
    return agency_actions.add_service(
        by=site_admin,
        agency=agency,
        code="foi-public-works",
        name="Freedom of information request",
        kind=ServiceKind.FOI_REQUEST,
        acknowledge_working_days=5,
        respond_working_days=20,
    )


@pytest.fixture
def file_pothole(citizen: Any, pothole_service: Any) -> Any:
    """File a pothole report through the action as `by` (default: the citizen Alex)."""
    from townhall.service_requests import actions

    def file(by: Any = None, **extra: Any) -> Any:
        fields: dict[str, Any] = {
            "description": "Deep pothole outside number 12, cyclists swerve around it.",
            "answers": {"size": "large"},
            "latitude": LAT,
            "longitude": LONG,
            "address": "12 Monroe St",
        }
        fields.update(extra)
        return actions.file_request(by=by or citizen, service=pothole_service, **fields)

    return file


@pytest.fixture
def as_user(bearer_client: Any) -> Any:
    """An API client sending a fresh Bearer token of an account (or of a membership's)."""

    def make(who: Any) -> Any:
        return bearer_client(getattr(who, "user", who))

    return make
