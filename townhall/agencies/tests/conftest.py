"""Helpers for the agencies tests (the shared fixtures live in the root conftest)."""

from __future__ import annotations

from typing import Any

import pytest

from townhall.agencies import actions
from townhall.identity.models import User


@pytest.fixture
def add_person(site_admin: Any) -> Any:
    """Add a staff member to an agency; the account is cheap (no password hashing)."""

    def add(agency: Any, public_name: str, job_title: str = "Inspector", **extra: Any) -> Any:
        email = f"{public_name.lower().replace(' ', '.')}.{agency.slug}@example.org"
        user = User.objects.create_user(email=email, display_name=public_name.split()[0])
        return actions.add_staff_member(
            by=site_admin,
            agency=agency,
            user=user,
            public_name=public_name,
            job_title=job_title,
            **extra,
        )

    return add
