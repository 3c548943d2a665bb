"""Background work of the transparency app. Idempotent: each run records one build."""

from __future__ import annotations

from django_tasks import task

from . import actions


@task()
def build_open_data() -> int:
    """Refresh the open-data catalogue: row counts and build times (also
    `townhall build_open_data`, nightly from cron). Returns the number of datasets built."""
    return len(actions.build_open_data())


@task()
def refresh_dashboard(*, activity_ids: list[int], committed_at: str | None = None) -> int:
    """Recompute the dashboard's rollup rows of the days these activities touched
    (queued after each relevant activity commits, `committed_at` in ISO 8601; days
    recomputed since are skipped). Idempotent. Returns how many days it recomputed."""
    from django.utils.dateparse import parse_datetime

    from . import rollups

    moment = parse_datetime(committed_at) if committed_at else None
    return rollups.refresh_for_activities(activity_ids, committed_at=moment)


@task()
def build_dashboard() -> int:
    """Rebuild every rollup row from the source tables (also `townhall build_dashboard`).
    Returns the number of day rows."""
    from . import rollups

    return sum(rollups.rebuild().values())
