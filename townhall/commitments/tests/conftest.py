"""Fixtures of the commitment tests."""

from __future__ import annotations

from typing import Any

import pytest

from townhall.agencies import actions as agency_actions
from townhall.commitments.models import Commitment

from .commitment_examples import make


@pytest.fixture
def other_staff(make_user: Any, other_agency: Any, site_admin: Any) -> Any:
    """A Parks and Recreation staff member (the membership)."""
    return agency_actions.add_staff_member(
        by=site_admin,
        agency=other_agency,
        user=make_user("pat@example.org", "Pat"),
        public_name="Pat Green",
        job_title="Ranger",
    )


@pytest.fixture
def promise(staff_member: Any, agency: Any, citizen: Any) -> Commitment:
    """Sam promises Alex, privately, to call by Friday 8 March 2030."""
    return make(staff_member.user, agency, citizen)
