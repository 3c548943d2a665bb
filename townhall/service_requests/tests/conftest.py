"""Fixtures of the service-request tests (the shared ones live in the root conftest)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def sam(staff_member: Any) -> Any:
    """Sam Rivera's account (staff of Public Works)."""
    return staff_member.user


@pytest.fixture
def sam_on_streets(staff_member: Any, team: Any) -> Any:
    """Sam Rivera, Road Maintenance Supervisor at Public Works, on the Streets team
    (the membership)."""
    staff_member.teams.add(team)
    return staff_member


@pytest.fixture
def sam_client(sign_in_staff: Any, sam_on_streets: Any) -> Client:
    """A client signed in as Sam, on the Streets team."""
    return sign_in_staff(sam_on_streets.user)
