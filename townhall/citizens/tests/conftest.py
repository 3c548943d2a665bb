"""Fixtures of the joined-up view tests: one citizen with records at two agencies."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def parks_service(other_agency: Any, site_admin: Any) -> Any:
    """Book a picnic shelter: a private-by-default service of Parks and Recreation."""
    from townhall.agencies import actions

    return actions.add_service(
        by=site_admin, agency=other_agency, code="shelter", name="Book a picnic shelter"
    )


@pytest.fixture
def file_parks(citizen: Any, parks_service: Any) -> Any:
    from townhall.service_requests import actions

    def file(by: Any = None, **extra: Any) -> Any:
        fields: dict[str, Any] = {"description": "The big shelter on Saturday, please."}
        fields.update(extra)
        return actions.file_request(by=by or citizen, service=parks_service, **fields)

    return file


@pytest.fixture
def parks_request(file_parks: Any) -> Any:
    """Alex's private request to Parks and Recreation."""
    return file_parks()


@pytest.fixture
def public_parks_request(file_parks: Any) -> Any:
    return file_parks(description="Public: the lake path is flooded.", is_public=True)


@pytest.fixture
def open_record(staff_client_for: Any) -> Any:
    """Open a citizen's joined-up view as a staff member, giving a reason."""

    def open_(persona: Any, citizen: Any, reason: str = "answering_request", **params: Any) -> Any:
        client = staff_client_for(persona.user)
        return client, client.get(f"/citizens/{citizen.pk}/", {"reason": reason, **params})

    return open_
