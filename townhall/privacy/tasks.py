"""Background work of the privacy app: building archives, expiring them. Idempotent."""

from __future__ import annotations

from django_tasks import task

from . import actions


@task()
def build_export(*, job_id: int) -> str:
    """Build one archive (queued by `actions.request_export` after commit). A job that is
    no longer waiting is left alone, so running this twice builds once."""
    return actions.build_export(job_id=job_id)


@task()
def expire_exports() -> int:
    """Delete archives past their date. Returns how many expired."""
    return actions.expire_exports()


@task()
def purge_retained_requests() -> int:
    """Delete erased people's private requests whose retention time is up."""
    return actions.purge_retained_requests()
