"""Helpers shared by the commitment tests (their fixtures are in conftest.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from townhall.commitments import actions
from townhall.commitments.models import Commitment, CommitmentKind

CHICAGO = ZoneInfo("America/Chicago")
# Far enough ahead that "must be due in the future" holds whenever the tests run.
FRIDAY = datetime(2030, 3, 8, 10, 0, tzinfo=CHICAGO)


def make(
    by: Any,
    agency: Any,
    made_to: Any = None,
    *,
    due_at: datetime = FRIDAY,
    is_public: bool = False,
    kind: str = CommitmentKind.CUSTOM,
    description: str = "I will call you by Friday",
) -> Commitment:
    return actions.make_commitment(
        by=by,
        agency=agency,
        kind=kind,
        due_at=due_at,
        made_to=made_to,
        subject=agency,
        description=description,
        is_public=is_public,
    )


AFTER_DUE = FRIDAY + timedelta(days=1)
