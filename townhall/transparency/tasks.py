"""Background work of the transparency app. Idempotent: each run records one build."""

from __future__ import annotations

from django_tasks import task

from . import actions


@task()
def build_open_data() -> int:
    """Refresh the open-data catalogue: row counts and build times (also
    `townhall build_open_data`, nightly from cron). Returns the number of datasets built."""
    return len(actions.build_open_data())
