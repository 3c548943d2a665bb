"""Fixtures of the service-request tests. Data is built through actions."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator

from townhall.agencies import actions as agency_actions
from townhall.agencies.models import ServiceKind, StaffRole


@pytest.fixture
def sign_in_staff(client: Any) -> Any:
    """Sign a staff member's account in. Staff need a second factor, so give them one."""

    def sign_in(user: Any) -> Any:
        Authenticator.objects.get_or_create(
            user=user, type=Authenticator.Type.TOTP, defaults={"data": {}}
        )
        client.force_login(user)
        return client

    return sign_in


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
    """Another Public Works staff member (the membership)."""
    return agency_actions.add_staff_member(
        by=site_admin,
        agency=agency,
        user=make_user("kim@example.org", "Kim"),
        public_name="Kim Osei",
        job_title="Inspector",
    )


@pytest.fixture
def other_staff(make_user: Any, other_agency: Any, site_admin: Any) -> Any:
    """A Parks and Recreation staff member (the membership): an unrelated agency."""
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
    """File a pothole report as `by` (default: the citizen Alex)."""
    from townhall.service_requests import actions

    def file(by: Any = None, **extra: Any) -> Any:
        fields = {
            "description": "Deep pothole outside number 12, cyclists swerve around it.",
            "answers": {"size": "large"},
            "latitude": "39.7817",
            "longitude": "-89.6501",
            "address": "12 Monroe St",
        }
        fields.update(extra)
        return actions.file_request(by=by or citizen, service=pothole_service, **fields)

    return file


# --- added by the actions helper --------------------------------------------------------


@pytest.fixture
def sam(staff_member: Any) -> Any:
    """Sam Rivera's account (staff of Public Works)."""
    return staff_member.user


@pytest.fixture
def pothole_request(file_pothole: Any) -> Any:
    """Alex's private pothole report, just filed (submitted)."""
    return file_pothole()


@pytest.fixture
def foi_request(citizen: Any, foi_service: Any) -> Any:
    """Alex's public FOI request, just filed (submitted)."""
    from townhall.service_requests import actions

    return actions.file_request(
        by=citizen, service=foi_service, description="Every road repair contract of 2025."
    )
