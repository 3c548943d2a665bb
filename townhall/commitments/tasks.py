"""Background work for commitments: the scheduled check that flags and breaks them."""

from __future__ import annotations

from django_tasks import task

from . import actions


@task()
def check_commitments() -> dict[str, int]:
    """Flag commitments due within one working day and break those past due. Idempotent:
    running it twice, or from two workers at once, changes and logs each one once."""
    return {
        "at_risk": actions.flag_at_risk_commitments(),
        "broken": actions.mark_broken_commitments(),
    }
