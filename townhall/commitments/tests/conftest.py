"""Fixtures of the commitment tests."""

from __future__ import annotations

from typing import Any

import pytest

from townhall.commitments.models import Commitment

from .commitment_examples import make


@pytest.fixture
def promise(staff_member: Any, agency: Any, citizen: Any) -> Commitment:
    """Sam promises Alex, privately, to call by Friday 8 March 2030."""
    return make(staff_member.user, agency, citizen)
